"""Imports of results files: plan an import against the database, then apply it.

- `plan` sets the lines `csv_format.read` checked against the database (seasons, races,
  athletes) without writing, and tells every reason it cannot be applied;
- `apply` writes a plan in one transaction, with its history, through the models' operations
  (publishing a race, correcting an official one, a complete classification).
The `import_results` command and the admin's upload → preview → confirm page both use them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from results.csv_format import FileLine, Problem
from results.models import Adjustment, Athlete, Event, Nation, Race, Result, Round, Season
from results.standings.classification import clause, wrong_gender
from results.versioning import bump_season_version
from results.vocabulary import Confidence, RaceState, folded


@dataclass
class Plan:
    """What an import would do, row by row, and every reason it cannot."""

    rows: list[FileLine]
    problems: list[Problem]
    races: dict[tuple, Race] = field(default_factory=dict)
    replaced: dict[int, int] = field(default_factory=dict)  # race pk → lines it had
    athletes: dict[int, Athlete] = field(default_factory=dict)  # row line → athlete
    new_athletes: dict[tuple[str, str], Athlete] = field(default_factory=dict)
    outcomes: dict[int, str] = field(default_factory=dict)  # row line → what happens

    @property
    def ok(self) -> bool:
        return not self.problems

    def row_outcomes(self) -> list[tuple[FileLine, str]]:
        return [(row, self.outcomes.get(row.line, "")) for row in self.rows]

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
    rounds = Exists(Round.objects.filter(race=OuterRef("pk")))
    found = Race.objects.filter(query).select_related("event__season").with_result_count()
    for race in found.annotate(in_rounds=rounds):
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
        elif race.in_rounds:
            refusal = (
                "race",
                f"{race} is entered round by round: import a rounds file for it (its "
                "classification follows from the rounds)",
            )
        elif race.result_count and not replace:
            refusal = (
                "race",
                f"{race} already has {race.result_count} result(s); use --replace (or tick "
                "Replace) to replace its classification",
            )
        elif race.result_count and (correction := correction_refused(race, reason)):
            refusal = ("race", correction)
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
        self.by_folded: dict[tuple[str, str], Athlete] = {}
        for athlete in athletes:
            if athlete.isu_id:
                self.by_isu_id[athlete.isu_id] = athlete
            for name in [athlete.name, *athlete.aliases]:
                self.by_name.setdefault((name.casefold(), athlete.nation_id), athlete)
                self.by_folded.setdefault((folded(name), athlete.nation_id), athlete)

    def find(self, row: FileLine) -> Athlete | None:
        if row.isu_id and row.isu_id in self.by_isu_id:
            return self.by_isu_id[row.isu_id]
        return self.by_name.get((row.athlete.casefold(), row.nation))

    def alike(self, row: FileLine) -> Athlete | None:
        """A skater of the row's nation whose name is the row's but for accents: the one the
        file most likely means (never taken without the file saying so)."""
        return self.by_folded.get((folded(row.athlete), row.nation))


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
