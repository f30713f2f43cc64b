"""The World Cup: nations, athletes, venues, seasons (with their rules), events, races, results.

The models hold the facts and the rules that guard them: named database constraints for every
invariant a constraint can say, and the operations every write path calls for the rest
(publishing a race, correcting an official one, a complete classification). The sport's words
come from results/vocabulary.py, the rules of points and standings from results/standings/.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from results.standings.classification import (
    DNS_HAS_NO_RANK,
    UNRANKED_NEEDS_STATUS,
    line_problems,
    missing_ranks,
    shared_rank_problems,
    who_problem,
    wrong_gender,
)
from results.standings.rounds import (
    HELMET_TAKEN,
    SKATER_ENTERED,
    RoundLine,
    classify,
    round_problems,
)
from results.standings.rules import Rules, RulesError, points_for, rules_for
from results.vocabulary import (
    ADVANCED,
    DEFAULT_TIE_BREAK,
    DISTANCE_FITS_GENDER,
    INDIVIDUAL_DISTANCES,
    NAME_MESSAGE,
    NAME_PATTERN,
    NAME_SYMBOLS,
    PUBLIC_STATES,
    RELAY_DISTANCES,
    RELAY_GENDER,
    ROUND_ORDER,
    SKATER_GENDERS,
    AdjustmentKind,
    ClassificationRule,
    Completeness,
    Confidence,
    Distance,
    Gender,
    Qualification,
    RaceState,
    RoundName,
    Status,
    TableKind,
    Words,
    folded,
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


def latest_change(row: models.Model, *histories: models.QuerySet) -> datetime | None:
    """The latest save among these history rows (None: none), read in one query."""
    latest = {
        f"change_{i}": Subquery(history.order_by("-history_date").values("history_date")[:1])
        for i, history in enumerate(histories)
    }
    rows = type(row)._base_manager.filter(pk=row.pk).annotate(**latest).values_list(*latest)
    return max((when for when in rows.first() or () if when is not None), default=None)


# --- Reference data -------------------------------------------------------------------------


class NationQuerySet(models.QuerySet):
    def get_by_natural_key(self, code: str) -> Nation:
        return self.get(code=code)

    def taking_part(self) -> NationQuerySet:
        """Nations with a public skater or a public result (a relay team's, say)."""
        public = Result.objects.filter(race__state__in=PUBLIC_STATES, nation=OuterRef("pk"))
        skaters = Athlete.objects.public().filter(nation=OuterRef("pk"))
        return self.filter(Exists(public) | Exists(skaters))

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


class FoldedNamesField(models.CharField):
    """An athlete's name and other spellings, folded (no accents, no case) and joined by "|",
    kept in step with them on every save: what name searches compare (on every database
    alike). A fixture load, which writes rows as they are, is followed by `fold_names`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = model_instance.folded_names()
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self) -> tuple:
        """A plain CharField to migrations: they hold columns, not the code that fills them."""
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


def fold_names(sender: type[Athlete], instance: Athlete, raw: bool = False, **kw: Any) -> None:
    """After a fixture load's raw save (which skips the field's pre_save): fold the names."""
    if raw:
        Athlete.objects.filter(pk=instance.pk).update(search_names=instance.folded_names())


class AthleteQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> Athlete:
        return self.get(slug=slug)

    def named(self, text: str) -> AthleteQuerySet:
        """Skaters whose name or another spelling holds the text, accents and case aside."""
        return self.filter(search_names__contains=folded(text))

    def public(self) -> AthleteQuerySet:
        """Skaters the public may see: with a line, a heat line or a relay membership in a
        provisional or official race, or named in a published standing. A skater entered only
        in draft races is on no public page, list, export or API answer."""
        in_public_race = Q(race__state__in=PUBLIC_STATES)
        in_public_round = Q(round__race__state__in=PUBLIC_STATES)
        return self.filter(
            Exists(Result.objects.filter(in_public_race, athlete=OuterRef("pk")))
            | Exists(Result.objects.filter(in_public_race, members=OuterRef("pk")))
            | Exists(HeatLine.objects.filter(in_public_round, athlete=OuterRef("pk")))
            | Exists(HeatLine.objects.filter(in_public_round, members=OuterRef("pk")))
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
    search_names = FoldedNamesField(serialize=False)

    history = HistoricalRecords(excluded_fields=["search_names"])

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

    def folded_names(self) -> str:
        names = [self.name, *(self.aliases if isinstance(self.aliases, list) else [])]
        return "|".join(folded(str(name)) for name in names)

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

    def latest_rules(self) -> dict[str, Any]:
        """The rules of the latest season, to start a new season with ({} when none). They
        are assumed for the new season until a source for it is given: the latest season's
        source speaks of that season."""
        latest = self.order_by("-start_date").first()
        if latest is None:
            return {}
        return {
            **{name: getattr(latest, name) for name in Season.RULES},
            "rules_confidence": Confidence.ASSUMED,
            "classification_rule_confidence": Confidence.ASSUMED,
            "rules_source": f"Copied from the rules of {latest.name} ({latest.rules_confidence} "
            "there); give this season's source and mark them sourced once checked.",
        }

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
        max_length=8,
        choices=Confidence.choices,
        default=Confidence.ASSUMED,
        help_text="Sourced only when the rules' source below says where they come from.",
    )
    rules_source = models.TextField(
        blank=True, help_text="Where the rules come from and what is still to be confirmed."
    )
    classification_rule = models.CharField(
        max_length=20,
        choices=ClassificationRule.choices,
        default=ClassificationRule.LATEST_ROUND,
        help_text="How a race skated in rounds gives its final classification (see the README).",
    )
    classification_rule_confidence = models.CharField(
        "confidence of the classification rule",
        max_length=8,
        choices=Confidence.choices,
        default=Confidence.ASSUMED,
        help_text="The ISU's text of the rule for 2012–13 was not found: assumed.",
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
            choices_check(
                "classification_rule", ClassificationRule, "season_classification_rule_valid"
            ),
            choices_check(
                "classification_rule_confidence",
                Confidence,
                "season_classification_rule_confidence_valid",
            ),
        ]

    # The rules that make the standings and classifications (a change to them, once the
    # season's standings are public, needs a reason), and what a new season copies.
    RULES = (
        "points_table", "best_individual", "best_relay", "best_mixed_relay", "overall",
        "best_overall", "nations_classification", "scoreless_statuses", "tie_break",
        "classification_rule",
    )  # fmt: skip

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

    def rederive(self, reason: str, user: Any = None) -> int:
        """Derive again the classification of every race of the season skated in rounds (after
        its classification rule changed); returns how many races."""
        races = [race for race in self.races().filter(rounds__isnull=False).distinct()]
        for race in races:
            race.event.season = self  # the rule as it is now, not as a cached copy had it
            race.derive_classification(reason, user)
        return len(races)

    def last_change(self) -> datetime | None:
        """When the season's public results last changed: the latest save of its rules, its
        races, or the lines of its public races and their adjustments (one query; the
        standings pages say it while an event is on). Drafts are edited unseen."""
        public = Race.objects.filter(event__season=self).public().values("pk")
        return latest_change(
            self,
            Season.history.filter(id=self.pk),
            Race.history.filter(event_id__in=self.events.values("pk")),
            Result.history.filter(race_id__in=public),
            Adjustment.history.filter(
                result_id__in=Result.objects.filter(race__in=public).values("pk")
            ),
        )


# --- The calendar ---------------------------------------------------------------------------


class EventQuerySet(models.QuerySet):
    def get_by_natural_key(self, season: str, number: int) -> Event:
        return self.get(season__slug=season, number=number)

    def on(self, day: date) -> EventQuerySet:
        """Events on that day: between their first and last day."""
        return self.filter(first_day__lte=day, last_day__gte=day)


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

    def is_on(self, day: date) -> bool:
        """Whether the event is on that day (EventQuerySet.on)."""
        return self.first_day <= day <= self.last_day

    def create_programme(
        self, doubled: dict[str, str], relays: bool = True, mixed_relay: bool = False
    ) -> list[Race]:
        """Create the event's standard programme as draft races with their usual rounds: 500,
        1000 and 1500 m for men and women (the `doubled` distance of a gender twice), their
        relays, and optionally the mixed relay. Races that exist are kept; returns the new ones.

        Dates follow the event's days (PROGRAMME_DATES). Rounds: heats, quarterfinals,
        semifinals and both finals for the 500 and 1000 m; heats, semifinals and finals for
        the 1500 m; semifinals and finals for the relays. An official adds preliminaries or
        a repechage when the entries call for them, and changes dates the event's schedule
        sets otherwise."""
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
        days = (self.last_day - self.first_day).days
        first_finals = self.last_day - timedelta(days=1) if days >= 2 else self.last_day
        created = []
        for gender, distance, number in wanted:
            if (gender, distance, number) in existing:
                continue
            last = number > 1 or distance not in INDIVIDUAL_DISTANCES
            race = Race(
                event=self,
                gender=gender,
                distance=distance,
                number=number,
                date=self.last_day if last else first_finals,
            )
            race._change_reason = "Standard programme"
            race.save()
            Round.objects.bulk_create(Round(race=race, name=name) for name in race.usual_rounds)
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


PROGRAMME_DATES = (
    'each race is dated by the day of its finals: the "(1)" finals on the day before the '
    'event\'s last, the "(2)" finals and the relays on the last day (a two-day event has all '
    "its finals on the second day; a one-day event, on that day)"
)


class EventEntry(models.Model):
    """A skater on an event's entry list, with the helmet number they skate with there."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="entries")
    athlete = models.ForeignKey(Athlete, on_delete=models.PROTECT, related_name="entries")
    nation = models.ForeignKey(
        Nation, on_delete=models.PROTECT, related_name="entries", help_text="Skating for."
    )
    helmet = models.PositiveSmallIntegerField(
        "helmet number", null=True, blank=True, validators=NUMBER_RANGE
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "entry list"
        ordering = ["event", "helmet", "athlete__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "athlete"],
                name="entry_unique_athlete_per_event",
                violation_error_message=SKATER_ENTERED,
            ),
            models.UniqueConstraint(
                fields=["event", "helmet"],
                condition=Q(helmet__isnull=False),
                name="entry_unique_helmet_per_event",
                violation_error_message=HELMET_TAKEN,
            ),
            models.CheckConstraint(
                condition=Q(helmet__isnull=True) | Q(helmet__gte=1, helmet__lte=999),
                name="entry_helmet_positive",
            ),
        ]

    def __str__(self) -> str:
        helmet = f"#{self.helmet} " if self.helmet else ""
        return f"{helmet}{self.athlete.name} ({self.nation_id})"

    @classmethod
    def release_helmets(cls, entries: Iterable[int]) -> None:
        """Free the helmet numbers of entries about to be given new ones, so numbers can be
        exchanged in one save (each would otherwise take a number the other still holds).
        Call it inside the save's transaction, after `entry_list_problems` found the list sound."""
        cls.objects.filter(pk__in=list(entries)).update(helmet=None)


