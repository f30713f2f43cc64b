"""The World Cup: nations, athletes, venues, seasons (with their rules), events, races, results."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from results.standings import AthleteRecord, Comparison, Published, Rules, Table


# --- Vocabulary -----------------------------------------------------------------------------


class Gender(models.TextChoices):
    MEN = "men", "Men"
    WOMEN = "women", "Women"
    MIXED = "mixed", "Mixed"


class Distance(models.TextChoices):
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
RELAY_GENDER = {
    Distance.RELAY_5000: Gender.MEN,
    Distance.RELAY_3000: Gender.WOMEN,
    Distance.MIXED_RELAY_2000: Gender.MIXED,
}


class StandingsDistance(models.TextChoices):
    """A World Cup standings table: one per distance, plus the overall classification."""

    M500 = "500m", "500 m"
    M1000 = "1000m", "1000 m"
    M1500 = "1500m", "1500 m"
    RELAY_3000 = "3000m-relay", "3000 m relay"
    RELAY_5000 = "5000m-relay", "5000 m relay"
    MIXED_RELAY_2000 = "2000m-mixed-relay", "2000 m mixed relay"
    OVERALL = "overall", "Overall"
    NATIONS = "nations", "Nations"


class Status(models.TextChoices):
    """ISU status codes of a line of a classification; blank means classified."""

    CLASSIFIED = "", "Classified"
    PEN = "PEN", "Penalty"
    DNF = "DNF", "Did not finish"
    DNS = "DNS", "Did not start"
    YC = "YC", "Yellow card"


class Publication(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROVISIONAL = "provisional", "Provisional"
    OFFICIAL = "official", "Official"


PUBLIC_STATES = (Publication.PROVISIONAL, Publication.OFFICIAL)


class Completeness(models.TextChoices):
    COMPLETE = "complete", "Complete"
    PARTIAL = "partial", "Partial (podium only, or the places a source gives)"


def missing_ranks(ranks: Iterable[int | None]) -> list[int]:
    """The ranks a complete classification with these ranks lacks: every one from 1 down to
    the lowest given must be there."""
    given = {rank for rank in ranks if rank}
    return sorted(set(range(1, max(given, default=0) + 1)) - given)


class Confidence(models.TextChoices):
    SOURCED = "sourced", "Sourced"
    INFERRED = "inferred", "Inferred"
    ASSUMED = "assumed", "Assumed"


class TieBreak(models.TextChoices):
    """Steps of a season's tie-break chain for equal net points, tried in order."""

    COUNTBACK = "countback", "more wins, then more second places, … (all results)"
    LAST_RACE = "last-race", "better result in the most recent race"


# Ranks and event and race numbers run from 1 to 999 (the site's URLs take no more).
NUMBER_RANGE = [MinValueValidator(1), MaxValueValidator(999)]
BEST_OF_RANGE = [MinValueValidator(1), MaxValueValidator(100)]


def choices_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


TIME_PATTERN = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2})\.(\d{1,3})$")


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
        raise ValueError(f"{text!r} is not a race time; it must be above zero.")
    return value


def format_time(seconds: Decimal | None) -> str:
    """39.937 → '39.937'; 86.661 → '1:26.661' (the ISU's way of writing a race time)."""
    if seconds is None:
        return ""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:06.3f}" if minutes else f"{rest:.3f}"


# --- Reference data -------------------------------------------------------------------------


class NationQuerySet(models.QuerySet):
    def get_by_natural_key(self, code: str) -> Nation:
        return self.get(code=code)

    def with_counts(self) -> NationQuerySet:
        return self.annotate(athlete_count=Count("athletes"))


class Nation(models.Model):
    """A national federation, by the three-letter IOC code the ISU uses (NED, not NLD)."""

    code = models.CharField(
        primary_key=True,
        max_length=3,
        validators=[RegexValidator(r"^[A-Z]{3}$", "Three capital letters, e.g. KOR.")],
        help_text="IOC code as the ISU writes it: NED, GER, SUI (not NLD, DEU, CHE).",
    )
    name = models.CharField(max_length=100)

    objects = NationQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{3}$"), name="nation_code_format"
            )
        ]

    # No natural_key(): the code is the primary key, so "KOR" in a fixture is already natural
    # (dumpdata --natural-primary would otherwise drop it).

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("nation-detail", args=[self.code])


# A skater's name as the ISU writes it (J. R. Celski, Marie-Ève Drolet): no markup, no controls.
NAME_PATTERN = r"^[^\W_][^<>{}\[\]\\|;=@#$%^*+~`\"/\x00-\x1f]*$"
NAME_MESSAGE = "A name starts with a letter and has no markup or symbols such as < > { } / ; =."


class AthleteQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> Athlete:
        return self.get(slug=slug)


