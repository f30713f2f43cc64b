"""What can still happen in a standings table: who can still win it, whether it is decided, and
what would settle it in the next race.

- A row's **max points**: the most net points the competitor can still reach — its results so
  far plus a win (the points table's first value) in every race of the table still to come,
  under the table's best N, less its deductions.
- **Can win**: its max points reach the table's highest net (a possible tie counts).
- **Decided**: no race is left; or a single leader (alone on the highest net) whom nobody can
  reach any more — no other row, nor a competitor with no result yet (a win in each race left,
  up to best N) — while no race up to the one viewed has a partial classification or none
  (points below a partial podium are unknown). A tie on points is never decided early.
- **Clinch**: what would settle it in the next race, by trying the leader's possible places in
  it against every row that can still win.

Pure: it reads a built table (results/standings/table.py). The nations' table (many lines per
nation and race) has no outlook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from results.vocabulary import TableKind


@dataclass(frozen=True)
class Contender:
    """A row as the outlook reads it."""

    key: str
    name: str
    points: int  # net now
    results: tuple[int, ...]  # the points of each result so far (0 for a disqualified one)
    deduction: int


@dataclass(frozen=True)
class Settling:
    """What settles the table in the next race: the leader placing `place` or better (0:
    no place will do), or, with the leader out of the points, each rival placing no better
    than their rank (None: scoring nothing)."""

    leader: Contender
    place: int
    rivals: tuple[tuple[Contender, int | None], ...]

    def sentence(self, title: str, race: str) -> str:
        parts = []
        if self.place:
            parts.append(
                f"with a {ordinal(self.place)} place or better" if self.place > 1 else "with a win"
            )
        if self.rivals:
            limits = []
            for rival, rank in self.rivals:
                if rank is None:
                    limits.append(f"{rival.name} scores nothing")
                elif rank == 2:
                    limits.append(f"{rival.name} does not win")
                else:
                    limits.append(f"{rival.name} finishes {ordinal(rank)} or worse")
            parts.append("if " + " and ".join(limits) + " there")
        return (
            f"{self.leader.name} wins the {title} World Cup at {race} "
            + ", or ".join(parts)
            + " (other combinations of results there may settle it too)."
        )


@dataclass(frozen=True)
class Outlook:
    max_points: dict[str, int]
    can_win: dict[str, bool]
    races_left: int
    decided: bool
    points_available: int  # a win in every race left, before best N
    settling: Settling | None
    clinch: str | None
    unknown: bool = False  # a race so far has a partial classification or none

    @property
    def contenders(self) -> int:
        return sum(self.can_win.values())

    @property
    def summary(self) -> str:
        """What can still happen, in a sentence or two."""
        if self.decided:
            return "Decided." if self.races_left else "Decided: no race is left."
        who = (
            f"{self.contenders} can still win" if self.can_win else "no result yet: anyone can win"
        )
        text = (
            f"{self.races_left} race{'s' if self.races_left > 1 else ''} left, "
            f"{self.points_available} points to win: {who}"
            + (" on the points known." if self.unknown else ".")
        )
        if self.unknown:
            text += (
                " Not decided while a race so far lacks a complete classification: the "
                "points below a partial podium are unknown."
            )
        return text + (f" {self.clinch}" if self.clinch else "")


def best(results: Sequence[int], best_of: int | None, deduction: int) -> int:
    """Net points of these results under best N, less the deductions (never below 0)."""
    kept = sorted(results, reverse=True)
    return max(0, sum(kept if best_of is None else kept[:best_of]) - deduction)


def ordinal(rank: int) -> str:
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def outlook(
    kind: str,
    contenders: Sequence[Contender],
    points: Sequence[int],
    best_of: int | None,
    races_left: int,
    unknown: bool,
    next_race: str | None,
    title: str,
) -> Outlook | None:
    """The outlook of a table (module docstring). `unknown`: a race up to the one viewed has a
    partial classification or none; `next_race`: the next race's name, for the sentence."""
    if kind == TableKind.NATIONS:
        return None
    win = points[0] if points else 0
    maxima = {
        c.key: best([*c.results, *[win] * races_left], best_of, c.deduction) for c in contenders
    }
    top = max((c.points for c in contenders), default=0)
    can_win = {c.key: maxima[c.key] >= top for c in contenders}
    leaders = [c for c in contenders if c.points == top]
    newcomer = best([win] * races_left, best_of, 0)  # a competitor with no result yet
    decided = races_left == 0 or (
        len(leaders) == 1
        and not unknown
        and all(maxima[c.key] < top for c in contenders if c is not leaders[0])
        and newcomer < top
    )
    settling = None
    if not decided and races_left and len(leaders) == 1 and not unknown:
        settling = settles(leaders[0], contenders, points, best_of, races_left)
    clinch = settling.sentence(title, next_race or "the next race") if settling else None
    return Outlook(
        maxima, can_win, races_left, decided, win * races_left, settling, clinch, unknown
    )


def settles(
    leader: Contender,
    contenders: Sequence[Contender],
    points: Sequence[int],
    best_of: int | None,
    races_left: int,
) -> Settling | None:
    """What settles the table in the next race; None when nothing in it can.

    Tried: each place of the leader in the next race (or none in the points), against each
    rival's best place left in it and wins in every race after it; and, with the leader out of
    the points, the places of the rivals that leave them short."""
    win = points[0] if points else 0
    after = races_left - 1
    places = [*range(1, len(points) + 1), None]  # None: out of the points

    def score(rank: int | None) -> int:
        return points[rank - 1] if rank is not None and rank <= len(points) else 0

    def leader_after(rank: int | None) -> int:
        return best([*leader.results, score(rank)], best_of, leader.deduction)

    def rival_max(rival: Contender, rank: int | None) -> int:
        return best([*rival.results, score(rank), *[win] * after], best_of, rival.deduction)

    newcomer = [best([score(rank), *[win] * after], best_of, 0) for rank in places]
    rivals = [
        c
        for c in contenders
        if c is not leader
        and best([*c.results, *[win] * races_left], best_of, c.deduction) >= leader.points
    ]

    def safe(rank: int | None) -> bool:
        """Whether the leader with this place is out of every rival's reach, whatever their
        places (each rival's best place left: 1st, or 2nd when the leader won)."""
        total = leader_after(rank)
        best_left = 2 if rank == 1 else 1
        return all(rival_max(r, best_left) < total for r in rivals) and (
            newcomer[best_left - 1] < total
        )

    settled = 0  # the leader settles it with any place from 1st down to this one
    while settled < len(points) and safe(settled + 1):
        settled += 1
    # With no points for the leader there: settled when every rival places low enough.
    nothing = leader_after(None)
    limits: list[tuple[Contender, int | None]] = []
    for rival in rivals:
        short = [rank for rank in places if rival_max(rival, rank) < nothing]
        if not short:
            limits = []
            break
        limits.append((rival, short[0]))
    if not (limits and newcomer[0] < nothing):
        limits = []
    if not settled and not limits:
        return None
    return Settling(leader, settled, tuple(limits))
