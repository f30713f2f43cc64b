"""Importing classifications from results files: every bad row refused, nothing half-written."""

import io
import os
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from results import csv_format
from results.models import Athlete, Event, Race, Result, Season
from results.standings.loader import season_standings, standings_table
from tests import factories as make

pytestmark = pytest.mark.django_db

HEADER = "season,event,gender,distance,race,rank,athlete,nation,time,status\n"
EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "results-example.csv"


@pytest.fixture
def calendar(db):
    """An empty 2012–13 calendar: event 1 (Calgary) with men's 500 m, 1000 m (1)/(2), relays."""
    season = make.season("2012-13")
    event = make.event(season, 1, city="Calgary")
    for distance, number in [("500m", 1), ("1000m", 1), ("1000m", 2), ("5000m-relay", 1)]:
        make.race(event, distance=distance, number=number, state="draft")
    make.race(event, gender="women", distance="3000m-relay", state="draft")
    for code in ("CAN", "KOR", "USA", "CHN", "RUS", "NED", "JPN"):
        make.nation(code)
    return season


def snapshot() -> tuple:
    """Everything an import could change."""
    return (
        sorted(
            Result.objects.values_list(
                "race_id", "rank", "athlete_id", "nation_id", "time", "status"
            ),
            key=repr,
        ),
        sorted(Athlete.objects.values_list("name", "nation_id")),
        sorted(Race.objects.values_list("pk", "state")),
    )


def importer() -> User:
    """The staff account the command line names as the importer."""
    return User.objects.get_or_create(username="importer", defaults={"is_staff": True})[0]


