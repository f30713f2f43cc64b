"""Imports of results files: plan an import against the database, then apply it.

- `plan` sets the lines of a classification file `csv_format.read` checked against the
  database (seasons, races, athletes) without writing, and tells every reason it cannot be
  applied; `plan_rounds` does the same for a rounds file, checks the race's rounds with
  `Race.heat_problems` and works out the classification they give;
- `apply` and `apply_rounds` write a plan in one transaction, with its history, through the
  models' operations (publishing a race, correcting an official one, a complete
  classification, `Race.write_heats`).
`plan_entries` and `apply_entries` do the same for an entry-list file (events' entry lists).
`plan_file` and `apply_file` take any kind of file, told apart by its columns: the
`import_results` command and the admin's upload → preview → confirm page both use them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from results.csv_format import (
    ENTRIES,
    ROUNDS,
    EntryFileLine,
    FileLine,
    Problem,
    RoundFileLine,
    checkable_races,
    read_any,
)
from results.models import (
    Adjustment,
    Athlete,
    Event,
    EventEntry,
    HeatLine,
    Nation,
    Race,
    Result,
    Round,
    Season,
)
from results.standings.classification import clause, wrong_gender
from results.standings.rounds import RoundLine, classify, entry_list_problems
from results.versioning import bump_season_version
from results.vocabulary import (
    SKATER_GENDERS,
    Confidence,
    RaceState,
    RoundName,
    folded,
    format_time,
    plural,
)

REPLACE = "replace"  # a problem's remedy: ask the import to replace what the race has


@dataclass
class FilePlan:
    """What an import of a file would do, line by line, and every reason it cannot: what
    every kind of file's plan holds."""

    rows: list
    problems: list[Problem]
    replaced: dict[int, int] = field(default_factory=dict)  # race or event pk → what it had
    athletes: dict[int, Athlete] = field(default_factory=dict)  # row line → athlete
    new_athletes: dict[tuple[str, str], Athlete] = field(default_factory=dict)
    outcomes: dict[int, str] = field(default_factory=dict)  # row line → what happens
    written: dict[int, dict[str, str]] = field(default_factory=dict)  # line → cells as written
    held: dict[int, Problem] = field(default_factory=dict)  # line → its race's/event's refusal
    is_rounds: ClassVar[bool] = False
    is_entries: ClassVar[bool] = False

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Plan(FilePlan):
    """What a classification import would do, row by row, and every reason it cannot."""

    rows: list[FileLine]
    races: dict[tuple, Race] = field(default_factory=dict)

    def summary(self) -> str:
        replaced = sum(1 for race in self.races.values() if race.pk in self.replaced)
        return (
            f"{len(self.races)} race(s), {len(self.rows)} result(s), "
            f"{len(self.new_athletes)} new athlete(s), {replaced} classification(s) replaced"
        )


def plan(
    rows: list[FileLine], problems: list[Problem], replace: bool = False, reason: str = ""
) -> Plan:
    """Set checked rows against the database: races must exist; athletes are matched by ISU id,
    else by name or alias and nation; the rest are new athletes. Nothing is written.

    Rows with problems of their own are looked up too (race and nation), so that every problem
    of a line is told at once; only valid rows are planned."""
    result = Plan(rows=[row for row in rows if row.valid], problems=list(problems))
    if not rows:
        if not problems:
            result.problems.append(Problem(1, None, "no result lines under the header"))
        return result
    calendar = Calendar(rows)
    nations = calendar.nations
    match = calendar.matcher()
    in_race: dict[tuple, dict[object, int]] = defaultdict(dict)  # race → skater → first line

    race_problems: dict[tuple, tuple[tuple, list[int]]] = {}  # one problem per race
    for row in rows:
        race = calendar.races.get(row.race_key)
        refusal = None
        if race is None:
            refusal = calendar.missing(row)
        elif race.in_rounds:
            refusal = (
                "race",
                f"{race} is entered round by round: import a rounds file for it (its "
                "classification follows from the rounds)",
            )
        elif race.result_count and not replace:
            refusal = ("race", f"{race} already has {race.result_count} result(s)", REPLACE)
        elif race.result_count and (correction := correction_refused(race, reason)):
            refusal = ("race", correction)
        if refusal:
            race_problems.setdefault(row.race_key, (refusal, []))[1].append(row.line)
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
            alike = match.alike(row) if athlete is None and not row.isu_id else None
            if alike is not None:
                result.problems.append(
                    Problem(
                        row.line,
                        "athlete",
                        f"no skater of {row.nation} is written {row.athlete!r}: did you mean "
                        f"{alike.name}? Write the name as the site has it, or add this spelling "
                        "to the skater's other spellings",
                    )
                )
                continue
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
            elif wrong := wrong_gender(
                f"{athlete.name} ({athlete.nation_id})", athlete.gender, race.gender
            ):
                result.problems.append(Problem(row.line, "athlete", clause(wrong)))
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
    by_race: dict[tuple, list[FileLine]] = defaultdict(list)
    for row in result.rows:
        by_race[row.race_key].append(row)
    for key, race in result.races.items():
        try:
            race.check_complete(row.rank for row in by_race[key])
        except ValidationError as error:
            first = min(row.line for row in by_race[key])
            result.problems.append(Problem(first, "rank", clause(error.message)))
    result.problems += refusals(race_problems, result.held)
    result.problems.sort(key=lambda p: (p.line, p.column or ""))
    return result


