"""The results files: the project's open interchange formats for classifications and rounds.

A classification file (docs/results-csv.md) holds a race's final classification:

    season,event,gender,distance,race,rank,athlete,nation,time,status
    2012-13,1,men,500m,1,1,Example SKATER,CAN,40.651,
    2012-13,1,men,5000m-relay,1,1,,KOR,6:43.220,

A rounds file (docs/rounds-csv.md) holds a race's rounds, one line per competitor per heat,
and is told apart by its `round` column:

    season,event,gender,distance,race,round,heat,place,athlete,nation,time,status,qualification
    2030-31,1,men,500m,1,heats,1,1,Example Skater 01,KOR,40.951,,Q

An entry-list file (docs/entries-csv.md) holds events' entry lists, one line per skater, and
is told apart by its `helmet` column:

    season,event,helmet,athlete,nation
    2030-31,1,1,Example Skater 01,KOR

Pure, no database: `read_any` (or `read`, `read_rounds`) parses and checks a file (CSV or
XLSX) on its own, `write` and `write_rounds` write them. results/importer.py sets what they
read against the database and writes it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from results.standings.classification import (
    INDIVIDUAL_NEEDS_ATHLETE,
    RELAY_HAS_NO_ATHLETE,
    UNRANKED_NEEDS_STATUS,
    clause,
    rank_problem,
    shared_rank_problems,
    who_problem,
)
from results.standings.rounds import RoundLine, entry_list_problems, round_problems
from results.vocabulary import (
    INDIVIDUAL_DISTANCES,
    LONGEST_TIME,
    NAME_MESSAGE,
    NAME_PATTERN,
    SKATER_GENDERS,
    STATUS_CODES,
    Distance,
    Gender,
    Qualification,
    RoundName,
    Status,
    distance_fits_gender,
    format_time,
    parse_time,
)

COLUMNS = [
    "season",
    "event",
    "gender",
    "distance",
    "race",
    "rank",
    "athlete",
    "nation",
    "time",
    "status",
]
OPTIONAL_COLUMNS = ["isu_id", "source"]
ROUND_COLUMNS = [
    "season",
    "event",
    "gender",
    "distance",
    "race",
    "round",
    "heat",
    "place",
    "athlete",
    "nation",
    "time",
    "status",
    "qualification",
]
ROUND_OPTIONAL_COLUMNS = ["start", "members", "isu_id", "source"]
ENTRY_COLUMNS = ["season", "event", "helmet", "athlete", "nation"]
ENTRY_OPTIONAL_COLUMNS = ["isu_id", "gender"]
MEMBER_SEPARATOR = ";"
# The three kinds of file, told by `kind_of`.
CLASSIFICATION, ROUNDS, ENTRIES = "classification", "rounds", "entries"
BOTH_KINDS = (
    "the header names both rank (a classification file) and round (a rounds file); a file "
    "is one or the other"
)
MAX_ROWS = 200_000
MAX_XLSX_UNPACKED = 20_000_000  # bytes of a workbook's parts, unpacked: about 30,000 rows
Row = TypeVar("Row")
# Looked up for every row: sets made once (an enum's .values builds a new list each time).
GENDERS = frozenset(Gender.values)
DISTANCES = frozenset(Distance.values)
ROUND_NAMES = frozenset(RoundName.values)


# --- Cells a spreadsheet opens safely --------------------------------------------------------

# What a spreadsheet reads as the start of a formula (OWASP, CSV injection, CWE-1236).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def neutralised(text: str) -> str:
    """A free-text cell as it is written to a file a spreadsheet opens: one that would start a
    formula (after any ' of its own) gets a leading ' (a number such as -1.5 is left as it is)."""
    bare = text.lstrip("'")
    if bare.startswith(FORMULA_STARTS) and not NUMBER.match(bare):
        return "'" + text
    return text


def restored(text: str) -> str:
    """A cell as it was typed, from a file this site wrote: exactly the ' that `neutralised`
    added is taken off (it only ever stands before =, +, -, @, a tab or a CR)."""
    if text.startswith("'") and neutralised(text[1:]) == text:
        return text[1:]
    return text


# --- Writing --------------------------------------------------------------------------------


def race_cells(race: Any) -> list[str]:
    """The columns that name a race: season, event, gender, distance, race."""
    return [race.event.season.slug, str(race.event.number), race.gender, race.distance,
            str(race.number)]  # fmt: skip


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def result_row(result: Any) -> list[str]:
    """One line of a classification in the CSV format (needs race__event__season, athlete)."""
    return [
        *race_cells(result.race),
        "" if result.rank is None else str(result.rank),
        neutralised(result.athlete.name) if result.athlete_id else "",
        result.nation_id,
        format_time(result.time),
        result.status,
        neutralised(result.athlete.isu_id or "") if result.athlete_id else "",
        neutralised(result.source),
    ]


def write(results: Iterable[Any]) -> str:
    """The CSV text of these results, header first."""
    return csv_text(COLUMNS + OPTIONAL_COLUMNS, (result_row(result) for result in results))


def heat_line_row(line: Any) -> list[str]:
    """One line of a heat in the rounds format (needs round__race__event__season, athlete and
    members loaded)."""
    members = sorted(member.name for member in line.members.all())
    return [
        *race_cells(line.round.race),
        line.round.name,
        str(line.heat),
        "" if line.place is None else str(line.place),
        neutralised(line.athlete.name) if line.athlete_id else "",
        line.nation_id,
        format_time(line.time),
        line.status,
        line.qualification,
        "" if line.start is None else str(line.start),
        neutralised(f"{MEMBER_SEPARATOR} ".join(members)),
        neutralised(line.athlete.isu_id or "") if line.athlete_id else "",
        neutralised(line.source),
    ]


def write_rounds(lines: Iterable[Any]) -> str:
    """The CSV text of these heat lines in the rounds format, header first."""
    return csv_text(ROUND_COLUMNS + ROUND_OPTIONAL_COLUMNS, (heat_line_row(line) for line in lines))


# --- Reading (pure) -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a file or a row cannot be imported, where: line 1 is the header."""

    line: int
    column: str | None
    message: str
    # What the importer can do about it, when its caller says how ("replace": the file would
    # replace what is there; the command says --replace, the admin its Replace box).
    remedy: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class FileLine:
    """A checked line of a classification file."""

    line: int
    season: str
    event: int
    gender: str
    distance: str
    race: int
    rank: int | None
    athlete: str
    nation: str
    time: Decimal | None
    status: str
    isu_id: str = ""
    source: str = ""
    valid: bool = True  # False: the line has problems; only its race and nation are checked

    @property
    def race_key(self) -> tuple[str, int, str, str, int]:
        return (self.season, self.event, self.gender, self.distance, self.race)

    @property
    def is_relay(self) -> bool:
        return self.distance not in INDIVIDUAL_DISTANCES


@dataclass(frozen=True)
class RoundFileLine:
    """A checked line of a rounds file: one competitor in one heat of one round."""

    line: int
    season: str
    event: int
    gender: str
    distance: str
    race: int
    round: str
    heat: int  # 0 when the cell was bad (the line is then not checkable)
    place: int | None
    athlete: str
    nation: str
    time: Decimal | None
    status: str
    qualification: str
    start: int | None = None
    members: tuple[str, ...] = ()
    isu_id: str = ""
    source: str = ""
    valid: bool = True  # False: the line has problems of its own; it is not imported
    checkable: bool = True  # its round, heat, place, codes and competitor are known

    @property
    def race_key(self) -> tuple[str, int, str, str, int]:
        return (self.season, self.event, self.gender, self.distance, self.race)

    @property
    def is_relay(self) -> bool:
        return self.distance not in INDIVIDUAL_DISTANCES

    @property
    def competitor(self) -> str:
        """Who the line is of, as far as the file alone tells: a team by its nation, a skater
        by ISU id, else by name and nation."""
        if self.is_relay:
            return f"team:{self.nation}"
        if self.isu_id:
            return f"isu:{self.isu_id}"
        return f"name:{self.athlete.casefold()}|{self.nation}"

    @property
    def time_display(self) -> str:
        return format_time(self.time)

    def round_line(self) -> RoundLine:
        return RoundLine(
            competitor=self.competitor,
            round=self.round,
            heat=self.heat,
            place=self.place,
            time=self.time,
            status=self.status,
            qualification=self.qualification,
            line=self.line,
        )


@dataclass(frozen=True)
class EntryFileLine:
    """A checked line of an entry-list file: a skater on an event's entry list."""

    line: int
    season: str
    event: int
    helmet: int | None
    athlete: str
    nation: str
    isu_id: str = ""
    gender: str = ""  # needed only for a skater not known yet
    valid: bool = True  # False: the line has problems of its own; it is not imported

    @property
    def event_key(self) -> tuple[str, int]:
        return (self.season, self.event)

    @property
    def skater(self) -> str:
        """Who the line is of, as far as the file alone tells: by ISU id, else by name and
        nation."""
        return (
            f"isu:{self.isu_id}" if self.isu_id else f"name:{self.athlete.casefold()}|{self.nation}"
        )


@dataclass(frozen=True)
class Reading:
    """A file read and checked on its own: which format, its lines and its problems."""

    kind: str  # CLASSIFICATION, ROUNDS or ENTRIES
    rows: Sequence[FileLine] | Sequence[RoundFileLine] | Sequence[EntryFileLine]
    problems: list[Problem]
    written: dict[int, dict[str, str]] = field(default_factory=dict)  # line → cells as written


def cells_of(data: bytes, filename: str) -> tuple[list[list[str]], list[Problem]]:
    """The file's lines as lists of text cells: CSV (UTF-8) or XLSX (first sheet)."""
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return xlsx_cells(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [], [
            Problem(
                line,
                None,
                f"the file is not UTF-8 (byte 0x{data[error.start]:02x}); save it as CSV UTF-8",
            )
        ]
    if "\x00" in text:
        return [], [Problem(1, None, "the file is not a text CSV file")]
    try:
        return list(csv.reader(io.StringIO(text, newline=""))), []
    except csv.Error as error:
        return [], [Problem(1, None, f"the CSV cannot be read: {error}")]


def xlsx_cells(data: bytes) -> tuple[list[list[str]], list[Problem]]:
    """The first sheet's rows, within the limits: its size unpacked is read from the zip's
    directory before anything is unpacked, and rows are read one by one up to MAX_ROWS.
    openpyxl reads the XML through defusedxml (installed with the site), so entity tricks
    are refused."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        return [], [
            Problem(1, None, f"the XLSX file cannot be read: it is not a workbook ({error})")
        ]
    if unpacked > MAX_XLSX_UNPACKED:
        return [], [
            Problem(
                1,
                None,
                f"the XLSX file unpacks to {unpacked:,} bytes; import at most "
                f"{MAX_XLSX_UNPACKED:,} unpacked (or save it as CSV)",
            )
        ]
    rows: list[list[str]] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise ValueError("it has no worksheet (only charts?)")
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                if len(rows) > MAX_ROWS:
                    return [], [
                        Problem(
                            1,
                            None,
                            f"more than {MAX_ROWS:,} rows; import at most {MAX_ROWS:,} at once",
                        )
                    ]
                rows.append(["" if v is None else xlsx_text(v) for v in values])
        finally:
            workbook.close()
    except Exception as error:  # a damaged workbook fails in many ways inside openpyxl
        return [], [Problem(1, None, f"the XLSX file cannot be read: {describe(error)}")]
    while rows and not any(rows[-1]):
        rows.pop()
    return rows, []


def describe(error: Exception) -> str:
    """A parser's error in a few words (its class when it says nothing); XML that declares
    entities or reaches outside the file, which the site never reads, said as such."""
    cause: BaseException | None = error
    while cause is not None:
        if type(cause).__module__.startswith("defusedxml"):
            return (
                "its XML declares entities or refers to other files (an XML attack or a "
                "damaged file, never read); save it again from the spreadsheet, or as CSV"
            )
        cause = cause.__cause__ or cause.__context__
    text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return text or type(error).__name__


def xlsx_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (1.0 → '1', 40.651 stays)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read(data: bytes, filename: str = "results.csv") -> tuple[list[FileLine], list[Problem]]:
    """Parse and check a classification file on its own (no database): rows and problems."""
    cells, problems = cells_of(data, filename)
    if problems:
        return [], problems
    return classification_lines(cells)


def read_rounds(
    data: bytes, filename: str = "rounds.csv"
) -> tuple[list[RoundFileLine], list[Problem]]:
    """Parse and check a rounds file on its own (no database): rows and problems."""
    cells, problems = cells_of(data, filename)
    if problems:
        return [], problems
    return round_lines(cells)


def read_any(data: bytes, filename: str = "results.csv") -> Reading:
    """Read a classification file, a rounds file or an entry-list file, told apart by a
    `round` or a `helmet` column."""
    cells, problems = cells_of(data, filename)
    if problems:
        return Reading(CLASSIFICATION, [], problems)
    if kind_of(cells) == ROUNDS:
        table, problems = table_of(cells, ROUND_COLUMNS, ROUND_OPTIONAL_COLUMNS)
        return Reading(ROUNDS, *round_rows(table, problems), written=dict(table))
    if kind_of(cells) == ENTRIES:
        table, problems = table_of(cells, ENTRY_COLUMNS, ENTRY_OPTIONAL_COLUMNS)
        return Reading(ENTRIES, *entry_rows(table, problems), written=dict(table))
    table, problems = table_of(cells, COLUMNS, OPTIONAL_COLUMNS)
    return Reading(CLASSIFICATION, *classification_rows(table, problems), written=dict(table))


def kind_of(cells: Sequence[Sequence[str]]) -> str:
    """ROUNDS when the header names a `round` column, ENTRIES when it names a `helmet` column
    (and neither `round` nor `rank`: such a file is told its wrong columns as the kind its
    other columns say), else CLASSIFICATION."""
    header = [name.strip().lower() for name in cells[0]] if cells else []
    if "round" in header:
        return ROUNDS
    return ENTRIES if "helmet" in header and "rank" not in header else CLASSIFICATION


def table_of(
    cells: Sequence[Sequence[str]], columns: list[str], optional: list[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The lines under the header as {column: cell}, numbered as the file numbers them (the
    header is line 1); blank lines are left out. A wrong header is the one problem told."""
    if not cells:
        return [], [Problem(1, None, "the file is empty; the first line names the columns")]
    header = [name.strip().lower() for name in cells[0]]
    if "rank" in header and "round" in header:
        return [], [Problem(1, None, BOTH_KINDS)]
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns + optional]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or duplicated:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown {', '.join(repr(c) for c in unknown)}")
        if duplicated:
            parts.append(f"repeated {', '.join(duplicated)}")
        expected = ",".join(columns)
        return [], [Problem(1, None, f"wrong columns ({'; '.join(parts)}); expected {expected}")]
    if len(cells) - 1 > MAX_ROWS:
        return [], [Problem(1, None, f"{len(cells) - 1} rows; import at most {MAX_ROWS} at once")]
    lines, problems = [], []
    for line, values in enumerate(cells[1:], start=2):
        if not any(value.strip() for value in values):
            continue  # a blank line
        if len(values) != len(header):
            problems.append(
                Problem(line, None, f"{len(values)} cells where the header has {len(header)}")
            )
            continue
        lines.append((line, dict(zip(header, values, strict=True))))
    return lines, problems


def checked(
    table: list[tuple[int, dict[str, str]]],
    problems: list[Problem],
    check: Callable[[int, dict[str, str]], tuple[Row | None, list[Problem]]],
) -> list[Row]:
    """Each line under the header checked on its own by `check`: the lines it could read
    (its problems are added to `problems`)."""
    rows: list[Row] = []
    for line, raw in table:
        row, row_problems = check(line, raw)
        problems += row_problems
        if row is not None:
            rows.append(row)
    return rows


def classification_lines(
    cells: Sequence[Sequence[str]],
) -> tuple[list[FileLine], list[Problem]]:
    return classification_rows(*table_of(cells, COLUMNS, OPTIONAL_COLUMNS))


def classification_rows(
    table: list[tuple[int, dict[str, str]]], problems: list[Problem]
) -> tuple[list[FileLine], list[Problem]]:
    """A classification file's lines under the header, checked."""
    rows = checked(table, problems, check_row)
    problems += duplicates([row for row in rows if row.valid])
    return rows, problems


def round_lines(cells: Sequence[Sequence[str]]) -> tuple[list[RoundFileLine], list[Problem]]:
    return round_rows(*table_of(cells, ROUND_COLUMNS, ROUND_OPTIONAL_COLUMNS))


def round_rows(
    table: list[tuple[int, dict[str, str]]], problems: list[Problem]
) -> tuple[list[RoundFileLine], list[Problem]]:
    """A rounds file's lines under the header, checked: each alone, then what spans lines."""
    rows = checked(table, problems, check_round_row)
    problems += rounds_problems(rows, checkable_races(rows, problems))
    return rows, sorted(problems, key=lambda p: (p.line, p.column or ""))


class Cells:
    """One line's cells as they were typed (the ' a download added taken off), and every
    problem found in them."""

    def __init__(self, line: int, raw: dict[str, str]) -> None:
        self.line = line
        self.values = {name: restored(value.strip()) for name, value in raw.items()}
        self.problems: list[Problem] = []

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.line, column, message))

    def has_problem(self, columns: Iterable[str]) -> bool:
        return any(problem.column in set(columns) for problem in self.problems)

    def number(self, column: str, required: bool = True) -> int | None:
        text = self[column]
        if not text:
            if required:
                self.problem(column, "missing")
            return None
        if not re.fullmatch(r"[1-9]\d{0,2}", text):  # 1 to 999, as the site's URLs
            self.problem(column, f"{text[:30]!r} is not a whole number from 1 to 999")
            return None
        return int(text)

    def race(self) -> tuple[int | None, int | None]:
        """The season, event, gender, distance and race cells: (event, race) numbers."""
        if not re.fullmatch(r"\d{4}-\d{2}", self["season"]):
            self.problem("season", f"{self['season'][:30]!r} is not a season like 2012-13")
        event, race = self.number("event"), self.number("race")
        gender, distance = self["gender"], self["distance"]
        if gender not in GENDERS:
            self.problem("gender", f"{gender[:30]!r} is not one of {', '.join(Gender.values)}")
        if distance not in DISTANCES:
            self.problem(
                "distance", f"{distance[:30]!r} is not one of {', '.join(Distance.values)}"
            )
        elif gender in GENDERS and not distance_fits_gender(gender, distance):
            self.problem("distance", f"there is no {gender}'s {distance}")
        return event, race

    @property
    def relay(self) -> bool:
        return self["distance"] in DISTANCES and self["distance"] not in INDIVIDUAL_DISTANCES

    def name(self, column: str, name: str) -> bool:
        """A skater's name as the ISU writes it; False (and told) when it is not one."""
        if len(name) > 100:
            self.problem(column, "longer than 100 characters")
        elif not re.fullmatch(NAME_PATTERN, name):
            self.problem(column, f"{name[:30]!r}: {clause(NAME_MESSAGE)}")
        else:
            return True
        return False

    def athlete(self) -> str:
        """Who the line names: an athlete for an individual race, nobody for a relay."""
        athlete = self["athlete"]
        distance = self["distance"]
        who = (
            who_problem(relay=self.relay, athlete=bool(athlete)) if distance in DISTANCES else None
        )
        if who and who[1] == RELAY_HAS_NO_ATHLETE:
            self.problem("athlete", f"{clause(RELAY_HAS_NO_ATHLETE)}; leave it empty")
        elif who and who[1] == INDIVIDUAL_NEEDS_ATHLETE:
            self.problem("athlete", f"missing; {clause(INDIVIDUAL_NEEDS_ATHLETE)}")
        elif athlete:
            self.name("athlete", athlete)
        return athlete

    def nation(self) -> str:
        if not re.fullmatch(r"[A-Z]{3}", self["nation"]):
            self.problem("nation", f"{self['nation'][:30]!r} is not a three-letter code like KOR")
        return self["nation"]

    def time(self) -> Decimal | None:
        if not self["time"]:
            return None
        try:
            time = parse_time(self["time"])
        except ValueError as error:
            self.problem("time", str(error))
            return None
        if time >= LONGEST_TIME:
            self.problem("time", f"{self['time']!r} is too long for a race time")
            return None
        return time

    def code(self, column: str, codes: Sequence[str], typed: str | None = None) -> str:
        """A code among `codes` (blank allowed), exactly as written; an official who typed it
        in other capitals is told the right ones."""
        text = self[column] if typed is None else typed
        if text in codes:
            return text
        written = ", ".join(code for code in codes if code)
        message = f"{self[column][:30]!r} is not one of {written} (or blank)"
        same = [code for code in codes if code and code.casefold() == text.casefold()]
        if same:
            message += f"; codes are case-sensitive: write {' or '.join(same)}"
        self.problem(column, message)
        return text

    def members(self) -> tuple[str, ...]:
        """A relay team's skaters, separated by ';'."""
        text = self["members"]
        if not text:
            return ()
        if not self.relay:
            self.problem("members", "an individual race's line has no members (a relay's has)")
            return ()
        names = tuple(name.strip() for name in text.split(MEMBER_SEPARATOR))
        seen: set[str] = set()
        for name in names:
            if not name:
                self.problem("members", "an empty name; separate the skaters' names with ';'")
            elif self.name("members", name) and name.casefold() in seen:
                self.problem("members", f"{name[:30]!r} is named twice")
            seen.add(name.casefold())
        return names


