"""A race's classification: which ranks a complete one must hold."""

from __future__ import annotations

from collections.abc import Iterable

from results.vocabulary import Status


def missing_ranks(ranks: Iterable[int | None]) -> list[int]:
    """The ranks a complete classification with these ranks lacks: every one from 1 down to
    the lowest given must be there."""
    given = {rank for rank in ranks if rank}
    return sorted(set(range(1, max(given, default=0) + 1)) - given)


# --- What one line of a classification must say ---------------------------------------------

RELAY_HAS_NO_ATHLETE = "A relay line names the team's nation, not an athlete."
RELAY_NEEDS_NATION = "A relay line names the team's nation."
INDIVIDUAL_NEEDS_ATHLETE = "An individual race needs an athlete."
DNS_HAS_NO_RANK = "A skater who did not start (DNS) has no rank."
UNRANKED_NEEDS_STATUS = "A line with no rank needs a status (PEN, DNF, DNS, YC)."


def who_problem(*, relay: bool, athlete: bool) -> tuple[str, str] | None:
    """(field, message) when a line names the wrong kind of competitor for its race."""
    if relay and athlete:
        return ("athlete", RELAY_HAS_NO_ATHLETE)
    if not relay and not athlete:
        return ("athlete", INDIVIDUAL_NEEDS_ATHLETE)
    return None


def rank_problem(*, rank: int | None, status: str) -> tuple[str, str] | None:
    """(field, message) when a line's rank and status disagree."""
    if status == Status.DNS and rank is not None:
        return ("rank", DNS_HAS_NO_RANK)
    if rank is None and status == Status.CLASSIFIED:
        return ("status", UNRANKED_NEEDS_STATUS)
    return None


def line_problems(
    *, relay: bool, athlete: bool, rank: int | None, status: str
) -> list[tuple[str, str]]:
    """(field, message) for each rule a line breaks: who it names, its rank and status."""
    found = [who_problem(relay=relay, athlete=athlete), rank_problem(rank=rank, status=status)]
    return [problem for problem in found if problem]


def wrong_gender(who: str, skater: str, race: str) -> str | None:
    """Why a skater of one gender has no line in a race of another, or None when they agree."""
    if skater == race:
        return None
    return f"{who} skates in the {skater}'s races, not the {race}'s."


def clause(message: str) -> str:
    """A rule's sentence as a clause of a longer message: 'A line …(YC).' → 'a line …(YC)';
    a sentence that starts with a name keeps its capital ('Wang Meng skates …')."""
    first, _, rest = message.partition(" ")
    if first in {"A", "An", "The", "This"}:
        message = f"{first.lower()} {rest}"
    return message.rstrip(".")
