"""The World Cup rules: the only place that knows how points and standings are worked out.

Three layers, as the house style asks:
1. `Rules`, a frozen dataclass built from a Season (`rules_for`): the points table, best-N per
   table, statuses that score nothing, the tie-break chain.
2. Pure functions with no ORM: `points_for` (one line of a classification) and `standings`
   (scores in, ranked rows out: counted and dropped results, gross and net, tie-breaks and why).
   `build_table` adds the race columns, "after K of M" and rank changes; `progression` gives
   the chart its points after each race.
3. One loader, `season_standings(season)`: one query for a whole season, every table of it,
   cached under the season's version token (which changes on every committed change).

How each rule is applied (the documented defaults an official can change per season):
- Points: a classified rank scores the points table's value for that rank; below the table's
  end it scores 0. A skater or team the ISU classified keeps that rank's points whatever
  happened in the final (a fall, a penalty that left the rank standing), unless the season
  lists the status as scoreless. A line with no classified rank (DNS, DNF or a penalty that
  removed the rank) scores 0. YC scores its rank's points unless listed as scoreless.
- Best N: each competitor's N highest-scoring results count (all of them when N is empty);
  among equal points the earlier race counts. The rest are dropped but still shown.
- Adjustments: a disqualified result scores 0 and no longer counts as a placing; a deduction
  comes off the net total (never below 0).
- Tie-break for equal net points, the season's chain in order: "countback" (more wins, then
  more second places, … over all results, dropped ones included), "last-race" (going back from
  the most recent race, the first race where the two differ: a better rank wins, a result beats
  none). Competitors still equal share the rank and the next rank is skipped. An empty chain
  lets every tie stand.
- Overall: the individual races of all distances, best `best_overall`. Nations (the Team
  Crystal Globe): every point of a nation's skaters and teams in all the season's races, men's,
  women's and mixed, none dropped; ties stand. It is the one table of gender "mixed" that is
  not the mixed relay: men and women together.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

STATUS_CODES = frozenset({"", "PEN", "DNF", "DNS", "YC"})
TIE_BREAK_CODES = ("countback", "last-race")
INDIVIDUAL = ("500m", "1000m", "1500m")
RELAYS = ("3000m-relay", "5000m-relay", "2000m-mixed-relay")
DISTANCES = (*INDIVIDUAL, *RELAYS)
TABLES = (*DISTANCES, "overall", "nations")
GENDERS = ("men", "women", "mixed")
ORDINALS = {1: "wins", 2: "second places", 3: "third places"}
TABLE_NAMES = {
    "500m": "500 m",
    "1000m": "1000 m",
    "1500m": "1500 m",
    "3000m-relay": "3000 m relay",
    "5000m-relay": "5000 m relay",
    "2000m-mixed-relay": "2000 m mixed relay",
    "overall": "overall",
    "nations": "nations",
}


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class RulesError(ValueError):
    """A season's rules cannot be applied; `field` names the Season field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownTable(LookupError):
    """No such standings table in the season (bad gender or distance)."""


# --- 1. Rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """A season's rules as plain data, built from the Season by `rules_for`."""

    points: tuple[int, ...]
    best_individual: int | None = None
    best_relay: int | None = None
    best_mixed_relay: int | None = None
    overall: bool = False
    best_overall: int | None = None
    nations: bool = False
    scoreless: frozenset[str] = frozenset()
    tie_break: tuple[str, ...] = ("countback", "last-race")

    def best_of(self, distance: str) -> int | None:
        """How many results count in the table of `distance` (None: all of them)."""
        if distance == "overall":
            return self.best_overall
        if distance == "nations":
            return None
        if distance == "2000m-mixed-relay":
            return self.best_mixed_relay
        if distance in RELAYS:
            return self.best_relay
        return self.best_individual


