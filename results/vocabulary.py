"""The sport's words, spelled once: genders, distances, standings tables, statuses, race states,
completeness, confidence, tie-break steps; how a race time and a skater's name are written.

Plain Python, no Django: the rules (results/standings/), the file format (results/csv_format.py)
and the models all read these. Each set of words is a `Words` enum whose members are their
stored values ("men", "500m", "PEN") with a label for people; `Gender.choices` gives Django's
(value, label) pairs and `Gender.values` the values.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from enum import EnumType, StrEnum


class WordsType(EnumType):
    """The metaclass of `Words`: the enum's values and (value, label) pairs, as Django's
    TextChoices gives them."""

    @property
    def choices(cls: Iterable[Words]) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]

    @property
    def values(cls: Iterable[Words]) -> list[str]:
        return [member.value for member in cls]


class Words(StrEnum, metaclass=WordsType):
    """A closed set of words; each member is its stored value, with a label."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Words:  # Gender("men") looks a word up
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class Gender(Words):
    MEN = "men", "Men"
    WOMEN = "women", "Women"
    MIXED = "mixed", "Mixed"


SKATER_GENDERS = (Gender.MEN, Gender.WOMEN)


class Distance(Words):
    """A race's distance; the values are the slugs of URLs, the CLI and the CSV format."""

    M500 = "500m", "500 m"
    M1000 = "1000m", "1000 m"
    M1500 = "1500m", "1500 m"
    RELAY_3000 = "3000m-relay", "3000 m relay"
    RELAY_5000 = "5000m-relay", "5000 m relay"
    MIXED_RELAY_2000 = "2000m-mixed-relay", "2000 m mixed relay"


INDIVIDUAL_DISTANCES = (Distance.M500, Distance.M1000, Distance.M1500)
RELAY_DISTANCES = (Distance.RELAY_3000, Distance.RELAY_5000, Distance.MIXED_RELAY_2000)
# The only gender each relay is skated by (ISU: men's 5000 m, women's 3000 m, mixed 2000 m).
RELAY_GENDER: dict[str, str] = {
    Distance.RELAY_5000: Gender.MEN,
    Distance.RELAY_3000: Gender.WOMEN,
    Distance.MIXED_RELAY_2000: Gender.MIXED,
}
DISTANCE_FITS_GENDER = (
    "The men skate the 5000 m relay, the women the 3000 m relay, and only the mixed relay is mixed."
)


def distance_fits_gender(gender: str, distance: str) -> bool:
    """Whether a race of this gender is skated over this distance (DISTANCE_FITS_GENDER)."""
    expected = RELAY_GENDER.get(distance)
    return gender == expected if expected else gender in SKATER_GENDERS


class TableKind(Words):
    """A World Cup standings table: one per distance, plus the overall and nations' tables.

    A table is named by a gender and its kind: ("men", "500m"), ("women", "overall"), and the
    Team Crystal Globe ("mixed", "nations") over every race, men's, women's and mixed."""

    M500 = "500m", "500 m"
    M1000 = "1000m", "1000 m"
    M1500 = "1500m", "1500 m"
    RELAY_3000 = "3000m-relay", "3000 m relay"
    RELAY_5000 = "5000m-relay", "5000 m relay"
    MIXED_RELAY_2000 = "2000m-mixed-relay", "2000 m mixed relay"
    OVERALL = "overall", "Overall"
    NATIONS = "nations", "Nations"


TABLE_NAMES = {
    **{kind.value: kind.label for kind in TableKind},
    TableKind.OVERALL: "overall",
    TableKind.NATIONS: "nations",
}


class Status(Words):
    """ISU status codes of a line of a classification; blank means classified."""

    CLASSIFIED = "", "Classified"
    PEN = "PEN", "Penalty"
    DNF = "DNF", "Did not finish"
    DNS = "DNS", "Did not start"
    YC = "YC", "Yellow card"


STATUS_CODES = frozenset(Status.values)
UNRANKED_STATUSES = frozenset({Status.PEN, Status.DNF, Status.DNS, Status.YC})


class RaceState(Words):
    """What the public sees of a race's results: nothing (draft), provisional or official."""

    DRAFT = "draft", "Draft"
    PROVISIONAL = "provisional", "Provisional"
    OFFICIAL = "official", "Official"


PUBLIC_STATES = (RaceState.PROVISIONAL, RaceState.OFFICIAL)


class Completeness(Words):
    COMPLETE = "complete", "Complete"
    PARTIAL = "partial", "Partial (podium only, or the places a source gives)"


class Confidence(Words):
    SOURCED = "sourced", "Sourced"
    INFERRED = "inferred", "Inferred"
    ASSUMED = "assumed", "Assumed"


class TieBreak(Words):
    """Steps of a season's tie-break chain for equal net points, tried in order."""

    COUNTBACK = "countback", "more wins, then more second places, … (all results)"
    LAST_RACE = "last-race", "better result in the most recent race"


