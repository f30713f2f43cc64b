"""python -m tests.migrated_schemas URL: migrate an empty database through every migration that
the squashed one replaces, one by one, as a database from an older release was; print the
migrations run and the schema as JSON. tests/test_migrations.py compares it with the schema of
the test database, which Django made as it makes every new one (the squashed migration).

A schema here is what a database holds apart from its rows: each table's columns (name, type,
null, default, key), its checks, keys and indexes, and the triggers and functions. Column order is
left out: a column added by a later migration sits at the end of its table, where a table made in
one step has it where the model declares it; the site names its columns in every statement.
"""

import json
import os
import sys

import django


def definitions(create_table: str) -> list[str]:
    """The column and constraint definitions of a CREATE TABLE statement, sorted."""
    body = create_table[create_table.index("(") + 1 : create_table.rindex(")")]
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(body):
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            parts.append(body[start:i].strip())
            start = i + 1
    return sorted([*parts, body[start:].strip()])


def sqlite_schema(cursor) -> dict:
    schema = {}
    rows = cursor.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for kind, name, table, sql in rows:
        if kind == "table":
            schema[f"table {name}"] = definitions(sql)
        elif sql:  # indexes and triggers (an automatic index has no SQL of its own)
            schema[f"{kind} {name} on {table}"] = " ".join(sql.split())
    return schema


def postgresql_schema(cursor) -> dict:
    queries = {
        "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default, "
        "character_maximum_length, numeric_precision, numeric_scale "
        "FROM information_schema.columns WHERE table_schema = 'public'",
        "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
        "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = 'public'",
        "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) "
        "FROM pg_trigger WHERE NOT tgisinternal",
        "functions": "SELECT proname, prosrc FROM pg_proc "
        "WHERE pronamespace = 'public'::regnamespace",
    }
    schema = {}
    for name, sql in queries.items():
        cursor.execute(sql)
        schema[name] = sorted(repr(row) for row in cursor.fetchall())
    return schema


def schema_of(connection) -> dict:
    with connection.cursor() as cursor:
        found = (sqlite_schema if connection.vendor == "sqlite" else postgresql_schema)(cursor)
        cursor.execute("SELECT app, name FROM django_migrations WHERE app = 'results'")
        found["results migrations recorded"] = sorted(name for _, name in cursor.fetchall())
    return found


def main(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worldcup.settings")
    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.loader import MigrationLoader

    executor = MigrationExecutor(connection)
    executor.loader = MigrationLoader(connection, replace_migrations=False)
    squashed = set(executor.loader.replacements)
    leaves = [node for node in executor.loader.graph.leaf_nodes() if node not in squashed]
    planned = plan(executor, leaves)
    executor.migrate(leaves)
    print(json.dumps({"schema": schema_of(connection), "planned": planned}))


def plan(executor, targets) -> list[str]:
    """The results migrations the executor would run, in order."""
    return [m.name for m, _ in executor.migration_plan(targets) if m.app_label == "results"]


if __name__ == "__main__":
    main(sys.argv[1])