def refusals(race_problems: dict[tuple, tuple[tuple, list[int]]], held: dict) -> list[Problem]:
    """One problem per race refused whole, on its first line, naming the lines it covers;
    `held` gets each of those lines' problem."""
    problems = []
    for (column, message, *remedy), lines in race_problems.values():
        also = f" (lines {lines[0]}–{lines[-1]})" if len(lines) > 1 else ""
        problem = Problem(lines[0], column, message + also, *remedy)
        problems.append(problem)
        held.update(dict.fromkeys(lines, problem))
    return problems


class Calendar:
    """What a file's lines name, looked up in a few queries: its races (with their result and
    heat line counts), the seasons and events that exist, the nations, and the athletes
    who could be meant (of those nations, or by ISU id)."""

    def __init__(self, rows: Sequence[FileLine] | Sequence[RoundFileLine]) -> None:
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
        rounds = Exists(Round.objects.filter(race=OuterRef("pk")))
        lines = HeatLine.objects.filter(round__race=OuterRef("pk")).values("round__race")
        found = (
            Race.objects.filter(query)
            .select_related("event__season")
            .with_result_count()
            .annotate(
                in_rounds=rounds,
                heat_line_count=Subquery(lines.annotate(n=Count("pk")).values("n")[:1]),
            )
        )
        self.races: dict[tuple, Race] = {
            (race.event.season.slug, race.event.number, race.gender, race.distance, race.number):
            race for race in found
        }  # fmt: skip
        self.seasons = set(
            Season.objects.filter(slug__in={k[0] for k in keys}).values_list("slug", flat=True)
        )
        self.events = set(
            Event.objects.filter(season__slug__in=self.seasons).values_list(
                "season__slug", "number"
            )
        )
        self.nations = set(
            Nation.objects.filter(code__in={row.nation for row in rows}).values_list(
                "code", flat=True
            )
        )
        self.isu_ids = {row.isu_id for row in rows if row.isu_id}

    def matcher(self) -> AthleteMatcher:
        return AthleteMatcher(
            Athlete.objects.filter(Q(nation__in=self.nations) | Q(isu_id__in=self.isu_ids))
        )

    def missing(self, row: FileLine | RoundFileLine) -> tuple[str, str]:
        """(column, message) for a line whose race does not exist."""
        if row.season not in self.seasons:
            return ("season", f"unknown season {row.season}")
        if (row.season, row.event) not in self.events:
            return ("event", f"season {row.season} has no event {row.event}")
        return (
            "race",
            f"event {row.event} of {row.season} has no {row.gender}'s "
            f"{row.distance} race {row.race}",
        )


class AthleteMatcher:
    """Finds an existing athlete for a row: by ISU id, else by name or alias and nation."""

    def __init__(self, athletes: Iterable[Athlete]) -> None:
        self.by_isu_id: dict[str, Athlete] = {}
        self.by_name: dict[tuple[str, str], Athlete] = {}
        self.by_folded: dict[tuple[str, str], Athlete] = {}
        self.anywhere: dict[str, list[Athlete]] = defaultdict(list)  # name → of any nation
        for athlete in athletes:
            if athlete.isu_id:
                self.by_isu_id[athlete.isu_id] = athlete
            for name in [athlete.name, *athlete.aliases]:
                self.by_name.setdefault((name.casefold(), athlete.nation_id), athlete)
                self.by_folded.setdefault((folded(name), athlete.nation_id), athlete)
                if athlete not in self.anywhere[name.casefold()]:
                    self.anywhere[name.casefold()].append(athlete)

    def find(self, row: FileLine | RoundFileLine | EntryFileLine) -> Athlete | None:
        if row.isu_id and row.isu_id in self.by_isu_id:
            return self.by_isu_id[row.isu_id]
        return self.by_name.get((row.athlete.casefold(), row.nation))

    def alike(self, row: FileLine | EntryFileLine) -> Athlete | None:
        """A skater of the row's nation whose name is the row's but for accents: the one the
        file most likely means (never taken without the file saying so)."""
        return self.by_folded.get((folded(row.athlete), row.nation))

    def named(self, name: str, nation: str) -> Athlete | None:
        return self.by_name.get((name.casefold(), nation))


# --- The preview -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowPreview:
    """A line of the file as a preview shows it: its cells as the file wrote them (its time
    too: 88.500 stays 88.500), and what importing it would do, or every problem it has."""

    line: int
    cells: dict[str, str]
    time: str
    outcome: str
    problems: tuple[str, ...]