class Athlete(models.Model):
    """A skater, named as the sources write the name, with other spellings kept as aliases."""

    name = models.CharField(
        max_length=100,
        validators=[RegexValidator(NAME_PATTERN, NAME_MESSAGE)],
        help_text="As the ISU writes it.",
    )
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in the athlete's URL.")
    gender = models.CharField(max_length=5, choices=[(Gender.MEN, "Men"), (Gender.WOMEN, "Women")])
    nation = models.ForeignKey(
        Nation,
        on_delete=models.PROTECT,
        related_name="athletes",
        help_text="Current federation; each result keeps the nation skated for that day.",
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other spellings of the name (Viktor Ahn, Ahn Hyun-soo), used to match imports.",
    )
    isu_id = models.CharField(
        "ISU id", max_length=20, null=True, blank=True, unique=True, help_text="Optional."
    )

    history = HistoricalRecords()

    objects = AthleteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "nation"], name="athlete_unique_name_per_nation"
            ),
            models.CheckConstraint(
                condition=~Q(name__regex=r"[<>{}\[\]\\|;=@#$%^*+~`\"/]") & ~Q(name=""),
                name="athlete_name_plain",
                violation_error_message=NAME_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(gender__in=[Gender.MEN, Gender.WOMEN]), name="athlete_gender_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nation_id})"

    def get_absolute_url(self) -> str:
        return reverse("athlete-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def record(self) -> AthleteRecord:
        """Published results, podiums, points per season and best placings (one query)."""
        from results.standings import athlete_record

        results = (
            self.results.public()
            .select_related("race__event__season", "adjustment")
            .with_race_doubled()
            .order_by("-race__date", "race__distance")
        )
        return athlete_record(list(results))

    def clean(self) -> None:
        if not isinstance(self.aliases, list) or not all(
            isinstance(alias, str) and alias.strip() for alias in self.aliases
        ):
            raise ValidationError({"aliases": 'A list of names, e.g. ["Viktor Ahn"].'})


class VenueQuerySet(models.QuerySet):
    def get_by_natural_key(self, name: str, city: str) -> Venue:
        return self.get(name=name, city=city)


class Venue(models.Model):
    """An ice rink that hosts World Cup events."""

    name = models.CharField(max_length=150)
    city = models.CharField(max_length=100)
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="venues")
    source = models.TextField(blank=True, help_text="Where the venue of record comes from.")
    note = models.TextField(blank=True, help_text="Other names, corrections to a source.")

    history = HistoricalRecords()

    objects = VenueQuerySet.as_manager()

    class Meta:
        ordering = ["city", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "city"], name="venue_unique_name_per_city")
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    def natural_key(self) -> tuple[str, str]:
        return (self.name, self.city)


# --- Seasons and their rules ----------------------------------------------------------------


def default_tie_break() -> list[str]:
    """The documented default chain: countback over all results, then the most recent race."""
    return ["countback", "last-race"]


def new_version() -> int:
    """A season version token: random, so a reload or restore can never reuse an old one."""
    return secrets.randbits(62)


class SeasonQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> Season:
        return self.get(slug=slug)

    def with_counts(self) -> SeasonQuerySet:
        return self.annotate(
            event_count=Count("events", distinct=True), race_count=Count("events__races")
        )


