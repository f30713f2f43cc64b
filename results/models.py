"""The World Cup: nations, athletes, venues, seasons (with their rules), events, races, results.

The models hold the facts and the rules that guard them: named database constraints for every
invariant a constraint can say, and the operations every write path calls for the rest
(publishing a race, correcting an official one, a complete classification). The sport's words
come from results/vocabulary.py, the rules of points and standings from results/standings/.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from results.standings.classification import (
    DNS_HAS_NO_RANK,
    UNRANKED_NEEDS_STATUS,
    line_problems,
    missing_ranks,
    wrong_gender,
)
from results.standings.rules import Rules, RulesError, points_for, rules_for
from results.vocabulary import (
    DEFAULT_TIE_BREAK,
    DISTANCE_FITS_GENDER,
    INDIVIDUAL_DISTANCES,
    NAME_MESSAGE,
    NAME_PATTERN,
    NAME_SYMBOLS,
    PUBLIC_STATES,
    RELAY_DISTANCES,
    RELAY_GENDER,
    SKATER_GENDERS,
    AdjustmentKind,
    Completeness,
    Confidence,
    Distance,
    Gender,
    RaceState,
    Status,
    TableKind,
    Words,
    format_time,
)

# Ranks and event and race numbers run from 1 to 999 (the site's URLs take no more).
NUMBER_RANGE = [MinValueValidator(1), MaxValueValidator(999)]
BEST_OF_RANGE = [MinValueValidator(1), MaxValueValidator(100)]


def revision_field(what: str) -> models.PositiveIntegerField:
    """Counts every write to the row: a form carries the revision it was drawn from, so that of
    two officials saving the same row the second is told, never silently overwritten."""
    return models.PositiveIntegerField(
        default=0,
        editable=False,
        serialize=False,
        help_text=f"Counts every write to the {what}: two officials saving it at once get a "
        "conflict, not a silent overwrite.",
    )


def choices_check(field: str, choices: type[Words], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


# --- Reference data -------------------------------------------------------------------------


class NationQuerySet(models.QuerySet):
    def get_by_natural_key(self, code: str) -> Nation:
        return self.get(code=code)

    def with_counts(self) -> NationQuerySet:
        """Annotate `athlete_count`: the nation's public skaters."""
        public = Athlete.objects.public().filter(nation=OuterRef("pk"))
        count = public.order_by().values("nation").annotate(n=Count("pk")).values("n")
        return self.annotate(athlete_count=Coalesce(Subquery(count), 0))


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


class AthleteQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> Athlete:
        return self.get(slug=slug)

    def public(self) -> AthleteQuerySet:
        """Skaters the public may see: with a line or a relay membership in a provisional or
        official race, or named in a published standing. A skater entered only in draft
        races is on no public page, list, export or API answer."""
        in_public_race = Q(race__state__in=PUBLIC_STATES)
        return self.filter(
            Exists(Result.objects.filter(in_public_race, athlete=OuterRef("pk")))
            | Exists(Result.objects.filter(in_public_race, members=OuterRef("pk")))
            | Exists(PublishedStanding.objects.filter(athlete=OuterRef("pk")))
        )


