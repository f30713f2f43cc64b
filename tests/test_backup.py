"""Backup and restore with the database's own tools: identical pages, standings and history."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from results.models import Result, Season
from results.standings.loader import standings_table

# Transactional: the commands work on the database itself, not inside a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/seasons/2012-13/",
    "/seasons/2012-13/standings/women/3000m-relay/",
    "/seasons/2012-13/events/1/men/500m/1/",
    "/api/v1/seasons/2012-13/standings/men/500m",
]


def snapshot(client) -> dict:
    cache.clear()
    pages = {url: client.get(url).content for url in PAGES}
    history = sorted(
        Result.history.values_list("history_type", "history_change_reason", "rank", "nation_id")
    )
    season = Season.objects.get(slug="2012-13")
    standings = standings_table(season, "women", "3000m-relay").as_dict("s")
    return {"pages": pages, "history": history, "standings": standings}


def test_a_restore_gives_identical_pages_standings_and_history(
    client, tmp_path, capsys, season_2012_13
):
    line = Result.objects.get(race__event__number=1, race__distance="5000m-relay", rank=4)
    line.status, line._change_reason = "", "Penalty withdrawn on appeal"
    line.save()
    before = snapshot(client)
    assert before["history"], "the history has a correction to carry"
    path = tmp_path / "backup"
    call_command("backup", str(path))
    assert "Backed up" in capsys.readouterr().out

    Result.history.all().delete()
    Season.objects.all().delete()  # the database is emptied of seasons, races and results
    assert not Result.objects.exists()

    call_command("restore", str(path), "--yes")
    assert snapshot(client) == before


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database")
    with pytest.raises(CommandError):
        call_command("restore", str(junk), "--yes")


def test_restore_refuses_a_missing_file():
    with pytest.raises(CommandError, match="no such backup"):
        call_command("restore", "/no/such/backup", "--yes")


# --- A restore checks the file first and never leaves the site empty --------------------------

only_sqlite = pytest.mark.skipif(
    "sqlite" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="SQLite files",
)


@pytest.fixture
def backup_file(tmp_path, season_2012_13, capsys):
    path = tmp_path / "backup.sqlite3"
    call_command("backup", str(path))
    capsys.readouterr()
    return path


def site_state() -> tuple:
    return (Season.objects.count(), Result.objects.count(), Result.history.count())


def refused_restore(path, message: str) -> None:
    before = site_state()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), "--yes")
    assert site_state() == before and before[1] > 0  # the site is as it was


@only_sqlite
def test_a_truncated_backup_is_refused(backup_file):
    data = backup_file.read_bytes()
    backup_file.write_bytes(data[: len(data) // 2])
    refused_restore(backup_file, "is not a whole SQLite database")


@only_sqlite
def test_a_sqlite_file_of_something_else_is_refused(tmp_path, season_2012_13):
    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as other:
        other.execute("CREATE TABLE recipes (name TEXT)")
    refused_restore(foreign, "is not a backup of this site: it has no migrations")


@only_sqlite
def test_a_file_that_holds_only_the_migrations_table_is_refused(tmp_path, season_2012_13):
    """The file that once replaced the whole database with nothing."""
    empty = tmp_path / "empty.sqlite3"
    with sqlite3.connect(empty) as other:
        other.execute("CREATE TABLE django_migrations (app TEXT, name TEXT, applied TEXT)")
    refused_restore(empty, "is not a backup of this site")
    with sqlite3.connect(empty) as other:
        other.execute("INSERT INTO django_migrations VALUES ('results', '0001_initial', '')")
    refused_restore(empty, "is not a whole backup of this site: it lacks the tables")


@only_sqlite
def test_a_backup_whose_database_checks_were_dropped_is_refused(backup_file):
    with sqlite3.connect(backup_file) as other:
        triggers = [row[0] for row in other.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")]  # fmt: skip
        assert triggers  # the relay checks the migrations create
        for name in triggers:
            other.execute(f'DROP TRIGGER "{name}"')
    refused_restore(backup_file, "the backup lacks the database's own checks")


@only_sqlite
def test_a_backup_from_a_newer_release_is_refused(backup_file):
    with sqlite3.connect(backup_file) as other:
        other.execute("INSERT INTO django_migrations VALUES (999, 'results', '9999_future', '')")
    refused_restore(backup_file, "is from a newer release")


@only_sqlite
def test_a_backup_from_an_older_release_is_migrated_then_restored(backup_file, client):
    """A backup made before the rows had revisions: its copy is migrated, then restored."""
    subprocess.run(  # the backup taken back to migration 0009, as that release wrote it
        [sys.executable, "manage.py", "migrate", "results", "0009", "--noinput", "-v0"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{backup_file}"},
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    with sqlite3.connect(backup_file) as older:
        assert "revision" not in {
            row[1] for row in older.execute("PRAGMA table_info(results_result)")
        }
    winners = Result.objects.filter(rank=1).count()
    Result.objects.filter(rank=1).delete()  # a change the restore undoes
    call_command("restore", str(backup_file), "--yes")
    assert Result.objects.filter(rank=1).count() == winners > 0
    line = Result.objects.first()
    line.note = "saved after the restore"
    line.save()  # the restored tables have every column this release writes
    line.refresh_from_db()
    assert line.revision == 1


only_postgresql = pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="pg_dump files",
)


def partial_dump(path, *tables: str) -> None:
    """A pg_dump file of some tables of the test database only."""
    import subprocess

    from django.db import connection

    from results.management.commands.backup import postgres_environment

    arguments = [f"--table={table}" for table in tables]
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(path), *arguments],
        env=postgres_environment() | {"PGDATABASE": connection.settings_dict["NAME"]},
        check=True,
    )


@only_postgresql
def test_a_dump_of_something_else_is_refused(tmp_path, season_2012_13):
    path = tmp_path / "nations.dump"
    partial_dump(path, "results_nation")
    refused_restore(path, "is not a backup of this site: it has no migrations")


@only_postgresql
def test_a_dump_with_the_migrations_table_only_is_refused(tmp_path, season_2012_13):
    path = tmp_path / "migrations.dump"
    partial_dump(path, "django_migrations")
    refused_restore(path, "is not a whole backup of this site: it lacks the tables")


@only_sqlite
def test_a_restore_gives_each_role_the_permissions_this_code_gives_it(backup_file):
    """A backup of this release needs no migration, yet its roles are put right as a migrate
    would put them: a group emptied (or widened) by hand in the backup is not restored so."""
    from django.contrib.auth.models import Group

    expected = set(Group.objects.get(name="Officials").permissions.values_list("id", flat=True))
    with sqlite3.connect(backup_file) as edited:
        edited.execute(
            "DELETE FROM auth_group_permissions WHERE group_id = "
            "(SELECT id FROM auth_group WHERE name = 'Officials')"
        )
    call_command("restore", str(backup_file), "--yes")
    restored = Group.objects.get(name="Officials").permissions.values_list("id", flat=True)
    assert set(restored) == expected and expected


def test_a_squashed_migration_counts_for_the_steps_it_replaces_only_when_all_are_applied():
    """How restore reads a backup's recorded migrations against this code's (each migration on
    its own, the squash beside the thirteen it replaces)."""
    from results.management.commands.restore import as_graph_nodes, every_migration

    loader = every_migration()
    ((squash, replaced),) = ((key, m.replaces) for key, m in loader.replacements.items())
    auth = ("auth", "0012_alter_user_first_name_max_length")
    # A database of this release, or one from before the squash with all thirteen applied.
    for recorded in ({*replaced, squash, auth}, {*replaced, auth}):
        assert as_graph_nodes(recorded, loader) == {squash, auth}
    # One from an older release, part of the way (a squash row left by a backwards migrate too).
    for recorded in ({*replaced[:5], auth}, {*replaced[:5], squash, auth}):
        assert as_graph_nodes(recorded, loader) == {*replaced[:5], auth}