class Season(models.Model):
    """A World Cup season and the rules its standings are computed by."""

    slug = models.CharField(
        max_length=7,
        unique=True,
        validators=[RegexValidator(r"^\d{4}-\d{2}$", "Like 2012-13.")],
        help_text="Like 2012-13; used in URLs, the CLI and the CSV format.",
    )
    name = models.CharField(max_length=20, help_text="Display name, like 2012–13.")
    start_date = models.DateField()
    end_date = models.DateField()

    # The rules, as data (see results/standings.py for how they are applied).
    points_table = models.JSONField(
        default=list,
        help_text="World Cup points for each final rank, 1st first, e.g. [1000, 800, 640]. "
        "Ranks below the last entry score 0.",
    )
    best_individual = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=BEST_OF_RANGE,
        help_text="Best results that count per individual distance (6 in 2012–13). "
        "Empty: all count.",
    )
    best_relay = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=BEST_OF_RANGE,
        help_text="Best results that count for the relays. Empty: all.",
    )
    best_mixed_relay = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=BEST_OF_RANGE,
        help_text="Best results that count for the mixed relay. Empty: all.",
    )
    overall = models.BooleanField(
        default=False,
        help_text="The season has an overall classification (Crystal Globe) over the "
        "individual races of all distances.",
    )
    best_overall = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=BEST_OF_RANGE,
        help_text="Best races that count in the overall classification. Empty: all.",
    )
    nations_classification = models.BooleanField(
        default=False,
        help_text="The season has a nations' classification (Team Crystal Globe): all points "
        "of a nation's skaters and teams, none dropped.",
    )
    scoreless_statuses = models.JSONField(
        default=list,
        blank=True,
        help_text='Statuses that score 0 even with a classified rank, e.g. ["YC"]. '
        "A line with no classified rank always scores 0.",
    )
    tie_break = models.JSONField(
        default=default_tie_break,
        blank=True,
        help_text="Tie-break chain for equal net points, tried in order: "
        '"countback", "last-race" (the default, both). Empty: ties stand and the rank is '
        "shared.",
    )
    rules_confidence = models.CharField(
        max_length=8, choices=Confidence.choices, default=Confidence.SOURCED
    )
    rules_source = models.TextField(
        blank=True, help_text="Where the rules come from and what is still to be confirmed."
    )
    source = models.TextField(blank=True)
    note = models.TextField(blank=True, help_text="Corrections to a source, with its value.")
    version = models.BigIntegerField(
        default=new_version,
        editable=False,
        serialize=False,
        help_text="A fresh token after every committed change of the season's results or "
        "rules: cached standings and pages are keyed by it. Never dumped or loaded.",
    )

    history = HistoricalRecords(excluded_fields=["version"])

    objects = SeasonQuerySet.as_manager()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__regex=r"^\d{4}-\d{2}$"), name="season_slug_format"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="season_end_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    (Q(best_individual__isnull=True) | Q(best_individual__gte=1))
                    & (Q(best_relay__isnull=True) | Q(best_relay__gte=1))
                    & (Q(best_mixed_relay__isnull=True) | Q(best_mixed_relay__gte=1))
                    & (Q(best_overall__isnull=True) | Q(best_overall__gte=1))
                ),
                name="season_best_of_positive",
            ),
            choices_check("rules_confidence", Confidence, "season_rules_confidence_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("season-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def races(self) -> RaceQuerySet:
        return Race.objects.filter(event__season=self)

    def neighbours(self) -> tuple[Season | None, Season | None]:
        """The previous and next seasons by date."""
        seasons = Season.objects.only("slug", "name", "start_date")
        previous = seasons.filter(start_date__lt=self.start_date).order_by("-start_date").first()
        following = seasons.filter(start_date__gt=self.start_date).order_by("start_date").first()
        return previous, following

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The season cannot end before it starts."})
        from results.standings import RulesError, rules_for

        try:
            rules_for(self)
        except RulesError as error:
            raise ValidationError({error.field: error.message}) from error

    @cached_property
    def rules(self) -> Rules:
        from results.standings import rules_for

        return rules_for(self)

    def published(self, **table: str) -> dict[tuple[str, str], list[Published]]:
        """The season's published standings rows, per (gender, distance) table (one query)."""
        from results.standings import Published

        published: dict[tuple[str, str], list[Published]] = {}
        rows = self.published_standings.filter(**table).select_related("athlete").order_by("rank")
        for row in rows:
            team = row.nation_id if row.distance in RELAY_DISTANCES else None
            published.setdefault((row.gender, row.distance), []).append(
                Published(
                    rank=row.rank,
                    points=row.points,
                    competitor=row.athlete.slug if row.athlete_id else team,
                    name=row.athlete.name if row.athlete_id else team,
                )
            )
        return published

    def published_for(self, gender: str, distance: str) -> list[Published]:
        return self.published(gender=gender, distance=distance).get((gender, distance), [])

    def published_comparison(self) -> list[tuple[Table, list[Comparison]]]:
        """Each published table of the season beside the computed one (two queries)."""
        from results.standings import compare, season_standings

        published = self.published()
        computed = season_standings(self)
        return [
            (table, compare(table, published[(table.gender, table.distance)], self.rules))
            for table in computed.tables()
            if (table.gender, table.distance) in published
        ]

    def standings(self, gender: str, distance: str, after_race: int | None = None) -> Table:
        """The standings table, computed by results/standings.py (cached by version)."""
        from results.standings import season_standings

        return season_standings(self).table(gender, distance, after_race)


# --- The calendar ---------------------------------------------------------------------------


class EventQuerySet(models.QuerySet):
    def get_by_natural_key(self, season: str, number: int) -> Event:
        return self.get(season__slug=season, number=number)


class Event(models.Model):
    """A World Cup stop: "World Cup 3 · Nagoya"."""

    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="events")
    number = models.PositiveSmallIntegerField(
        validators=NUMBER_RANGE, help_text="1 for the season's first World Cup."
    )
    city = models.CharField(max_length=100)
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text="Leave empty when no source names it.",
    )
    first_day = models.DateField(help_text="First competition day (qualifying).")
    last_day = models.DateField(help_text="Day of the last finals.")
    source = models.TextField(blank=True)
    note = models.TextField(blank=True, help_text="Corrections to a source, with its value.")

    history = HistoricalRecords()

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["first_day", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "number"], name="event_unique_number_per_season"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=999), name="event_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="event_last_day_after_first"
            ),
        ]

    def __str__(self) -> str:
        return f"World Cup {self.number} · {self.city}"

    def get_absolute_url(self) -> str:
        return reverse("event-detail", args=[self.season.slug, self.number])

    def create_programme(
        self, doubled: dict[str, str], relays: bool = True, mixed_relay: bool = False
    ) -> list[Race]:
        """Create the event's standard programme as draft races on its last day: 500, 1000
        and 1500 m for men and women (the `doubled` distance of a gender twice), their relays,
        and optionally the mixed relay. Races that exist are kept; returns the new ones."""
        wanted = []
        for gender in (Gender.MEN, Gender.WOMEN):
            for distance in INDIVIDUAL_DISTANCES:
                for number in (1, 2) if doubled.get(gender) == distance else (1,):
                    wanted.append((gender, distance, number))
            if relays:
                relay = Distance.RELAY_5000 if gender == Gender.MEN else Distance.RELAY_3000
                wanted.append((gender, relay, 1))
        if mixed_relay:
            wanted.append((Gender.MIXED, Distance.MIXED_RELAY_2000, 1))
        existing = set(self.races.values_list("gender", "distance", "number"))
        created = []
        for gender, distance, number in wanted:
            if (gender, distance, number) not in existing:
                race = Race(
                    event=self, gender=gender, distance=distance, number=number, date=self.last_day
                )
                race._change_reason = "Standard programme"
                race.save()
                created.append(race)
        return created

    def natural_key(self) -> tuple[str, int]:
        return (*self.season.natural_key(), self.number)

    natural_key.dependencies = ["results.season", "results.venue"]

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day cannot be before the first day."})
        if self.season_id and self.first_day and self.last_day:
            season = self.season
            if self.first_day < season.start_date or self.last_day > season.end_date:
                raise ValidationError(
                    f"The event's days must lie within the season "
                    f"({season.start_date:%-d %b %Y} – {season.end_date:%-d %b %Y})."
                )