KEY_COLUMNS = {"season", "event", "gender", "distance", "race", "nation"}


def check_row(line: int, raw: dict[str, str]) -> tuple[FileLine | None, list[Problem]]:
    cells = Cells(line, raw)
    event, race = cells.race()
    rank = cells.number("rank", required=False)
    status = cells["status"].upper()
    cells.code("status", Status.values, typed=status)
    if status in STATUS_CODES and not (cells["rank"] and rank is None):  # a bad rank is told
        ranked = rank_problem(rank=rank, status=status)
        if ranked and ranked[1] == UNRANKED_NEEDS_STATUS:
            cells.problem("rank", f"missing; {clause(UNRANKED_NEEDS_STATUS)}")
        elif ranked:
            cells.problem("rank", clause(ranked[1]))
    athlete = cells.athlete()
    nation = cells.nation()
    time = cells.time()
    if event is None or race is None:  # told above; without them no race can be looked up
        return None, cells.problems
    row = FileLine(
        line=line,
        season=cells["season"],
        event=event,
        gender=cells["gender"],
        distance=cells["distance"],
        race=race,
        rank=rank,
        athlete=athlete,
        nation=nation,
        time=time,
        status=status,
        isu_id=cells["isu_id"][:20],
        source=cells["source"],
        valid=not cells.problems,
    )
    if cells.has_problem(KEY_COLUMNS):
        return None, cells.problems  # not even its race or nation can be looked up
    return row, cells.problems


