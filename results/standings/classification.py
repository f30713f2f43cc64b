"""A race's classification: which ranks a complete one must hold."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from results.vocabulary import Status


def missing_ranks(ranks: Iterable[int | None]) -> list[int]:
    """The ranks a complete classification with these ranks lacks: every one from 1 down to
    the lowest given must be there, but for those a shared rank leaves empty (two lines on
    rank 3 leave rank 4 empty)."""
    counts = Counter(rank for rank in ranks if rank)
    covered = {r for rank, k in counts.items() for r in range(rank, rank + k)}
    return sorted(set(range(1, max(counts, default=0) + 1)) - covered)


@dataclass(frozen=True)
class SharedRank:
    """k lines share rank r, and a line stands on a rank that sharing leaves empty."""

    rank: int
    lines: tuple[int, ...]  # the sharing lines' numbers (rows of a page, lines of a file)
    taken: int  # the rank that should have stayed empty

    @property
    def message(self) -> str:
        shown = ", ".join(map(str, self.lines[:-1])) + f" and {self.lines[-1]}"
        return (
            f"rank {self.rank} is shared by lines {shown}, so rank {self.taken} stays empty: "
            f"the next line after them is rank {self.rank + len(self.lines)}"
        )


def shared_rank_problems(lines: Iterable[tuple[int, int | None]]) -> list[SharedRank]:
    """Of (line number, rank) pairs: each shared rank followed by a line on a rank it leaves
    empty (k lines on rank r leave ranks r+1 … r+k−1 empty)."""
    by_rank: dict[int, list[int]] = defaultdict(list)
    for number, rank in lines:
        if rank:
            by_rank[rank].append(number)
    return [
        SharedRank(rank, tuple(sorted(numbers)), taken)
        for rank, numbers in sorted(by_rank.items())
        for taken in range(rank + 1, rank + len(numbers))
        if taken in by_rank
    ]


# --- What one line of a classification must say ---------------------------------------------

RELAY_HAS_NO_ATHLETE = "A relay line names the team's nation, not an athlete."
RELAY_NEEDS_NATION = "A relay line names the team's nation."
INDIVIDUAL_NEEDS_ATHLETE = "An individual race needs an athlete."
DNS_HAS_NO_RANK = "A skater who did not start (DNS) has no rank."
UNRANKED_NEEDS_STATUS = "A line with no rank needs a status (PEN, DNF, DNS, YC)."
# A rank below 1 (%(show_value)s: the value typed, as Django's bound validators name it).
RANK_FROM_ONE = (
    "Rank %(show_value)s is no rank: ranks start at 1. Leave the rank empty for a line that is "
    "not classified, and give its status."
)


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
    if first in {"A", "An", "Another", "The", "This"}:
        message = f"{first.lower()} {rest}"
    return message.rstrip(".")