def twin_race_exists(race: str) -> Exists:
    """Whether the race at `race` (a lookup path, "" for Race itself) has a "(1)"/"(2)" twin."""
    prefix = f"{race}__" if race else ""
    twin = Race.objects.filter(
        event=OuterRef(f"{prefix}event"),
        gender=OuterRef(f"{prefix}gender"),
        distance=OuterRef(f"{prefix}distance"),
    ).exclude(number=OuterRef(f"{prefix}number"))
    return Exists(twin)


class RaceQuerySet(models.QuerySet):
    def get_by_natural_key(
        self, season: str, event: int, gender: str, distance: str, number: int
    ) -> Race:
        return self.get(
            event__season__slug=season,
            event__number=event,
            gender=gender,
            distance=distance,
            number=number,
        )

    def with_doubled(self) -> RaceQuerySet:
        """Annotate `doubled`: the distance is skated twice at the event, "(1)" and "(2)"."""
        return self.annotate(doubled=twin_race_exists(""))

    def public(self) -> RaceQuerySet:
        return self.filter(state__in=PUBLIC_STATES)

    def with_result_count(self) -> RaceQuerySet:
        return self.annotate(result_count=Count("results"))

    def in_programme_order(self) -> RaceQuerySet:
        """Men, women, mixed; each event in turn; 500, 1000, 1500 m, relays; (1), (2).

        The layout of the season's calendar as the encyclopedia prints it.
        """
        return self.order_by(
            models.Case(
                *(models.When(gender=g, then=i) for i, g in enumerate(Gender.values)),
                output_field=models.IntegerField(),
            ),
            "event__number",
            models.Case(
                *(models.When(distance=d, then=i) for i, d in enumerate(Distance.values)),
                output_field=models.IntegerField(),
            ),
            "number",
        )