def rules_for(season: Any) -> Rules:
    """Build and check the rules stored on a Season; RulesError names the faulty field."""
    table = season.points_table
    if not isinstance(table, list) or not table:
        raise RulesError(
            "points_table", "Give the points for at least the winner, e.g. [1000, 800]."
        )
    if not all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in table):
        raise RulesError("points_table", "Points must be whole numbers of 0 or more.")
    if any(lower > higher for higher, lower in zip(table, table[1:], strict=False)):
        raise RulesError("points_table", "A lower rank cannot score more than a higher rank.")
    scoreless = season.scoreless_statuses
    if not isinstance(scoreless, list) or not set(scoreless) <= STATUS_CODES - {""}:
        raise RulesError(
            "scoreless_statuses", 'A list of status codes among PEN, DNF, DNS, YC, e.g. ["YC"].'
        )
    chain = season.tie_break
    if (
        not isinstance(chain, list)
        or not set(chain) <= set(TIE_BREAK_CODES)
        or len(set(chain)) != len(chain)
    ):
        raise RulesError(
            "tie_break",
            'A list of steps among "countback" and "last-race", each at most once; '
            "[] lets ties stand.",
        )
    return Rules(
        points=tuple(table),
        best_individual=season.best_individual,
        best_relay=season.best_relay,
        best_mixed_relay=season.best_mixed_relay,
        overall=season.overall,
        best_overall=season.best_overall,
        nations=season.nations_classification,
        scoreless=frozenset(scoreless),
        tie_break=tuple(chain),
    )


# --- 2. Pure functions ----------------------------------------------------------------------


def points_for(rank: int | None, status: str, rules: Rules) -> int:
    """World Cup points of one line of a classification (see the module docstring)."""
    if rank is None or status in rules.scoreless or rank > len(rules.points):
        return 0
    return rules.points[rank - 1]


@dataclass(frozen=True)
class Score:
    """One competitor's result in one race of a table: the input of `standings`."""

    competitor: str  # athlete slug, or the nation code of a relay team or nation
    race: int  # the race's position in the table's calendar, 1 to M
    rank: int | None
    points: int
    disqualified: bool = False
    deduction: int = 0


@dataclass(frozen=True)
class Line:
    """A result as a standings row shows it: its points and whether they counted."""

    race: int
    rank: int | None
    points: int
    counted: bool
    disqualified: bool = False
    deduction: int = 0  # points an adjustment takes off the total for this result

    @property
    def text(self) -> str:
        """As plain text shows it: '800', a dropped result '(800)', a disqualified one 'DQ',
        one with a deduction '800-100'."""
        text = "DQ" if self.disqualified else str(self.points)
        if self.deduction:
            text += f"-{self.deduction}"
        return text if self.counted else f"({text})"


@dataclass(frozen=True)
class Standing:
    """A ranked row: net points (counted, less deductions), gross (all), and why if tied."""

    competitor: str
    rank: int
    points: int
    gross: int
    deduction: int
    lines: tuple[Line, ...]
    tie_break: str | None = None
    shared: bool = False


