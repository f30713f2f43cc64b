"""The results CSV format: the project's open interchange format for classifications.

    season,event,gender,distance,race,rank,athlete,nation,time,status
    2012-13,1,men,500m,1,1,Example SKATER,CAN,40.651,
    2012-13,1,men,5000m-relay,1,1,,KOR,6:43.220,

Documented in docs/results-csv.md. Pure, no database: `read` parses and checks a file (CSV or
XLSX) on its own, `write` writes classifications. results/importer.py sets what `read` gives
against the database and writes it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from results.standings.classification import (
    INDIVIDUAL_NEEDS_ATHLETE,
    RELAY_HAS_NO_ATHLETE,
    UNRANKED_NEEDS_STATUS,
    clause,
    rank_problem,
    shared_rank_problems,
    who_problem,
)
from results.vocabulary import (
    INDIVIDUAL_DISTANCES,
    LONGEST_TIME,
    NAME_MESSAGE,
    NAME_PATTERN,
    STATUS_CODES,
    Distance,
    Gender,
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
MAX_ROWS = 200_000
MAX_XLSX_UNPACKED = 20_000_000  # bytes of a workbook's parts, unpacked: about 30,000 rows
# Looked up for every row: sets made once (an enum's .values builds a new list each time).
GENDERS = frozenset(Gender.values)
DISTANCES = frozenset(Distance.values)


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


def result_row(result: Any) -> list[str]:
    """One line of a classification in the CSV format (needs race__event__season, athlete)."""
    race = result.race
    return [
        race.event.season.slug,
        str(race.event.number),
        race.gender,
        race.distance,
        str(race.number),
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
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + OPTIONAL_COLUMNS)
    writer.writerows(result_row(result) for result in results)
    return out.getvalue()


# --- Reading (pure) -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a file or a row cannot be imported, where: line 1 is the header."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class FileLine:
    """A checked line of the file."""

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
    """A parser's error in a few words (its class when it says nothing)."""
    text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return text or type(error).__name__


def xlsx_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (1.0 → '1', 40.651 stays)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read(data: bytes, filename: str = "results.csv") -> tuple[list[FileLine], list[Problem]]:
    """Parse and check a results file on its own (no database). Returns rows and problems."""
    cells, problems = cells_of(data, filename)
    if problems:
        return [], problems
    if not cells:
        return [], [Problem(1, None, "the file is empty; the first line names the columns")]
    header = [name.strip().lower() for name in cells[0]]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS + OPTIONAL_COLUMNS]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or duplicated:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown {', '.join(repr(c) for c in unknown)}")
        if duplicated:
            parts.append(f"repeated {', '.join(duplicated)}")
        expected = ",".join(COLUMNS)
        return [], [Problem(1, None, f"wrong columns ({'; '.join(parts)}); expected {expected}")]
    if len(cells) - 1 > MAX_ROWS:
        return [], [Problem(1, None, f"{len(cells) - 1} rows; import at most {MAX_ROWS} at once")]

    rows: list[FileLine] = []
    for line, values in enumerate(cells[1:], start=2):
        if not any(value.strip() for value in values):
            continue  # a blank line
        if len(values) != len(header):
            problems.append(
                Problem(line, None, f"{len(values)} cells where the header has {len(header)}")
            )
            continue
        row, row_problems = check_row(line, dict(zip(header, values, strict=True)))
        problems += row_problems
        if row is not None:
            rows.append(row)
    problems += duplicates([row for row in rows if row.valid])
    return rows, problems


def check_row(line: int, raw: dict[str, str]) -> tuple[FileLine | None, list[Problem]]:
    values = {name: restored(value.strip()) for name, value in raw.items()}
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(line, column, message))

    def number(column: str, required: bool = True) -> int | None:
        text = values[column]
        if not text:
            if required:
                problem(column, "missing")
            return None
        if not re.fullmatch(r"[1-9]\d{0,2}", text):  # 1 to 999, as the site's URLs
            problem(column, f"{text[:30]!r} is not a positive whole number")
            return None
        return int(text)

    if not re.fullmatch(r"\d{4}-\d{2}", values["season"]):
        problem("season", f"{values['season'][:30]!r} is not a season like 2012-13")
    event, race = number("event"), number("race")
    gender, distance = values["gender"], values["distance"]
    if gender not in GENDERS:
        problem("gender", f"{gender[:30]!r} is not one of {', '.join(Gender.values)}")
    if distance not in DISTANCES:
        problem("distance", f"{distance[:30]!r} is not one of {', '.join(Distance.values)}")
    elif gender in GENDERS and not distance_fits_gender(gender, distance):
        problem("distance", f"there is no {gender}'s {distance}")
    rank = number("rank", required=False)
    status = values["status"].upper()
    if status not in STATUS_CODES:
        problem("status", f"{values['status'][:30]!r} is not one of PEN, DNF, DNS, YC (or blank)")
    elif not (values["rank"] and rank is None):  # a bad rank is told already
        ranked = rank_problem(rank=rank, status=status)
        if ranked and ranked[1] == UNRANKED_NEEDS_STATUS:
            problem("rank", f"missing; {clause(UNRANKED_NEEDS_STATUS)}")
        elif ranked:
            problem("rank", clause(ranked[1]))
    relay = distance in DISTANCES and distance not in INDIVIDUAL_DISTANCES
    athlete = values["athlete"]
    who = who_problem(relay=relay, athlete=bool(athlete)) if distance in DISTANCES else None
    if who and who[1] == RELAY_HAS_NO_ATHLETE:
        problem("athlete", f"{clause(RELAY_HAS_NO_ATHLETE)}; leave it empty")
    elif who and who[1] == INDIVIDUAL_NEEDS_ATHLETE:
        problem("athlete", f"missing; {clause(INDIVIDUAL_NEEDS_ATHLETE)}")
    elif len(athlete) > 100:
        problem("athlete", "longer than 100 characters")
    elif athlete and not re.fullmatch(NAME_PATTERN, athlete):
        problem("athlete", f"{athlete[:30]!r}: {clause(NAME_MESSAGE)}")
    if not re.fullmatch(r"[A-Z]{3}", values["nation"]):
        problem("nation", f"{values['nation'][:30]!r} is not a three-letter code like KOR")
    time = None
    if values["time"]:
        try:
            time = parse_time(values["time"])
        except ValueError as error:
            problem("time", str(error))
        else:
            if time >= LONGEST_TIME:
                problem("time", f"{values['time']!r} is too long for a race time")
                time = None
    if event is None or race is None:  # told above; without them no race can be looked up
        return None, problems
    row = FileLine(
        line=line,
        season=values["season"],
        event=event,
        gender=gender,
        distance=distance,
        race=race,
        rank=rank,
        athlete=athlete,
        nation=values["nation"],
        time=time,
        status=status,
        isu_id=values.get("isu_id", "")[:20],
        source=values.get("source", ""),
        valid=not problems,
    )
    keys = {"season", "event", "gender", "distance", "race", "nation"}
    if any(problem.column in keys for problem in problems):
        return None, problems  # not even its race or nation can be looked up
    return row, problems


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
