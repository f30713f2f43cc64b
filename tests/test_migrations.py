"""A new database is made by one squashed migration (results 0001_squashed_0013); a database
from an older release still runs the migrations it lacks, one by one. Both must end with the
same schema, on the database the tests run on: the test database, made the new way, is
compared with an empty one migrated step by step."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.migrated_schemas import schema_of

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
STEPS = [f"{n:04d}" for n in range(1, 14)]
SQUASHED = "0001_squashed_0013_result_members_history_rules_assumed"


@pytest.fixture(scope="module")
def stepwise(tmp_path_factory) -> dict:
    """An empty database of the tests' kind, migrated step by step (in a process of its own)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        url, server, name = (
            f"sqlite:///{tmp_path_factory.mktemp('schema') / 'steps.sqlite3'}",
            "",
            "",
        )
    else:
        name = f"schema_steps_{uuid.uuid4().hex[:8]}"
        server = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
        url = f"{server}/{name}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.migrated_schemas", url],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        if server:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_new_database_is_made_by_the_squashed_migration_alone(stepwise):
    graph = MigrationLoader(None).graph  # as for a database with nothing applied
    new = [
        name
        for app, name in graph.forwards_plan(graph.leaf_nodes("results")[0])
        if app == "results"
    ]
    assert new == [SQUASHED]
    assert [name[:4] for name in stepwise["planned"]] == STEPS


def test_the_squashed_migration_and_the_steps_it_replaces_make_the_same_schema(stepwise):
    squashed, steps = schema_of(connection), stepwise["schema"]
    assert set(squashed) == set(steps)
    differing = {
        key: (squashed[key], steps[key]) for key in squashed if squashed[key] != steps[key]
    }
    assert not differing, json.dumps(differing, indent=1)[:4000]
    assert any("trigger" in key for key in squashed)  # the relay rule's
    # Both record every step, and the squash once all of them are (as Django does).
    assert squashed["results migrations recorded"] == sorted([*stepwise["planned"], SQUASHED])