def told(problem: Problem, actions: dict[str, str]) -> str:
    """A problem's message with the caller's own words for what can be done about it (the
    command's --replace, the admin's Replace box)."""
    action = actions.get(problem.remedy, "")
    return f"{problem.message}; {action}" if action else problem.message


def row_previews(import_plan: FilePlan, actions: dict[str, str]) -> list[RowPreview]:
    """Every line of the file under the header, faulty ones too, in the file's order; each
    line of a race refused whole carries the race's problem."""
    found: dict[int, list[str]] = defaultdict(list)
    for problem in import_plan.problems:
        found[problem.line].append(told(problem, actions))
    for line, problem in import_plan.held.items():
        if problem.line != line:
            found[line].append(told(problem, actions))
    lines = sorted(set(import_plan.written) | {line for line in found if line > 1})
    previews = []
    for line in lines:
        cells = import_plan.written.get(line, {})
        problems = tuple(found.get(line, ()))
        outcome = "" if problems else import_plan.outcomes.get(line, "")
        previews.append(RowPreview(line, cells, cells.get("time", "").strip(), outcome,
                                   problems))  # fmt: skip
    return previews


# --- Applying (one transaction) -------------------------------------------------------------


def create_athletes(import_plan: FilePlan, reason: str, user: Any) -> list[Athlete]:
    """Write the plan's new athletes (each a free slug) with their history, and put the saved
    ones in the plan's place of the unsaved."""
    new_athletes = list(import_plan.new_athletes.values())
    if not new_athletes:
        return []
    taken = set(Athlete.objects.values_list("slug", flat=True))
    for athlete in new_athletes:
        athlete.slug = unique_slug(athlete.name, athlete.nation_id, taken)
        taken.add(athlete.slug)
    bulk_create_with_history(new_athletes, Athlete, default_change_reason=reason, default_user=user)
    saved = {a.slug: a for a in Athlete.objects.filter(slug__in=[a.slug for a in new_athletes])}
    for line, athlete in import_plan.athletes.items():
        if athlete.pk is None:
            import_plan.athletes[line] = saved[athlete.slug]
    for members in getattr(import_plan, "members", {}).values():
        members[:] = [saved[a.slug] if a.pk is None else a for a in members]
    return new_athletes


def unique_slug(name: str, nation: str, taken: set[str]) -> str:
    base = slugify(name)[:90] or "athlete"
    for candidate in [base, f"{base}-{nation.lower()}"]:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{base}-{nation.lower()}-{number}" in taken:
        number += 1
    return f"{base}-{nation.lower()}-{number}"


def correction_refused(race: Race, reason: str) -> str | None:
    """The correction rule's message when replacing the race's lines needs a reason."""
    try:
        race.check_correction(reason)
    except ValidationError as error:
        return f"{race}: {clause(error.message)}"
    return None


# --- Writing many lines in a few statements -------------------------------------------------
# A large file is written with one INSERT per batch of lines and its history with one
# INSERT … SELECT, so the database's write lock is held for a second, not for minutes: on
# SQLite every other writer (an official saving a heat) waits for it.


def history_copy(races: list[Race], kind: str, reason: str, user: Any) -> None:
    """Write a history row ("+" added, "-" removed) for every line of these races, as the
    lines are now, in one statement."""
    History = Result.history.model
    columns = [field.column for field in History.tracked_fields]
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    marks = ", ".join(["%s"] * len(races))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(History._meta.db_table)} "
        f"({quoted}, history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {quoted}, %s, %s, %s, %s FROM {connection.ops.quote_name(Result._meta.db_table)} "
        f"WHERE race_id IN ({marks})"
    )
    with connection.cursor() as cursor:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(sql, [now, reason, kind, getattr(user, "pk", None),
                             *[race.pk for race in races]])  # fmt: skip


def remove_lines(races: list[Race], reason: str, user: Any) -> None:
    """Remove the races' lines, each line's removal kept in the history with the import's
    reason; their adjustments go with them, each in its own history. The caller renews the
    races' revisions and the seasons' versions (no signals are sent here)."""
    if not races:
        return
    history_copy(races, "-", reason, user)
    for adjustment in Adjustment.objects.filter(result__race__in=races):
        adjustment._change_reason = reason
        adjustment.delete()
    Result.members.through.objects.filter(result__race__in=races).delete()
    Result.objects.filter(race__in=races)._raw_delete(Result.objects.db)


INSERTED = ["race_id", "rank", "athlete_id", "nation_id", "time", "status", "source",
            "confidence", "note", "revision"]  # fmt: skip


def insert_lines(values: list[tuple]) -> None:
    """Insert lines given as tuples of INSERTED, in batches."""
    table = connection.ops.quote_name(Result._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in INSERTED)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(INSERTED))})"
    with connection.cursor() as cursor:
        for start in range(0, len(values), 2000):
            cursor.executemany(sql, values[start : start + 2000])


