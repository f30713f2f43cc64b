"""python manage.py restore PATH: replace the database's contents with a backup, safely.

A restore never leaves the site empty or half-written:
1. the file is checked to be a backup of this site: a whole database (SQLite's integrity check,
   or pg_restore's table of contents), whose recorded migrations this code knows (the same
   state, or an older one), holding every table those migrations made;
2. a copy of it is migrated to this code's state in a scratch database (if it lacks any of this
   code's migrations) and checked again;
3. only then is the live database replaced, in one step: SQLite's backup API, or pg_restore
   --single-transaction. If anything fails before that, nothing has changed.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from results.management.commands.backup import postgres_environment
from results.standings.loader import forget_loaded
from results.versioning import renew_every_version


def every_migration() -> MigrationLoader:
    """This code's migrations, each one on its own: a squashed migration beside the ones it
    replaces, as Django records both (a database made by a squashed migration also records
    every migration it replaces; one from an older release, only those it ran)."""
    return MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)


def as_graph_nodes(applied: set[tuple[str, str]], loader: MigrationLoader) -> set[tuple[str, str]]:
    """The applied migrations as nodes of one path through `every_migration`'s graph: a
    squashed migration stands for the ones it replaces when all of them are applied (the
    migrations after it depend on it, not on the last of them), and is left out otherwise."""
    nodes = set(applied)
    for key, squashed in loader.replacements.items():
        if set(squashed.replaces) <= nodes:
            nodes = (nodes - set(squashed.replaces)) | {key}
        else:
            nodes.discard(key)
    return nodes


def expected_tables(applied: set[tuple[str, str]]) -> set[str]:
    """The tables a database with these migrations applied holds, by this code's migrations."""
    loader = every_migration()
    applied = as_graph_nodes(applied, loader)
    leaves = [
        node
        for node in applied
        if not any(child in applied for child in loader.graph.node_map[node].children)
    ]
    state = loader.project_state(nodes=leaves, at_end=True) if leaves else None
    if state is None:
        return set()
    return {model._meta.db_table for model in state.apps.get_models(include_auto_created=True)}


def check_state(applied: set[tuple[str, str]], tables: set[str], what: str) -> None:
    """Refuse a database this code cannot take: not this site's, from a newer release, or
    missing tables its own migrations made."""
    loader = every_migration()
    if not any(app == "results" for app, _ in applied):
        raise CommandError(f"{what} is not a backup of this site: it records no results migration")
    unknown = sorted(f"{app}.{name}" for app, name in applied - set(loader.graph.nodes))
    if unknown:
        raise CommandError(
            f"{what} is from a newer release of the site (migrations {', '.join(unknown[:3])} are "
            "unknown here): restore it with that release"
        )
    missing = sorted(expected_tables(applied) - tables)
    if missing:
        raise CommandError(
            f"{what} is not a whole backup of this site: it lacks the tables "
            f"{', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}"
        )


def every_table() -> set[str]:
    return {model._meta.db_table for model in apps.get_models(include_auto_created=True)}