RELAY_ROUNDS = (RoundName.SEMIFINALS, RoundName.FINAL_B, RoundName.FINAL_A)
USUAL_ROUNDS = {
    Distance.M500: (RoundName.HEATS, RoundName.QUARTERFINALS, *RELAY_ROUNDS),
    Distance.M1000: (RoundName.HEATS, RoundName.QUARTERFINALS, *RELAY_ROUNDS),
    Distance.M1500: (RoundName.HEATS, *RELAY_ROUNDS),
}


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

    def check_ranks(self, numbered: Iterable[tuple[int, int | None]]) -> None:
        """A shared rank leaves the ranks it covers empty: two lines on rank 3 and the next
        line is rank 5. `numbered`: (line number, rank) pairs."""
        problems = shared_rank_problems(numbered)
        if problems:
            raise ValidationError(
                [
                    ValidationError(
                        problem.message[:1].upper() + problem.message[1:] + ".",
                        code="shared",
                        params={
                            "rank": problem.rank,
                            "lines": problem.lines,
                            "taken": problem.taken,
                        },
                    )  # fmt: skip
                    for problem in problems
                ]
            )

    @property
    def has_rounds(self) -> bool:
        """Whether the race is entered round by round: a heat line of it is entered (its
        classification then follows from its rounds)."""
        if not hasattr(self, "_has_rounds"):  # asked several times by one page
            self._has_rounds = bool(self.pk) and HeatLine.objects.filter(round__race=self).exists()
        return self._has_rounds

    @property
    def usual_rounds(self) -> tuple[str, ...]:
        """The rounds a race of this distance is usually skated in (the standard programme)."""
        return tuple(USUAL_ROUNDS.get(self.distance, RELAY_ROUNDS))

    def programme_rounds(self) -> set[str]:
        """The rounds the race is skated in: the usual ones and any other it has (an
        official's preliminaries or repechage)."""
        return {round_.name for round_ in self.rounds.all()} | set(self.usual_rounds)

    def write_heats(
        self, heats: dict[tuple[str, int], list[HeatLine]], reason: str = "", user: Any = None
    ) -> int:
        """Replace the lines of these heats (round name, heat number → unsaved lines, each
        with `line`, its row or file line, and `member_ids`) and derive the classification
        again, all or nothing; how many heats changed (one saved as it was writes nothing).
        Every rule the race's rounds must hold is checked with the new lines among the
        others: ValidationError({line: [(column, message)]}) names them."""
        self.check_correction(reason)
        problems = self.heat_problems(heats)
        if problems:
            raise ValidationError(problems)
        changed = 0
        with transaction.atomic():
            rounds = {r.name: r for r in self.rounds.all()}
            for name, _ in heats:
                if name not in rounds:
                    rounds[name] = Round.objects.create(race=self, name=name)
            for (name, heat), lines in heats.items():
                old = list(
                    HeatLine.objects.filter(round=rounds[name], heat=heat).prefetch_related(
                        "members"
                    )
                )
                if sorted(map(HeatLine.entered, old)) == sorted(map(HeatLine.entered, lines)):
                    continue  # saved as it was: its lines keep their history and revisions
                changed += 1
                for line in old:
                    line._change_reason = reason or "Heat entered"
                    if user is not None:
                        line._history_user = user
                    line.delete()
                for line in lines:
                    line.round, line.heat = rounds[name], heat
                    line._change_reason = reason or "Heat entered"
                    if user is not None:
                        line._history_user = user
                    line.save()
                    if getattr(line, "member_ids", None):
                        line.members.set(line.member_ids)
            self.derive_classification(reason, user)
        return changed

    def heat_problems(self, heats: dict[tuple[str, int], list[HeatLine]]) -> dict[int, list]:
        """{line: [(column, message)]} for every rule the race's rounds would break with these
        heats' lines in place of the ones they have (no line number: 0)."""
        replaced = set(heats)
        kept = [
            line
            for line in HeatLine.objects.filter(round__race=self).select_related("round", "athlete")
            if (line.round.name, line.heat) not in replaced
        ]
        found: dict[int, list] = defaultdict(list)
        for (name, _), lines in heats.items():
            for line in lines:
                if name not in RoundName.values:
                    found[getattr(line, "line", 0)].append(("round", f"unknown round {name!r}"))
                for field, message in line_problems_of(self, line):
                    found[getattr(line, "line", 0)].append((field, message))
        facts = [line.as_round_line(0) for line in kept] + [
            replace_round(line.as_round_line(getattr(line, "line", 0)), name, heat)
            for (name, heat), lines in heats.items()
            for line in lines
            if name in RoundName.values
        ]
        for problem in round_problems(facts):
            found[problem.line].append((problem.column, problem.message))
        return dict(found)

    def derive_classification(self, reason: str = "", user: Any = None) -> list[Result]:
        """Write the final classification that follows from the race's rounds, by the season's
        rule, as its result lines: updated in place, matched by competitor, so adjustments and
        history stay attached. Nothing is written until Final A is entered."""
        lines = list(
            HeatLine.objects.filter(round__race=self)
            .select_related("round")
            .prefetch_related("members")
        )
        if not lines:
            return []  # a race entered as a classification only: nothing follows from rounds
        by_competitor: dict[str, list[HeatLine]] = defaultdict(list)
        for line in lines:
            by_competitor[line.competitor_key].append(line)
        final_a = any(line.round.name == RoundName.FINAL_A for line in lines)
        placings = (
            classify(
                [line.as_round_line() for line in lines], self.event.season.classification_rule
            )
            if final_a
            else []
        )
        existing = {result.competitor_key: result for result in self.results.all()}
        kept = []
        for placing in placings:
            own = sorted(by_competitor[placing.competitor], key=lambda line: line.order)
            result = existing.pop(placing.competitor, None) or Result(
                race=self, athlete_id=own[-1].athlete_id
            )
            derived = (placing.rank, placing.status, placing.time, own[-1].nation_id, "")
            stored = (result.rank, result.status, result.time, result.nation_id, result.source)
            if result.pk is None or derived != stored:  # else it keeps its history and revision
                result.rank, result.status, result.time, result.nation_id, result.source = derived
                result._change_reason = reason or "Classification from the rounds"
                if user is not None:
                    result._history_user = user
                result.save()
            members = {member.pk for line in own for member in line.members.all()}
            if set(result.members.values_list("pk", flat=True)) != members:
                result.members.set(members)
            kept.append(result)
        for gone in existing.values():
            gone._change_reason = reason or "Classification from the rounds"
            gone.delete()
        if final_a and self.completeness != Completeness.COMPLETE:
            self.completeness = Completeness.COMPLETE
            self.save(update_fields=["completeness"])
        return kept

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

    def last_change(self) -> datetime | None:
        """When the race's page last changed: the latest save of the race, its lines, their
        adjustments or its heat lines (one query); of a draft race, only the race itself (its
        lines are edited unseen)."""
        if not self.is_public:
            return latest_change(self, Race.history.filter(id=self.pk))
        return latest_change(
            self,
            Race.history.filter(id=self.pk),
            Result.history.filter(race_id=self.pk),
            Adjustment.history.filter(result_id__in=self.results.values("pk")),
            HeatLine.history.filter(round_id__in=self.rounds.values("pk")),
        )

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

    history = HistoricalRecords(excluded_fields=["revision"], m2m_fields=[members])

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = [models.F("rank").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1, rank__lte=999),
                name="result_rank_positive",
            ),
            # Two lines may share a rank (the ISU shows equal ranks): Race.check_ranks.
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
    def competitor_key(self) -> str:
        """Who the line is of, as the rounds name them: an athlete, or a relay team."""
        return f"athlete:{self.athlete_id}" if self.athlete_id else f"team:{self.nation_id}"

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