class Race(models.Model):
    """One race of an event: a gender, a distance and which race of that distance it is."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="races")
    gender = models.CharField(max_length=5, choices=Gender.choices)
    distance = models.CharField(max_length=20, choices=Distance.choices)
    number = models.PositiveSmallIntegerField(
        default=1,
        validators=NUMBER_RANGE,
        help_text="1, or 2 for the second race of a distance skated twice at the event "
        '(the "(2)" race).',
    )
    date = models.DateField(help_text="Day of the race's finals.")
    record_note = models.CharField(
        max_length=200,
        blank=True,
        help_text='A record set in the race, e.g. "WR" (world record). Never a winner.',
    )
    state = models.CharField(
        "publication",
        max_length=11,
        choices=Publication.choices,
        default=Publication.DRAFT,
        help_text="Draft results are seen only by staff; provisional and official are public.",
    )
    classification = models.CharField(
        max_length=8,
        choices=Completeness.choices,
        default=Completeness.COMPLETE,
        help_text="Complete: every classified rank from 1 down, no gaps. Partial: only the "
        "places a source gives.",
    )
    source = models.TextField(blank=True)
    note = models.TextField(blank=True, help_text="Corrections to a source, with its value.")
    revision = models.PositiveIntegerField(
        default=0,
        editable=False,
        serialize=False,
        help_text="Counts every write to the race or its classification: two officials saving "
        "the same race get a conflict, not a silent overwrite.",
    )

    history = HistoricalRecords(excluded_fields=["revision"])

    objects = RaceQuerySet.as_manager()

    class Meta:
        ordering = ["date", "gender", "distance", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "gender", "distance", "number"], name="race_unique_per_event"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=999), name="race_number_positive"
            ),
            choices_check("gender", Gender, "race_gender_valid"),
            choices_check("distance", Distance, "race_distance_valid"),
            choices_check("state", Publication, "race_state_valid"),
            choices_check("classification", Completeness, "race_classification_valid"),
            models.CheckConstraint(
                condition=(
                    Q(distance__in=INDIVIDUAL_DISTANCES, gender__in=[Gender.MEN, Gender.WOMEN])
                    | Q(distance=Distance.RELAY_5000, gender=Gender.MEN)
                    | Q(distance=Distance.RELAY_3000, gender=Gender.WOMEN)
                    | Q(distance=Distance.MIXED_RELAY_2000, gender=Gender.MIXED)
                ),
                name="race_distance_fits_gender",
                violation_error_message="The men skate the 5000 m relay, the women the 3000 m "
                "relay, and only the mixed relay is mixed.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("race-detail", args=self.url_args())

    def url_args(self) -> list:
        """season, event number, gender, distance, race number (needs event__season)."""
        return [self.event.season.slug, self.event.number, self.gender, self.distance, self.number]

    def file_name(self) -> str:
        return "-".join(str(part) for part in self.url_args())

    def classification_lines(self) -> list[Result]:
        """The published classification (empty while draft), each line with its points."""
        if not self.is_public:
            return []
        # The related manager hands each line this race, already loaded with its season.
        return list(
            self.results.select_related("athlete", "adjustment")
            .prefetch_related("members")
            .order_by(models.F("rank").asc(nulls_last=True), "athlete__name", "nation")
        )

    def natural_key(self) -> tuple:
        return (*self.event.natural_key(), self.gender, self.distance, self.number)

    natural_key.dependencies = ["results.event"]

    @property
    def is_relay(self) -> bool:
        return self.distance in RELAY_DISTANCES

    @property
    def title(self) -> str:
        """ "Men 1000 m (2)"; the "(1)" shows when the queryset annotated `doubled`."""
        label = f"{self.get_gender_display()} {self.get_distance_display()}"
        if self.number > 1 or getattr(self, "doubled", False):
            label += f" ({self.number})"
        return label

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES

    def publish(self, state: str, reason: str = "") -> None:
        """Move the classification to draft, provisional or official, keeping the move in the
        history. Official results are corrected (with a reason), never unpublished."""
        if state not in Publication.values:
            raise ValidationError(f"Unknown publication state {state!r}.")
        if self.state == Publication.OFFICIAL and state != Publication.OFFICIAL:
            raise ValidationError(
                f"{self} is official: correct its results with a reason instead of "
                "unpublishing them."
            )
        if self.state == state:
            return
        self.state = state
        self.revision += 1
        self._change_reason = reason or f"Published as {Publication(state).label.lower()}"
        self.save(update_fields=["state", "revision"])

    def corrections(self) -> list[dict]:
        """Corrections of the official classification: the saves with a reason made after the
        race was first official, newest first, each with when, why and how many lines it
        changed, added and removed (an adjustment counts as a change of its line)."""
        since = (
            Race.history.filter(id=self.pk, state=Publication.OFFICIAL)
            .order_by("history_date")
            .values_list("history_date", flat=True)
            .first()
        )
        if since is None:
            return []
        changes = [
            *Result.history.filter(race_id=self.pk, history_date__gt=since).values_list(
                "history_date", "history_type", "history_change_reason"
            ),
            *Adjustment.history.filter(
                result_id__in=Result.objects.filter(race_id=self.pk).values("pk"),
                history_date__gt=since,
            ).values_list("history_date", models.Value("~"), "reason"),
        ]
        grouped: dict[tuple, dict] = {}
        for when, kind, reason in sorted(changes, key=lambda change: change[0], reverse=True):
            if not reason:
                continue
            entry = grouped.setdefault(
                (when.replace(second=0, microsecond=0), reason),
                {"date": when, "reason": reason, "changed": 0, "added": 0, "removed": 0},
            )
            entry[{"~": "changed", "+": "added", "-": "removed"}[kind]] += 1
        return list(grouped.values())

    def clean(self) -> None:
        expected = RELAY_GENDER.get(self.distance)
        if expected and self.gender != expected:
            raise ValidationError(
                {
                    "distance": f"The {self.get_distance_display()} is skated by "
                    f"{Gender(expected).label.lower()} only."
                }
            )
        if not expected and self.gender == Gender.MIXED:
            raise ValidationError({"gender": "Only the mixed relay is mixed."})
        if self.event_id and self.date:
            event = self.event
            if not event.first_day <= self.date <= event.last_day:
                raise ValidationError(
                    {
                        "date": f"The race date must lie within its event "
                        f"({event.first_day:%-d %b %Y} – {event.last_day:%-d %b %Y})."
                    }
                )


# --- Classifications ------------------------------------------------------------------------


MEDAL_COUNTS = {
    "gold": Count("pk", filter=Q(rank=1)),
    "silver": Count("pk", filter=Q(rank=2)),
    "bronze": Count("pk", filter=Q(rank=3)),
    "total": Count("pk"),
}


class ResultQuerySet(models.QuerySet):
    def get_by_natural_key(
        self,
        season: str,
        event: int,
        gender: str,
        distance: str,
        number: int,
        athlete: str | None,
        nation: str,
    ) -> Result:
        race = Race.objects.get_by_natural_key(season, event, gender, distance, number)
        if athlete is None:
            return self.get(race=race, athlete__isnull=True, nation_id=nation)
        return self.get(race=race, athlete__slug=athlete)

    def public(self) -> ResultQuerySet:
        return self.filter(race__state__in=PUBLIC_STATES)

    def with_race_doubled(self) -> ResultQuerySet:
        return self.annotate(race_doubled=twin_race_exists("race"))

    def in_season(self, season: Season) -> ResultQuerySet:
        return self.filter(race__event__season=season)

    def latest_event_first(self) -> ResultQuerySet:
        return self.select_related("race__event__season", "athlete").order_by(
            "-race__event__number", "race__gender", "race__distance", "race__number", "rank"
        )

    def medal_table(self) -> list[dict]:
        """Gold, silver, bronze and total podium places per nation, best first."""
        return list(
            self.podiums()
            .values("nation")
            .annotate(**MEDAL_COUNTS)
            .order_by("-gold", "-silver", "-bronze", "nation")
        )

    def medals_by_season(self) -> list[dict]:
        return list(
            self.podiums()
            .values("race__event__season__slug", "race__event__season__name")
            .annotate(**MEDAL_COUNTS)
            .order_by("-race__event__season__start_date")
        )

    def podiums(self) -> ResultQuerySet:
        return self.filter(rank__lte=3)


class Result(models.Model):
    """One line of a race's final classification: a skater, or a relay team by nation."""

    race = models.ForeignKey(Race, on_delete=models.CASCADE, related_name="results")
    rank = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=NUMBER_RANGE,
        help_text="Final rank; empty when not classified (e.g. DNS).",
    )
    athlete = models.ForeignKey(
        Athlete,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results",
        help_text="Empty for a relay team.",
    )
    nation = models.ForeignKey(
        Nation,
        on_delete=models.PROTECT,
        related_name="results",
        help_text="The nation skated for that day.",
    )
    time = models.DecimalField(
        max_digits=7, decimal_places=3, null=True, blank=True, help_text="Seconds, e.g. 39.937."
    )
    status = models.CharField(max_length=3, choices=Status.choices, blank=True, default="")
    members = models.ManyToManyField(
        Athlete, blank=True, related_name="relay_results", help_text="Relay team members."
    )
    source = models.TextField(blank=True, help_text="Where this line comes from.")
    confidence = models.CharField(
        max_length=8, choices=Confidence.choices, default=Confidence.SOURCED
    )
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = [models.F("rank").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1, rank__lte=999),
                name="result_rank_positive",
            ),
            models.UniqueConstraint(
                fields=["race", "rank"],
                name="result_unique_rank_per_race",
                violation_error_message="Two lines of this race have the same rank.",
            ),
            models.UniqueConstraint(
                fields=["race", "athlete"],
                name="result_unique_athlete_per_race",
                violation_error_message="This athlete already has a line in this race.",
            ),
            models.UniqueConstraint(
                fields=["race", "nation"],
                condition=Q(athlete__isnull=True),
                name="result_unique_team_per_race",
                violation_error_message="This nation's team already has a line in this race.",
            ),
            choices_check("status", Status, "result_status_valid"),
            choices_check("confidence", Confidence, "result_confidence_valid"),
            models.CheckConstraint(
                condition=Q(rank__isnull=False) | ~Q(status=Status.CLASSIFIED),
                name="result_unranked_has_status",
                violation_error_message="A line with no rank needs a status (PEN, DNF, DNS, YC).",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.DNS) | Q(rank__isnull=True),
                name="result_dns_unranked",
                violation_error_message="A skater who did not start has no rank.",
            ),
            models.CheckConstraint(
                condition=Q(time__isnull=True) | Q(time__gt=0), name="result_time_positive"
            ),
            # "result_relay_has_no_athlete" spans two tables: a trigger (migration 0002).
        ]

    def __str__(self) -> str:
        rank = f"{self.rank}." if self.rank else self.status
        return f"{rank} {self.athlete.name if self.athlete_id else self.nation_id}"

    def natural_key(self) -> tuple:
        athlete = self.athlete.slug if self.athlete_id else None
        return (*self.race.natural_key(), athlete, self.nation_id)

    natural_key.dependencies = ["results.race", "results.athlete", "results.nation"]

    @property
    def competitor(self) -> str:
        return self.athlete.name if self.athlete_id else self.nation_id

    @property
    def time_display(self) -> str:
        return format_time(self.time)

    @property
    def points(self) -> int:
        """World Cup points of this line under its season's rules; 0 once disqualified.

        Load race__event__season and adjustment with the line (select_related).
        """
        from results.standings import points_for

        adjustment = getattr(self, "adjustment", None)  # None: no adjustment recorded
        if adjustment is not None and adjustment.kind == AdjustmentKind.DISQUALIFIED:
            return 0
        return points_for(self.rank, self.status, self.race.event.season.rules)

    def clean(self) -> None:
        race = self.race if self.race_id else None
        if race is None:
            return
        if race.is_relay:
            if self.athlete_id:
                raise ValidationError(
                    {"athlete": "A relay line names the team's nation, not an athlete."}
                )
        else:
            if not self.athlete_id:
                raise ValidationError({"athlete": "An individual race needs an athlete."})
            if self.athlete.gender != race.gender:
                raise ValidationError(
                    {
                        "athlete": f"{self.athlete.name} skates in the "
                        f"{self.athlete.get_gender_display().lower()}'s races, "
                        f"not the {race.get_gender_display().lower()}'s."
                    }
                )
        if self.status == Status.DNS and self.rank:
            raise ValidationError({"rank": "A skater who did not start has no rank."})
        if not self.rank and self.status == Status.CLASSIFIED:
            raise ValidationError({"status": "A line with no rank needs a status."})