@transaction.atomic
def apply(
    import_plan: Plan,
    publish: str = RaceState.DRAFT,
    reason: str = "",
    user: Any = None,
) -> dict[str, int]:
    """Write a valid plan: new athletes, replaced classifications, new lines and the races'
    publication, all or nothing, with who (`user`, else the admin request's) and why in the
    history. An official race stays official: its replaced classification is a correction."""
    if not import_plan.ok:
        raise ValueError("a plan with problems cannot be applied")
    reason = reason.strip() or "Imported from a results file"
    new_athletes = create_athletes(import_plan, reason, user)

    races = list(import_plan.races.values())
    remove_lines([race for race in races if race.pk in import_plan.replaced], reason, user)
    time = Result._meta.get_field("time")
    lines = [
        (
            import_plan.races[row.race_key].pk,
            row.rank,
            None if row.is_relay else import_plan.athletes[row.line].pk,
            row.nation,
            time.get_db_prep_save(row.time, connection),
            row.status,
            row.source,
            Confidence.SOURCED.value,
            "",
            0,
        )
        for row in import_plan.rows
    ]
    insert_lines(lines)
    history_copy(races, "+", reason, user)
    # No signals were sent: each race's classification is a new revision, and each season a
    # new version, here.
    Race.objects.filter(pk__in=[race.pk for race in races]).update(revision=F("revision") + 1)
    for race in races:
        state = RaceState.OFFICIAL if race.state == RaceState.OFFICIAL else publish
        race.publish(state, reason, user)
    for season_id in {race.event.season_id for race in races}:
        bump_season_version(season_id)
    return {
        "races": len(import_plan.races),
        "results": len(lines),
        "athletes": len(new_athletes),
        "replaced": sum(import_plan.replaced.values()),
    }


# --- Rounds files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLine:
    """A line of the classification a race's rounds give, as a preview shows it."""

    rank: int | None
    athlete: str  # the athlete's name; empty for a relay team
    nation: str
    status: str
    time: Decimal | None

    @property
    def competitor(self) -> str:
        return f"{self.athlete} ({self.nation})" if self.athlete else self.nation

    @property
    def time_display(self) -> str:
        return format_time(self.time)


@dataclass(frozen=True)
class RacePreview:
    """The classification a race's planned rounds give (`classify`, the season's rule);
    `final_a`: whether the file holds Final A, without which none is written yet."""

    race: Race
    lines: list[PreviewLine]
    final_a: bool


@dataclass
class RoundsPlan(FilePlan):
    """What a rounds import would do, line by line and race by race, and every reason it
    cannot."""

    rows: list[RoundFileLine]
    races: dict[tuple, Race] = field(default_factory=dict)
    members: dict[int, list[Athlete]] = field(default_factory=dict)  # row line → relay members
    previews: list[RacePreview] = field(default_factory=list)
    is_rounds: ClassVar[bool] = True

    def summary(self) -> str:
        replaced = sum(1 for race in self.races.values() if race.pk in self.replaced)
        return (
            f"{len(self.races)} race(s), {len(self.rows)} heat line(s), "
            f"{len(self.new_athletes)} new athlete(s), {replaced} race(s)' rounds replaced"
        )


