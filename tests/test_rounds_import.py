"""Importing races' rounds from rounds files (results/importer.py, the import_results command,
the admin's upload → preview → confirm page) and exporting them (…/rounds.csv): every bad file
refused with its line and column and nothing written; the classification derived from the
rounds."""

import base64
import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from results import importer
from results.csv_format import BOTH_KINDS, read_rounds
from results.models import Athlete, HeatLine, Race, Result, Round
from results.standings.loader import forget_loaded
from tests import factories as make
from tests.test_csv_format import HEADER, SMALL, with_line
from tests.test_heat_entry import save_heat

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "rounds-example.csv"
NATIONS = ("KOR", "CHN", "CAN", "NED", "HUN", "ITA", "JPN", "USA")


@pytest.fixture
def race(db) -> Race:
    """The race docs/rounds-example.csv is for (docs/rounds-csv.md says how to create it):
    season 2030-31, event 1, the men's 500 m race 1, a draft; and the example's nations."""
    season = make.season("2030-31")
    for code in NATIONS:
        make.nation(code)
    return make.race(make.event(season, 1, city="Example City"), state="draft")


def snapshot() -> tuple:
    """Everything a rounds import could change."""
    return (
        sorted(
            HeatLine.objects.values_list(
                "round__race", "round__name", "heat", "place", "athlete__name", "nation",
                "time", "status", "qualification", "start", "source",
            ),
            key=repr,
        ),
        sorted(Round.objects.values_list("race", "name")),
        sorted(
            Result.objects.values_list("race", "rank", "athlete__name", "nation", "status"),
            key=repr,
        ),
        sorted(Athlete.objects.values_list("name", "nation", "gender")),
        sorted(Race.objects.values_list("pk", "state", "completeness")),
    )  # fmt: skip


def run(tmp_path, text: str | bytes, *args: str, name: str = "rounds.csv") -> None:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    User.objects.get_or_create(username="importer", defaults={"is_staff": True})
    call_command("import_results", str(path), "--user", "importer", *args)


def refused(tmp_path, capsys, text, *args, told: str) -> str:
    """The import fails telling `told` (its line and column) and the database is unchanged;
    what it printed."""
    before = snapshot()
    with pytest.raises(CommandError, match="nothing written"):
        run(tmp_path, text, *args)
    errors = capsys.readouterr().err
    assert f"rounds.csv: {told}" in errors, errors
    assert snapshot() == before
    return errors


def classification(race: Race) -> list[tuple]:
    return [
        (line.rank, line.athlete.name.removeprefix("Example Skater "), line.status)
        for line in race.results.order_by(F("rank").asc(nulls_last=True), "athlete__name")
    ]


# The example, worked out by hand (docs/rounds-csv.md tells the same story):
# - Final A: 05, 01, 29 (advanced by the referee from quarterfinal 2), 02 → ranks 1–4.
# - Final B: 18, 06, 13, 21 → 5–8.
# - Semifinals: 09 was 5th of semifinal 1, the one skater out there → 9.
# - Quarterfinals, out there: the thirds 14 (41.050), 07 (41.090), 10 (41.120), 25 (41.200)
#   by time → 10–13; the fourths 17 (41.300), 26 (41.400) → 14, 15; 22 had a yellow card:
#   no rank, YC.
# - Heats, out there: the thirds not taken on time 03, 11, 15, 19, 23, 27 (41.503 … 42.027)
#   → 16–21; the fourths 04, 08, 12, 16, 20, 24, 28 (41.804 … 42.428) → 22–28; in heat 8,
#   30 (PEN) and 31 (DNF) have no place, equal in the heats and in no earlier round → both
#   29, keeping PEN and DNF; 32 did not start (DNS): no rank.
EXAMPLE_CLASSIFICATION = [
    (1, "05", ""), (2, "01", ""), (3, "29", ""), (4, "02", ""),
    (5, "18", ""), (6, "06", ""), (7, "13", ""), (8, "21", ""),
    (9, "09", ""),
    (10, "14", ""), (11, "07", ""), (12, "10", ""), (13, "25", ""), (14, "17", ""),
    (15, "26", ""),
    (16, "03", ""), (17, "11", ""), (18, "15", ""), (19, "19", ""), (20, "23", ""),
    (21, "27", ""),
    (22, "04", ""), (23, "08", ""), (24, "12", ""), (25, "16", ""), (26, "20", ""),
    (27, "24", ""), (28, "28", ""),
    (29, "30", "PEN"), (29, "31", "DNF"),
    (None, "22", "YC"), (None, "32", "DNS"),
]  # fmt: skip