def run(tmp_path, text: str | bytes, *args: str, name: str = "results.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    importer()
    call_command("import_results", str(path), "--user", "importer", *args)


def refused(tmp_path, capsys, text, *args, message: str, line: int | None = None) -> None:
    """The import fails naming the problem (and its line), and the database is unchanged."""
    before = snapshot()
    with pytest.raises(CommandError, match="nothing written"):
        run(tmp_path, text, *args)
    errors = capsys.readouterr().err
    assert message in errors, errors
    if line is not None:
        assert f"line {line}" in errors, errors
    assert snapshot() == before


GOOD = HEADER + (
    "2012-13,1,men,500m,1,1,J. R. Celski,USA,39.937,\n"
    "2012-13,1,men,500m,1,2,Charles Hamelin,CAN,40.100,\n"
    "2012-13,1,men,500m,1,3,John-Henry Krueger,USA,,\n"
    "2012-13,1,men,500m,1,,Lee Ho-suk,KOR,,DNS\n"
    "2012-13,1,men,5000m-relay,1,1,,KOR,6:43.220,\n"
    "2012-13,1,men,5000m-relay,1,2,,RUS,,\n"
)


# --- A good file ----------------------------------------------------------------------------


def test_a_good_file_imports_with_a_summary(calendar, tmp_path, capsys):
    run(tmp_path, GOOD)
    out = capsys.readouterr().out
    assert "Imported 6 result(s) into 2 race(s) (draft): 4 new athlete(s), 0 earlier" in out
    race = Race.objects.get(distance="500m")
    assert [
        (r.rank, r.athlete.name, r.nation_id, str(r.time or ""), r.status)
        for r in race.results.order_by(F("rank").asc(nulls_last=True))
    ] == [
        (1, "J. R. Celski", "USA", "39.937", ""),
        (2, "Charles Hamelin", "CAN", "40.100", ""),
        (3, "John-Henry Krueger", "USA", "", ""),
        (None, "Lee Ho-suk", "KOR", "", "DNS"),
    ]
    assert Race.objects.get(distance="5000m-relay").results.get(rank=1).time == Decimal("403.220")
    assert race.state == "draft"  # imported results enter as draft
    assert Athlete.objects.get(name="J. R. Celski").gender == "men"  # from the race


def test_publish_makes_the_imported_races_public(calendar, tmp_path):
    run(tmp_path, GOOD, "--publish", "provisional")
    assert set(Race.objects.filter(results__isnull=False).values_list("state", flat=True)) == {
        "provisional"
    }


def test_a_dry_run_lists_every_row_and_new_athletes_and_writes_nothing(calendar, tmp_path, capsys):
    make.athlete("Charles Hamelin", nation_code="CAN")
    before = snapshot()
    run(tmp_path, GOOD, "--dry-run")
    out = capsys.readouterr().out
    assert "line 2: new line; new athlete J. R. Celski (USA)" in out
    assert "line 3: new line\n" in out  # Hamelin exists: matched, not new
    assert "Would import 2 race(s), 6 result(s), 3 new athlete(s)" in out
    assert snapshot() == before


def test_athletes_are_matched_by_alias_and_nation(calendar, tmp_path):
    an = make.athlete("Victor An", nation_code="RUS", aliases=["Viktor Ahn", "Ahn Hyun-soo"])
    run(tmp_path, HEADER + "2012-13,1,men,1000m,2,1,Viktor Ahn,RUS,,\n")
    assert Result.objects.get().athlete == an
    assert Athlete.objects.count() == 1


def test_athletes_are_matched_by_isu_id_first(calendar, tmp_path):
    kwak = make.athlete("Kwak Yoon-gy", nation_code="KOR", isu_id="STKOR10101")
    text = "season,event,gender,distance,race,rank,athlete,nation,time,status,isu_id\n"
    run(tmp_path, text + "2012-13,1,men,1000m,1,1,KWAK Yoongy,KOR,,,STKOR10101\n")
    assert Result.objects.get().athlete == kwak


def test_a_same_name_of_another_nation_is_another_athlete(calendar, tmp_path):
    make.athlete("Kim Min-jung", gender="men", nation_code="KOR")
    run(tmp_path, HEADER + "2012-13,1,men,500m,1,1,Kim Min-jung,CAN,,\n")
    assert Athlete.objects.filter(name="Kim Min-jung").count() == 2
    assert Athlete.objects.get(name="Kim Min-jung", nation="CAN").slug == "kim-min-jung-can"


def test_the_source_column_fills_each_results_source(calendar, tmp_path):
    text = "season,event,gender,distance,race,rank,athlete,nation,time,status,source\n"
    run(tmp_path, text + "2012-13,1,men,5000m-relay,1,1,,KOR,,,ISU results PDF\n")
    assert Result.objects.get().source == "ISU results PDF"


def test_an_xlsx_file_imports_like_a_csv(calendar, tmp_path, capsys):
    workbook = Workbook()
    sheet = workbook.active
    for line in GOOD.strip().splitlines():
        sheet.append([int(v) if v.isdigit() else (v or None) for v in line.split(",")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    run(tmp_path, buffer.getvalue(), name="results.xlsx")
    assert "Imported 6 result(s)" in capsys.readouterr().out
    assert Result.objects.get(rank=1, race__distance="500m").time == Decimal("39.937")


def test_the_readme_example_file_imports(tmp_path, capsys, season_2012_13):
    importer()
    call_command(
        "import_results",
        str(EXAMPLE),
        "--user",
        "importer",
        "--replace",
        "--reason",
        "Fuller classification",
        "--publish",
        "official",
    )
    assert "Imported 9 result(s) into 2 race(s) (official)" in capsys.readouterr().out
    race = Race.objects.get(event__number=1, gender="men", distance="500m")
    assert race.results.get(rank=4).athlete.name == "Example SKATER"
    assert race.results.get(status="DNS").rank is None


# --- Replace --------------------------------------------------------------------------------


def test_a_race_with_results_is_refused_without_replace(calendar, tmp_path, capsys):
    run(tmp_path, GOOD)
    refused(
        tmp_path, capsys, GOOD, line=2,
        message="Men 500 m already has 4 result(s) (lines 2–5); use --replace to replace them",
    )  # fmt: skip


def test_replace_swaps_the_races_classification(calendar, tmp_path, capsys):
    run(tmp_path, GOOD)
    run(tmp_path, HEADER + "2012-13,1,men,500m,1,1,Charles Hamelin,CAN,,\n", "--replace")
    race = Race.objects.get(distance="500m")
    assert list(race.results.values_list("athlete__name", flat=True)) == ["Charles Hamelin"]
    assert Race.objects.get(distance="5000m-relay").results.count() == 2  # untouched
    assert "1 earlier result(s) replaced" not in capsys.readouterr().out  # 4 were replaced


def test_replacing_an_official_race_needs_a_reason_which_the_history_keeps(
    calendar, tmp_path, capsys
):
    run(tmp_path, GOOD, "--publish", "official")
    one_line = HEADER + "2012-13,1,men,500m,1,1,Charles Hamelin,CAN,,\n"
    refused(
        tmp_path,
        capsys,
        one_line,
        "--replace",
        message="this race is official: give the reason for the correction",
    )
    run(
        tmp_path,
        one_line,
        "--replace",
        "--reason",
        "Appeal: Celski disqualified",
        "--publish",
        "official",
    )
    removed = Result.history.filter(history_type="-").values_list(
        "history_change_reason", flat=True
    )
    assert set(removed) == {"Appeal: Celski disqualified"}
    assert Result.history.filter(history_type="-").count() == 4


def test_replacing_an_official_race_keeps_it_official(calendar, tmp_path, capsys):
    run(tmp_path, GOOD, "--publish", "official")
    one_line = HEADER + "2012-13,1,men,500m,1,1,Charles Hamelin,CAN,,\n"
    run(tmp_path, one_line, "--replace", "--reason", "Fuller classification")  # no --publish
    assert "1 official race(s) stay official" in capsys.readouterr().out
    race = Race.objects.get(distance="500m")
    assert race.state == "official"  # a correction, never an unpublication
    assert race.history.latest().state == "official"


def test_the_history_names_the_importer(calendar, tmp_path):
    run(tmp_path, GOOD, "--publish", "provisional")
    users = set(Result.history.values_list("history_user__username", flat=True))
    assert users == {"importer"}
    assert Race.history.filter(state="provisional").get(distance="500m").history_user == importer()


def test_an_import_without_a_user_is_refused(calendar, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(GOOD)
    with pytest.raises(CommandError, match="say who imports: --user USERNAME"):
        call_command("import_results", str(path))
    User.objects.create_user("fan")  # not staff
    with pytest.raises(CommandError, match="no active staff account named 'fan'"):
        call_command("import_results", str(path), "--user", "fan")
    assert not Result.objects.exists()
    call_command("import_results", str(path), "--dry-run")  # a dry run writes nothing: no user


def test_a_new_isu_id_on_two_rows_is_one_new_athlete(calendar, tmp_path):
    text = "season,event,gender,distance,race,rank,athlete,nation,time,status,isu_id\n"
    run(
        tmp_path,
        text
        + "2012-13,1,men,1000m,1,1,Kwak Yoon-gy,KOR,,,STKOR10101\n"
        + "2012-13,1,men,1000m,2,1,KWAK Yoongy,KOR,,,STKOR10101\n",
    )
    assert Athlete.objects.get().isu_id == "STKOR10101"
    assert Result.objects.count() == 2


def test_an_isu_id_finds_an_athlete_who_changed_nation(calendar, tmp_path):
    an = make.athlete("Ahn Hyun-soo", nation_code="KOR", isu_id="STKOR20202")
    text = "season,event,gender,distance,race,rank,athlete,nation,time,status,isu_id\n"
    run(tmp_path, text + "2012-13,1,men,1000m,1,1,Victor An,RUS,,,STKOR20202\n")
    line = Result.objects.get()
    assert (line.athlete, line.nation_id) == (an, "RUS")  # his new nation that day
    assert Athlete.objects.count() == 1


# --- Every bad input, one test each: the message, and the database unchanged ---------------


def test_one_athlete_by_name_and_alias_in_one_race(calendar, tmp_path, capsys):
    make.athlete("Charles Hamelin", nation_code="CAN", aliases=["C. Hamelin"])
    text = HEADER + (
        "2012-13,1,men,500m,1,1,Charles Hamelin,CAN,,\n2012-13,1,men,500m,1,2,C. Hamelin,CAN,,\n"
    )
    refused(
        tmp_path,
        capsys,
        text,
        message="C. Hamelin is Charles Hamelin (CAN), already on line 2 of this race",
        line=3,
    )


def test_one_athlete_by_isu_id_twice_in_one_race(calendar, tmp_path, capsys):
    text = "season,event,gender,distance,race,rank,athlete,nation,time,status,isu_id\n"
    text += "2012-13,1,men,500m,1,1,Kwak Yoon-gy,KOR,,,STKOR10101\n"
    text += "2012-13,1,men,500m,1,2,KWAK Yoongy,KOR,,,STKOR10101\n"
    refused(tmp_path, capsys, text, message="already on line 2 of this race", line=3)


def test_a_reason_too_long_for_the_history(calendar, tmp_path):
    run(tmp_path, GOOD, "--publish", "official")
    before = snapshot()
    with pytest.raises(CommandError, match="longer than 100 characters"):
        run(tmp_path, GOOD, "--replace", "--reason", "x" * 101)
    assert snapshot() == before


def test_a_gap_in_a_complete_classification(calendar, tmp_path, capsys):
    text = HEADER + (
        "2012-13,1,men,500m,1,1,J. R. Celski,USA,,\n2012-13,1,men,500m,1,3,Charles Hamelin,CAN,,\n"
    )
    refused(
        tmp_path, capsys, text, message="is marked complete: rank(s) 2 would be missing", line=2
    )
    Race.objects.filter(distance="500m").update(completeness="partial")
    run(tmp_path, text)  # a partial classification gives the places a source gives
    assert Result.objects.count() == 2


def test_unknown_season(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2099-00,1,men,500m,1,1,A Skater,CAN,,\n",
        message="line 2, column season: unknown season 2099-00",
    )


def test_unknown_event(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,7,men,500m,1,1,A Skater,CAN,,\n",
        message="line 2, column event: season 2012-13 has no event 7",
    )


def test_unknown_race(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,2,1,A Skater,CAN,,\n",
        message="line 2, column race: event 1 of 2012-13 has no men's 500m race 2",
    )


def test_unknown_nation(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,1,1,A Skater,XYZ,,\n",
        message="line 2, column nation: unknown nation XYZ",
    )


def test_a_nation_not_a_code(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,1,1,A Skater,Canada,,\n",
        message="column nation: 'Canada' is not a three-letter code",
    )


def test_a_shared_rank_and_the_rank_it_leaves_empty(calendar, tmp_path, capsys):
    text = HEADER + (
        "2012-13,1,men,500m,1,1,A Skater,CAN,,\n2012-13,1,men,500m,1,1,B Skater,KOR,,\n"
        "2012-13,1,men,500m,1,2,C Skater,USA,,\n"
    )
    refused(
        tmp_path,
        capsys,
        text,
        message="line 4, column rank: rank 1 is shared by lines 2 and 3, so rank 2 stays empty",
    )


def test_duplicate_athlete(calendar, tmp_path, capsys):
    text = HEADER + "2012-13,1,men,500m,1,1,A Skater,CAN,,\n2012-13,1,men,500m,1,2,A Skater,CAN,,\n"
    refused(
        tmp_path, capsys, text, message="line 3, column athlete: athlete A Skater appears twice"
    )


def test_duplicate_relay_team(calendar, tmp_path, capsys):
    text = HEADER + "2012-13,1,men,5000m-relay,1,1,,CAN,,\n2012-13,1,men,5000m-relay,1,2,,CAN,,\n"
    refused(tmp_path, capsys, text, message="line 3, column nation: team CAN appears twice")


def test_a_name_that_differs_only_by_accents_proposes_the_skater(calendar, tmp_path, capsys):
    make.athlete("Valérie Maltais", gender="women", nation_code="CAN")
    text = HEADER + "2012-13,1,men,500m,1,1,Valerie Maltais,CAN,,\n"
    refused(
        tmp_path,
        capsys,
        text,
        message="no skater of CAN is written 'Valerie Maltais': did you mean Valérie Maltais?",
        line=2,
    )
    assert Athlete.objects.filter(name__icontains="maltais").count() == 1  # no new skater


def test_a_relay_row_with_an_athlete(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,5000m-relay,1,1,Charles Hamelin,CAN,,\n",
        message="line 2, column athlete: a relay line names the team's nation",
    )


def test_an_individual_row_without_an_athlete(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,1,1,,CAN,,\n",
        message="line 2, column athlete: missing",
    )


def test_a_malformed_time(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,1,1,A Skater,CAN,40,651,\n",
        message="cells where the header has 10",
    )
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,1,1,A Skater,CAN,1:75.2,\n",
        message="line 2, column time: '1:75.2' has 75 seconds",
    )
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,1,1,A Skater,CAN,fast,\n",
        message="line 2, column time: 'fast' is not a race time",
    )


def test_a_bad_rank(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,1,0,A Skater,CAN,,\n",
        message="line 2, column rank: '0' is not a whole number from 1 to 999",
    )


def test_a_dns_with_a_rank(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,1,4,A Skater,CAN,,DNS\n",
        message="a skater who did not start (DNS) has no rank",
    )


def test_no_rank_and_no_status(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,1,,A Skater,CAN,,\n",
        message="a line with no rank needs a status",
    )


def test_an_unknown_status(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,1,1,A Skater,CAN,,DQ\n",
        message="'DQ' is not one of PEN, DNF, DNS, YC",
    )


def test_a_womens_5000m_relay(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,women,5000m-relay,1,1,,CAN,,\n",
        message="there is no women's 5000m-relay",
    )


def test_an_athlete_of_the_wrong_gender(calendar, tmp_path, capsys):
    make.athlete("Wang Meng", gender="women", nation_code="CHN")
    refused(
        tmp_path,
        capsys,
        HEADER + "2012-13,1,men,500m,1,1,Wang Meng,CHN,,\n",
        message="Wang Meng (CHN) skates in the women's races, not the men's",
    )


def test_a_wrong_column_set(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        "season,event,gender,distance,race,place,athlete,nation\n2012-13,1,men,500m,1,1,A,CAN\n",
        message="line 1: wrong columns (missing rank, time, status; unknown 'place')",
        line=1,
    )


def test_a_non_utf8_file(calendar, tmp_path, capsys):
    text = (HEADER + "2012-13,1,men,500m,1,1,Bj\u00f8rn Skater,NOR,,\n").encode("latin-1")
    refused(
        tmp_path,
        capsys,
        text,
        message="line 2: the file is not UTF-8 (byte 0xf8); save it as CSV UTF-8",
    )


def test_an_empty_file(calendar, tmp_path, capsys):
    refused(tmp_path, capsys, "", message="the file is empty")
    refused(tmp_path, capsys, HEADER, message="no result lines under the header")


def test_a_binary_file(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        b"PK\x03\x04 not really a spreadsheet",
        message="the XLSX file cannot be read",
    )


def test_one_bad_row_among_good_ones_writes_nothing(calendar, tmp_path, capsys):
    refused(
        tmp_path,
        capsys,
        GOOD + "2012-13,1,men,1000m,1,1,A Skater,CAN,99:99.9,\n",
        message="line 8, column time",
    )


def test_every_problem_is_listed_not_only_the_first(calendar, tmp_path, capsys):
    text = HEADER + (
        "2099-00,1,men,500m,1,1,A,CAN,,\n"
        "2012-13,1,men,500m,1,x,B,CAN,,\n"
        "2012-13,1,men,500m,1,2,C,CAN,,DQ\n"
    )
    with pytest.raises(CommandError, match="3 problem"):
        run(tmp_path, text)
    errors = capsys.readouterr().err
    assert "line 2" in errors and "line 3" in errors and "line 4" in errors


def test_every_problem_of_one_line_is_listed_at_once(calendar, tmp_path, capsys):
    # A malformed time, an event the season lacks and an unknown nation, all on line 2.
    text = HEADER + "2012-13,9,men,500m,1,1,Some Skater,XYZ,abc,\n"
    before = snapshot()
    with pytest.raises(CommandError, match="3 problem"):
        run(tmp_path, text)
    assert snapshot() == before
    errors = capsys.readouterr().err
    for column, message in [
        ("time", "'abc' is not a race time"),
        ("event", "season 2012-13 has no event 9"),
        ("nation", "unknown nation XYZ"),
    ]:
        assert f"line 2, column {column}: {message}" in errors, errors


def test_a_missing_file(db):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_results", "/no/such/file.csv")


# --- Round trip -----------------------------------------------------------------------------


def copy_calendar(season: Season, slug: str) -> Season:
    """An empty copy of a season's calendar: same rules, events and races, no results."""
    rules = ["points_table", "best_individual", "best_relay", "tie_break"]
    copy = make.season(slug, **{name: getattr(season, name) for name in rules})
    for event in season.events.all():
        days = {"first_day": event.first_day, "last_day": event.last_day}
        twin = Event.objects.create(
            season=copy, number=event.number, city=event.city, venue=event.venue, **days
        )
        for race in event.races.all():
            Race.objects.create(
                event=twin,
                gender=race.gender,
                distance=race.distance,
                number=race.number,
                date=race.date,
                state="draft",
                completeness=race.completeness,
            )
    return copy


def result_rows(season: Season) -> list[tuple]:
    return sorted(
        Result.objects.filter(race__event__season=season).values_list(
            "race__event__number",
            "race__gender",
            "race__distance",
            "race__number",
            "rank",
            "athlete__slug",
            "nation_id",
            "time",
            "status",
            "source",
        )  # fmt: skip
    )


def test_export_then_import_gives_the_same_results_and_standings(season_2012_13, tmp_path):
    exported = csv_format.write(
        Result.objects.filter(race__event__season=season_2012_13).select_related(
            "race__event__season", "athlete"
        )
    )
    copy = copy_calendar(season_2012_13, "2013-14")
    run(tmp_path, exported.replace("2012-13,", "2013-14,"), "--publish", "official")
    assert result_rows(copy) == result_rows(season_2012_13)  # same athletes, none duplicated
    assert Athlete.objects.count() == 37
    season_2012_13.refresh_from_db()
    copy.refresh_from_db()
    keys = season_standings(season_2012_13).table_keys()
    assert len(keys) == 8  # every distance of both genders
    for gender, distance in keys:
        copied = standings_table(copy, gender, distance).as_dict("x")
        assert copied == standings_table(season_2012_13, gender, distance).as_dict("x")


# --- The admin's upload → preview → confirm page --------------------------------------------


def upload(client, text: str, **fields):
    file = io.BytesIO(text.encode())
    file.name = "results.csv"
    return client.post(
        reverse("admin:results_race_import"),
        {"file": file, "publish": "draft", "reason": "", **fields, "preview": "Preview"},
    )


def test_the_admin_preview_shows_every_row_and_writes_nothing(admin_client, calendar):
    before = snapshot()
    page = upload(admin_client, GOOD).content.decode()
    assert "Preview of results.csv: nothing is written until you confirm" in page
    assert page.count("; new athlete") == 4
    assert 'name="confirm"' in page
    assert snapshot() == before


def test_the_admin_preview_lists_errors_with_line_and_column(admin_client, calendar):
    page = upload(
        admin_client,
        HEADER + "2012-13,1,men,500m,1,1,A Skater,CAN,fast,\n2099-00,1,men,500m,1,1,B,CAN,,\n",
    ).content.decode()
    assert "2 problems: nothing can be imported" in page
    assert "<td>2</td><td>time</td><td>&#x27;fast&#x27; is not a race time" in page
    assert "<td>3</td><td>season</td><td>unknown season 2099-00</td>" in page
    assert 'name="confirm"' not in page


def test_the_admin_confirm_imports_what_the_preview_showed(admin_client, calendar):
    page = upload(admin_client, GOOD, publish="provisional")
    confirm = page.context["confirm"]
    data = {name: confirm[name].value() for name in confirm.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (False, None)}
    response = admin_client.post(
        reverse("admin:results_race_import"), {**data, "confirm": "Import"}, follow=True
    )
    assert "Imported 6 result(s) into 2 race(s) (provisional)" in response.content.decode()
    assert Result.objects.count() == 6


TAMPERED = {
    "content": ["not base64!", "QUJD$"],
    "filename": ["../../../etc/passwd", "x" * 201, "a\\b.csv"],
    "replace": ["maybe", "on", "<script>x</script>", "1"],
}


@pytest.mark.parametrize(
    ("field", "value"), [(field, value) for field, values in TAMPERED.items() for value in values]
)
def test_a_confirm_field_the_preview_did_not_write_is_refused(admin_client, calendar, field, value):
    data = {**confirm_data(admin_client), field: value, "confirm": "Import"}
    before = snapshot()
    response = admin_client.post(reverse("admin:results_race_import"), data)
    assert response.status_code == 400
    assert "The confirmation was damaged" in response.content.decode()
    assert snapshot() == before


def test_a_confirm_field_given_twice_is_refused(admin_client, calendar):
    data = {**confirm_data(admin_client), "confirm": "Import"}
    data["publish"] = [data["publish"], "official"]
    before = snapshot()
    response = admin_client.post(reverse("admin:results_race_import"), data)
    assert response.status_code == 400
    assert "publish given more than once" in response.content.decode()
    assert snapshot() == before


def test_the_admin_refuses_an_oversized_upload(admin_client, calendar):
    page = upload(admin_client, GOOD + "#" * 1_600_000).content.decode()
    assert "Import larger files with manage.py import_results" in page


def confirm_data(client, text: str = GOOD) -> dict:
    """The confirm page's fields as the preview wrote them."""
    confirm = upload(client, text).context["confirm"]
    data = {name: confirm[name].value() for name in confirm.fields}
    return {k: str(v) for k, v in data.items() if v is not None}  # as the page writes them


JUNK = ["", "published", "OFFICIAL", "draft\x01", "9" * 30, "<script>x</script>", "ü" * 200]


@pytest.mark.parametrize("value", JUNK)
def test_a_tampered_publication_on_the_confirm_page_is_refused(admin_client, calendar, value):
    data = {**confirm_data(admin_client), "publish": value, "confirm": "Import"}
    before = snapshot()
    response = admin_client.post(reverse("admin:results_race_import"), data)
    assert response.status_code == 400
    assert "The confirmation was damaged" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("field", ["content", "filename", "replace", "publish", "reason"])
@pytest.mark.parametrize("value", [*JUNK, "x" * 5000, "-1"])
def test_no_value_of_any_confirm_field_makes_a_server_error(admin_client, calendar, field, value):
    data = {**confirm_data(admin_client), field: value, "confirm": "Import"}
    before = snapshot()
    response = admin_client.post(reverse("admin:results_race_import"), data)
    assert response.status_code < 500
    if response.status_code != 302:  # refused: nothing written
        assert snapshot() == before


@pytest.mark.parametrize("field", ["publish", "replace", "reason"])
@pytest.mark.parametrize("value", [*JUNK, "x" * 5000])
def test_no_value_of_any_upload_field_makes_a_server_error(admin_client, calendar, field, value):
    before = snapshot()
    response = upload(admin_client, GOOD, **{field: value})
    assert response.status_code < 500
    assert snapshot() == before  # a preview writes nothing


# --- Workbooks that are damaged, hostile or too big ------------------------------------------


def good_workbook() -> bytes:
    workbook = Workbook()
    for line in GOOD.strip().splitlines():
        workbook.active.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewritten(data: bytes, **parts: str | None) -> bytes:
    """The workbook with some parts replaced (a path to text) or left out (to None)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            key = name.replace("/", "__").replace(".", "_").replace("[", "").replace("]", "")
            if key in parts:
                if parts[key] is not None:
                    target.writestr(name, parts[key])
            else:
                target.writestr(name, source.read(name))
    return out.getvalue()


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
    '"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 '
    '"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row><c t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
)


def chartsheet_only() -> bytes:
    workbook = Workbook()
    workbook.create_chartsheet()
    workbook.remove(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def million_rows() -> bytes:
    """A small file that unpacks to two million rows."""
    out = io.BytesIO()
    rows = "<row><c><v>1</v></c></row>" * 2_000_000
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    data = zipfile.ZipFile(io.BytesIO(good_workbook()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name in data.namelist():
            body = sheet if name == "xl/worksheets/sheet1.xml" else data.read(name)
            target.writestr(name, body)
    return out.getvalue()


DAMAGED = {
    "not a zip": lambda: b"this is not a workbook at all",
    "no workbook part": lambda: rewritten(good_workbook(), xl__workbook_xml=None),
    "broken workbook XML": lambda: rewritten(good_workbook(), xl__workbook_xml="<workbook><sheets"),
    "an entity bomb": lambda: rewritten(good_workbook(), xl__worksheets__sheet1_xml=BOMB),
    "a sheet that is not there": lambda: rewritten(
        good_workbook(), xl__worksheets__sheet1_xml=None
    ),
    "a chartsheet only": chartsheet_only,
}


@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_workbook_is_refused_on_the_command_line(calendar, tmp_path, capsys, case):
    before = snapshot()
    with pytest.raises(CommandError, match="nothing written"):
        run(tmp_path, DAMAGED[case](), name="results.xlsx")
    err = capsys.readouterr().err
    assert "the XLSX file cannot be read" in err
    if case == "an entity bomb":
        assert "its XML declares entities or refers to other files" in err
    assert snapshot() == before


@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_workbook_is_refused_in_the_admin(admin_client, calendar, case):
    file = io.BytesIO(DAMAGED[case]())
    file.name = "results.xlsx"
    before = snapshot()
    response = admin_client.post(
        reverse("admin:results_race_import"),
        {"file": file, "publish": "draft", "reason": "", "preview": "Preview"},
    )
    assert response.status_code == 200
    assert "the XLSX file cannot be read" in response.content.decode()
    assert 'name="confirm"' not in response.content.decode()
    assert snapshot() == before


def test_a_workbook_that_unpacks_too_big_is_refused_before_it_is_read(calendar, tmp_path, capsys):
    data = million_rows()
    assert len(data) < 1_500_000  # small enough for the admin's upload limit
    with pytest.raises(CommandError, match="nothing written"):
        run(tmp_path, data, name="results.xlsx")
    assert f"import at most {csv_format.MAX_XLSX_UNPACKED:,} unpacked" in capsys.readouterr().err


def test_a_workbook_with_too_many_rows_is_refused(calendar, monkeypatch):
    monkeypatch.setattr(csv_format, "MAX_ROWS", 3)
    rows, problems = csv_format.read(good_workbook(), "results.xlsx")
    assert [p.message for p in problems] == ["more than 3 rows; import at most 3 at once"]


# --- The preview: every row as the file wrote it, and each problem on its row ---------------


def preview_row(page: str, line: int) -> str:
    """The preview table's row of one line of the file."""
    found = re.search(rf'<tr[^>]*><th scope="row">{line}</th>.*?</tr>', page, re.S)
    assert found, f"line {line} is not in the preview"
    return found.group(0)


def test_the_admin_preview_shows_times_as_the_file_wrote_them(admin_client, calendar):
    text = HEADER + (
        "2012-13,1,men,1000m,1,1,Charles Hamelin,CAN,1:26.661,\n"
        "2012-13,1,men,1000m,1,2,J. R. Celski,USA,2:23.345,\n"
        "2012-13,1,men,1000m,1,3,Jon Eley,GBR,88.500,\n"
    )
    page = upload(admin_client, text).content.decode()
    assert "<td>1:26.661</td>" in preview_row(page, 2)
    assert "<td>2:23.345</td>" in preview_row(page, 3)
    assert "<td>88.500</td>" in preview_row(page, 4)  # as written, not 1:28.500
    assert "143.345" not in page and "86.661" not in page


def test_the_admin_preview_lists_every_row_with_its_problems(admin_client, calendar):
    text = HEADER + (
        "2012-13,1,men,500m,1,1,A Skater,CAN,fast,\n"  # a bad time
        "2012-13,1,men,1000m,1,1,B Skater,CAN,1:26.661,\n"  # good
        "2099-00,1,men,500m,1,1,C Skater,CAN,,\n"  # an unknown season: no race to look up
        "2012-13,1,men,500m,x,3,D Skater,CAN,,\n"  # a bad race number: not even read as a row
    )
    page = upload(admin_client, text).content.decode()
    bad_time = preview_row(page, 2)
    assert "A Skater" in bad_time and "<td>fast</td>" in bad_time
    assert "&#x27;fast&#x27; is not a race time" in bad_time
    assert "new line" in preview_row(page, 3)
    assert "unknown season 2099-00" in preview_row(page, 4)
    bad_race = preview_row(page, 5)
    assert (
        "D Skater" in bad_race and "&#x27;x&#x27; is not a whole number from 1 to 999" in bad_race
    )


def test_the_admin_says_to_tick_replace_and_the_command_says_replace(
    admin_client, calendar, tmp_path, capsys
):
    run(tmp_path, GOOD)
    page = upload(admin_client, GOOD).content.decode()
    told = (
        "already has 4 result(s) (lines 2–5); tick Replace below, choose the file again and "
        "preview it"
    )
    assert told in page
    assert told in preview_row(page, 4)  # every line of the refused race says why
    assert "--replace" not in page
    with pytest.raises(CommandError):
        run(tmp_path, GOOD)
    errors = capsys.readouterr().err
    assert "already has 4 result(s) (lines 2–5); use --replace to replace them" in errors
    assert "tick" not in errors


def test_the_admin_preview_runs_a_fixed_number_of_queries(admin_client, calendar):
    def lines(n: int) -> str:
        return HEADER + "".join(
            f"2012-13,1,men,500m,1,{rank},Skater {rank},CAN,40.{rank:03d},\n"
            for rank in range(1, n + 1)
        )

    def count(text: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert upload(admin_client, text).status_code == 200
        return len(captured)

    count(lines(1))  # warm the per-process caches
    assert count(lines(1)) == count(lines(20))


NICENESS_PROBE = """
import os, django
django.setup()
from results.management.commands.import_results import Command
before = os.nice(0)
try:
    Command().run_from_argv(["manage.py", "import_results", "no-such-file.csv", "--dry-run"])
except SystemExit:
    pass
print(before, os.nice(0))
"""


def test_the_import_run_from_the_command_line_yields_the_cpu_to_the_site():
    root = Path(__file__).resolve().parent.parent
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "worldcup.settings"}
    done = subprocess.run([sys.executable, "-c", NICENESS_PROBE], cwd=root, env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    before, after = map(int, done.stdout.split())
    assert after == min(before + 10, 19), done.stderr
    assert "no such file: no-such-file.csv" in done.stderr