class PodiumManager(models.Manager.from_queryset(ResultQuerySet)):
    def get_queryset(self) -> ResultQuerySet:
        return super().get_queryset().filter(rank__lte=3)


class Podium(Result):
    """The podium of a race: ranks 1–3 of its classification (the same rows, stored once)."""

    objects = PodiumManager()

    class Meta:
        proxy = True
        ordering = ["race__date", "race__event__number", "race_id", "rank"]


class AdjustmentKind(models.TextChoices):
    DISQUALIFIED = "disqualified", "Disqualified: the result scores no points"
    DEDUCTION = "deduction", "Deduction: points taken off the standings total"


class AdjustmentQuerySet(models.QuerySet):
    def get_by_natural_key(self, *result_key: object) -> Adjustment:
        return self.get(result=Result.objects.get_by_natural_key(*result_key))


class Adjustment(models.Model):
    """A standings adjustment an official records against one result, with the reason."""

    result = models.OneToOneField(Result, on_delete=models.CASCADE, related_name="adjustment")
    kind = models.CharField(max_length=12, choices=AdjustmentKind.choices)
    points = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(100_000)],
        help_text="For a deduction: the points taken off the competitor's total.",
    )
    reason = models.TextField(help_text="Why, e.g. the decision that disqualified the result.")
    source = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = AdjustmentQuerySet.as_manager()

    class Meta:
        ordering = ["result"]
        constraints = [
            choices_check("kind", AdjustmentKind, "adjustment_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind=AdjustmentKind.DISQUALIFIED, points=0)
                | Q(kind=AdjustmentKind.DEDUCTION, points__gte=1),
                name="adjustment_points_fit_kind",
                violation_error_message="A deduction takes off at least 1 point; a "
                "disqualification takes none (the result's points go).",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == AdjustmentKind.DEDUCTION:
            return f"−{self.points} points: {self.reason}"
        return f"Disqualified: {self.reason}"

    def natural_key(self) -> tuple:
        return self.result.natural_key()

    natural_key.dependencies = ["results.result"]


class PublishedStandingQuerySet(models.QuerySet):
    def get_by_natural_key(self, season: str, gender: str, distance: str, rank: int):
        return self.get(season__slug=season, gender=gender, distance=distance, rank=rank)


class PublishedStanding(models.Model):
    """A row of a standings table as a source published it, kept to compare with ours."""

    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="published_standings")
    gender = models.CharField(max_length=5, choices=Gender.choices)
    distance = models.CharField(max_length=20, choices=StandingsDistance.choices)
    rank = models.PositiveSmallIntegerField(validators=NUMBER_RANGE)
    athlete = models.ForeignKey(
        Athlete,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="published_standings",
        help_text="Empty when the source does not name the skater, or for a relay team.",
    )
    nation = models.ForeignKey(
        Nation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="published_standings",
        help_text="The relay team's nation, or the skater's when named.",
    )
    points = models.PositiveIntegerField(
        validators=[MaxValueValidator(1_000_000)], help_text="As published, even if it looks wrong."
    )
    source = models.TextField(blank=True)
    confidence = models.CharField(
        max_length=8, choices=Confidence.choices, default=Confidence.SOURCED
    )
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = PublishedStandingQuerySet.as_manager()

    class Meta:
        ordering = ["season", "gender", "distance", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "gender", "distance", "rank"],
                name="published_standing_unique_rank",
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1), name="published_standing_rank_positive"
            ),
            choices_check("gender", Gender, "published_standing_gender_valid"),
            choices_check("distance", StandingsDistance, "published_standing_distance_valid"),
            choices_check("confidence", Confidence, "published_standing_confidence_valid"),
        ]

    def __str__(self) -> str:
        who = self.athlete.name if self.athlete_id else (self.nation_id or "unnamed")
        return f"{self.rank}. {who} {self.points}"

    def natural_key(self) -> tuple:
        return (*self.season.natural_key(), self.gender, self.distance, self.rank)

    natural_key.dependencies = ["results.season", "results.athlete", "results.nation"]