# --- A good file ----------------------------------------------------------------------------


def test_the_example_file_imports_and_gives_the_classification_worked_by_hand(
    race, tmp_path, capsys
):
    run(tmp_path, EXAMPLE.read_bytes())
    assert capsys.readouterr().out.startswith(
        "Imported 65 heat line(s) into 1 race(s) (draft): 32 new athlete(s), 0 race(s)' "
        "earlier rounds and classification replaced, 1 classification(s) derived"
    )
    assert classification(race) == EXAMPLE_CLASSIFICATION
    race.refresh_from_db()
    assert (race.state, race.completeness) == ("draft", "complete")
    assert race.results.get(rank=1).time == Decimal("40.512")  # from Final A
    assert set(Athlete.objects.values_list("gender", flat=True)) == {"men"}  # the race's
    assert HeatLine.objects.get(athlete__name="Example Skater 29", round__name="quarterfinals")
    assert list(race.rounds.in_order().values_list("name", flat=True)) == [
        "heats", "quarterfinals", "semifinals", "final-b", "final-a",
    ]  # fmt: skip


def test_a_dry_run_shows_the_classification_the_rounds_give_and_writes_nothing(
    race, tmp_path, capsys
):
    before = snapshot()
    call_command("import_results", str(EXAMPLE), "--dry-run")  # no --user: writes nothing
    out = capsys.readouterr().out
    assert "line 2: new heat line; new athlete Example Skater 01 (KOR)\n" in out
    assert "line 34: new heat line\n" in out  # Skater 01 again, in the quarterfinals
    assert f"Classification of {race}:\n" in out
    for shown in [
        "   1. Example Skater 05 (HUN) 40.512",
        "   3. Example Skater 29 (HUN) 40.704",
        "   9. Example Skater 09 (KOR) 41.250",
        "  29. Example Skater 30 (ITA) PEN",
        "  29. Example Skater 31 (JPN) DNF",
        "    – Example Skater 22 (ITA) YC",
        "    – Example Skater 32 (USA) DNS",
    ]:
        assert f"\n{shown}\n" in out, shown
    assert "Would import 1 race(s), 65 heat line(s), 32 new athlete(s)" in out
    assert snapshot() == before


def test_a_dry_run_of_rounds_before_final_a_shows_the_classification_so_far(race, tmp_path, capsys):
    semifinals = "".join(SMALL.splitlines(keepends=True)[:9])
    call_command("import_results", str(write(tmp_path, semifinals)), "--dry-run")
    out = capsys.readouterr().out
    assert "(no Final A yet: none is written until it is in)" in out
    # E and A won their semifinals (E faster, 40.000 to 40.100), then B and F 2nd, …
    assert "   1. Skater E (USA) 40.000\n   2. Skater A (KOR) 40.100\n" in out


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "rounds.csv"
    path.write_text(text)
    return path


def test_an_xlsx_rounds_file_imports_like_a_csv(race, tmp_path, capsys):
    workbook = Workbook()
    for line in SMALL.strip().splitlines():
        # Numbers as a spreadsheet stores them (a time of whole seconds, 40.000, stays text:
        # as a number it would be 40, which is no race time).
        workbook.active.append(
            [int(v) if v.isdigit() else float(v) if v[-4:-3] == "." and v[-3:] != "000"
             else v or None for v in line.split(",")]
        )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    run(tmp_path, buffer.getvalue(), name="rounds.xlsx")
    assert "Imported 16 heat line(s)" in capsys.readouterr().out
    # Final A: E, A, F, then B penalised (last of Final A, keeping PEN); Final B: C, G, D, H.
    assert [(rank, name[-1], status) for rank, name, status in classification(race)] == [
        (1, "E", ""), (2, "A", ""), (3, "F", ""), (4, "B", "PEN"),
        (5, "C", ""), (6, "G", ""), (7, "D", ""), (8, "H", ""),
    ]  # fmt: skip
    assert race.results.get(rank=2).time == Decimal("40.000")  # 40.0 in the workbook


