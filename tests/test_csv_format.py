"""The rounds file format read and written on its own (results/csv_format.py; no database):
each line's cells, the rules that span lines (results/standings/rounds.py), told with their
line and column; the two kinds of file told apart by their columns."""

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from results import csv_format
from results.csv_format import BOTH_KINDS, CLASSIFICATION, ROUNDS

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "rounds-example.csv"
HEADER = (
    "season,event,gender,distance,race,round,heat,place,athlete,nation,time,status,qualification\n"
)
R = "2030-31,1,men,500m,1"
# Two semifinals of four, Final B and Final A: lines 2–9, 10–13 and 14–17 of the file.
SMALL = HEADER + (
    f"{R},semifinals,1,1,Skater A,KOR,40.100,,QA\n"  # line 2
    f"{R},semifinals,1,2,Skater B,CAN,40.200,,QA\n"
    f"{R},semifinals,1,3,Skater C,CHN,40.300,,QB\n"
    f"{R},semifinals,1,4,Skater D,NED,40.400,,QB\n"
    f"{R},semifinals,2,1,Skater E,USA,40.000,,QA\n"  # line 6
    f"{R},semifinals,2,2,Skater F,ITA,40.500,,QA\n"
    f"{R},semifinals,2,3,Skater G,JPN,40.600,,QB\n"
    f"{R},semifinals,2,4,Skater H,HUN,40.700,,QB\n"
    f"{R},final-b,1,1,Skater C,CHN,41.000,,\n"  # line 10
    f"{R},final-b,1,2,Skater G,JPN,41.100,,\n"
    f"{R},final-b,1,3,Skater D,NED,41.200,,\n"
    f"{R},final-b,1,4,Skater H,HUN,41.300,,\n"
    f"{R},final-a,1,1,Skater E,USA,39.900,,\n"  # line 14
    f"{R},final-a,1,2,Skater A,KOR,40.000,,\n"
    f"{R},final-a,1,3,Skater F,ITA,40.200,,\n"
    f"{R},final-a,1,,Skater B,CAN,,PEN,\n"  # line 17
)


