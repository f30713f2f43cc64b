"""Standings tables: race columns, "after K of M", rank changes, the progression, and the table's
one JSON shape and CSV rows.

A season's facts (its races and their published lines, as plain data) are scored once into a
`SeasonStandings`, which builds any table of the season on demand:
- a distance's table: that distance's races;
- overall (when the season has one): the individual races of all distances, best `best_overall`;
- nations (the Team Crystal Globe, when the season has one): every point of a nation's skaters
  and teams in all the season's races, men's, women's and mixed, none dropped; ties stand. It is
  the one table of gender "mixed" that is not the mixed relay: men and women together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from typing_extensions import TypedDict  # pydantic (the API schema) reads these on 3.11

from results.standings.outlook import Contender, Outlook, outlook
from results.standings.ranking import RaceResult, Score, Standing, points_after, standings
from results.standings.rules import Rules, points_for
from results.vocabulary import (
    INDIVIDUAL_DISTANCES,
    RELAY_DISTANCES,
    TABLE_NAMES,
    AdjustmentKind,
    Completeness,
    Gender,
    TableKind,
)


class UnknownTable(LookupError):
    """No such standings table in the season (bad gender or table), or no such race K."""


# --- The JSON shape, defined once (the CLI prints it, the API serves and documents it) -------


class RaceJSON(TypedDict):
    race: int
    event: int
    city: str
    distance: str
    number: int
    date: str
    gender: str
    done: bool
    provisional: bool
    classification: str


class ResultJSON(TypedDict):
    race: int
    rank: int | None
    points: int
    counted: bool
    disqualified: bool
    deduction: int


class RowJSON(TypedDict):
    rank: int
    athlete: str | None
    athlete_id: str | None
    nation: str
    points: int
    gross: int
    deduction: int
    results: list[ResultJSON]
    tie_break: str | None
    max_points: int | None
    can_win: bool | None


class TableJSON(TypedDict):
    """A standings table: exactly what `manage.py standings … --format json` prints."""

    season: str
    gender: str
    distance: str
    best_of: int | None
    races_done: int
    races_total: int
    after_race: int
    races_left: int
    decided: bool | None
    points_available: int | None
    clinch: str | None
    races: list[RaceJSON]
    rows: list[RowJSON]


# --- Columns, competitors, rows, tables -----------------------------------------------------


@dataclass(frozen=True)
class RaceColumn:
    """A race of a table, in calendar order: position K of M."""

    position: int
    event: int
    city: str
    distance: str
    number: int
    doubled: bool
    date: date
    done: bool  # its results are public (provisional or official)
    provisional: bool
    complete: bool  # its classification has every rank, not only a podium
    gender: str = ""

    @property
    def label(self) -> str:
        """'WC 3 Nagoya (2)'."""
        number = f" ({self.number})" if self.doubled else ""
        return f"WC {self.event} {self.city}{number}"

    @property
    def short_label(self) -> str:
        """'WC3(2)', for narrow columns."""
        return f"WC{self.event}" + (f"({self.number})" if self.doubled else "")

    @property
    def column(self) -> str:
        """'WC1 Calgary men 1000m (2)': unique within any table, for a CSV column."""
        number = f" ({self.number})" if self.doubled else ""
        return f"WC{self.event} {self.city} {self.gender} {self.distance}{number}"

    def as_dict(self) -> RaceJSON:
        return {
            "race": self.position,
            "event": self.event,
            "city": self.city,
            "distance": self.distance,
            "number": self.number,
            "date": self.date.isoformat(),
            "gender": self.gender,
            "done": self.done,
            "provisional": self.provisional,
            "classification": Completeness.COMPLETE if self.complete else Completeness.PARTIAL,
        }


@dataclass(frozen=True)
class Competitor:
    key: str  # athlete slug, or nation code for relay teams and nations
    name: str | None  # the athlete's name; None for a relay team or a nation
    nation: str

    @property
    def display(self) -> str:
        return self.name or self.nation


@dataclass(frozen=True)
class StandingsRow:
    standing: Standing
    competitor: Competitor
    previous_rank: int | None  # after the previous race with results; None if new

    @property
    def rank_change(self) -> int | None:
        """Places gained (+) or lost (−) since the previous race with results."""
        if self.previous_rank is None:
            return None
        return self.previous_rank - self.standing.rank

    @property
    def movement(self) -> tuple[str, int]:
        """("up", places), ("down", places), ("same", 0) or ("new", 0) for a first result."""
        change = self.rank_change
        if change is None:
            return ("new", 0)
        return ("up", change) if change > 0 else ("down", -change) if change < 0 else ("same", 0)


@dataclass(frozen=True)
class StandingsTable:
    """One standings table after race K, with everything needed to explain it."""

    gender: str
    kind: str  # a TableKind: a distance, overall or nations
    best_of: int | None
    races: tuple[RaceColumn, ...]
    after_race: int
    rows: tuple[StandingsRow, ...]
    points: tuple[int, ...] = ()  # the season's points table, for what can still happen

    @property
    def by_nation(self) -> bool:
        """Whether the table ranks nations (relays, nations' classification), not athletes."""
        return self.kind in RELAY_DISTANCES or self.kind == TableKind.NATIONS

    @property
    def title(self) -> str:
        """The table's name, e.g. Women's 3000 m relay."""
        if self.kind == TableKind.NATIONS:
            return "Nations (Team Crystal Globe)"
        if self.gender == Gender.MIXED:
            return TABLE_NAMES[self.kind].capitalize()  # 2000 m mixed relay
        return f"{self.gender.capitalize()}'s {TABLE_NAMES[self.kind]}"

    @property
    def races_total(self) -> int:
        return len(self.races)

    @property
    def races_done(self) -> int:
        return sum(1 for race in self.races[: self.after_race] if race.done)

    @property
    def partial_races(self) -> int:
        """Races with results whose classification is partial (podium or a few places)."""
        return sum(1 for race in self.races[: self.after_race] if race.done and not race.complete)

    @property
    def provisional_races(self) -> int:
        return sum(1 for race in self.races[: self.after_race] if race.provisional)

    @property
    def races_left(self) -> int:
        return self.races_total - self.after_race

    @property
    def progress(self) -> str:
        """ "after 6 of 8 races", or "8 of 8 races skated; results known for 6" when races up
        to the one viewed have no results."""
        if self.races_done < self.after_race:
            return (
                f"{self.after_race} of {self.races_total} races skated; results known for "
                f"{self.races_done}"
            )
        return f"after {self.after_race} of {self.races_total} races"

    @cached_property
    def outlook(self) -> Outlook | None:
        """What can still happen (results/standings/outlook.py); None for the nations."""
        unknown = any(not race.done or not race.complete for race in self.races[: self.after_race])
        following = self.races[self.after_race] if self.races_left else None
        return outlook(
            self.kind,
            [
                Contender(
                    row.competitor.key,
                    row.competitor.display,
                    row.standing.points,
                    tuple(line.points for line in row.standing.lines),
                    row.standing.deduction,
                )
                for row in self.rows
            ],
            self.points,
            self.best_of,
            self.races_left,
            unknown,
            following.label if following else None,
            self.title,
        )

    def as_dict(self, season: str) -> TableJSON:
        """The JSON object of `manage.py standings --format json` and the API."""
        outlook = self.outlook
        return {
            "season": season,
            "gender": self.gender,
            "distance": self.kind,
            "best_of": self.best_of,
            "races_done": self.races_done,
            "races_total": self.races_total,
            "after_race": self.after_race,
            "races_left": self.races_left,
            "decided": outlook.decided if outlook else None,
            "points_available": outlook.points_available if outlook else None,
            "clinch": outlook.clinch if outlook else None,
            "races": [race.as_dict() for race in self.races],
            "rows": [
                {
                    "rank": row.standing.rank,
                    "athlete": row.competitor.name,
                    "athlete_id": row.competitor.key if row.competitor.name else None,
                    "nation": row.competitor.nation,
                    "points": row.standing.points,
                    "gross": row.standing.gross,
                    "deduction": row.standing.deduction,
                    "results": [
                        {
                            "race": line.race,
                            "rank": line.rank,
                            "points": line.points,
                            "counted": line.counted,
                            "disqualified": line.disqualified,
                            "deduction": line.deduction,
                        }
                        for line in row.standing.lines
                    ],
                    "tie_break": row.standing.tie_break,
                    "max_points": outlook.max_points[row.competitor.key] if outlook else None,
                    "can_win": outlook.can_win[row.competitor.key] if outlook else None,
                }
                for row in self.rows
            ],
        }


TABLE_CSV_HEADER = ["rank", "athlete", "athlete_id", "nation", "points", "gross", "deduction"]


def table_rows(table: StandingsTable) -> list[Sequence[object]]:
    """The table as CSV rows: header, then one row per competitor, a column per race
    (dropped results in brackets, 'DQ' for a disqualified one, '800-100' for a deduction),
    and the tie-break."""
    positions = [race.position for race in table.races]
    rows: list[Sequence[object]] = [
        TABLE_CSV_HEADER
        + [race.column for race in table.races]
        + ["tie_break", "max_points", "can_win"]
    ]
    outlook = table.outlook
    for row in table.rows:
        lines = {line.race: line.text for line in row.standing.lines}
        key = row.competitor.key
        rows.append(
            [
                row.standing.rank,
                row.competitor.name or "",
                row.competitor.key if row.competitor.name else "",
                row.competitor.nation,
                row.standing.points,
                row.standing.gross,
                row.standing.deduction,
                *(lines.get(p, "") for p in positions),
                row.standing.tie_break or "",
                outlook.max_points[key] if outlook else "",
                ("yes" if outlook.can_win[key] else "no") if outlook else "",
            ]
        )
    return rows


def grid(table: StandingsTable) -> list[tuple[StandingsRow, list[RaceResult | None]]]:
    """Each row with a cell per race of the table (None where the competitor has no result)."""
    positions = [race.position for race in table.races]
    result = []
    for row in table.rows:
        lines = {line.race: line for line in row.standing.lines}
        result.append((row, [lines.get(p) for p in positions]))
    return result


def build_table(
    gender: str,
    kind: str,
    races: Sequence[RaceColumn],
    entries: Sequence[tuple[Score, Competitor]],
    rules: Rules,
    after_race: int | None = None,
) -> StandingsTable:
    """The table after race K (default: the last race with results), with rank changes."""
    total = len(races)
    if after_race is None:
        after = max((race.position for race in races if race.done), default=0)
    elif 1 <= after_race <= total:
        after = after_race
    else:
        raise UnknownTable(f"after race {after_race}: this table has races 1 to {total}")
    best_of = rules.best_of(kind)
    chain = () if kind == TableKind.NATIONS else rules.tie_break
    labels = {race.position: race.label for race in races}

    def ranked(upto: int) -> list[Standing]:
        return standings((s for s, _ in entries if s.race <= upto), best_of, chain, labels)

    done = [race.position for race in races[:after] if race.done]
    current = ranked(after)
    before = ranked(done[-2]) if len(done) >= 2 else []
    previous = {s.competitor: s.rank for s in before}
    who: dict[str, Competitor] = {}
    for score, competitor in sorted(entries, key=lambda entry: entry[0].race):
        if score.race <= after:
            who[score.competitor] = competitor  # the nation of the latest result
    rows = tuple(StandingsRow(s, who[s.competitor], previous.get(s.competitor)) for s in current)
    return StandingsTable(gender, kind, best_of, tuple(races), after, rows, rules.points)


def progression(table: StandingsTable, top: int = 10) -> list[tuple[StandingsRow, list[int]]]:
    """The top competitors' net points after each race up to the one the table is viewed
    after (flat over a race with no results), for the chart."""
    positions = [race.position for race in table.races[: table.after_race]]
    return [
        (row, [points_after(row.standing, k, table.best_of) for k in positions])
        for row in table.rows[:top]
    ]


# --- A whole season -------------------------------------------------------------------------


@dataclass(frozen=True)
class RaceFacts:
    """A race of the season as the loader reads it."""

    key: int  # any id unique in the season
    event: int
    city: str
    gender: str
    distance: str
    number: int
    date: date
    public: bool
    provisional: bool
    complete: bool


@dataclass(frozen=True)
class LineFacts:
    """A public line of a race's classification as the loader reads it."""

    race: int  # RaceFacts.key
    rank: int | None
    status: str
    nation: str
    athlete: str | None  # slug; None for a relay team
    name: str | None
    adjustment: str | None  # an AdjustmentKind, or None
    deduction: int | None


@dataclass(frozen=True)
class SeasonStandings:
    """Every table of a season, as columns and scores; tables are built on demand (pure)."""

    season: str
    rules: Rules
    races: dict[tuple[str, str], tuple[RaceColumn, ...]]
    entries: dict[tuple[str, str], tuple[tuple[Score, Competitor], ...]]
    # Tables built so far, by (gender, kind, after race): the same facts give the same table.
    built: dict[tuple, StandingsTable] = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "built": {}}  # a shared cache keeps the facts, not the tables

    def table_keys(self) -> list[tuple[str, str]]:
        """(gender, kind) of every table, men first, distances in programme order."""
        return sorted(
            self.races, key=lambda k: (Gender.values.index(k[0]), TableKind.values.index(k[1]))
        )

    def table(self, gender: str, kind: str, after_race: int | None = None) -> StandingsTable:
        if (gender, kind) not in self.races:
            raise UnknownTable(f"no {gender} {kind} standings in {self.season}")
        key = (gender, kind, after_race)
        if key not in self.built:
            self.built[key] = build_table(
                gender,
                kind,
                self.races[(gender, kind)],
                self.entries.get((gender, kind), ()),
                self.rules,
                after_race,
            )
        return self.built[key]

    def tables(self) -> list[StandingsTable]:
        return [self.table(gender, kind) for gender, kind in self.table_keys()]


