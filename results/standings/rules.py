"""A season's rules as plain data, and the points of one line of a classification.

How each rule is applied (the documented defaults an official can change per season):
- Points: a classified rank scores the points table's value for that rank; below the table's
  end it scores 0. A skater or team the ISU classified keeps that rank's points whatever
  happened in the final (a fall, a penalty that left the rank standing), unless the season
  lists the status as scoreless. A line with no classified rank (DNS, DNF or a penalty that
  removed the rank) scores 0. YC scores its rank's points unless listed as scoreless.
- Best N: each competitor's N highest-scoring results count (all of them when N is empty).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from results.vocabulary import (
    DEFAULT_TIE_BREAK,
    RELAY_DISTANCES,
    STATUS_CODES,
    Distance,
    Status,
    TableKind,
    TieBreak,
)


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
    tie_break: tuple[str, ...] = tuple(step.value for step in DEFAULT_TIE_BREAK)

    def best_of(self, kind: str) -> int | None:
        """How many results count in the table of this kind (None: all of them)."""
        if kind == TableKind.OVERALL:
            return self.best_overall
        if kind == TableKind.NATIONS:
            return None
        if kind == Distance.MIXED_RELAY_2000:
            return self.best_mixed_relay
        if kind in RELAY_DISTANCES:
            return self.best_relay
        return self.best_individual


class SeasonRules(Protocol):
    """What `rules_for` reads: the rule fields of a Season (or anything shaped like one)."""

    points_table: Any
    best_individual: int | None
    best_relay: int | None
    best_mixed_relay: int | None
    overall: bool
    best_overall: int | None
    nations_classification: bool
    scoreless_statuses: Any
    tie_break: Any


def rules_for(season: SeasonRules) -> Rules:
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
    if not isinstance(scoreless, list) or not set(scoreless) <= STATUS_CODES - {Status.CLASSIFIED}:
        raise RulesError(
            "scoreless_statuses", 'A list of status codes among PEN, DNF, DNS, YC, e.g. ["YC"].'
        )
    chain = season.tie_break
    if (
        not isinstance(chain, list)
        or not set(chain) <= set(TieBreak.values)
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
    """World Cup points of one line of a classification (see the module docstring)."""
    if rank is None or status in rules.scoreless or rank > len(rules.points):
        return 0
    return rules.points[rank - 1]