# The cells the rules of the rounds read: a line with a problem in one is left out of them.
ROUND_FACTS = {"round", "heat", "place", "athlete", "status", "qualification"}


def check_round_row(line: int, raw: dict[str, str]) -> tuple[RoundFileLine | None, list[Problem]]:
    """One line of a rounds file on its own: what spans lines is `rounds_problems`'."""
    cells = Cells(line, raw)
    event, race = cells.race()
    if cells["round"] not in ROUND_NAMES:
        cells.problem(
            "round", f"unknown round {cells['round'][:30]!r}; one of {', '.join(RoundName.values)}"
        )
    heat = cells.number("heat")
    place = cells.number("place", required=False)
    start = cells.number("start", required=False)
    status = cells.code("status", Status.values)
    qualification = cells.code("qualification", Qualification.values)
    athlete = cells.athlete()
    nation = cells.nation()
    time = cells.time()
    members = cells.members()
    if event is None or race is None or cells.has_problem(KEY_COLUMNS):
        return None, cells.problems  # its race or nation cannot be looked up
    row = RoundFileLine(
        line=line,
        season=cells["season"],
        event=event,
        gender=cells["gender"],
        distance=cells["distance"],
        race=race,
        round=cells["round"],
        heat=heat or 0,
        place=place,
        athlete=athlete,
        nation=nation,
        time=time,
        status=status,
        qualification=qualification,
        start=start,
        members=members,
        isu_id=cells["isu_id"][:20],
        source=cells["source"],
        valid=not cells.problems,
        checkable=not cells.has_problem(ROUND_FACTS),
    )
    return row, cells.problems