def _counted(scores: Sequence[Score], best_of: int | None) -> set[int]:
    """Indexes of the results that count: the best N by points, the earlier race on equal."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i].points, scores[i].race))
    return set(order if best_of is None else order[:best_of])


def _countback_key(scores: Sequence[Score], depth: int) -> tuple[int, ...]:
    counts = [0] * depth
    for score in scores:
        if score.rank is not None and score.rank <= depth and not score.disqualified:
            counts[score.rank - 1] += 1
    return tuple(-count for count in counts)


def _last_race_key(scores: Sequence[Score], races: Sequence[int]) -> tuple[float, ...]:
    by_race = {s.race: s.rank for s in scores if s.rank is not None and not s.disqualified}
    return tuple(by_race.get(race, float("inf")) for race in races)


def _explain(
    step: str, above: tuple, below: tuple, races: Sequence[int], labels: dict[int, str]
) -> str:
    """Say which rule decided between two rows equal on points, and on what."""
    at = next(i for i, (a, b) in enumerate(zip(above, below, strict=True)) if a != b)
    if step == "countback":
        place = at + 1
        what = ORDINALS.get(place, f"{place}th places")
        return f"countback: more {what} ({-above[at]} to {-below[at]})"

    def rank(value: float) -> str:
        return "no result" if value == float("inf") else f"{int(value)}."

    race = labels.get(races[at], f"race {races[at]}")
    return f"last race: better in {race} ({rank(above[at])} to {rank(below[at])})"


def standings(
    scores: Iterable[Score],
    best_of: int | None,
    tie_break: Sequence[str] = (),
    labels: dict[int, str] | None = None,
) -> list[Standing]:
    """Rank competitors by net points under best-N, breaking ties by the chain in order.

    Pure: no database, no rules object beyond what it is given. Points are already worked out
    per result (`points_for`); a disqualified result is given here with its points, which go.
    """
    by_competitor: dict[str, list[Score]] = defaultdict(list)
    for score in scores:
        by_competitor[score.competitor].append(score)
    races = sorted({s.race for group in by_competitor.values() for s in group}, reverse=True)
    depth = max((s.rank or 0 for group in by_competitor.values() for s in group), default=0)

    scored = []
    for competitor, group in by_competitor.items():
        group.sort(key=lambda s: s.race)
        effective = [
            Score(s.competitor, s.race, s.rank, 0 if s.disqualified else s.points, s.disqualified)
            for s in group
        ]
        counted = _counted(effective, best_of)
        lines = tuple(
            Line(s.race, s.rank, s.points, i in counted, s.disqualified, original.deduction)
            for i, (s, original) in enumerate(zip(effective, group, strict=True))
        )
        gross = sum(s.points for s in effective)
        deduction = sum(s.deduction for s in group)
        net = max(0, sum(line.points for line in lines if line.counted) - deduction)
        scored.append((net, competitor, group, gross, deduction, lines))

    # The tie-break keys matter only between competitors equal on net points.
    shared_nets = {net for net, count in Counter(row[0] for row in scored).items() if count > 1}
    rows = []
    for net, competitor, group, gross, deduction, lines in scored:
        chain_key: tuple = ()
        if net in shared_nets:
            keys = {
                "countback": lambda group=group: _countback_key(group, depth),
                "last-race": lambda group=group: _last_race_key(group, races),
            }
            chain_key = tuple(keys[step]() for step in tie_break)
        rows.append((-net, chain_key, competitor, gross, deduction, lines))
    rows.sort(key=lambda row: (row[0], row[1], row[2]))

    result: list[Standing] = []
    for index, (neg_net, chain_key, competitor, gross, deduction, lines) in enumerate(rows):
        tie_break_reason = None
        previous = rows[index - 1] if index else None
        following = rows[index + 1] if index + 1 < len(rows) else None
        same_as_previous = previous is not None and previous[:2] == (neg_net, chain_key)
        same_as_following = following is not None and following[:2] == (neg_net, chain_key)
        rank = result[-1].rank if same_as_previous else index + 1
        neighbour = previous if previous is not None and previous[0] == neg_net else following
        if neighbour is not None and neighbour[0] == neg_net and neighbour[1] != chain_key:
            step = next(
                i for i, (a, b) in enumerate(zip(chain_key, neighbour[1], strict=True)) if a != b
            )
            above, below = (
                (neighbour[1], chain_key) if neighbour is previous else (chain_key, neighbour[1])
            )
            tie_break_reason = _explain(
                tie_break[step], above[step], below[step], races, labels or {}
            )
        result.append(
            Standing(
                competitor=competitor,
                rank=rank,
                points=-neg_net,
                gross=gross,
                deduction=deduction,
                lines=lines,
                tie_break=tie_break_reason,
                shared=same_as_previous or same_as_following,
            )
        )
    return result


# --- Tables: columns, "after K of M", progression ----------------------------------------


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
    done: bool  # its results are published (provisional or official)
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

    def as_dict(self) -> dict:
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
            "classification": "complete" if self.complete else "partial",
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
class Row:
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
class Table:
    """One standings table after race K, with everything needed to explain it."""

    gender: str
    distance: str
    best_of: int | None
    races: tuple[RaceColumn, ...]
    after_race: int
    rows: tuple[Row, ...]

    @property
    def by_nation(self) -> bool:
        """Whether the table ranks nations (relays, nations' classification), not athletes."""
        return self.distance in RELAYS or self.distance == "nations"

    @property
    def title(self) -> str:
        """The table's name, e.g. Women's 3000 m relay."""
        if self.distance == "nations":
            return "Nations (Team Crystal Globe)"
        if self.gender == "mixed":
            return TABLE_NAMES[self.distance].capitalize()  # 2000 m mixed relay
        return f"{self.gender.capitalize()}'s {TABLE_NAMES[self.distance]}"

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

    def as_dict(self, season: str) -> dict:
        """The JSON object of `manage.py standings --format json` and the API."""
        return {
            "season": season,
            "gender": self.gender,
            "distance": self.distance,
            "best_of": self.best_of,
            "races_done": self.races_done,
            "races_total": self.races_total,
            "after_race": self.after_race,
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
                }
                for row in self.rows
            ],
        }


