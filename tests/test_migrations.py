"""A new database is made by one squashed migration (results 0001_squashed_0013); a database
from an older release still runs the migrations it lacks, one by one. Both must end with the
same schema, on the database the tests run on."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
STEPS = [f"{n:04d}" for n in range(1, 14)]


def two_empty_databases(tmp_path) -> tuple[str, str]:
    """The addresses of two new, empty databases of the kind the tests run on."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return (
            f"sqlite:///{tmp_path / 'squashed.sqlite3'}",
            f"sqlite:///{tmp_path / 'stepwise.sqlite3'}",
        )
    names = [f"schema_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("squashed", "stepwise")]
    server = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{names[0]}", f"{server}/{names[1]}"


def drop(urls: tuple[str, str]) -> None:
    if urls[0].startswith("postgres://"):
        server = urls[0].rsplit("/", 1)[0]
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for url in urls:
                admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> dict:
    urls = two_empty_databases(tmp_path_factory.mktemp("schemas"))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.migrated_schemas", *urls],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        drop(urls)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_new_database_is_made_by_the_squashed_migration_alone(migrated):
    assert migrated["planned"]["squashed"] == [
        "0001_squashed_0013_result_members_history_rules_assumed"
    ]
    assert [name[:4] for name in migrated["planned"]["stepwise"]] == STEPS


def test_the_squashed_migration_and_the_steps_it_replaces_make_the_same_schema(migrated):
    squashed, stepwise = migrated["schemas"]["squashed"], migrated["schemas"]["stepwise"]
    assert set(squashed) == set(stepwise)
    differing = {
        key: (squashed[key], stepwise[key]) for key in squashed if squashed[key] != stepwise[key]
    }
    assert not differing, json.dumps(differing, indent=1)[:4000]
    assert any("trigger" in key or "triggers" in key for key in squashed)  # the relay rule's
    # Both record every step, and the squash once all of them are (as Django does).
    assert len(squashed["results migrations recorded"]) == len(STEPS) + 1