def entry_rows(
    table: list[tuple[int, dict[str, str]]], problems: list[Problem]
) -> tuple[list[EntryFileLine], list[Problem]]:
    """An entry-list file's lines under the header, checked: each alone, then no skater and
    no helmet number twice in an event's list."""
    rows = checked(table, problems, check_entry_row)
    by_event: dict[tuple[str, int], list[EntryFileLine]] = defaultdict(list)
    for row in rows:
        by_event[row.event_key].append(row)
    for lines in by_event.values():
        found = entry_list_problems((row.skater, row.helmet) for row in lines)
        for index, (column, message) in found.items():
            problems.append(Problem(lines[index].line, column, clause(message)))
    return rows, sorted(problems, key=lambda p: (p.line, p.column or ""))


def check_entry_row(line: int, raw: dict[str, str]) -> tuple[EntryFileLine | None, list[Problem]]:
    cells = Cells(line, raw)
    if not re.fullmatch(r"\d{4}-\d{2}", cells["season"]):
        cells.problem("season", f"{cells['season'][:30]!r} is not a season like 2012-13")
    event = cells.number("event")
    helmet = cells.number("helmet", required=False)
    athlete = cells["athlete"]
    if not athlete:
        cells.problem("athlete", "missing; an entry names its skater")
    else:
        cells.name("athlete", athlete)
    nation = cells.nation()
    gender = cells["gender"]
    if gender and gender not in SKATER_GENDERS:
        cells.problem(
            "gender", f"{gender[:30]!r} is not one of {', '.join(SKATER_GENDERS)} (or blank)"
        )
    if event is None or cells.has_problem({"season", "nation"}):
        return None, cells.problems  # its event or nation cannot be looked up
    row = EntryFileLine(
        line=line,
        season=cells["season"],
        event=event,
        helmet=helmet,
        athlete=athlete,
        nation=nation,
        isu_id=cells["isu_id"][:20],
        gender=gender,
        valid=not cells.problems,
    )
    return row, cells.problems