def lines_of(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def with_line(number: int, new: str, text: str = SMALL) -> str:
    """The file with line `number` (the header is 1) replaced."""
    lines = lines_of(text)
    lines[number - 1] = new + "\n"
    return "".join(lines)


def problems_of(text: str) -> list[str]:
    return [str(problem) for problem in csv_format.read_rounds(text.encode())[1]]


def test_a_good_rounds_file_reads_every_line_with_no_problem():
    rows, problems = csv_format.read_rounds(SMALL.encode())
    assert problems == []
    assert len(rows) == 16
    penalised = rows[-1]
    assert (penalised.line, penalised.round, penalised.heat, penalised.athlete) == (
        17, "final-a", 1, "Skater B"
    )  # fmt: skip
    assert (penalised.place, penalised.time, penalised.status) == (None, None, "PEN")
    assert rows[0].time == Decimal("40.100") and rows[0].qualification == "QA"


def test_the_example_file_reads_with_no_problem():
    rows, problems = csv_format.read_rounds(EXAMPLE.read_bytes())
    assert problems == []
    # 8 heats of 4, 4 quarterfinals (one with the skater the referee advanced: 16 lines),
    # semifinals of 5 and 4, Final B and Final A of 4.
    assert len(rows) == 32 + 16 + 9 + 4 + 4
    assert {row.race_key for row in rows} == {("2030-31", 1, "men", "500m", 1)}


def test_a_rounds_file_is_told_by_its_round_column():
    assert csv_format.read_any(SMALL.encode()).kind == ROUNDS
    classification = "season,event,gender,distance,race,rank,athlete,nation,time,status\n"
    reading = csv_format.read_any((classification + f"{R},1,Skater A,KOR,,\n").encode())
    assert (reading.kind, reading.problems) == (CLASSIFICATION, [])


@pytest.mark.parametrize("read", [csv_format.read_any, csv_format.read, csv_format.read_rounds])
def test_a_header_with_both_rank_and_round_is_refused(read):
    text = HEADER.replace("place,", "place,rank,") + f"{R},final-a,1,1,1,Skater A,KOR,,,\n"
    found = read(text.encode())
    problems = found.problems if hasattr(found, "problems") else found[1]
    assert [str(p) for p in problems] == [f"line 1: {BOTH_KINDS}"]


# Each bad cell: the line as changed, the line and column told, and what is said.
BAD_CELLS = {
    "unknown round": (
        f"{R},semi-finals,1,1,Skater A,KOR,40.100,,QA", "round",
        "unknown round 'semi-finals'; one of preliminaries, heats, repechage, quarterfinals, "
        "semifinals, final-b, final-a",
    ),
    "no heat": (f"{R},semifinals,,1,Skater A,KOR,40.100,,QA", "heat", "missing"),
    "heat 0": (f"{R},semifinals,0,1,Skater A,KOR,40.100,,QA", "heat", "'0' is not a whole number"),
    "a place in words": (
        f"{R},semifinals,1,first,Skater A,KOR,40.100,,QA", "place", "'first' is not a whole number"
    ),
    "a status in small letters": (
        f"{R},final-a,1,,Skater B,CAN,,pen,", "status",
        "'pen' is not one of PEN, DNF, DNS, YC (or blank); codes are case-sensitive: write PEN",
    ),
    "qa in small letters": (
        f"{R},semifinals,1,1,Skater A,KOR,40.100,,qa", "qualification",
        "'qa' is not one of Q, q, QA, QB, ADV, ADA, ADB (or blank); codes are case-sensitive: "
        "write QA",
    ),
    "an unknown code": (
        f"{R},semifinals,1,1,Skater A,KOR,40.100,,X", "qualification",
        "'X' is not one of Q, q, QA, QB, ADV, ADA, ADB (or blank)",
    ),
    "no athlete": (
        f"{R},semifinals,1,1,,KOR,40.100,,QA", "athlete",
        "missing; an individual race needs an athlete",
    ),
    "a bad time": (
        f"{R},semifinals,1,1,Skater A,KOR,fast,,QA", "time", "'fast' is not a race time"
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_CELLS)
def test_a_bad_cell_is_told_with_its_line_and_column(case):
    line, column, message = BAD_CELLS[case]
    # Only that: the rules that span lines wait until every line of the race can be read
    # (the semifinal without its first line would "skip place 1").
    [told] = problems_of(with_line(2, line))
    assert told.startswith(f"line 2, column {column}: {message}")


def test_members_are_a_relay_teams_and_an_individual_line_has_none():
    text = HEADER.strip() + ",members\n"
    relay = "2030-31,1,women,3000m-relay,1"
    rows, problems = csv_format.read_rounds(
        (text + f"{relay},final-a,1,1,,KOR,4:10.100,,,Skater One; Skater Two\n").encode()
    )
    assert problems == [] and rows[0].members == ("Skater One", "Skater Two")
    assert problems_of(text + f"{R},final-a,1,1,Skater A,KOR,,,,Skater B\n") == [
        "line 2, column members: an individual race's line has no members (a relay's has)"
    ]
    assert problems_of(text + f"{relay},final-a,1,1,,KOR,,,,Skater One;;Skater Two\n") == [
        "line 2, column members: an empty name; separate the skaters' names with ';'"
    ]
    assert problems_of(text + f"{relay},final-a,1,1,Skater One,KOR,,,,\n") == [
        "line 2, column athlete: a relay line names the team's nation, not an athlete; leave "
        "it empty"
    ]


# --- What spans lines: the rules of the rounds, through the file ----------------------------


def test_a_repeated_place_in_a_heat():
    # Skater B 1st as well as Skater A in semifinal 1 (line 3).
    assert problems_of(with_line(3, f"{R},semifinals,1,1,Skater B,CAN,40.200,,QA")) == [
        "line 3, column place: place 1 repeats: places in a heat run 1, 2, 3 … with no repeat"
    ]


def test_a_skater_in_a_round_they_did_not_qualify_for():
    # Skater B's semifinal says QB (to Final B), yet B skates Final A (line 17).
    assert problems_of(with_line(3, f"{R},semifinals,1,2,Skater B,CAN,40.200,,QB")) == [
        "line 17, column qualification: the Final A takes who holds QA/ADA from the round "
        "before; in the semifinals (heat 1, line 3) this competitor held 'QB'"
    ]


def test_a_place_on_a_status_line():
    assert problems_of(with_line(17, f"{R},final-a,1,4,Skater B,CAN,,PEN,")) == [
        "line 17, column place: a line with a status (PEN, DNF, DNS, YC) has no place"
    ]


def test_a_final_with_heat_2():
    text = SMALL.replace(f"{R},final-b,1,", f"{R},final-b,2,")
    assert problems_of(text) == [
        f"line {line}, column heat: the Final B has one heat: heat 1" for line in (10, 11, 12, 13)
    ]


def test_a_skater_twice_in_one_round():
    # Skater A on line 6 too, in E's place: told once; the heat's places are checked
    # without the line told twice, so semifinal 2 starts at place 2 (E's Final A line is
    # then E's first round, which needs nothing).
    assert problems_of(with_line(6, f"{R},semifinals,2,1,Skater A,KOR,40.000,,QA")) == [
        "line 6, column athlete: appears twice in the semifinals (also line 2)",
        "line 7, column place: place 2 skips 1: places in a heat run 1, 2, 3 … with no repeat",
    ]


def test_a_relay_team_twice_in_one_heat_is_told_in_the_nation_column():
    relay = "2030-31,1,men,5000m-relay,1"
    text = HEADER + f"{relay},final-a,1,1,,KOR,,,\n{relay},final-a,1,2,,KOR,,,\n"
    assert problems_of(text) == [
        "line 3, column nation: appears twice in the Final A (also line 2)"
    ]


# --- Writing ---------------------------------------------------------------------------------


def heat_line(**fields):
    """A heat line as the models give it, with what the file names (no database)."""
    race = SimpleNamespace(
        event=SimpleNamespace(season=SimpleNamespace(slug="2030-31"), number=1),
        gender="men", distance="500m", number=1,
    )  # fmt: skip
    values = {
        "round": SimpleNamespace(name="final-a", race=race), "heat": 1, "place": 1,
        "athlete_id": 7, "athlete": SimpleNamespace(name="Skater A", isu_id=""),
        "nation_id": "KOR", "time": Decimal("86.661"), "status": "", "qualification": "",
        "start": 3, "members": SimpleNamespace(all=list), "source": "",
    }  # fmt: skip
    return SimpleNamespace(**{**values, **fields})


def test_written_rounds_read_back_the_same():
    penalised = {"athlete": SimpleNamespace(name="Skater B", isu_id="ISU-B"), "start": None}
    text = csv_format.write_rounds(
        [heat_line(), heat_line(place=None, status="PEN", time=None, **penalised)]
    )
    assert text.splitlines()[1:] == [
        "2030-31,1,men,500m,1,final-a,1,1,Skater A,KOR,1:26.661,,,3,,,",
        "2030-31,1,men,500m,1,final-a,1,,Skater B,KOR,,PEN,,,,ISU-B,",
    ]
    rows, problems = csv_format.read_rounds(text.encode())
    assert problems == []
    assert (rows[0].time, rows[0].start) == (Decimal("86.661"), 3)
    assert (rows[1].place, rows[1].status, rows[1].isu_id) == (None, "PEN", "ISU-B")


def test_written_rounds_are_safe_in_a_spreadsheet_and_read_back_as_typed():
    text = csv_format.write_rounds([heat_line(source="=HYPERLINK(1)")])
    assert text.splitlines()[1].endswith(",'=HYPERLINK(1)")
    rows, _ = csv_format.read_rounds(text.encode())
    assert rows[0].source == "=HYPERLINK(1)"