TABLE_CSV_HEADER = ["rank", "athlete", "athlete_id", "nation", "points", "gross", "deduction"]


def table_rows(table: Table) -> list[list[object]]:
    """The table as CSV rows: header, then one row per competitor, a column per race
    (dropped results in brackets, 'DQ' for a disqualified one, '800-100' for a deduction),
    and the tie-break."""
    positions = [race.position for race in table.races]
    rows: list[list[object]] = [TABLE_CSV_HEADER + [f"race_{p}" for p in positions] + ["tie_break"]]
    for row in table.rows:
        lines = {line.race: line.text for line in row.standing.lines}
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
            ]
        )
    return rows


def grid(table: Table) -> list[tuple[Row, list[Line | None]]]:
    """Each row with a cell per race of the table (None where the competitor has no result)."""
    positions = [race.position for race in table.races]
    result = []
    for row in table.rows:
        lines = {line.race: line for line in row.standing.lines}
        result.append((row, [lines.get(p) for p in positions]))
    return result


def build_table(
    gender: str,
    distance: str,
    races: Sequence[RaceColumn],
    entries: Sequence[tuple[Score, Competitor]],
    rules: Rules,
    after_race: int | None = None,
) -> Table:
    """The table after race K (default: all races), with rank changes and progression."""
    total = len(races)
    after = total if after_race is None else after_race
    if not 1 <= after <= max(total, 1):
        raise UnknownTable(f"after race {after_race}: this table has races 1 to {total}")
    best_of = rules.best_of(distance)
    chain = () if distance == "nations" else rules.tie_break
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
    rows = tuple(Row(s, who[s.competitor], previous.get(s.competitor)) for s in current)
    return Table(gender, distance, best_of, tuple(races), after, rows)


def points_after(standing: Standing, race: int, best_of: int | None) -> int:
    """A competitor's net points after race K, from his own results (best-N and deductions
    depend on nobody else's)."""
    lines = [line for line in standing.lines if line.race <= race]
    points = sorted((line.points for line in lines), reverse=True)
    counted = points if best_of is None else points[:best_of]
    return max(0, sum(counted) - sum(line.deduction for line in lines))


def progression(table: Table, top: int = 10) -> list[tuple[Row, list[int]]]:
    """The top competitors' net points after each race with results, for the chart."""
    done = [race.position for race in table.races[: table.after_race] if race.done]
    return [
        (row, [points_after(row.standing, k, table.best_of) for k in done])
        for row in table.rows[:top]
    ]


# --- 3. The loader: one query for a whole season -------------------------------------------


@dataclass(frozen=True)
class SeasonStandings:
    """Every table of a season, as columns and scores; tables are built on demand (pure)."""

    season: str
    rules: Rules
    races: dict[tuple[str, str], tuple[RaceColumn, ...]]
    entries: dict[tuple[str, str], tuple[tuple[Score, Competitor], ...]]
    # Tables built so far, by (gender, distance, after race): the same facts give the same table.
    built: dict[tuple, Table] = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "built": {}}  # the shared cache keeps the facts, not the tables

    def table_keys(self) -> list[tuple[str, str]]:
        """(gender, distance) of every table, men first, distances in programme order."""
        return sorted(self.races, key=lambda k: (GENDERS.index(k[0]), TABLES.index(k[1])))

    def table(self, gender: str, distance: str, after_race: int | None = None) -> Table:
        if (gender, distance) not in self.races:
            raise UnknownTable(f"no {gender} {distance} standings in {self.season}")
        key = (gender, distance, after_race)
        if key not in self.built:
            self.built[key] = build_table(
                gender,
                distance,
                self.races[(gender, distance)],
                self.entries.get((gender, distance), ()),
                self.rules,
                after_race,
            )
        return self.built[key]

    def tables(self) -> list[Table]:
        return [self.table(gender, distance) for gender, distance in self.table_keys()]


