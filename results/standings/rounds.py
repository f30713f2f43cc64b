"""A race skated in rounds: what its heats must hold, and the final classification that
follows from them (the season's classification rule).

The ISU's text of the rule for 2012–13 was not found; this is the rule the published totals
fit (its confidence on the season is "assumed"):

1. A competitor's *group* is the last round they skated. Groups rank latest first: Final A,
   Final B, semifinals, quarterfinals, repechage, heats, preliminaries.
2. In a group, placed competitors rank by place; equal places (the thirds of four
   quarterfinals) by time, faster first, no time last; competitors with no place (PEN, DNF)
   after every placed one, all equal among themselves in that round.
3. Still equal: compare the same way in the latest earlier round both skated, and so on back,
   passing over any round only one of them skated. With no such round left, they share the
   rank. Three or more still equal are compared in the latest earlier round all of them
   skated, so that the order is always one (for two, it is the rule's own). (Under the rule
   "latest-round-only" they share the rank at once.)
4. A YC in any round: no rank, status YC (0 points). A competitor whose every line is DNS: no
   rank, status DNS. A DNS line is not a round skated: a qualified skater who does not start
   the next round ranks in the round before, with a blank status.
5. Rank = 1 + the number of ranked competitors strictly ahead (so a YC in Final A moves the
   Final B winner up; a shared rank skips the ranks it covers).
6. The classification line keeps PEN or DNF when the competitor went out in that round with
   it; it takes its time from its group's round.
7. A referee's advancement needs nothing special: the skater simply skated the next round.

Pure: no database. Competitors are keys (an athlete's id, a relay team's nation).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from results.vocabulary import (
    ADMITS,
    ADMITS_TO_OTHER_ROUNDS,
    ADVANCED,
    FINALS,
    ROUND_ORDER,
    ClassificationRule,
    Qualification,
    RoundName,
    Status,
)

TO_A_FINAL = (Qualification.QA, Qualification.QB, Qualification.ADA, Qualification.ADB)
OUT_WITH = (Status.PEN, Status.DNF)  # kept on the classification line of the round gone out in


@dataclass(frozen=True)
class RoundLine:
    """One competitor's line in one heat of one round."""

    competitor: str
    round: str  # a Round
    heat: int
    place: int | None
    time: Decimal | None = None
    status: str = ""
    qualification: str = ""
    line: int = 0  # the file's line or the form's row, for messages


@dataclass(frozen=True)
class Placing:
    """A competitor's place in the final classification that follows from the rounds."""

    competitor: str
    rank: int | None
    status: str
    round: str | None  # the group: the last round skated (None: did not start at all)
    time: Decimal | None


# --- What the rounds must hold ---------------------------------------------------------------


@dataclass(frozen=True)
class RoundProblem:
    line: int
    column: str
    message: str


def round_problems(lines: Sequence[RoundLine]) -> list[RoundProblem]:
    """Every rule the race's round lines break, each with its line and column."""
    problems: list[RoundProblem] = []

    def problem(line: RoundLine, column: str, message: str) -> None:
        problems.append(RoundProblem(line.line, column, message))

    seen: dict[tuple[str, str], RoundLine] = {}
    heats: dict[tuple[str, int], list[RoundLine]] = defaultdict(list)
    for line in lines:
        first = seen.setdefault((line.round, line.competitor), line)
        if first is not line:
            problem(
                line,
                "athlete",
                f"appears twice in the {label(line.round)} (also line {first.line})",
            )
            continue
        heats[(line.round, line.heat)].append(line)
        if line.round in FINALS and line.heat != 1:
            problem(line, "heat", f"the {label(line.round)} has one heat: heat 1")
        if line.status and line.place is not None:
            problem(line, "place", "a line with a status (PEN, DNF, DNS, YC) has no place")
        if line.place is None and not line.status and line.qualification not in ADVANCED:
            problem(line, "place", "a line with no place needs a status or ADV, ADA, ADB")
        if line.round in FINALS and line.qualification:
            problem(
                line, "qualification", "a final is the last round: its lines qualify for nothing"
            )
        if line.qualification in TO_A_FINAL and line.round != RoundName.SEMIFINALS:
            problem(
                line,
                "qualification",
                f"{line.qualification} qualifies for a final, from the semifinals",
            )
    for (round_, _), heat in sorted(heats.items()):
        problems += place_problems(round_, heat)
    problems += admission_problems(seen.values())
    return sorted(problems, key=lambda p: (p.line, p.column))


