"""Ranking competitors by net points: best-N, adjustments, the tie-break chain and why.

- Best N: each competitor's N highest-scoring results count (all of them when N is empty);
  among equal points the earlier race counts. The rest are dropped but still shown.
- Adjustments: a disqualified result scores 0 and no longer counts as a placing; a deduction
  comes off the net total (never below 0).
- Tie-break for equal net points, the season's chain in order: "countback" (more wins, then
  more second places, … over all results, dropped ones included), "last-race" (going back from
  the most recent race, the first race where the two differ: a better rank wins, a result beats
  none). Competitors still equal share the rank and the next rank is skipped. An empty chain
  lets every tie stand.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from results.vocabulary import TieBreak

ORDINALS = {1: "wins", 2: "second places", 3: "third places"}


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
class RaceResult:
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
    lines: tuple[RaceResult, ...]
    tie_break: str | None = None
    shared: bool = False


def counted(scores: Sequence[Score], best_of: int | None) -> set[int]:
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
    step: str,
    mine: tuple,
    other: tuple,
    races: Sequence[int],
    labels: dict[int, str],
    ahead: bool,
) -> str:
    """Say which rule decided between a row and another equal on points, and on what, as the
    row's own: 'more wins (1 to 0)' ahead of it, 'fewer wins (0 to 1)' behind it."""
    at = next(i for i, (a, b) in enumerate(zip(mine, other, strict=True)) if a != b)
    if step == TieBreak.COUNTBACK:
        place = at + 1
        what = ORDINALS.get(place, f"{place}th places")
        return f"countback: {'more' if ahead else 'fewer'} {what} ({-mine[at]} to {-other[at]})"

    def rank(value: float) -> str:
        return "no result" if value == float("inf") else f"{int(value)}."

    race = labels.get(races[at], f"race {races[at]}")
    word = "better" if ahead else "worse"
    return f"last race: {word} in {race} ({rank(mine[at])} to {rank(other[at])})"


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
        kept = counted(effective, best_of)
        lines = tuple(
            RaceResult(s.race, s.rank, s.points, i in kept, s.disqualified, original.deduction)
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
            keys: dict[str, Callable[..., tuple[float, ...]]] = {
                TieBreak.COUNTBACK: lambda group=group: _countback_key(group, depth),
                TieBreak.LAST_RACE: lambda group=group: _last_race_key(group, races),
            }
            chain_key = tuple(keys[step]() for step in tie_break)
        rows.append((-net, chain_key, competitor, gross, deduction, lines))
    rows.sort(key=lambda row: (row[0], row[1], row[2]))

    # Rows equal on net points and on every tie-break key share a rank (a run of rows). A run
    # is told what put it behind the run just above it with the same net points (else what
    # put it ahead of the run just below), in its own terms: every row of the run, the same
    # words.
    runs: list[tuple[int, int]] = []  # (first, last) index of each run
    for index, row in enumerate(rows):
        if runs and rows[runs[-1][0]][:2] == row[:2]:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    reasons: dict[int, str | None] = {}
    for first, last in runs:
        mine = rows[first]
        other: tuple | None = None
        ahead = False
        if first and rows[first - 1][0] == mine[0]:
            other = rows[first - 1][1]
        elif last + 1 < len(rows) and rows[last + 1][0] == mine[0]:
            other, ahead = rows[last + 1][1], True
        reason = None
        if other is not None:
            step = next(i for i, (a, b) in enumerate(zip(mine[1], other, strict=True)) if a != b)
            reason = _explain(
                tie_break[step], mine[1][step], other[step], races, labels or {}, ahead
            )
        for index in range(first, last + 1):
            reasons[index] = reason
    run_of = {index: (first, last) for first, last in runs for index in range(first, last + 1)}

    result: list[Standing] = []
    for index, (neg_net, _key, competitor, gross, deduction, lines) in enumerate(rows):
        first, last = run_of[index]
        rank = first + 1
        tie_break_reason = reasons[index]
        same_as_previous, same_as_following = index > first, index < last
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


def points_after(standing: Standing, race: int, best_of: int | None) -> int:
    """A competitor's net points after race K, from his own results (best-N and deductions
    depend on nobody else's)."""
    lines = [line for line in standing.lines if line.race <= race]
    points = sorted((line.points for line in lines), reverse=True)
    kept = points if best_of is None else points[:best_of]
    return max(0, sum(kept) - sum(line.deduction for line in lines))
