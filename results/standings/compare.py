"""Published standings against computed ones: each row a source published, set beside ours,
with the likely cause of any difference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from results.standings.rules import Rules
from results.standings.table import StandingsRow, StandingsTable
from results.vocabulary import plural


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
    computed: StandingsRow | None
    matched_by: str  # "competitor", or "rank (unnamed)"
    cause: str | None  # None when published and computed agree

    @property
    def agrees(self) -> bool:
        return self.cause is None


def reachable(total: int, values: Sequence[int], most: int | None) -> bool:
    """Whether `total` is a sum of at most `most` values (repeats allowed) from `values`.

    The sums found so far are the set bits of one integer (bit s: s is a sum), each value a
    shift of it: a few thousand points and a points table of thirty values take microseconds."""
    if total < 0:
        return False
    steps = most if most is not None else max(1, total // max(min(values), 1))
    within = (1 << (total + 1)) - 1
    sums = 1  # the empty sum, 0
    for _ in range(steps):
        grown = sums
        for value in set(values):
            grown |= sums << value
        grown &= within
        if grown >> total & 1:
            return True
        if grown == sums:
            break  # nothing new: more values reach no further sum
        sums = grown
    return bool(sums >> total & 1)


def compare(
    table: StandingsTable, published: Sequence[Published], rules: Rules
) -> list[Comparison]:
    """Set each published row beside the computed one and say why they differ, if they do.

    A named row is matched by competitor, an unnamed one by rank; a rank whose computed
    competitor the source names on another row is not compared twice over."""
    by_competitor = {row.competitor.key: row for row in table.rows}
    by_rank: dict[int, StandingsRow] = {}
    row: StandingsRow | None
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
            if row is not None and other is not None and other.rank != entry.rank:
                missing = _missing_results(table)
                cause = (
                    f"ranked {entry.rank} here is {row.competitor.display}, whom the source "
                    f"ranks {other.rank}: the order differs" + (f" ({missing})" if missing else "")
                )
            else:
                cause = _cause(entry, row, table, rules)
        comparisons.append(Comparison(entry, row, matched_by, cause))
    return comparisons


def _missing_results(table: StandingsTable) -> str | None:
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


def _adjusted(row: StandingsRow) -> str | None:
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


def _cause(
    entry: Published, row: StandingsRow | None, table: StandingsTable, rules: Rules
) -> str | None:
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
