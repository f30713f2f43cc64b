"""The results CSV format: the project's open interchange format for classifications.

    season,event,gender,distance,race,rank,athlete,nation,time,status
    2012-13,1,men,500m,1,1,Example SKATER,CAN,40.651,
    2012-13,1,men,5000m-relay,1,1,,KOR,6:43.220,

Documented in docs/results-csv.md. Three steps, each the only one of its kind:
- `read` parses and checks a file (CSV or XLSX) on its own: no database;
- `plan` sets the rows against the database (seasons, races, athletes) without writing;
- `apply` writes a plan in one transaction, with its history.
The `import_results` command and the admin's upload → preview → confirm page both use them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils.text import slugify

from results.models import (
    INDIVIDUAL_DISTANCES,
    NAME_MESSAGE,
    NAME_PATTERN,
    RELAY_GENDER,
    Athlete,
    Completeness,
    Distance,
    Event,
    Gender,
    Nation,
    Publication,
    Race,
    Result,
    Season,
    Status,
    bump_season_version,
    format_time,
    missing_ranks,
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
UNRANKED_STATUSES = {Status.PEN, Status.DNF, Status.DNS, Status.YC}
MAX_ROWS = 200_000
# Looked up for every row: sets made once (a TextChoices' .values builds a new list each time).
GENDERS = frozenset(Gender.values)
DISTANCES = frozenset(Distance.values)
STATUSES = frozenset(Status.values)


# --- Writing --------------------------------------------------------------------------------


def result_row(result: Result) -> list[str]:
    """One line of a classification in the CSV format (needs race__event__season, athlete)."""
    race = result.race
    return [
        race.event.season.slug,
        str(race.event.number),
        race.gender,
        race.distance,
        str(race.number),
        "" if result.rank is None else str(result.rank),
        result.athlete.name if result.athlete_id else "",
        result.nation_id,
        format_time(result.time),
        result.status,
        (result.athlete.isu_id or "") if result.athlete_id else "",
        result.source,
    ]


def write(results: Iterable[Result]) -> str:
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
class Row:
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
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        return [], [Problem(1, None, f"the XLSX file cannot be read: {error}")]
    rows = []
    for values in workbook.worksheets[0].iter_rows(values_only=True):
        rows.append(["" if v is None else xlsx_text(v) for v in values])
    workbook.close()
    while rows and not any(rows[-1]):
        rows.pop()
    return rows, []


def xlsx_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (1.0 → '1', 40.651 stays)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read(data: bytes, filename: str = "results.csv") -> tuple[list[Row], list[Problem]]:
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

    rows: list[Row] = []
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


def check_row(line: int, raw: dict[str, str]) -> tuple[Row | None, list[Problem]]:
    values = {name: value.strip() for name, value in raw.items()}
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
    elif gender in GENDERS:
        expected = RELAY_GENDER.get(distance)
        if (expected and gender != expected) or (not expected and gender == Gender.MIXED):
            problem("distance", f"there is no {gender}'s {distance}")
    rank = number("rank", required=False)
    status = values["status"].upper()
    if status not in STATUSES:
        problem("status", f"{values['status'][:30]!r} is not one of PEN, DNF, DNS, YC (or blank)")
    elif rank is None and not status and not values["rank"]:
        problem("rank", "missing; a line with no rank needs a status (PEN, DNF, DNS, YC)")
    elif status == Status.DNS and rank is not None:
        problem("rank", "a skater who did not start (DNS) has no rank")
    relay = distance in DISTANCES and distance not in INDIVIDUAL_DISTANCES
    athlete = values["athlete"]
    if relay and athlete:
        problem("athlete", "a relay line names the team's nation, not an athlete; leave it empty")
    elif not relay and distance in DISTANCES and not athlete:
        problem("athlete", "missing; an individual race needs the athlete's name")
    elif len(athlete) > 100:
        problem("athlete", "longer than 100 characters")
    elif athlete and not re.fullmatch(NAME_PATTERN, athlete):
        problem("athlete", f"{athlete[:30]!r}: {NAME_MESSAGE[0].lower()}{NAME_MESSAGE[1:]}")
    if not re.fullmatch(r"[A-Z]{3}", values["nation"]):
        problem("nation", f"{values['nation'][:30]!r} is not a three-letter code like KOR")
    time = None
    if values["time"]:
        try:
            time = parse_time(values["time"])
        except ValueError as error:
            problem("time", str(error))
        else:
            if time >= 10_000:
                problem("time", f"{values['time']!r} is too long for a race time")
                time = None
    row = Row(
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


def duplicates(rows: Sequence[Row]) -> list[Problem]:
    """Two lines of one race with the same rank, athlete, or relay nation."""
    problems = []
    seen: dict[tuple, int] = {}
    for row in rows:
        keys = []
        if row.rank is not None:
            keys.append(("rank", row.race_key, row.rank))
        if row.is_relay:
            keys.append(("nation", row.race_key, row.nation))
        else:
            keys.append(("athlete", row.race_key, row.athlete.casefold(), row.nation))
        for key in keys:
            if key in seen:
                what = {"rank": f"rank {row.rank}", "nation": f"team {row.nation}"}.get(
                    key[0], f"athlete {row.athlete}"
                )
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


# --- Planning (reads the database, writes nothing) ------------------------------------------


@dataclass
class Plan:
    """What an import would do, row by row, and every reason it cannot."""

    rows: list[Row]
    problems: list[Problem]
    races: dict[tuple, Race] = field(default_factory=dict)
    replaced: dict[int, int] = field(default_factory=dict)  # race pk → lines it had
    athletes: dict[int, Athlete] = field(default_factory=dict)  # row line → athlete
    new_athletes: dict[tuple[str, str], Athlete] = field(default_factory=dict)
    outcomes: dict[int, str] = field(default_factory=dict)  # row line → what happens

    @property
    def ok(self) -> bool:
        return not self.problems

    def row_outcomes(self) -> list[tuple[Row, str]]:
        return [(row, self.outcomes.get(row.line, "")) for row in self.rows]

    def summary(self) -> str:
        replaced = sum(1 for race in self.races.values() if race.pk in self.replaced)
        return (
            f"{len(self.races)} race(s), {len(self.rows)} result(s), "
            f"{len(self.new_athletes)} new athlete(s), {replaced} classification(s) replaced"
        )


def plan(rows: list[Row], problems: list[Problem], replace: bool = False, reason: str = "") -> Plan:
    """Set checked rows against the database: races must exist; athletes are matched by ISU id,
    else by name or alias and nation; the rest are new athletes. Nothing is written.

    Rows with problems of their own are looked up too (race and nation), so that every problem
    of a line is told at once; only valid rows are planned."""
    result = Plan(rows=[row for row in rows if row.valid], problems=list(problems))
    if not rows:
        if not problems:
            result.problems.append(Problem(1, None, "no result lines under the header"))
        return result
    keys = {row.race_key for row in rows}
    query = Q()
    for season, event, gender, distance, number in keys:
        query |= Q(
            event__season__slug=season,
            event__number=event,
            gender=gender,
            distance=distance,
            number=number,
        )
    races = {}
    for race in Race.objects.filter(query).select_related("event__season").with_result_count():
        races[
            (race.event.season.slug, race.event.number, race.gender, race.distance, race.number)
        ] = race
    seasons = set(
        Season.objects.filter(slug__in={k[0] for k in keys}).values_list("slug", flat=True)
    )
    events = set(
        Event.objects.filter(season__slug__in=seasons).values_list("season__slug", "number")
    )
    nations = set(
        Nation.objects.filter(code__in={row.nation for row in rows}).values_list("code", flat=True)
    )
    isu_ids = {row.isu_id for row in rows if row.isu_id}
    match = AthleteMatcher(Athlete.objects.filter(Q(nation__in=nations) | Q(isu_id__in=isu_ids)))
    in_race: dict[tuple, dict[object, int]] = defaultdict(dict)  # race → skater → first line

    race_problems: dict[tuple, tuple[str, str, list[int]]] = {}  # one problem per race
    for row in rows:
        race = races.get(row.race_key)
        refusal = None
        if race is None:
            if row.season not in seasons:
                refusal = ("season", f"unknown season {row.season}")
            elif (row.season, row.event) not in events:
                refusal = ("event", f"season {row.season} has no event {row.event}")
            else:
                refusal = (
                    "race",
                    f"event {row.event} of {row.season} has no {row.gender}'s "
                    f"{row.distance} race {row.race}",
                )
        elif race.result_count and not replace:
            refusal = (
                "race",
                f"{race} already has {race.result_count} result(s); use --replace (or tick "
                "Replace) to replace its classification",
            )
        elif race.result_count and race.state == Publication.OFFICIAL and not reason.strip():
            refusal = ("race", f"{race} is official: replacing its classification needs a reason")
        if refusal:
            race_problems.setdefault(row.race_key, (*refusal, []))[2].append(row.line)
        if row.nation not in nations:
            result.problems.append(Problem(row.line, "nation", f"unknown nation {row.nation}"))
        if refusal or row.nation not in nations or not row.valid:
            continue
        result.races[row.race_key] = race
        if race.result_count:
            result.replaced[race.pk] = race.result_count
        outcome = "replaces the classification" if race.pk in result.replaced else "new line"
        if not row.is_relay:
            athlete = match.find(row)
            if athlete is None:
                key = ("isu", row.isu_id) if row.isu_id else (row.athlete.casefold(), row.nation)
                athlete = result.new_athletes.get(key)
                if athlete is None:
                    athlete = Athlete(
                        name=row.athlete,
                        gender=race.gender,
                        nation_id=row.nation,
                        isu_id=row.isu_id or None,
                    )
                    result.new_athletes[key] = athlete
                outcome += f"; new athlete {row.athlete} ({row.nation})"
            elif athlete.gender != race.gender:
                result.problems.append(
                    Problem(
                        row.line,
                        "athlete",
                        f"{athlete.name} ({athlete.nation_id}) skates in the "
                        f"{athlete.gender}'s races, not the {race.gender}'s",
                    )
                )
                continue
            who = athlete.pk if athlete.pk else ("new", id(athlete))
            first = in_race[row.race_key].setdefault(who, row.line)
            if first != row.line:
                result.problems.append(
                    Problem(
                        row.line,
                        "athlete",
                        f"{row.athlete} is {athlete.name} ({athlete.nation_id}), already on "
                        f"line {first} of this race",
                    )
                )
                continue
            result.athletes[row.line] = athlete
        result.outcomes[row.line] = outcome
    by_race: dict[tuple, list[Row]] = defaultdict(list)
    for row in result.rows:
        by_race[row.race_key].append(row)
    for key, race in result.races.items():
        if race.classification != Completeness.COMPLETE:
            continue
        missing = missing_ranks(row.rank for row in by_race[key])
        if missing:
            first = min(row.line for row in by_race[key])
            result.problems.append(
                Problem(
                    first,
                    "rank",
                    f"{race} is marked complete but the file has no rank "
                    f"{', '.join(map(str, missing))}: add the missing lines, or mark the "
                    "race's classification partial",
                )
            )
    for column, message, lines in race_problems.values():
        also = f" (lines {lines[0]}–{lines[-1]})" if len(lines) > 1 else ""
        result.problems.append(Problem(lines[0], column, message + also))
    result.problems.sort(key=lambda p: (p.line, p.column or ""))
    return result


class AthleteMatcher:
    """Finds an existing athlete for a row: by ISU id, else by name or alias and nation."""

    def __init__(self, athletes: Iterable[Athlete]) -> None:
        self.by_isu_id: dict[str, Athlete] = {}
        self.by_name: dict[tuple[str, str], Athlete] = {}
        self.slugs: set[str] = set()
        for athlete in athletes:
            if athlete.isu_id:
                self.by_isu_id[athlete.isu_id] = athlete
            for name in [athlete.name, *athlete.aliases]:
                self.by_name.setdefault((name.casefold(), athlete.nation_id), athlete)

    def find(self, row: Row) -> Athlete | None:
        if row.isu_id and row.isu_id in self.by_isu_id:
            return self.by_isu_id[row.isu_id]
        return self.by_name.get((row.athlete.casefold(), row.nation))


# --- Applying (one transaction) -------------------------------------------------------------


def unique_slug(name: str, nation: str, taken: set[str]) -> str:
    base = slugify(name)[:90] or "athlete"
    for candidate in [base, f"{base}-{nation.lower()}"]:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{base}-{nation.lower()}-{number}" in taken:
        number += 1
    return f"{base}-{nation.lower()}-{number}"


@transaction.atomic
def apply(
    import_plan: Plan,
    publish: str = Publication.DRAFT,
    reason: str = "",
    user: Any = None,
) -> dict[str, int]:
    """Write a valid plan: new athletes, replaced classifications, new lines and the races'
    publication, all or nothing, with who (`user`, else the admin request's) and why in the
    history. An official race stays official: its replaced classification is a correction."""
    from simple_history.utils import bulk_create_with_history

    if not import_plan.ok:
        raise ValueError("a plan with problems cannot be applied")
    reason = reason.strip() or "Imported from a results file"
    new_athletes = list(import_plan.new_athletes.values())
    if new_athletes:
        taken = set(Athlete.objects.values_list("slug", flat=True))
        for athlete in new_athletes:
            athlete.slug = unique_slug(athlete.name, athlete.nation_id, taken)
            taken.add(athlete.slug)
        bulk_create_with_history(
            new_athletes, Athlete, default_change_reason=reason, default_user=user
        )
        saved = {a.slug: a for a in Athlete.objects.filter(slug__in=[a.slug for a in new_athletes])}
        for line, athlete in import_plan.athletes.items():
            if athlete.pk is None:
                import_plan.athletes[line] = saved[athlete.slug]

    replaced_races = [r for r in import_plan.races.values() if r.pk in import_plan.replaced]
    for old in Result.objects.filter(race__in=replaced_races):
        old._change_reason = reason
        if user is not None:
            old._history_user = user
        old.delete()

    lines = [
        Result(
            race=import_plan.races[row.race_key],
            rank=row.rank,
            athlete=None if row.is_relay else import_plan.athletes[row.line],
            nation_id=row.nation,
            time=row.time,
            status=row.status,
            source=row.source,
        )
        for row in import_plan.rows
    ]
    bulk_create_with_history(
        lines, Result, batch_size=2000, default_change_reason=reason, default_user=user
    )

    Race.objects.filter(pk__in=[r.pk for r in import_plan.races.values()]).update(
        revision=F("revision") + 1
    )
    seasons = set()
    for race in import_plan.races.values():
        seasons.add(race.event.season_id)
        state = Publication.OFFICIAL if race.state == Publication.OFFICIAL else publish
        if race.state != state:
            race.state = state
            race._change_reason = reason
            if user is not None:
                race._history_user = user
            race.save(update_fields=["state"])  # not the revision: it was bumped above
    for season_id in seasons:
        bump_season_version(season_id)
    return {
        "races": len(import_plan.races),
        "results": len(lines),
        "athletes": len(new_athletes),
        "replaced": sum(import_plan.replaced.values()),
    }