# This worker's unpickled copies, by (season, version): never stale, as a committed change makes
# a new version; the shared cache spares other workers and hosts the query and the scoring.
LOADED: dict[tuple[int, int], SeasonStandings] = {}
LOADED_MAX = 32


def season_standings(season: Any) -> SeasonStandings:
    """The season's standings, cached under its version token (fresh after every commit)."""
    from django.core.cache import cache

    key = (season.pk, season.version)
    loaded = LOADED.get(key)
    if loaded is None:
        shared_key = f"standings:{season.pk}:{season.version}"
        loaded = cache.get(shared_key)
        if loaded is None:
            loaded = load_season(season)
            cache.set(shared_key, loaded, timeout=24 * 60 * 60)
        if LOADED_MAX:
            if len(LOADED) >= LOADED_MAX:
                LOADED.pop(next(iter(LOADED)))
            LOADED[key] = loaded
    return loaded


def forget_loaded() -> None:
    """Drop this worker's copies (tests, and after a restore)."""
    LOADED.clear()


def load_season(season: Any) -> SeasonStandings:
    """Read every race and published result of the season in one query and score them."""
    from results.models import PUBLIC_STATES, Race

    rules = season.rules
    lines = (
        Race.objects.filter(event__season=season)
        .order_by("event__number", "date", "number", "pk")
        .values_list(
            "pk",
            "event__number",
            "event__city",
            "gender",
            "distance",
            "number",
            "date",
            "state",
            "classification",
            "results__rank",
            "results__status",
            "results__nation_id",
            "results__athlete__slug",
            "results__athlete__name",
            "results__adjustment__kind",
            "results__adjustment__points",
        )
    )
    races: dict[int, dict] = {}
    results: dict[int, list[tuple]] = defaultdict(list)
    for pk, event, city, gender, distance, number, day, state, classification, *line in lines:
        race = races.setdefault(
            pk,
            {
                "event": event,
                "city": city,
                "gender": gender,
                "distance": distance,
                "number": number,
                "date": day,
                "public": state in PUBLIC_STATES,
                "provisional": state == "provisional",
                "complete": classification == "complete",
            },
        )
        if line[2] is not None and race["public"]:  # a published result (its nation is set)
            results[pk].append(tuple(line))

    doubled = defaultdict(int)
    for race in races.values():
        doubled[(race["event"], race["gender"], race["distance"])] += 1

    tables: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pk, race in races.items():
        tables[(race["gender"], race["distance"])].append(pk)
        if rules.overall and race["distance"] in INDIVIDUAL:
            tables[(race["gender"], "overall")].append(pk)
        if rules.nations:
            tables[("mixed", "nations")].append(pk)  # men, women and mixed together

    columns: dict[tuple[str, str], tuple[RaceColumn, ...]] = {}
    entries: dict[tuple[str, str], tuple[tuple[Score, Competitor], ...]] = {}
    for key, pks in tables.items():
        pks.sort(key=lambda pk: (races[pk]["event"], races[pk]["date"], races[pk]["number"], pk))
        columns[key] = tuple(
            RaceColumn(
                position=position,
                event=races[pk]["event"],
                city=races[pk]["city"],
                distance=races[pk]["distance"],
                number=races[pk]["number"],
                doubled=doubled[(races[pk]["event"], races[pk]["gender"], races[pk]["distance"])]
                > 1,
                date=races[pk]["date"],
                done=bool(results[pk]),
                provisional=bool(results[pk]) and races[pk]["provisional"],
                complete=races[pk]["complete"],
                gender=races[pk]["gender"],
            )
            for position, pk in enumerate(pks, start=1)
        )
        scored = []
        for position, pk in enumerate(pks, start=1):
            for rank, status, nation, slug, name, adjustment, deduction in results[pk]:
                points = points_for(rank, status, rules)
                if key[1] == "nations":
                    competitor = Competitor(nation, None, nation)
                    rank = None  # a nation's points add up; its skaters' places do not rank it
                elif slug is None:
                    competitor = Competitor(nation, None, nation)
                else:
                    competitor = Competitor(slug, name, nation)
                score = Score(
                    competitor=competitor.key,
                    race=position,
                    rank=rank,
                    points=points,
                    disqualified=adjustment == "disqualified",
                    deduction=(deduction or 0) if adjustment == "deduction" else 0,
                )
                scored.append((score, competitor))
        entries[key] = tuple(scored)
    return SeasonStandings(season.slug, rules, columns, entries)