class ImportRefused(Exception):
    """The database refused a planned write (it changed since the plan): nothing is written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def plan_rounds(
    rows: list[RoundFileLine], problems: list[Problem], replace: bool = False, reason: str = ""
) -> RoundsPlan:
    """Set a rounds file's checked lines against the database: races must exist; athletes are
    matched as in a classification (ISU id, else name or alias and nation; the rest are new,
    of the race's gender), relay members by name and nation; a race that already has rounds
    or results needs `replace` (and, when official, a reason). Each race's rounds are checked
    by `Race.heat_problems`, as they would stand after the import, and the classification
    they give is worked out for the preview. Nothing is written."""
    result = RoundsPlan(rows=[row for row in rows if row.valid], problems=list(problems))
    if not rows:
        if not problems:
            result.problems.append(Problem(1, None, "no heat lines under the header"))
        return result
    calendar = Calendar(rows)
    match = calendar.matcher()
    candidates: dict[tuple[str, str], Athlete] = {}  # new athletes, by ISU id or name and nation
    stand_ins: dict[int, Athlete] = {}  # a new athlete → an id to check the rounds with
    checked: dict[tuple, dict[tuple[str, int], list[HeatLine]]] = defaultdict(
        lambda: defaultdict(list)
    )
    race_problems: dict[tuple, tuple[tuple, list[int]]] = {}

    def new_athlete(key: tuple[str, str], name: str, nation: str, race: Race) -> Athlete:
        if key not in candidates:
            candidates[key] = Athlete(
                name=name,
                gender=race.gender,
                nation_id=nation,
                isu_id=key[1] if key[0] == "isu" else None,
            )
        return candidates[key]

    def stand_in(athlete: Athlete) -> Athlete:
        """The athlete, or for a new one a stand-in with an id of its own (never saved)."""
        if athlete.pk is not None:
            return athlete
        if id(athlete) not in stand_ins:
            stand_ins[id(athlete)] = Athlete(
                pk=-1 - len(stand_ins),
                name=athlete.name,
                gender=athlete.gender,
                nation_id=athlete.nation_id,
            )
        return stand_ins[id(athlete)]

    for row in rows:
        race = calendar.races.get(row.race_key)
        had = race.result_count + (race.heat_line_count or 0) if race else 0
        refusal = None
        if race is None:
            refusal = calendar.missing(row)
        elif had and not replace:
            what = (
                plural(race.heat_line_count, "heat line")
                if race.heat_line_count
                else plural(race.result_count, "result")
            )
            refusal = ("race", f"{race} already has {what}", REPLACE)
        elif had and (correction := correction_refused(race, reason)):
            refusal = ("race", correction)
        if refusal:  # (every line of a race that does not exist has one)
            race_problems.setdefault(row.race_key, (refusal, []))[1].append(row.line)
            continue
        if row.nation not in calendar.nations:
            result.problems.append(Problem(row.line, "nation", f"unknown nation {row.nation}"))
        planned = row.valid and row.nation in calendar.nations
        outcome = "replaces the race's rounds and classification" if had else "new heat line"
        athlete = None
        if not row.is_relay:
            athlete = match.find(row)
            if athlete is None:
                key = ("isu", row.isu_id) if row.isu_id else (row.athlete.casefold(), row.nation)
                athlete = new_athlete(key, row.athlete, row.nation, race)
                if planned and key not in result.new_athletes:
                    result.new_athletes[key] = athlete
                    outcome += f"; new athlete {row.athlete} ({row.nation})"
        members = []
        for name in row.members if planned else ():
            member = match.named(name, row.nation)
            key = (name.casefold(), row.nation)
            if member is None and race.gender not in SKATER_GENDERS and key not in candidates:
                result.problems.append(
                    Problem(
                        row.line,
                        "members",
                        f"no skater {name} ({row.nation}) is known; the mixed relay's members "
                        "are matched, never created (the file gives no gender): enter the "
                        "skater first",
                    )
                )
                continue
            if member is None:
                member = new_athlete(key, name, row.nation, race)
                if key not in result.new_athletes:
                    result.new_athletes[key] = member
                    outcome += f"; new athlete {name} ({row.nation})"
            if race.gender in SKATER_GENDERS and (
                wrong := wrong_gender(f"{name} ({row.nation})", member.gender, race.gender)
            ):
                result.problems.append(Problem(row.line, "members", clause(wrong)))
            members.append(member)
        if row.checkable:
            line = heat_line(row, stand_in(athlete) if athlete else None)
            checked[row.race_key][(row.round, row.heat)].append(line)
        if planned:
            result.races[row.race_key] = race
            if had:
                result.replaced[race.pk] = had
            if athlete is not None:
                result.athletes[row.line] = athlete
            result.members[row.line] = members
            result.outcomes[row.line] = outcome

    result.problems += refusals(race_problems, result.held)
    checkable = checkable_races(rows, problems)
    checked = {key: heats for key, heats in checked.items() if key in checkable}
    earlier = existing_heats([calendar.races[key] for key in checked])
    for key, heats in checked.items():
        race = calendar.races[key]
        lines = [line for heat in heats.values() for line in heat]
        gone = {heat: [] for heat in earlier.get(race.pk, ())}  # replaced: none of them stays
        found = heat_problems_of(race, {**gone, **heats}, first=min(line.line for line in lines))
        result.problems += found
        mine = {line.line for line in lines}
        if not found and not any(problem.line in mine for problem in result.problems):
            result.previews.append(preview(race, heats))
    result.problems = sorted(dict.fromkeys(result.problems), key=lambda p: (p.line, p.column or ""))
    return result


def heat_line(row: RoundFileLine, athlete: Athlete | None) -> HeatLine:
    """The unsaved heat line of a file's line (`line`: the file's line, for messages)."""
    line = HeatLine(
        athlete=athlete,
        nation_id=row.nation,
        heat=row.heat,
        start=row.start,
        place=row.place,
        time=row.time,
        status=row.status,
        qualification=row.qualification,
        source=row.source,
    )
    line.line = row.line
    return line


def existing_heats(races: list[Race]) -> dict[int, set[tuple[str, int]]]:
    """The (round, heat) pairs each of these races has (only those with heat lines asked)."""
    pks = [race.pk for race in races if race.heat_line_count]
    heats: dict[int, set[tuple[str, int]]] = defaultdict(set)
    if pks:
        pairs = HeatLine.objects.filter(round__race__in=pks).values_list(
            "round__race", "round__name", "heat"
        )
        for race, name, heat in pairs.distinct():
            heats[race].add((name, heat))
    return heats


def heat_problems_of(
    race: Race, heats: dict[tuple[str, int], list[HeatLine]], first: int
) -> list[Problem]:
    """`Race.heat_problems` as a file's problems: each on its line (one on no line of the
    file, on the race's first), a relay team named in the nation column."""
    problems = []
    for line, found in race.heat_problems(heats).items():
        for column, message in found:
            column = "nation" if race.is_relay and column == "athlete" else column
            problems.append(Problem(line or first, column, clause(message)))
    return problems