def score_season(
    season: str, rules: Rules, races: Sequence[RaceFacts], lines: Sequence[LineFacts]
) -> SeasonStandings:
    """Sort a season's races into its tables and score every public line once."""
    by_race: dict[int, list[LineFacts]] = defaultdict(list)
    public = {race.key for race in races if race.public}
    for line in lines:
        if line.race in public:
            by_race[line.race].append(line)

    doubled: dict[tuple, int] = defaultdict(int)
    for race in races:
        doubled[(race.event, race.gender, race.distance)] += 1

    tables: dict[tuple[str, str], list[RaceFacts]] = defaultdict(list)
    for race in races:
        tables[(race.gender, race.distance)].append(race)
        if rules.overall and race.distance in INDIVIDUAL_DISTANCES:
            tables[(race.gender, TableKind.OVERALL)].append(race)
        if rules.nations:
            tables[(Gender.MIXED, TableKind.NATIONS)].append(race)  # men, women and mixed

    columns: dict[tuple[str, str], tuple[RaceColumn, ...]] = {}
    entries: dict[tuple[str, str], tuple[tuple[Score, Competitor], ...]] = {}
    for key, members in tables.items():
        members.sort(key=lambda race: (race.event, race.date, race.number, race.key))
        columns[key] = tuple(
            RaceColumn(
                position=position,
                event=race.event,
                city=race.city,
                distance=race.distance,
                number=race.number,
                doubled=doubled[(race.event, race.gender, race.distance)] > 1,
                date=race.date,
                done=bool(by_race[race.key]),
                provisional=bool(by_race[race.key]) and race.provisional,
                complete=race.complete,
                gender=race.gender,
            )
            for position, race in enumerate(members, start=1)
        )
        scored = []
        for position, race in enumerate(members, start=1):
            for line in by_race[race.key]:
                rank = line.rank
                if key[1] == TableKind.NATIONS:
                    competitor = Competitor(line.nation, None, line.nation)
                    rank = None  # a nation's points add up; its skaters' places do not rank it
                elif line.athlete is None:
                    competitor = Competitor(line.nation, None, line.nation)
                else:
                    competitor = Competitor(line.athlete, line.name, line.nation)
                score = Score(
                    competitor=competitor.key,
                    race=position,
                    rank=rank,
                    points=points_for(line.rank, line.status, rules),
                    disqualified=line.adjustment == AdjustmentKind.DISQUALIFIED,
                    deduction=(line.deduction or 0)
                    if line.adjustment == AdjustmentKind.DEDUCTION
                    else 0,
                )
                scored.append((score, competitor))
        entries[key] = tuple(scored)
    return SeasonStandings(season, rules, columns, entries)