# --- Published standings against computed ones ---------------------------------------------


@dataclass(frozen=True)
class Published:
    """A row of a standings table as a source published it."""

    rank: int
    points: int
    competitor: str | None  # athlete slug or relay nation; None when the source names nobody
    name: str | None


@dataclass(frozen=True)
class Comparison:
    published: Published
    computed: Row | None
    matched_by: str  # "competitor", or "rank (unnamed)"
    cause: str | None  # None when published and computed agree

    @property
    def agrees(self) -> bool:
        return self.cause is None


def reachable(total: int, values: Sequence[int], most: int | None) -> bool:
    """Whether `total` is a sum of at most `most` values (repeats allowed) from `values`."""
    sums = {0}
    for _ in range(most if most is not None else max(1, total // max(min(values), 1))):
        sums |= {s + v for s in sums for v in set(values) if s + v <= total}
        if total in sums:
            return True
    return total in sums


def compare(table: Table, published: Sequence[Published], rules: Rules) -> list[Comparison]:
    """Set each published row beside the computed one and say why they differ, if they do.

    A named row is matched by competitor, an unnamed one by rank; a rank whose computed
    competitor the source names on another row is not compared twice over."""
    by_competitor = {row.competitor.key: row for row in table.rows}
    by_rank: dict[int, Row] = {}
    for row in table.rows:
        by_rank.setdefault(row.standing.rank, row)
    named = {entry.competitor: entry for entry in published if entry.competitor is not None}
    comparisons = []
    for entry in sorted(published, key=lambda p: p.rank):
        if entry.competitor is not None:
            row, matched_by = by_competitor.get(entry.competitor), "competitor"
            cause = _cause(entry, row, table, rules)
        else:
            row, matched_by = by_rank.get(entry.rank), "rank (unnamed)"
            other = named.get(row.competitor.key) if row is not None else None
            if other is not None and other.rank != entry.rank:
                missing = _missing_results(table)
                cause = (
                    f"ranked {entry.rank} here is {row.competitor.display}, whom the source "
                    f"ranks {other.rank}: the order differs" + (f" ({missing})" if missing else "")
                )
            else:
                cause = _cause(entry, row, table, rules)
        comparisons.append(Comparison(entry, row, matched_by, cause))
    return comparisons


def _missing_results(table: Table) -> str | None:
    """Which races of the table lack results: partial classifications, none at all."""
    races = table.races[: table.after_race]
    partial = table.partial_races
    empty = sum(1 for race in races if not race.done)
    parts = []
    if partial:
        parts.append(f"results below the podium not entered for {plural(partial, 'race')}")
    if empty:
        parts.append(f"no results entered for {plural(empty, 'race')}")
    return "; ".join(parts) or None


def _adjusted(row: Row) -> str | None:
    """The adjustments recorded against the row's results, in words."""
    lines = row.standing.lines
    disqualified = [line for line in lines if line.disqualified]
    deduction = sum(line.deduction for line in lines)
    parts = []
    if disqualified:
        parts.append(plural(len(disqualified), "disqualification"))
    if deduction:
        parts.append(f"a deduction of {deduction}")
    return " and ".join(parts) or None


def _cause(entry: Published, row: Row | None, table: Table, rules: Rules) -> str | None:
    best_of = table.best_of
    if row is None:
        return f"no result of {entry.name or 'this competitor'} is entered in this table"
    computed = row.standing.points
    if computed == entry.points:
        if row.standing.rank == entry.rank:
            return None
        return (
            f"same points, ranked {row.standing.rank} here: others' results missing "
            "or a different tie-break"
        )
    if not reachable(entry.points, [p for p in rules.points if p], best_of):
        count = f"{best_of} " if best_of else ""
        return (
            f"{entry.points} is no sum of {count}points-table values: most likely a misprint "
            "in the source (or the points table differs)"
        )
    adjusted = _adjusted(row)
    if computed < entry.points:
        entered = len(row.standing.lines)
        missing = entry.points - computed
        causes = []
        if adjusted:
            causes.append(f"{adjusted} recorded here, which the source may not apply")
        gaps = _missing_results(table)
        if gaps:
            causes.append(
                f"{gaps} ({plural(entered, 'result')} of {row.competitor.display} entered, "
                f"best {best_of or 'all'} count)"
            )
        if not causes:
            causes.append(f"a result of {row.competitor.display} not entered")
        return f"{missing} points missing: " + "; or ".join(causes)
    return (
        f"computed {computed} is {computed - entry.points} more than published: a result "
        "entered that the source did not count, or a points table that differs"
    )


# --- An athlete's record --------------------------------------------------------------------


@dataclass(frozen=True)
class SeasonPoints:
    """An athlete's points in one table of one season: net under best-N, and gross."""

    season: str
    season_name: str
    gender: str
    distance: str
    net: int
    gross: int
    results: int
    best_of: int | None

    @property
    def distance_name(self) -> str:
        return TABLE_NAMES[self.distance]


@dataclass(frozen=True)
class AthleteRecord:
    results: list  # published Result rows, newest first, each with race__event__season
    podiums: dict[int, int]  # rank 1, 2, 3 → how many
    seasons: list[SeasonPoints]
    best: list[tuple[str, int, int]]  # (distance name, best rank, how many times)

    @property
    def podium_count(self) -> int:
        return sum(self.podiums.values())


def athlete_record(results: Sequence[Any]) -> AthleteRecord:
    """Points per season and table, podiums and best placings, from an athlete's results.

    An athlete's net points in a table depend on his own results only, so they come from
    `standings` over them; his rank in the table needs everyone's and lives on the table page.
    """
    groups: dict[tuple, list[Score]] = defaultdict(list)
    seasons = {}
    best: dict[str, list[int]] = defaultdict(list)
    podiums = {1: 0, 2: 0, 3: 0}
    for result in results:
        race = result.race
        season = race.event.season
        seasons[season.slug] = season
        adjustment = getattr(result, "adjustment", None)  # None when no adjustment
        score = Score(
            competitor=season.slug,
            race=race.pk,
            rank=result.rank,
            points=points_for(result.rank, result.status, season.rules),
            disqualified=bool(adjustment and adjustment.kind == "disqualified"),
            deduction=adjustment.points if adjustment and adjustment.kind == "deduction" else 0,
        )
        groups[(season.start_date, season.slug, race.gender, race.distance)].append(score)
        if result.rank:
            best[race.distance].append(result.rank)
            if result.rank in podiums:
                podiums[result.rank] += 1
    per_season = []
    for (_, slug, gender, distance), scores in sorted(groups.items(), reverse=True):
        season = seasons[slug]
        best_of = season.rules.best_of(distance)
        (row,) = standings(scores, best_of)
        per_season.append(
            SeasonPoints(
                slug, season.name, gender, distance, row.points, row.gross, len(scores), best_of
            )
        )
    placings = [
        (TABLE_NAMES[d], min(ranks), ranks.count(min(ranks)))
        for d, ranks in sorted(best.items(), key=lambda item: DISTANCES.index(item[0]))
    ]
    return AthleteRecord(list(results), podiums, per_season, placings)