def test_publish_makes_the_race_public(race, tmp_path):
    run(tmp_path, SMALL, "--publish", "provisional")
    race.refresh_from_db()
    assert race.state == "provisional"


def test_a_relay_teams_members_are_matched_or_created_and_kept_on_its_classification(db, tmp_path):
    relay = make.race(make.event(make.season("2030-31"), 1), "women", "3000m-relay", state="draft")
    for code in ("KOR", "CAN"):
        make.nation(code)
    known = make.athlete("Known Skater", gender="women", nation_code="KOR", aliases=["K. Skater"])
    text = (
        HEADER.strip()
        + ",members\n"
        + (
            "2030-31,1,women,3000m-relay,1,final-a,1,1,,KOR,4:10.100,,,K. Skater; New Skater\n"
            "2030-31,1,women,3000m-relay,1,final-a,1,2,,CAN,4:11.200,,,\n"
        )
    )
    run(tmp_path, text)
    korea = relay.results.get(rank=1)
    assert korea.nation_id == "KOR" and korea.athlete is None
    assert sorted(korea.members.values_list("name", flat=True)) == ["Known Skater", "New Skater"]
    assert known in korea.members.all()
    assert Athlete.objects.get(name="New Skater").gender == "women"  # the relay's
    assert relay.results.get(rank=2).members.count() == 0


# --- Replace --------------------------------------------------------------------------------


# Final A reviewed: F won (line 16), E 3rd (line 14).
FINAL_A_REVIEWED = with_line(
    16,
    "2030-31,1,men,500m,1,final-a,1,1,Skater F,ITA,39.900,,",
    with_line(14, "2030-31,1,men,500m,1,final-a,1,3,Skater E,USA,40.300,,"),
)


def test_a_race_with_rounds_is_refused_without_replace(race, tmp_path, capsys):
    run(tmp_path, SMALL)
    refused(
        tmp_path,
        capsys,
        SMALL,
        told=f"line 2, column race: {race} already has 16 heat lines (lines 2–17); use "
        "--replace to replace them",
    )


def test_replacing_an_official_races_rounds_needs_a_reason_and_keeps_it_official(
    race, tmp_path, capsys
):
    run(tmp_path, SMALL, "--publish", "official")
    refused(
        tmp_path,
        capsys,
        FINAL_A_REVIEWED,
        "--replace",
        told="line 2, column race: World Cup 1 · Example City · Men 500 m: this race is "
        "official: give the reason for the correction",
    )
    run(tmp_path, FINAL_A_REVIEWED, "--replace", "--reason", "Photo finish reviewed")
    assert "1 official race(s) stay official" in capsys.readouterr().out
    race.refresh_from_db()
    assert race.state == "official"
    # F now won Final A, E 3rd.
    assert [(rank, name[-1]) for rank, name, _ in classification(race)][:3] == [
        (1, "F"), (2, "A"), (3, "E"),
    ]  # fmt: skip
    reasons = set(race.results.get(rank=1).history.values_list("history_change_reason", flat=True))
    assert "Photo finish reviewed" in reasons
    removed = HeatLine.history.filter(history_type="-").values_list("history_change_reason")
    assert set(removed) == {("Photo finish reviewed",)}
    assert HeatLine.objects.count() == 16  # the old rounds gone, the new ones in


def test_a_rounds_file_replaces_a_classification_keeping_its_lines(race, tmp_path, capsys):
    skaters = [make.athlete(f"Skater {letter}", nation_code=code)
               for letter, code in zip("EA", ("USA", "KOR"), strict=True)]  # fmt: skip
    make.classification(race, skaters)  # E 1st, A 2nd, as a classification file gave them
    lines = {line.athlete_id: line.pk for line in race.results.all()}
    refused(
        tmp_path,
        capsys,
        SMALL,
        told=f"line 2, column race: {race} already has 2 results (lines 2–17); use --replace",
    )
    run(tmp_path, SMALL, "--replace")
    assert race.results.count() == 8
    assert {line.athlete_id: line.pk for line in race.results.filter(rank__lte=2)} == lines


