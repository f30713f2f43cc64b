"""The World Cup rules: the only place that knows how points and standings are worked out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STATUS_CODES = frozenset({"", "PEN", "DNF", "DNS", "YC"})
TIE_BREAK_CODES = ("countback", "last-race")


class RulesError(ValueError):
    """A season's rules cannot be applied; `field` names the Season field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


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
        if distance == "2000m-mixed-relay":
            return self.best_mixed_relay
        if distance.endswith("-relay"):
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


def points_for(rank: int | None, status: str, rules: Rules) -> int:
    """World Cup points of one line of a classification.

    A classified rank keeps its points whatever happened in the final (a fall, a penalty that
    left the rank standing), unless the season lists its status as scoreless. No rank scores 0,
    and so does a rank below the end of the points table.
    """
    if rank is None or status in rules.scoreless or rank > len(rules.points):
        return 0
    return rules.points[rank - 1]
