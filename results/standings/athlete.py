"""An athlete's record: podiums, best placings and points per season and table.

An athlete's net points in a table depend on his own results only, so they come from
`standings` over them; his rank in the table needs everyone's and comes from the season's
tables (the loader adds it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from results.standings.ranking import Score, standings
from results.standings.rules import Rules, points_for
from results.vocabulary import TABLE_NAMES, AdjustmentKind, Distance


@dataclass(frozen=True)
class AthleteResult:
    """One public result of the athlete, as the loader reads it."""

    season: str
    season_name: str
    season_start: date
    rules: Rules
    race: int  # any id unique among the athlete's races
    gender: str
    distance: str
    rank: int | None
    status: str
    adjustment: str | None = None  # an AdjustmentKind, or None
    deduction: int = 0


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
    rank: int | None = None  # in the season's table, when the loader knows it

    @property
    def distance_name(self) -> str:
        return TABLE_NAMES[self.distance]


@dataclass(frozen=True)
class AthleteRecord:
    podiums: dict[int, int]  # rank 1, 2, 3 → how many
    seasons: list[SeasonPoints]
    best: list[tuple[str, int, int]]  # (distance name, best rank, how many times)

    @property
    def podium_count(self) -> int:
        return sum(self.podiums.values())


def athlete_record(results: Sequence[AthleteResult]) -> AthleteRecord:
    """Points per season and table, podiums and best placings, from an athlete's results."""
    groups: dict[tuple, list[Score]] = defaultdict(list)
    seasons: dict[str, AthleteResult] = {}
    best: dict[str, list[int]] = defaultdict(list)
    podiums = {1: 0, 2: 0, 3: 0}
    for result in results:
        seasons[result.season] = result
        score = Score(
            competitor=result.season,
            race=result.race,
            rank=result.rank,
            points=points_for(result.rank, result.status, result.rules),
            disqualified=result.adjustment == AdjustmentKind.DISQUALIFIED,
            deduction=result.deduction if result.adjustment == AdjustmentKind.DEDUCTION else 0,
        )
        groups[(result.season_start, result.season, result.gender, result.distance)].append(score)
        if result.rank:
            best[result.distance].append(result.rank)
            if result.rank in podiums:
                podiums[result.rank] += 1
    per_season = []
    for (_, slug, gender, distance), scores in sorted(groups.items(), reverse=True):
        season = seasons[slug]
        best_of = season.rules.best_of(distance)
        (row,) = standings(scores, best_of)
        per_season.append(
            SeasonPoints(
                slug,
                season.season_name,
                gender,
                distance,
                row.points,
                row.gross,
                len(scores),
                best_of,
            )  # fmt: skip
        )
    order = Distance.values
    placings = [
        (TABLE_NAMES[d], min(ranks), ranks.count(min(ranks)))
        for d, ranks in sorted(best.items(), key=lambda item: order.index(item[0]))
    ]
    return AthleteRecord(podiums, per_season, placings)
