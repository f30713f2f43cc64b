"""Backup and restore with the database's own tools: identical pages, standings and history."""

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