def test_a_classification_file_for_a_race_with_rounds_is_refused(race, tmp_path, capsys):
    run(tmp_path, SMALL)
    text = "season,event,gender,distance,race,rank,athlete,nation,time,status\n"
    refused(
        tmp_path,
        capsys,
        text + "2030-31,1,men,500m,1,1,Skater A,KOR,,\n",
        "--replace",
        told=f"line 2, column race: {race} is entered round by round: import a rounds file",
    )


# --- Every bad file, one test each: the message with its line and column, nothing written ---


BAD_FILES = {
    "a repeated place in a heat": (
        with_line(3, "2030-31,1,men,500m,1,semifinals,1,1,Skater B,CAN,40.200,,QA"),
        "line 3, column place: place 1 repeats: places in a heat run 1, 2, 3 … with no repeat",
    ),
    "a skater in a round they did not qualify for": (
        with_line(3, "2030-31,1,men,500m,1,semifinals,1,2,Skater B,CAN,40.200,,QB"),
        "line 17, column qualification: the Final A takes who holds QA/ADA from the round "
        "before; in the semifinals (heat 1, line 3) this competitor held 'QB'",
    ),
    "an unknown round name": (
        with_line(10, "2030-31,1,men,500m,1,final-c,1,1,Skater C,CHN,41.000,,"),
        "line 10, column round: unknown round 'final-c'; one of preliminaries",
    ),
    "a place on a status line": (
        with_line(17, "2030-31,1,men,500m,1,final-a,1,4,Skater B,CAN,,PEN,"),
        "line 17, column place: a line with a status (PEN, DNF, DNS, YC) has no place",
    ),
    "rank and round columns together": (
        HEADER.replace("place,", "place,rank,") + "2030-31,1,men,500m,1,final-a,1,1,1,A,KOR,,,\n",
        f"line 1: {BOTH_KINDS}",
    ),
    "a final with heat 2": (
        SMALL.replace("final-a,1,", "final-a,2,"),
        "line 14, column heat: the Final A has one heat: heat 1",
    ),
    "lowercase qa": (
        with_line(2, "2030-31,1,men,500m,1,semifinals,1,1,Skater A,KOR,40.100,,qa"),
        "line 2, column qualification: 'qa' is not one of Q, q, QA, QB, ADV, ADA, ADB (or "
        "blank); codes are case-sensitive: write QA",
    ),
    "an unknown nation": (
        SMALL.replace("Skater H,HUN", "Skater H,XYZ"),
        "line 9, column nation: unknown nation XYZ",
    ),
    "an unknown race": (
        SMALL.replace("2030-31,1,men,500m,1,", "2030-31,1,men,500m,2,"),
        "line 2, column race: event 1 of 2030-31 has no men's 500m race 2 (lines 2–17)",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_rounds_file_is_refused_with_its_line_and_column(race, tmp_path, capsys, case):
    text, told = BAD_FILES[case]
    refused(tmp_path, capsys, text, told=told)


def test_a_skater_of_the_wrong_gender(race, tmp_path, capsys):
    make.athlete("Skater A", gender="women", nation_code="KOR")
    errors = refused(
        tmp_path,
        capsys,
        SMALL,
        told="line 2, column athlete: Skater A skates in the women's races, not the men's",
    )
    assert "line 15, column athlete: Skater A skates in the women's" in errors  # Final A


def test_the_same_skater_under_two_spellings_in_one_heat(race, tmp_path, capsys):
    make.athlete("Skater A", nation_code="KOR", aliases=["A. Skater"])
    refused(
        tmp_path,
        capsys,
        with_line(3, "2030-31,1,men,500m,1,semifinals,1,2,A. Skater,KOR,40.200,,QA"),
        told="line 3, column athlete: appears twice in the semifinals (also line 2)",
    )


def test_a_change_between_the_plan_and_the_write_refuses_it_all(race, tmp_path):
    skater = make.athlete("Skater A", nation_code="KOR")
    import_plan = importer.plan_file(SMALL.encode(), "rounds.csv")
    assert import_plan.ok
    skater.gender = "women"  # an official corrects the skater's gender meanwhile
    skater.save()
    before = snapshot()
    with pytest.raises(importer.ImportRefused) as refusal:
        importer.apply_file(import_plan, "draft")
    assert [str(p) for p in refusal.value.problems] == [
        "line 2, column athlete: Skater A skates in the women's races, not the men's",
        "line 15, column athlete: Skater A skates in the women's races, not the men's",
    ]
    assert snapshot() == before


# --- The rounds.csv export ------------------------------------------------------------------


def rounds_url(race: Race) -> str:
    return reverse("race-rounds-csv", args=race.url_args())


def test_the_rounds_export_imports_back_to_the_same_rounds(race, client, tmp_path):
    run(tmp_path, EXAMPLE.read_bytes(), "--publish", "provisional")
    before = snapshot()
    response = client.get(rounds_url(race))
    assert response["Content-Type"] == "text/csv"
    assert 'filename="2030-31-1-men-500m-1-rounds.csv"' in response["Content-Disposition"]
    exported = response.content.decode()
    rows, problems = read_rounds(exported.encode())
    assert problems == [] and len(rows) == 65
    run(tmp_path, exported, "--replace", "--reason", "Round trip", "--publish", "provisional")
    assert snapshot() == before  # the same rounds, classification and athletes
    cache.clear()
    assert client.get(rounds_url(race)).content.decode() == exported


def test_the_rounds_export_lists_the_rounds_as_skated(race, client, tmp_path):
    run(tmp_path, SMALL, "--publish", "provisional")
    rows = list(csv.reader(io.StringIO(client.get(rounds_url(race)).content.decode())))
    assert rows[0] == [
        "season", "event", "gender", "distance", "race", "round", "heat", "place", "athlete",
        "nation", "time", "status", "qualification", "start", "members", "isu_id", "source",
    ]  # fmt: skip
    assert rows[1][5:13] == ["semifinals", "1", "1", "Skater A", "KOR", "40.100", "", "QA"]
    assert rows[-1][5:13] == ["final-a", "1", "", "Skater B", "CAN", "", "PEN", ""]


def test_the_rounds_export_of_a_draft_race_is_only_the_header(race, client, tmp_path):
    run(tmp_path, SMALL)  # a draft
    body = client.get(rounds_url(race)).content.decode()
    assert body.splitlines() == [
        "season,event,gender,distance,race,round,heat,place,athlete,nation,time,status,"
        "qualification,start,members,isu_id,source"
    ]
    assert "Skater" not in body
    assert client.post(rounds_url(race)).status_code == 405  # GET and HEAD only


def test_the_rounds_export_is_safe_to_open_in_a_spreadsheet(race, client):
    race.state = "provisional"
    race.save()
    skater = Athlete.objects.create(
        name="-cmd", slug="minus-cmd", gender="men", nation_id="KOR", isu_id="=2+2"
    )  # typed into the database past the forms
    line = HeatLine(athlete=skater, nation_id="KOR", place=1, source='=HYPERLINK("x")')
    line.line = 1
    race.write_heats({("heats", 1): [line]})
    row = list(csv.reader(io.StringIO(client.get(rounds_url(race)).content.decode())))[1]
    assert (row[8], row[15], row[16]) == ("'-cmd", "'=2+2", '\'=HYPERLINK("x")')


def export_queries(client, race: Race) -> int:
    cache.clear()
    forget_loaded()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(rounds_url(race)).status_code == 200
    return len(captured)


def test_the_rounds_export_runs_a_fixed_number_of_queries(
    race, client, django_assert_max_num_queries
):
    race.state = "provisional"
    race.save()

    def heats(count: int) -> dict:
        skaters = [make.athlete(f"Skater {count}-{i:02d}") for i in range(count)]
        lines = {}
        for i, skater in enumerate(skaters):
            line = HeatLine(athlete=skater, nation=skater.nation, place=i % 4 + 1, time=40 + i)
            line.line = i + 1
            lines.setdefault(("heats", i // 4 + 1), []).append(line)
        return lines

    race.write_heats(heats(1))
    with_one = export_queries(client, race)
    race.rounds.all().delete()
    race.write_heats(heats(20))
    with_twenty = export_queries(client, race)
    assert with_twenty == with_one
    with django_assert_max_num_queries(4):  # the season's version, the race, lines, members
        export_queries(client, race)


# --- The admin's upload → preview → confirm page --------------------------------------------


def upload(client, text: str | bytes, name: str = "rounds.csv", **fields):
    file = io.BytesIO(text if isinstance(text, bytes) else text.encode())
    file.name = name
    return client.post(
        reverse("admin:results_race_import"),
        {"file": file, "publish": "draft", "reason": "", **fields, "preview": "Preview"},
    )


def confirm_data(response) -> dict:
    confirm = response.context["confirm"]
    data = {name: confirm[name].value() for name in confirm.fields}
    return {k: str(v) for k, v in data.items() if v is not None}  # as the page writes them


def test_the_admin_preview_shows_the_classification_the_rounds_give(admin_client, race):
    before = snapshot()
    page = upload(admin_client, EXAMPLE.read_bytes()).content.decode()
    assert "Preview of rounds.csv: nothing is written until you confirm" in page
    assert f"<caption>The classification the rounds give: {race}</caption>" in page
    for rank, who, nation, status in [
        ("1", "Example Skater 05", "HUN", ""),
        ("3", "Example Skater 29", "HUN", ""),
        ("29", "Example Skater 30", "ITA", "PEN"),
        ("29", "Example Skater 31", "JPN", "DNF"),
        ("–", "Example Skater 22", "ITA", "YC"),
        ("–", "Example Skater 32", "USA", "DNS"),
    ]:
        assert (
            f'<tr><td>{rank}</td><th scope="row">{who}</th><td>{nation}</td><td>{status}</td>'
        ) in page, who
    assert page.count("; new athlete") == 32  # each new skater once, on their first line
    assert 'value="Import 65 heat lines"' in page
    assert snapshot() == before


def test_the_admin_preview_lists_a_rounds_files_problems_with_line_and_column(admin_client, race):
    text, _ = BAD_FILES["a repeated place in a heat"]
    page = upload(admin_client, text).content.decode()
    assert "1 problem: nothing can be imported" in page
    assert "<td>3</td><td>place</td><td>place 1 repeats" in page
    assert "The classification the rounds give" not in page
    assert 'name="confirm"' not in page


def test_the_admin_confirm_imports_the_rounds_it_previewed(admin_client, race):
    data = confirm_data(upload(admin_client, EXAMPLE.read_bytes(), publish="provisional"))
    response = admin_client.post(
        reverse("admin:results_race_import"), {**data, "confirm": "Import"}, follow=True
    )
    assert "Imported 65 heat line(s) into 1 race(s) (provisional)" in response.content.decode()
    assert classification(race)[:4] == EXAMPLE_CLASSIFICATION[:4]
    assert set(HeatLine.history.values_list("history_user__username", flat=True)) == {"admin"}


def test_the_admin_confirm_checks_the_file_again(admin_client, race):
    data = confirm_data(upload(admin_client, SMALL))
    bad, _ = BAD_FILES["a place on a status line"]
    data["content"] = base64.b64encode(bad.encode()).decode()  # not the file previewed
    before = snapshot()
    page = admin_client.post(
        reverse("admin:results_race_import"), {**data, "confirm": "Import"}
    ).content.decode()
    assert "The database changed since the preview" in page
    assert "<td>17</td><td>place</td><td>a line with a status" in page
    assert snapshot() == before


def test_the_admin_confirm_of_an_official_race_keeps_the_reason_rule(admin_client, race, tmp_path):
    run(tmp_path, SMALL, "--publish", "official")
    page = upload(admin_client, FINAL_A_REVIEWED, replace="on").content.decode()
    assert "this race is official: give the reason for the correction" in page
    assert 'name="confirm"' not in page
    page = upload(admin_client, FINAL_A_REVIEWED, replace="on", reason="Photo finish")
    response = admin_client.post(
        reverse("admin:results_race_import"), {**confirm_data(page), "confirm": "Import"}
    )
    assert response.status_code == 302
    race.refresh_from_db()
    assert race.state == "official"
    assert race.results.get(rank=1).athlete.name == "Skater F"


def test_a_rounds_file_needs_the_right_to_enter_heats(client, race):
    clerk = User.objects.create_user("clerk", password="x", is_staff=True)
    clerk.user_permissions.set(
        Permission.objects.filter(codename__in=["add_result", "change_race", "view_race"])
    )
    client.force_login(clerk)
    assert upload(client, SMALL).status_code == 403
    header = "season,event,gender,distance,race,rank,athlete,nation,time,status\n"
    assert upload(client, header + "2030-31,1,men,500m,1,1,A,KOR,,\n").status_code == 200


def preview_row(page: str, line: int) -> str:
    """The preview table's row of one line of the file."""
    found = re.search(rf'<tr[^>]*><th scope="row">{line}</th>.*?</tr>', page, re.S)
    assert found, f"line {line} is not in the preview"
    return found.group(0)


def test_the_admin_preview_lists_every_heat_line_with_its_problems(admin_client, race):
    text = with_line(3, "2030-31,1,men,500m,1,semifinals,1,1,Skater B,CAN,1:00.200,,QA")
    page = upload(admin_client, text).content.decode()
    assert page.count('<th scope="row">') >= 16  # every line of the file, 2 to 17
    repeated = preview_row(page, 3)
    assert "Skater B" in repeated and "<td>1:00.200</td>" in repeated
    assert "place 1 repeats" in repeated
    assert "<td>40.100</td>" in preview_row(page, 2)


def test_the_admin_preview_shows_a_heat_line_it_could_not_read(admin_client, race):
    text = with_line(4, "2030-31,x,men,500m,1,semifinals,1,3,Skater C,CHN,40.300,,QB")
    page = upload(admin_client, text).content.decode()
    unread = preview_row(page, 4)  # its event cell is bad: the file's line as written
    assert "Skater C" in unread and "<td>semifinals</td>" in unread
    assert "&#x27;x&#x27; is not a whole number from 1 to 999" in unread


def test_the_admin_preview_of_rounds_says_to_tick_replace(admin_client, race, tmp_path):
    run(tmp_path, SMALL)
    page = upload(admin_client, SMALL).content.decode()
    assert (
        "already has 16 heat lines (lines 2–17); tick Replace below, choose the file again "
        "and preview it to replace them"
    ) in preview_row(page, 9)
    assert "--replace" not in page


# --- The heat page and the rounds file agree ------------------------------------------------


def test_the_heat_page_and_the_rounds_file_give_byte_identical_classification_csv(
    race, tmp_path, client
):
    """The example competition typed heat by heat on the heat page, then the same competition
    imported from its rounds file: the race's classification CSV is the same, byte for byte."""
    rows = list(csv.DictReader(io.StringIO(EXAMPLE.read_text(encoding="utf-8"))))
    for row in rows:  # the heat page names skaters already on file
        if not Athlete.objects.filter(name=row["athlete"]).exists():
            make.athlete(row["athlete"], nation_code=row["nation"])
    user = User.objects.create_user("official", is_staff=True)
    user.groups.add(Group.objects.get(name="Officials"))
    client.force_login(user)
    heats: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        heats.setdefault((row["round"], row["heat"]), []).append(row)
    columns = ("place", "athlete", "nation", "time", "status", "qualification", "start")
    for (round_name, heat), lines in heats.items():
        typed = [{column: line[column] for column in columns} for line in lines]
        response = save_heat(client, race, round_name, heat, typed)
        assert response.status_code == 302, (round_name, heat, response.content.decode()[-3000:])

    def classification_csv() -> bytes:
        """Published provisional, the race's public classification CSV; then back to draft."""
        race.refresh_from_db()
        race.publish("provisional")
        path = reverse("race-csv", args=race.url_args())
        response = client.get(path)
        race.publish("draft")
        assert response.status_code == 200
        return response.content

    assert classification(race) == EXAMPLE_CLASSIFICATION
    from_heat_page = classification_csv()
    assert from_heat_page.count(b"\n") == 1 + 32  # the header and every skater
    assert b",1,Example Skater 05,HUN,40.512," in from_heat_page  # Final A's winner

    Round.objects.filter(race=race).delete()
    race.results.all().delete()
    assert classification(race) == []
    run(tmp_path, EXAMPLE.read_bytes())
    assert classification_csv() == from_heat_page