def label(round_: str) -> str:
    """The round's name inside a sentence: "the semifinals", "the Final A"."""
    return RoundName(round_).label if round_ in FINALS else RoundName(round_).label.lower()


def place_problems(round_: str, heat: Sequence[RoundLine]) -> list[RoundProblem]:
    """Places in a heat run 1, 2, 3 … with no repeat; an unraced Final B lists its skaters 1st
    with no time, the one exception."""
    placed = sorted(
        ((line.place, line) for line in heat if line.place is not None), key=lambda pair: pair[0]
    )
    unraced = round_ == RoundName.FINAL_B and all(
        place == 1 and line.time is None for place, line in placed
    )
    if unraced or not placed:
        return []
    problems = []
    expected = 1
    for place, line in placed:
        if place != expected:
            what = "repeats" if place < expected else f"skips {expected}"
            problems.append(
                RoundProblem(
                    line.line,
                    "place",
                    f"place {place} {what}: places in a heat run 1, 2, 3 … with no repeat",
                )
            )
        expected = max(expected, place) + 1
    return problems


def admission_problems(lines: Iterable[RoundLine]) -> list[RoundProblem]:
    """A competitor in a round holds what admits them from the latest earlier round they
    skated; a competitor's first round needs nothing; the repechage takes the heats'
    non-qualifiers."""
    by_competitor: dict[str, list[RoundLine]] = defaultdict(list)
    for line in lines:
        by_competitor[line.competitor].append(line)
    problems = []
    for own in by_competitor.values():
        own.sort(key=lambda line: ROUND_ORDER.index(line.round))
        for index, line in enumerate(own):
            earlier = [e for e in own[:index] if e.status != Status.DNS]
            if not earlier:
                continue  # a skater's first round
            before = earlier[-1]
            if line.round == RoundName.REPECHAGE:
                wanted = "the repechage takes the heats' non-qualifiers"
            else:
                admitting = ADMITS.get(line.round, ADMITS_TO_OTHER_ROUNDS)
                codes = "/".join(sorted(admitting, key=Qualification.values.index))
                verb = "take" if line.round not in FINALS else "takes"  # "the heats take"
                wanted = f"the {label(line.round)} {verb} who holds {codes} from the round before"
            if not admits(before, line.round):
                held = f"held {before.qualification!r}" if before.qualification else "held no code"
                where = f"heat {before.heat}" + (f", line {before.line}" if before.line else "")
                problems.append(
                    RoundProblem(
                        line.line,
                        "qualification" if line.round != RoundName.REPECHAGE else "round",
                        f"{wanted}; in the {label(before.round)} ({where}) this competitor {held}",
                    )
                )
    return problems


def admits(before: RoundLine, round_: str) -> bool:
    """Whether `before`, the line of the latest earlier round a competitor skated, admits
    them to `round_`: QA/ADA to Final A, QB/ADB to Final B, Q/q/ADV to any other round; the
    repechage takes the heats' non-qualifiers."""
    if round_ == RoundName.REPECHAGE:
        return before.round == RoundName.HEATS and before.qualification == Qualification.NONE
    return before.qualification in ADMITS.get(round_, ADMITS_TO_OTHER_ROUNDS)


def admitted(lines: Iterable[RoundLine], round_: str) -> list[str]:
    """The start list of a round: the competitors whom the latest earlier round each skated
    admits to it (a DNS is not a round skated), in the order of those lines (round, heat,
    place; unplaced last). Empty for the race's first round: nobody skated before it."""
    latest: dict[str, RoundLine] = {}
    for line in sorted(lines, key=lambda line: ROUND_ORDER.index(line.round)):
        if ROUND_ORDER.index(line.round) < ROUND_ORDER.index(round_) and line.status != Status.DNS:
            latest[line.competitor] = line
    ordered = sorted(
        (line for line in latest.values() if admits(line, round_)),
        key=lambda line: (
            ROUND_ORDER.index(line.round),
            line.heat,
            in_round(line),
            line.competitor,
        ),
    )
    return [line.competitor for line in ordered]