# --- Cache invalidation ---------------------------------------------------------------------
# Every committed change of a season's results, races, events or rules bumps Season.version;
# cached standings and pages are keyed by it, so the next request after the commit sees it.


class BumpSeasonVersion:
    """An on-commit callback that bumps one season's version."""

    def __init__(self, season_id: int) -> None:
        self.season_id = season_id

    def __call__(self) -> None:
        Season.objects.filter(pk=self.season_id).update(version=new_version())


def bump_season_version(season_id: int | None) -> None:
    """Bump the season's version once the current transaction commits (at once outside one).

    One bump per season and transaction, however many rows it writes: a callback already
    waiting for this season is enough (a rolled-back savepoint takes its callbacks with it).
    """
    if season_id is None:
        return
    waiting = transaction.get_connection().run_on_commit
    if any(getattr(callback, "season_id", None) == season_id for _, callback, _ in waiting):
        return
    transaction.on_commit(BumpSeasonVersion(season_id))


def season_id_of(instance: models.Model) -> int | None:
    """The season a changed row belongs to, from what is in memory when possible."""
    if isinstance(instance, Season):
        return instance.pk
    if isinstance(instance, Event | PublishedStanding):
        return instance.season_id
    if isinstance(instance, Race):
        if Race.event.is_cached(instance):
            return instance.event.season_id
        events = Event.objects.filter(pk=instance.event_id)
        return events.values_list("season_id", flat=True).first()
    if isinstance(instance, Result):
        if Result.race.is_cached(instance) and Race.event.is_cached(instance.race):
            return instance.race.event.season_id
        races = Race.objects.filter(pk=instance.race_id)
        return races.values_list("event__season_id", flat=True).first()
    if isinstance(instance, Adjustment):
        results = Result.objects.filter(pk=instance.result_id)
        return results.values_list("race__event__season_id", flat=True).first()
    return None