def checkable_races(rows: Sequence[RoundFileLine], problems: Sequence[Problem]) -> set[tuple]:
    """The races whose rounds can be checked as a whole: every line of the file was read
    (none left out for a bad race or nation cell, or a wrong number of cells) and each line
    of the race has its round facts. A line left out would make the rules of the rounds
    report problems that are not there (a place skipped, a skater not admitted)."""
    read = {row.line for row in rows}
    if any(problem.line not in read for problem in problems if problem.line > 1):
        return set()
    unknown = {row.race_key for row in rows if not row.checkable}
    return {row.race_key for row in rows} - unknown


def rounds_problems(rows: Sequence[RoundFileLine], races: set[tuple]) -> list[Problem]:
    """What spans lines, in each of these races: the rules of the rounds
    (results/standings/rounds.py). A relay team is named in the nation column."""
    by_race: dict[tuple, list[RoundFileLine]] = defaultdict(list)
    for row in rows:
        if row.race_key in races:
            by_race[row.race_key].append(row)
    problems = []
    for lines in by_race.values():
        relay = lines[0].is_relay
        for found in round_problems([row.round_line() for row in lines]):
            column = "nation" if relay and found.column == "athlete" else found.column
            problems.append(Problem(found.line, column, found.message))
    return problems


def duplicates(rows: Sequence[FileLine]) -> list[Problem]:
    """Two lines of one race for the same athlete or relay nation; a shared rank followed by
    a line on a rank it leaves empty."""
    problems = []
    by_race: dict[tuple, list[FileLine]] = defaultdict(list)
    for row in rows:
        by_race[row.race_key].append(row)
    for race in by_race.values():
        for shared in shared_rank_problems((row.line, row.rank) for row in race):
            at = next(row.line for row in race if row.rank == shared.taken)
            problems.append(Problem(at, "rank", shared.message))
    seen: dict[tuple, int] = {}
    for row in rows:
        keys: list[tuple[str, *tuple[object, ...]]] = []  # what is compared, then its parts
        if row.is_relay:
            keys.append(("nation", row.race_key, row.nation))
        else:
            keys.append(("athlete", row.race_key, row.athlete.casefold(), row.nation))
        for key in keys:
            if key in seen:
                what = f"team {row.nation}" if key[0] == "nation" else f"athlete {row.athlete}"
                problems.append(
                    Problem(
                        row.line,
                        key[0],
                        f"{what} appears twice in this race (also line {seen[key]})",
                    )
                )
            else:
                seen[key] = row.line
    return problems