# --- The final classification ---------------------------------------------------------------


INFINITE = Decimal("Infinity")


def in_round(line: RoundLine) -> tuple:
    """How a line ranks within its round: by place, equal places by time; unplaced last."""
    if line.place is None:
        return (1,)
    return (0, line.place, line.time if line.time is not None else INFINITE)


def classify(
    lines: Sequence[RoundLine], rule: str = ClassificationRule.LATEST_ROUND
) -> list[Placing]:
    """The final classification that follows from a race's rounds (module docstring):
    ranked competitors by rank, then those with no rank (YC, then DNS)."""
    rounds: dict[str, dict[str, RoundLine]] = defaultdict(dict)
    for line in lines:
        rounds[line.competitor][line.round] = line
    skated = {
        competitor: [r for r in ROUND_ORDER if r in own and own[r].status != Status.DNS]
        for competitor, own in rounds.items()
    }
    unranked: list[Placing] = []
    groups: dict[str, list[str]] = defaultdict(list)
    for competitor, own in rounds.items():
        if any(line.status == Status.YC for line in own.values()):
            last = skated[competitor][-1] if skated[competitor] else None
            unranked.append(Placing(competitor, None, Status.YC, last, None))
        elif not skated[competitor]:
            unranked.append(Placing(competitor, None, Status.DNS, None, None))
        else:
            groups[skated[competitor][-1]].append(competitor)

    def tiers(members: list[str], round_: str) -> list[list[str]]:
        """The members in order of their lines in the round: competitors equal there
        together (in one tier), refined by the latest earlier round all of a tier skated."""
        keyed: dict[tuple, list[str]] = defaultdict(list)
        for competitor in sorted(members):
            keyed[in_round(rounds[competitor][round_])].append(competitor)
        ordered = []
        for key in sorted(keyed):
            tier = keyed[key]
            earlier = ROUND_ORDER[: ROUND_ORDER.index(round_)]
            common = [r for r in earlier if all(r in skated[c] for c in tier)]
            if len(tier) > 1 and common and rule == ClassificationRule.LATEST_ROUND:
                ordered += tiers(tier, common[-1])
            else:
                ordered.append(tier)
        return ordered

    placings = []
    ahead = 0
    for group in reversed(ROUND_ORDER):
        for tier in tiers(groups.get(group, []), group) if group in groups else []:
            for competitor in tier:
                line = rounds[competitor][group]
                status = line.status if line.status in OUT_WITH else Status.CLASSIFIED
                placings.append(Placing(competitor, ahead + 1, status, group, line.time))
            ahead += len(tier)
    unranked.sort(key=lambda p: (p.status != Status.YC, p.competitor))
    return [*placings, *unranked]


# --- An event's entry list ------------------------------------------------------------------

SKATER_ENTERED = "This skater is on the entry list already."
HELMET_TAKEN = "Another skater has this helmet number at the event."


def entry_list_problems(
    entries: Iterable[tuple[object, int | None]],
) -> dict[int, tuple[str, str]]:
    """The lines of an event's whole entry list, given as (skater, helmet number) in order
    (a skater: any key, None when unknown), that repeat a skater or a helmet number of an
    earlier line, each with the field at fault and why. The rule the list's constraints keep,
    checked on all lines at once before any is written (the admin's entry list, an imported
    one)."""
    problems: dict[int, tuple[str, str]] = {}
    skaters: set[object] = set()
    helmets: set[int] = set()
    for line, (skater, helmet) in enumerate(entries):
        if skater is not None and skater in skaters:
            problems[line] = ("athlete", SKATER_ENTERED)
        elif helmet is not None and helmet in helmets:
            problems[line] = ("helmet", HELMET_TAKEN)
        if skater is not None:
            skaters.add(skater)
        if helmet is not None:
            helmets.add(helmet)
    return problems