def preview(race: Race, heats: dict[tuple[str, int], list[HeatLine]]) -> RacePreview:
    """The classification these heats give the race, by its season's rule."""
    lines = [
        RoundLine(
            line.competitor_key, name, heat, line.place, line.time, line.status,
            line.qualification, line.line,
        )
        for (name, heat), heat_lines in heats.items()
        for line in heat_lines
    ]  # fmt: skip
    latest: dict[str, tuple[int, HeatLine]] = {}  # competitor → their latest round's line
    for (name, _), heat_lines in heats.items():
        for line in heat_lines:
            order = RoundName.values.index(name)
            if line.competitor_key not in latest or latest[line.competitor_key][0] < order:
                latest[line.competitor_key] = (order, line)
    placings = classify(lines, race.event.season.classification_rule)
    shown = []
    for placing in placings:
        line = latest[placing.competitor][1]
        athlete = line.athlete.name if line.athlete_id else ""
        shown.append(
            PreviewLine(placing.rank, athlete, line.nation_id, placing.status, placing.time)
        )
    final_a = any(name == RoundName.FINAL_A for name, _ in heats)
    return RacePreview(race, shown, final_a)


def remove_rounds(race: Race, reason: str, user: Any) -> None:
    """Remove the race's rounds, each heat line's removal kept in the history with the
    import's reason."""
    for removed in [*HeatLine.objects.filter(round__race=race), *race.rounds.all()]:
        removed._change_reason = reason
        if user is not None:
            removed._history_user = user
        removed.delete()


def problems_of(error: ValidationError, first: int) -> list[Problem]:
    """`Race.write_heats`' refusal as a file's problems ({line: [(column, message)]})."""
    if not hasattr(error, "error_dict"):
        return [Problem(first, "race", clause(message)) for message in error.messages]
    problems = []
    for line, errors in error.error_dict.items():
        for item in errors:
            message = item.message
            column, message = message if isinstance(message, tuple) else (None, str(message))
            problems.append(Problem(line or first, column, clause(message)))
    return problems


@transaction.atomic
def apply_rounds(
    import_plan: RoundsPlan,
    publish: str = RaceState.DRAFT,
    reason: str = "",
    user: Any = None,
) -> dict[str, int]:
    """Write a valid plan: new athletes, then each race's rounds through `Race.write_heats`
    (the race's earlier rounds removed first when it is replaced), which derives the
    classification once Final A is in, and the races' publication: all races of the file, all
    or nothing. An official race stays official: its new rounds are a correction."""
    if not import_plan.ok:
        raise ValueError("a plan with problems cannot be applied")
    reason = reason.strip() or "Imported from a rounds file"
    new_athletes = create_athletes(import_plan, reason, user)
    # The athletes as they are now: the rules of the rounds see a change made since the plan.
    current = Athlete.objects.in_bulk({athlete.pk for athlete in import_plan.athletes.values()})
    by_race: dict[tuple, list[RoundFileLine]] = defaultdict(list)
    for row in import_plan.rows:
        by_race[row.race_key].append(row)
    derived = 0
    for key, race in import_plan.races.items():
        if race.pk in import_plan.replaced:
            remove_rounds(race, reason, user)
        heats: dict[tuple[str, int], list[HeatLine]] = defaultdict(list)
        for row in by_race[key]:
            athlete = import_plan.athletes.get(row.line)
            line = heat_line(row, current[athlete.pk] if athlete else None)
            line.member_ids = [member.pk for member in import_plan.members.get(row.line, [])]
            heats[(row.round, row.heat)].append(line)
        try:
            race.write_heats(dict(heats), reason, user)
        except ValidationError as error:
            raise ImportRefused(problems_of(error, by_race[key][0].line)) from error
        derived += any(name == RoundName.FINAL_A for name, _ in heats)
        state = RaceState.OFFICIAL if race.state == RaceState.OFFICIAL else publish
        race.publish(state, reason, user)
    return {
        "races": len(import_plan.races),
        "lines": len(import_plan.rows),
        "athletes": len(new_athletes),
        "replaced": len(import_plan.replaced),
        "derived": derived,
    }


# --- Entry-list files -----------------------------------------------------------------------


@dataclass
class EntriesPlan(FilePlan):
    """What an entry-list import would do, line by line and event by event, and every reason
    it cannot. A file gives each of its events' whole entry list: an event that has one
    already is replaced only when asked (each skater's entry kept, with its history, when
    the skater stays on the list)."""

    rows: list[EntryFileLine]
    events: dict[tuple[str, int], Event] = field(default_factory=dict)
    is_entries: ClassVar[bool] = True

    def summary(self) -> str:
        return (
            f"{len(self.events)} event(s)' entry list, {len(self.rows)} skater(s), "
            f"{len(self.new_athletes)} new athlete(s), {len(self.replaced)} entry list(s) replaced"
        )


