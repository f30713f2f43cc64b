"""The relay rule as database triggers, as migration 0002 created them: a relay line has no
athlete, an individual line has one.

A CHECK constraint cannot read the race's distance, so triggers enforce it on SQLite and
PostgreSQL. They fail like a constraint (IntegrityError naming result_relay_has_no_athlete).

SQLite rebuilds a table for many schema changes, and the rebuild both drops that table's
triggers and trips over triggers that read it. A migration that alters results_race or
results_result therefore calls `drop` before and `create` after (see 0006_race_revision);
tests/test_models.py proves the rule still holds after every migration.

This file is part of the migrations' history and is never edited: a migration that changes the
triggers brings its own copy (the loader skips modules whose name starts with "_").
"""

RELAYS = "('3000m-relay', '5000m-relay', '2000m-mixed-relay')"
MESSAGE = "CHECK constraint failed: result_relay_has_no_athlete"

SQLITE = [
    f"""
    CREATE TRIGGER result_relay_has_no_athlete_insert BEFORE INSERT ON results_result
    FOR EACH ROW WHEN
        ((SELECT distance FROM results_race WHERE id = NEW.race_id) IN {RELAYS})
        = (NEW.athlete_id IS NOT NULL)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER result_relay_has_no_athlete_update
    BEFORE UPDATE OF race_id, athlete_id ON results_result
    FOR EACH ROW WHEN
        ((SELECT distance FROM results_race WHERE id = NEW.race_id) IN {RELAYS})
        = (NEW.athlete_id IS NOT NULL)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER race_relay_has_no_athlete BEFORE UPDATE OF distance ON results_race
    FOR EACH ROW WHEN
        (NEW.distance IN {RELAYS}) != (OLD.distance IN {RELAYS})
        AND EXISTS (SELECT 1 FROM results_result WHERE race_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS result_relay_has_no_athlete_insert",
    "DROP TRIGGER IF EXISTS result_relay_has_no_athlete_update",
    "DROP TRIGGER IF EXISTS race_relay_has_no_athlete",
]

POSTGRESQL = [
    f"""
    CREATE FUNCTION results_result_relay_check() RETURNS trigger AS $$
    BEGIN
        IF ((SELECT distance FROM results_race WHERE id = NEW.race_id) IN {RELAYS})
           = (NEW.athlete_id IS NOT NULL) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER result_relay_has_no_athlete
    BEFORE INSERT OR UPDATE OF race_id, athlete_id ON results_result
    FOR EACH ROW EXECUTE FUNCTION results_result_relay_check();
    """,
    f"""
    CREATE FUNCTION results_race_relay_check() RETURNS trigger AS $$
    BEGIN
        IF (NEW.distance IN {RELAYS}) != (OLD.distance IN {RELAYS})
           AND EXISTS (SELECT 1 FROM results_result WHERE race_id = NEW.id) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER race_relay_has_no_athlete BEFORE UPDATE OF distance ON results_race
    FOR EACH ROW EXECUTE FUNCTION results_race_relay_check();
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS result_relay_has_no_athlete ON results_result",
    "DROP FUNCTION IF EXISTS results_result_relay_check()",
    "DROP TRIGGER IF EXISTS race_relay_has_no_athlete ON results_race",
    "DROP FUNCTION IF EXISTS results_race_relay_check()",
]


def execute(schema_editor, statements: dict) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def create(apps, schema_editor) -> None:
    execute(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL})


def drop(apps, schema_editor) -> None:
    execute(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE})