DEFAULT_TIE_BREAK = (TieBreak.COUNTBACK, TieBreak.LAST_RACE)


class RoundName(Words):
    """The rounds of a race, in the order they are skated. Finals have one heat."""

    PRELIMINARIES = "preliminaries", "Preliminaries"
    HEATS = "heats", "Heats"
    REPECHAGE = "repechage", "Repechage"
    QUARTERFINALS = "quarterfinals", "Quarterfinals"
    SEMIFINALS = "semifinals", "Semifinals"
    FINAL_B = "final-b", "Final B"
    FINAL_A = "final-a", "Final A"


ROUND_ORDER = tuple(RoundName)  # earliest first
FINALS = (RoundName.FINAL_B, RoundName.FINAL_A)
# One heat of a round, as a results sheet heads it (finals have their own names).
HEAT_NAMES: dict[str, str] = {
    RoundName.PRELIMINARIES: "Preliminary",
    RoundName.HEATS: "Heat",
    RoundName.REPECHAGE: "Repechage",
    RoundName.QUARTERFINALS: "Quarterfinal",
    RoundName.SEMIFINALS: "Semifinal",
}


def heat_name(round_: str, heat: int) -> str:
    """'Quarterfinal 2', 'Heat 5'; a final has one heat and is named alone: 'Final A'."""
    if round_ in FINALS:
        return RoundName(round_).label
    return f"{HEAT_NAMES[round_]} {heat}"


class Qualification(Words):
    """What a heat line says of the next round: case-sensitive, as the ISU writes them."""

    NONE = "", "—"
    Q = "Q", "Qualified by place"
    q = "q", "Qualified on time"
    QA = "QA", "To Final A"
    QB = "QB", "To Final B"
    ADV = "ADV", "Advanced by the referee"
    ADA = "ADA", "Advanced by the referee to Final A"
    ADB = "ADB", "Advanced by the referee to Final B"


ADVANCED = (Qualification.ADV, Qualification.ADA, Qualification.ADB)
# The codes that admit a skater to a round, from the latest earlier round they skated.
ADMITS: dict[str, frozenset[str]] = {
    RoundName.FINAL_A: frozenset({Qualification.QA, Qualification.ADA}),
    RoundName.FINAL_B: frozenset({Qualification.QB, Qualification.ADB}),
}
ADMITS_TO_OTHER_ROUNDS: frozenset[str] = frozenset(
    {Qualification.Q, Qualification.q, Qualification.ADV}
)


class ClassificationRule(Words):
    """How a race's final classification follows from its rounds (Season data)."""

    LATEST_ROUND = (
        "latest-round",
        ("By the last round skated; equal ones by the latest earlier round both skated"),
    )
    LATEST_ROUND_ONLY = "latest-round-only", ("By the last round skated; equal ones share the rank")


class AdjustmentKind(Words):
    DISQUALIFIED = "disqualified", "Disqualified: the result scores no points"
    DEDUCTION = "deduction", "Deduction: points taken off the standings total"


# --- How things are written -----------------------------------------------------------------

# A skater's name as the ISU writes it (J. R. Celski, Marie-Ève Drolet): no markup, no controls.
NAME_PATTERN = r"^[^\W_][^<>{}\[\]\\|;=@#$%^*+~`\"/\x00-\x1f]*$"
NAME_SYMBOLS = r"[<>{}\[\]\\|;=@#$%^*+~`\"/]"
NAME_MESSAGE = "A name starts with a letter and has no markup or symbols such as < > { } / ; =."


def folded(text: str) -> str:
    """A name as a search compares it: no accents, no case ("Valérie" finds "valerie")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


TIME_PATTERN = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2})\.(\d{1,3})$")
LONGEST_TIME = Decimal(10_000)  # seconds; a race time fits 7 digits with 3 decimals


def parse_time(text: str) -> Decimal:
    """'39.937' or '1:26.661' (the ISU's way of writing a race time) → seconds.

    Raises ValueError with a message an official can act on.
    """
    match = TIME_PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a race time; write ss.fff or m:ss.fff, e.g. 1:26.661.")
    minutes, seconds, fraction = match.groups()
    if minutes is not None and int(seconds) >= 60:
        raise ValueError(f"{text!r} has {seconds} seconds; write m:ss.fff with seconds below 60.")
    value = Decimal(int(minutes or 0) * 60 + int(seconds)) + Decimal(f"0.{fraction}")
    if value <= 0:
        raise ValueError(f"{text!r} is zero; a race time is above zero.")
    return value


def format_time(seconds: Decimal | None) -> str:
    """39.937 → '39.937'; 86.661 → '1:26.661' (the ISU's way of writing a race time)."""
    if seconds is None:
        return ""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:06.3f}" if minutes else f"{rest:.3f}"


def shown(value: object) -> str:
    """A stored value as an official reads it in a history: times as the ISU writes them."""
    if value in (None, ""):
        return "(empty)"
    if isinstance(value, Decimal):
        return format_time(value)
    return str(value)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