def plan_entries(
    rows: list[EntryFileLine], problems: list[Problem], replace: bool = False
) -> EntriesPlan:
    """Set an entry-list file's checked lines against the database: events must exist;
    athletes are matched as in a results file (ISU id, else name or alias and nation), the
    rest are new athletes and need their gender; an event with an entry list needs `replace`;
    no athlete twice on a list (two spellings of one skater are found here). Nothing is
    written."""
    result = EntriesPlan(rows=[row for row in rows if row.valid], problems=list(problems))
    if not rows:
        if not problems:
            result.problems.append(Problem(1, None, "no entry lines under the header"))
        return result
    query = Q()
    for season, number in {row.event_key for row in rows}:
        query |= Q(season__slug=season, number=number)
    events = {
        (event.season.slug, event.number): event
        for event in Event.objects.filter(query)
        .select_related("season")
        .annotate(entry_count=Count("entries"))
    }
    seasons = set(
        Season.objects.filter(slug__in={row.season for row in rows}).values_list("slug", flat=True)
    )
    nations = set(
        Nation.objects.filter(code__in={row.nation for row in rows}).values_list("code", flat=True)
    )
    # A skater may skate for another nation than their own at an event: those of the events'
    # lists and those the file names are looked up whatever their nation.
    names = {row.athlete for row in rows if row.athlete}
    match = AthleteMatcher(
        Athlete.objects.filter(
            Q(nation__in=nations)
            | Q(isu_id__in={row.isu_id for row in rows if row.isu_id})
            | Q(name__in=names)
            | Q(entries__event__in=list(events.values()))
        ).distinct()
    )
    entered = {
        (entry.event_id, entry.athlete_id): entry
        for entry in EventEntry.objects.filter(event__in=list(events.values()))
    }
    event_problems: dict[tuple, tuple[tuple, list[int]]] = {}
    on_list: dict[tuple[str, int], list[tuple[int, object, int | None]]] = defaultdict(list)
    for row in rows:
        event = events.get(row.event_key)
        refusal = None
        if event is None and row.season not in seasons:
            refusal = ("season", f"unknown season {row.season}")
        elif event is None:
            refusal = ("event", f"season {row.season} has no event {row.event}")
        elif event.entry_count and not replace:
            refusal = (
                "event",
                f"{event} already has an entry list of {plural(event.entry_count, 'skater')}",
                REPLACE,
            )
        if refusal:
            event_problems.setdefault(row.event_key, (refusal, []))[1].append(row.line)
            continue
        if row.nation not in nations:
            result.problems.append(Problem(row.line, "nation", f"unknown nation {row.nation}"))
            continue
        athlete = match.find(row)
        if athlete is None and not row.isu_id:
            same_name = match.anywhere.get(row.athlete.casefold(), [])
            if len(same_name) > 1:
                result.problems.append(
                    Problem(
                        row.line,
                        "athlete",
                        f"{len(same_name)} skaters are named {row.athlete} ("
                        + ", ".join(sorted(a.nation_id for a in same_name))
                        + f") and none of them is of {row.nation}: give the isu_id column",
                    )
                )
                continue
            athlete = same_name[0] if same_name else None
        outcome = "new entry"
        if athlete is None:
            key = ("isu", row.isu_id) if row.isu_id else (row.athlete.casefold(), row.nation)
            if not row.gender:
                alike = match.alike(row)
                hint = f"; did you mean {alike.name}?" if alike else ""
                result.problems.append(
                    Problem(
                        row.line,
                        "gender",
                        f"missing: {row.athlete} ({row.nation}) is not a known skater, and a "
                        f"new one needs their gender ({' or '.join(SKATER_GENDERS)}){hint}",
                    )
                )
                continue
            athlete = result.new_athletes.setdefault(
                key,
                Athlete(
                    name=row.athlete,
                    gender=row.gender,
                    nation_id=row.nation,
                    isu_id=row.isu_id or None,
                ),
            )
            outcome += f"; new athlete {row.athlete} ({row.nation})"
        elif row.gender and (
            wrong := wrong_gender(f"{athlete.name} ({athlete.nation_id})", athlete.gender,
                                  row.gender)
        ):  # fmt: skip
            result.problems.append(Problem(row.line, "gender", clause(wrong)))
            continue
        if athlete.pk and (earlier := entered.get((event.pk, athlete.pk))):
            outcome = entry_change(earlier, row)
        on_list[row.event_key].append((row.line, athlete.pk or id(athlete), row.helmet))
        if row.valid:
            result.events[row.event_key] = event
            if event.entry_count:
                result.replaced[event.pk] = event.entry_count
            result.athletes[row.line] = athlete
            result.outcomes[row.line] = outcome
    result.problems += refusals(event_problems, result.held)
    for lines in on_list.values():
        found = entry_list_problems((skater, helmet) for _, skater, helmet in lines)
        for index, (column, message) in found.items():
            line = lines[index][0]
            if not any(problem.line == line and problem.column == column for problem in problems):
                result.problems.append(Problem(line, column, clause(message)))
    result.problems = sorted(dict.fromkeys(result.problems), key=lambda p: (p.line, p.column or ""))
    return result