@receiver([post_save, post_delete], sender=Result)
def classification_changed(sender: type[Result], instance: Result, **kwargs: object) -> None:
    """A line written anywhere is a new revision of its race's classification."""
    Race.objects.filter(pk=instance.race_id).update(revision=models.F("revision") + 1)


@receiver([post_save, post_delete], sender=Season)
@receiver([post_save, post_delete], sender=Event)
@receiver([post_save, post_delete], sender=Race)
@receiver([post_save, post_delete], sender=Result)
@receiver([post_save, post_delete], sender=PublishedStanding)
@receiver([post_save, post_delete], sender=Adjustment)
def season_changed(sender: type[models.Model], instance: models.Model, **kwargs: object) -> None:
    bump_season_version(season_id_of(instance))


@receiver([post_save, post_delete], sender=Athlete)
@receiver([post_save, post_delete], sender=Venue)
@receiver([post_save, post_delete], sender=Nation)
def names_changed(sender: type[models.Model], instance: models.Model, **kwargs: object) -> None:
    """A renamed athlete, venue or nation shows in every season it has a part in."""
    if kwargs.get("created") or kwargs.get("raw"):
        return  # nothing refers to a new row yet; a fixture load bumps through its races
    if isinstance(instance, Venue):
        seasons = Event.objects.filter(venue=instance).values_list("season_id", flat=True)
    elif isinstance(instance, Athlete):
        seasons = Result.objects.filter(Q(athlete=instance) | Q(members=instance)).values_list(
            "race__event__season_id", flat=True
        )
    else:
        seasons = Result.objects.filter(nation=instance).values_list(
            "race__event__season_id", flat=True
        )
    for season_id in set(seasons):
        bump_season_version(season_id)