class Athlete(models.Model):
    """A skater, named as the sources write the name, with other spellings kept as aliases."""

    name = models.CharField(
        max_length=100,
        validators=[RegexValidator(NAME_PATTERN, NAME_MESSAGE)],
        help_text="As the ISU writes it.",
    )
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in the athlete's URL.")
    gender = models.CharField(max_length=5, choices=[(g.value, g.label) for g in SKATER_GENDERS])
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
                condition=~Q(name__regex=NAME_SYMBOLS) & ~Q(name=""),
                name="athlete_name_plain",
                violation_error_message=NAME_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(gender__in=SKATER_GENDERS), name="athlete_gender_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nation_id})"

    def get_absolute_url(self) -> str:
        return reverse("athlete-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

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
    return [step.value for step in DEFAULT_TIE_BREAK]


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

    # The rules, as data (results/standings/ applies them).
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
    revision = revision_field("season and its rules")

    history = HistoricalRecords(excluded_fields=["version", "revision"])

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
        try:
            rules_for(self)
        except RulesError as error:
            raise ValidationError({error.field: error.message}) from error

    @cached_property
    def rules(self) -> Rules:
        return rules_for(self)

    def check_rules_change(self, reason: str) -> None:
        """Rules that change standings already public are changed with a reason."""
        if reason.strip() or not self.pk:
            return
        if Race.objects.filter(event__season=self).public().exists():
            raise ValidationError(
                "This season's standings are public: say why its rules change "
                "(the ISU communication that changed them, for example).",
                code="reason",
            )


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
    revision = revision_field("event")

    history = HistoricalRecords(excluded_fields=["revision"])

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

    def official(self) -> RaceQuerySet:
        return self.filter(state=RaceState.OFFICIAL)

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
        choices=RaceState.choices,
        default=RaceState.DRAFT,
        help_text="Draft results are seen only by staff; provisional and official are public.",
    )
    completeness = models.CharField(
        "classification",
        max_length=8,
        choices=Completeness.choices,
        default=Completeness.COMPLETE,
        help_text="Complete: every classified rank from 1 down, no gaps. Partial: only the "
        "places a source gives.",
    )
    source = models.TextField(blank=True)
    note = models.TextField(blank=True, help_text="Corrections to a source, with its value.")
    revision = revision_field("race or its classification")

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
            choices_check("state", RaceState, "race_state_valid"),
            choices_check("completeness", Completeness, "race_completeness_valid"),
            models.CheckConstraint(
                condition=Q(distance__in=INDIVIDUAL_DISTANCES, gender__in=SKATER_GENDERS)
                | Q(distance=Distance.RELAY_5000, gender=Gender.MEN)
                | Q(distance=Distance.RELAY_3000, gender=Gender.WOMEN)
                | Q(distance=Distance.MIXED_RELAY_2000, gender=Gender.MIXED),
                name="race_distance_fits_gender",
                violation_error_message=DISTANCE_FITS_GENDER,
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

    # --- The publication rules: every write path (the admin's pages, inlines and actions,
    # imports, history reverts) calls these, and shows their message.

    def is_stored_official(self) -> bool:
        """Whether the race, as saved, is official (a form may be changing it)."""
        return bool(self.pk) and Race.objects.official().filter(pk=self.pk).exists()

    def check_state(self, state: str, stored: str | None = None) -> None:
        """Official results are corrected (with a reason), never unpublished. `stored`: the
        race's saved state when the caller has just read it (else it is looked up)."""
        if state not in RaceState.values:
            raise ValidationError(f"Unknown publication state {state!r}.", code="state")
        official = self.is_stored_official() if stored is None else stored == RaceState.OFFICIAL
        if state != RaceState.OFFICIAL and official:
            raise ValidationError(
                f"{self} is official: it is corrected with a reason, never unpublished.",
                code="unpublish",
            )

    def check_correction(self, reason: str) -> None:
        """Any change to an official race is a correction, and a correction has a reason."""
        if not reason.strip() and self.is_stored_official():
            raise ValidationError(
                "This race is official: give the reason for the correction; the history and "
                "the race's public page say why it is corrected.",
                code="reason",
            )

    def check_complete(self, ranks: Iterable[int | None], completeness: str = "") -> None:
        """A classification marked complete has every rank from 1, with no gap."""
        if (completeness or self.completeness) != Completeness.COMPLETE:
            return
        missing = missing_ranks(ranks)
        if missing:
            raise ValidationError(
                f"{self} is marked complete: rank(s) {', '.join(map(str, missing))} would be "
                "missing. Enter those lines, or mark the race's classification partial.",
                code="incomplete",
            )

    def publish(self, state: str, reason: str = "", user: Any = None) -> bool:
        """Move the classification to draft, provisional or official, keeping the move in the
        history; False when it already was there."""
        self.check_state(state, stored=self.state)
        if self.state == state:
            return False
        self.state = state
        self._change_reason = reason or f"Published as {RaceState(state).label.lower()}"
        if user is not None:
            self._history_user = user
        self.save(update_fields=["state"])  # a new revision: see results/versioning.py
        return True

    def corrections(self) -> list[dict]:
        """Corrections of the official classification: the saves with a reason made after the
        race was first official, newest first, each with when, why and how many lines it
        changed, added and removed (an adjustment counts as a change of its line)."""
        since = (
            Race.history.filter(id=self.pk, state=RaceState.OFFICIAL)
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
    revision = revision_field("line")

    history = HistoricalRecords(excluded_fields=["revision"])

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
                violation_error_message=UNRANKED_NEEDS_STATUS,
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.DNS) | Q(rank__isnull=True),
                name="result_dns_unranked",
                violation_error_message=DNS_HAS_NO_RANK,
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
        adjustment = getattr(self, "adjustment", None)  # None: no adjustment recorded
        if adjustment is not None and adjustment.kind == AdjustmentKind.DISQUALIFIED:
            return 0
        return points_for(self.rank, self.status, self.race.event.season.rules)

    def clean(self) -> None:
        race = self.race if self.race_id else None
        if race is None:
            return
        problems = line_problems(
            relay=race.is_relay, athlete=bool(self.athlete_id), rank=self.rank, status=self.status
        )
        if not race.is_relay and self.athlete_id:
            athlete = self.athlete
            wrong = wrong_gender(athlete.name, athlete.gender, race.gender)
            if wrong:
                problems.insert(0, ("athlete", wrong))
        if problems:
            field, message = problems[0]
            raise ValidationError({field: message})


class PodiumManager(models.Manager.from_queryset(ResultQuerySet)):
    def get_queryset(self) -> ResultQuerySet:
        return super().get_queryset().filter(rank__lte=3)


class Podium(Result):
    """The podium of a race: ranks 1–3 of its classification (the same rows, stored once)."""

    objects = PodiumManager()

    class Meta:
        proxy = True
        ordering = ["race__date", "race__event__number", "race_id", "rank"]


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
    def get_by_natural_key(self, season: str, gender: str, kind: str, rank: int):
        return self.get(season__slug=season, gender=gender, kind=kind, rank=rank)


class PublishedStanding(models.Model):
    """A row of a standings table as a source published it, kept to compare with ours."""

    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="published_standings")
    gender = models.CharField(max_length=5, choices=Gender.choices)
    kind = models.CharField(
        "table", max_length=20, choices=TableKind.choices, help_text="A distance, or overall."
    )
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
        ordering = ["season", "gender", "kind", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "gender", "kind", "rank"],
                name="published_standing_unique_rank",
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1), name="published_standing_rank_positive"
            ),
            choices_check("gender", Gender, "published_standing_gender_valid"),
            choices_check("kind", TableKind, "published_standing_kind_valid"),
            choices_check("confidence", Confidence, "published_standing_confidence_valid"),
        ]

    def __str__(self) -> str:
        who = self.athlete.name if self.athlete_id else (self.nation_id or "unnamed")
        return f"{self.rank}. {who} {self.points}"

    def natural_key(self) -> tuple:
        return (*self.season.natural_key(), self.gender, self.kind, self.rank)

    natural_key.dependencies = ["results.season", "results.athlete", "results.nation"]