def entry_change(entry: EventEntry, row: EntryFileLine) -> str:
    """What a file's line does to the skater's entry on the list: 'unchanged', or each
    change, old → new."""
    changes = []
    if entry.nation_id != row.nation:
        changes.append(f"nation {entry.nation_id} → {row.nation}")
    if entry.helmet != row.helmet:
        changes.append(f"helmet {entry.helmet or '(none)'} → {row.helmet or '(none)'}")
    return "; ".join(changes) if changes else "unchanged"


@transaction.atomic
def apply_entries(import_plan: EntriesPlan, reason: str = "", user: Any = None) -> dict[str, int]:
    """Write a valid plan: new athletes, then each event's entry list as the file gives it,
    all events or none, with who and why in the history. A replaced list keeps the entry of
    each skater who stays (its nation and helmet number changed in place), removes the
    others' and adds the new ones; helmet numbers may move between skaters."""
    if not import_plan.ok:
        raise ValueError("a plan with problems cannot be applied")
    reason = reason.strip() or "Imported from an entry-list file"
    new_athletes = create_athletes(import_plan, reason, user)
    by_event: dict[tuple[str, int], list[EntryFileLine]] = defaultdict(list)
    for row in import_plan.rows:
        by_event[row.event_key].append(row)
    removed = 0
    for key, event in import_plan.events.items():
        existing = {entry.athlete_id: entry for entry in EventEntry.objects.filter(event=event)}
        helmets = {import_plan.athletes[row.line].pk: row.helmet for row in by_event[key]}
        EventEntry.release_helmets(
            entry.pk
            for athlete, entry in existing.items()
            if athlete not in helmets or helmets[athlete] != entry.helmet
        )
        for row in by_event[key]:
            athlete = import_plan.athletes[row.line]
            entry = existing.pop(athlete.pk, None) or EventEntry(event=event, athlete=athlete)
            if entry.pk and (entry.nation_id, entry.helmet) == (row.nation, row.helmet):
                continue  # as it was: no new version in its history
            entry.nation_id, entry.helmet = row.nation, row.helmet
            entry._change_reason = reason
            if user is not None:
                entry._history_user = user
            entry.save()
        for entry in existing.values():
            entry._change_reason = reason
            if user is not None:
                entry._history_user = user
            entry.delete()
            removed += 1
    return {
        "events": len(import_plan.events),
        "entries": len(import_plan.rows),
        "athletes": len(new_athletes),
        "removed": removed,
    }


# --- Any kind of file -----------------------------------------------------------------------


def plan_file(
    data: bytes, filename: str, replace: bool = False, reason: str = ""
) -> Plan | RoundsPlan | EntriesPlan:
    """Read a classification, rounds or entry-list file (told apart by its `round` or
    `helmet` column) and plan it."""
    reading = read_any(data, filename)
    import_plan: Plan | RoundsPlan | EntriesPlan
    if reading.kind == ROUNDS:
        import_plan = plan_rounds(list(reading.rows), reading.problems, replace, reason)
    elif reading.kind == ENTRIES:
        import_plan = plan_entries(list(reading.rows), reading.problems, replace)
    else:
        import_plan = plan(list(reading.rows), reading.problems, replace, reason)
    import_plan.written = reading.written
    return import_plan


def apply_file(
    import_plan: Plan | RoundsPlan | EntriesPlan, publish: str, reason: str = "", user: Any = None
) -> str:
    """Write a valid plan of any kind; what was written, in a sentence. Raises
    ImportRefused when the database refuses a planned write (nothing is written then). An
    entry list is no result: it is never published, `publish` does not apply to it."""
    if isinstance(import_plan, EntriesPlan):
        done = apply_entries(import_plan, reason, user)
        unpublished = f" ({publish} does not apply: an entry list is never public)"
        return (
            f"Imported the entry list of {done['events']} event(s): {done['entries']} "
            f"skater(s), {done['athletes']} new athlete(s), {done['removed']} earlier "
            "entry(ies) removed." + (unpublished if publish != RaceState.DRAFT else "")
        )
    if isinstance(import_plan, RoundsPlan):
        done = apply_rounds(import_plan, publish, reason, user)
        what = f"Imported {done['lines']} heat line(s) into {done['races']} race(s)"
        rest = (
            f"{done['athletes']} new athlete(s), {done['replaced']} race(s)' earlier rounds "
            f"and classification replaced, {done['derived']} classification(s) derived from "
            "the rounds"
        )
    else:
        done = apply(import_plan, publish, reason, user)
        what = f"Imported {done['results']} result(s) into {done['races']} race(s)"
        rest = f"{done['athletes']} new athlete(s), {done['replaced']} earlier result(s) replaced"
    kept = sum(race.state == RaceState.OFFICIAL != publish for race in import_plan.races.values())
    official = f"; {kept} official race(s) stay official" if kept else ""
    return f"{what} ({publish}{official}): {rest}."