# --- Races as they are skated: rounds and heats ----------------------------------------------


def in_round_order(prefix: str = "") -> models.Case:
    """Rounds in the order they are skated (preliminaries first)."""
    return models.Case(
        *(models.When(**{f"{prefix}name": name}, then=i) for i, name in enumerate(ROUND_ORDER)),
        output_field=models.IntegerField(),
    )


class RoundQuerySet(models.QuerySet):
    def get_by_natural_key(
        self, season: str, event: int, gender: str, distance: str, number: int, name: str
    ) -> Round:
        race = Race.objects.get_by_natural_key(season, event, gender, distance, number)
        return self.get(race=race, name=name)

    def in_order(self) -> RoundQuerySet:
        return self.order_by(in_round_order())


class Round(models.Model):
    """A round of a race (preliminaries, heats, …, Final A), skated in one or more heats."""

    race = models.ForeignKey(Race, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=13, choices=RoundName.choices)
    revision = revision_field("round and its heats")

    history = HistoricalRecords(excluded_fields=["revision"])

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["race", "id"]  # skated in turn; RoundQuerySet.in_order() by their names
        constraints = [
            models.UniqueConstraint(fields=["race", "name"], name="round_unique_per_race"),
            choices_check("name", RoundName, "round_name_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.race} · {self.get_name_display()}"

    def natural_key(self) -> tuple:
        return (*self.race.natural_key(), self.name)

    natural_key.dependencies = ["results.race"]

    @property
    def is_final(self) -> bool:
        return self.name in (RoundName.FINAL_A, RoundName.FINAL_B)


class HeatLineQuerySet(models.QuerySet):
    def in_order(self) -> HeatLineQuerySet:
        """Final A first, then back to the preliminaries; in each heat by place."""
        return self.order_by(
            -in_round_order("round__"), "heat", models.F("place").asc(nulls_last=True), "id"
        )

    def for_race_page(self, race: Race) -> HeatLineQuerySet:
        """The race's heat lines as the public sees them (none while the race is draft), Final
        A first, with their round, skater and relay members: two queries, however many."""
        if not race.is_public:
            return self.none()
        lines = self.filter(round__race=race).select_related("round", "athlete").in_order()
        return lines.prefetch_related("members") if race.is_relay else lines

    def public(self) -> HeatLineQuerySet:
        """Lines of provisional and official races (a draft race's rounds are private)."""
        return self.filter(round__race__state__in=PUBLIC_STATES)

    def for_rounds_file(self) -> HeatLineQuerySet:
        """As the rounds file lists them, in the order they are skated (preliminaries first,
        each heat by place), with everything a line of the file names."""
        return (
            self.select_related("round__race__event__season", "athlete")
            .prefetch_related("members")
            .order_by(
                in_round_order("round__"),
                "heat",
                models.F("place").asc(nulls_last=True),
                "athlete__name",
                "nation",
            )
        )


class HeatLine(models.Model):
    """One competitor's line in a heat of a round: start, place, time, status, qualification."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="lines")
    heat = models.PositiveSmallIntegerField(default=1, validators=NUMBER_RANGE)
    athlete = models.ForeignKey(
        Athlete,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="heat_lines",
        help_text="Empty for a relay team.",
    )
    nation = models.ForeignKey(
        Nation, on_delete=models.PROTECT, related_name="heat_lines", help_text="Skated for."
    )
    members = models.ManyToManyField(
        Athlete, blank=True, related_name="relay_heat_lines", help_text="Relay team members."
    )
    start = models.PositiveSmallIntegerField(
        "start position", null=True, blank=True, validators=NUMBER_RANGE
    )
    place = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=NUMBER_RANGE, help_text="Empty when there is none."
    )
    time = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    status = models.CharField(max_length=3, choices=Status.choices, blank=True, default="")
    qualification = models.CharField(
        max_length=3, choices=Qualification.choices, blank=True, default=""
    )
    source = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = HeatLineQuerySet.as_manager()

    class Meta:
        ordering = ["round", "heat", models.F("place").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "athlete"],
                condition=Q(athlete__isnull=False),
                name="heat_line_unique_athlete_per_round",
                violation_error_message="This skater already has a line in this round.",
            ),
            models.UniqueConstraint(
                fields=["round", "nation"],
                condition=Q(athlete__isnull=True),
                name="heat_line_unique_team_per_round",
                violation_error_message="This nation's team already has a line in this round.",
            ),
            # An unraced Final B lists its skaters 1st with no time: the one repeated place.
            models.UniqueConstraint(
                fields=["round", "heat", "place"],
                condition=Q(place__isnull=False) & ~Q(place=1, time__isnull=True),
                name="heat_line_unique_place_per_heat",
                violation_error_message="Two lines of this heat have the same place.",
            ),
            models.CheckConstraint(
                condition=Q(place__isnull=False)
                | ~Q(status=Status.CLASSIFIED)
                | Q(qualification__in=ADVANCED),
                name="heat_line_unplaced_has_status",
                violation_error_message="A line with no place needs a status or ADV, ADA, ADB.",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.CLASSIFIED) | Q(place__isnull=True),
                name="heat_line_status_unplaced",
                violation_error_message="A line with a status (PEN, DNF, DNS, YC) has no place.",
            ),
            models.CheckConstraint(
                condition=Q(heat__gte=1, heat__lte=999), name="heat_line_heat_positive"
            ),
            models.CheckConstraint(
                condition=Q(place__isnull=True) | Q(place__gte=1, place__lte=999),
                name="heat_line_place_positive",
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(start__gte=1, start__lte=999),
                name="heat_line_start_positive",
            ),
            models.CheckConstraint(
                condition=Q(time__isnull=True) | Q(time__gt=0), name="heat_line_time_positive"
            ),
            choices_check("status", Status, "heat_line_status_valid"),
            choices_check("qualification", Qualification, "heat_line_qualification_valid"),
        ]

    def __str__(self) -> str:
        place = f"{self.place}." if self.place else self.status or "–"
        who = self.athlete.name if self.athlete_id else self.nation_id
        return f"{self.round.get_name_display()} heat {self.heat}: {place} {who}"

    def entered(self) -> tuple:
        """What an official enters of the line, to tell a heat saved again unchanged (a line
        not yet saved takes its relay members from `member_ids`)."""
        members = (
            sorted(getattr(self, "member_ids", None) or [])
            if self.pk is None
            else sorted(member.pk for member in self.members.all())
        )
        return (
            self.athlete_id or 0, self.nation_id, self.start or 0, self.place or 0,
            self.time or 0, self.status, self.qualification, self.source, members,
        )  # fmt: skip

    @property
    def competitor_key(self) -> str:
        return f"athlete:{self.athlete_id}" if self.athlete_id else f"team:{self.nation_id}"

    @property
    def order(self) -> int:
        """The line's round's place in the order rounds are skated (needs round)."""
        return ROUND_ORDER.index(self.round.name)

    @property
    def time_display(self) -> str:
        return format_time(self.time)

    def as_round_line(self, line: int = 0) -> RoundLine:
        """The line as the pure rules read it (needs round, unless it is about to be given
        one); `line`: its row or file line, for messages."""
        return RoundLine(
            competitor=self.competitor_key,
            round=self.round.name if self.round_id else "",
            heat=self.heat,
            place=self.place,
            time=self.time,
            status=self.status,
            qualification=self.qualification,
            line=line,
        )


def replace_round(line: RoundLine, name: str, heat: int) -> RoundLine:
    return RoundLine(
        line.competitor, name, heat, line.place, line.time, line.status, line.qualification,
        line.line,
    )  # fmt: skip


def line_problems_of(race: Race, line: HeatLine) -> list[tuple[str, str]]:
    """(field, message) for who a heat line names in its race: an athlete for an individual
    race, a team (nation) for a relay, a skater of the race's gender."""
    problems = []
    who = who_problem(relay=race.is_relay, athlete=bool(line.athlete_id))
    if who:
        problems.append(who)
    if not race.is_relay and line.athlete_id:
        athlete = line.athlete
        wrong = wrong_gender(athlete.name, athlete.gender, race.gender)
        if wrong:
            problems.append(("athlete", wrong))
    return problems


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