def migrate(database_url: str, applied: set[tuple[str, str]]) -> None:
    """Bring the scratch copy to this code's migration state, in a process of its own; nothing
    to do for a copy that has every migration already (a backup of this release: the roles
    are put right after the restore, as a migrate would)."""
    loader = every_migration()
    if not set(loader.graph.nodes) - set(loader.replacements) - applied:
        return
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise CommandError(f"the backup cannot be migrated to this release: {lines[-1:]}")


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database, replacing "
        "what it holds (every table, history included), after checking a migrated copy of it. "
        "Asks first unless --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"no such backup: {path}")
        vendor = connection.vendor
        if vendor not in ("sqlite", "postgresql"):
            raise CommandError(f"no restore for a {vendor} database")
        if not options["yes"]:
            answer = input(f"Replace everything in the {vendor} database with {path}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("restore cancelled; nothing changed")
        with tempfile.TemporaryDirectory(prefix="worldcup-restore-") as scratch:
            if vendor == "sqlite":
                self.restore_sqlite(path, Path(scratch))
            else:
                self.restore_postgresql(path, Path(scratch))
        # What every migrate ends with, on the restored database: each model's permissions,
        # and each role exactly the permissions this code gives it (results/roles.py).
        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
        # A fresh version token: nothing cached (here or in another worker) may show again.
        renew_every_version()
        cache.clear()
        forget_loaded()
        self.stdout.write(f"Restored {path} into the {vendor} database.")

    # --- SQLite -----------------------------------------------------------------------------

    def read_sqlite(self, path: Path, what: str) -> tuple[set, set]:
        """(applied migrations, tables) of a SQLite file, refusing one that is not whole."""
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                verdict = source.execute("PRAGMA integrity_check").fetchone()
                if verdict != ("ok",):
                    raise sqlite3.DatabaseError(verdict[0] if verdict else "no answer")
                tables = {
                    row[0]
                    for row in source.execute("SELECT name FROM sqlite_master WHERE type='table'")
                }
                if "django_migrations" not in tables:
                    raise CommandError(f"{what} is not a backup of this site: it has no migrations")
                applied = set(source.execute("SELECT app, name FROM django_migrations"))
            finally:
                source.close()
        except sqlite3.DatabaseError as error:
            raise CommandError(f"{what} is not a whole SQLite database: {error}") from error
        return applied, tables

    def restore_sqlite(self, path: Path, scratch: Path) -> None:
        applied, tables = self.read_sqlite(path, str(path))
        check_state(applied, tables, str(path))
        copy = scratch / "copy.sqlite3"
        shutil.copyfile(path, copy)
        migrate(f"sqlite:///{copy}", applied)
        applied, tables = self.read_sqlite(copy, "the migrated copy")
        check_state(applied, tables, "the migrated copy")
        missing = every_table() - tables
        if missing:
            raise CommandError(f"the migrated copy lacks {sorted(missing)[:5]}; nothing changed")
        with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as source:
            kept = {row[0] for row in source.execute(TRIGGERS_SQLITE)}
        check_triggers(kept)
        source = sqlite3.connect(copy)
        try:
            connection.close()
            connection.ensure_connection()
            with source:
                source.backup(connection.connection)  # every page at once, in one step
        finally:
            source.close()

    # --- PostgreSQL -------------------------------------------------------------------------

    def run(self, *command: str, database: str | None = None) -> str:
        env = postgres_environment()
        if database:
            env["PGDATABASE"] = database
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode:
            raise CommandError(f"{command[0]} failed; nothing changed: {done.stderr.strip()}")
        return done.stdout

    def restore_postgresql(self, path: Path, scratch: Path) -> None:
        contents = self.run("pg_restore", "--list", str(path))
        if "TABLE DATA public django_migrations" not in contents:
            raise CommandError(f"{path} is not a backup of this site: it has no migrations")
        db = connection.settings_dict
        name = f"{db['NAME']}_restore_check"
        self.run("dropdb", "--if-exists", name)
        self.run("createdb", name)
        try:
            self.run(
                "pg_restore", "--no-owner", "--single-transaction", "--dbname", name, str(path)
            )
            query = "SELECT app || '.' || name FROM django_migrations"
            listed = self.run("psql", "-At", "-c", query, database=name).split()
            applied = {tuple(item.split(".", 1)) for item in listed}
            tables = set(self.run("psql", "-At", "-c", TABLES_SQL, database=name).split())
            check_state(applied, tables, str(path))
            user, password = (quote(db[key] or "", safe="") for key in ("USER", "PASSWORD"))
            host, port = db["HOST"] or "localhost", db["PORT"] or 5432
            migrate(f"postgres://{user}:{password}@{host}:{port}/{name}", applied)
            tables = set(self.run("psql", "-At", "-c", TABLES_SQL, database=name).split())
            missing = every_table() - tables
            if missing:
                raise CommandError(
                    f"the migrated copy lacks {sorted(missing)[:5]}; nothing changed"
                )
            check_triggers(set(self.run("psql", "-At", "-c", TRIGGERS_SQL, database=name).split()))
            migrated = scratch / "migrated.dump"
            self.run(
                "pg_dump", "--format=custom", "--no-owner", "--file", str(migrated), database=name
            )
        finally:
            self.run("dropdb", "--if-exists", name)
        connection.close()
        self.run(
            "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
            "--dbname", db["NAME"], str(migrated),
        )  # fmt: skip


TABLES_SQL = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
TRIGGERS_SQL = "SELECT DISTINCT tgname FROM pg_trigger WHERE NOT tgisinternal"
TRIGGERS_SQLITE = "SELECT name FROM sqlite_master WHERE type = 'trigger'"


def check_triggers(kept: set[str]) -> None:
    """The migrated copy keeps every check the database makes itself (the triggers this
    site's migrations create, as the live database has them): a backup whose checks were
    dropped would let the database take what the site refuses."""
    with connection.cursor() as cursor:
        cursor.execute(TRIGGERS_SQL if connection.vendor == "postgresql" else TRIGGERS_SQLITE)
        expected = {row[0] for row in cursor.fetchall()}
    missing = sorted(expected - kept)
    if missing:
        raise CommandError(
            f"the backup lacks the database's own checks ({', '.join(missing)}): it is not a "
            "whole backup of this site; nothing changed"
        )
