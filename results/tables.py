"""django-tables2 tables for the public lists; each declares only what differs from its model."""

import inspect
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import django_tables2 as tables
import django_tables2.utils
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.html import format_html

from results.models import Athlete, Nation, Result, Season
from results.templatetags.names import unbroken
from results.vocabulary import RaceState

MOST_PER_PAGE = 100


def cache_render_signatures() -> None:
    """django-tables2 reads the signature of a column's render method again for every cell it
    renders (inspect.signature: a third of a 50-row page's time). Read it once per function;
    a bound method's signature is its function's without `self`. Called at start-up."""
    read = django_tables2.utils.signature
    if getattr(read, "cached", False):
        return

    @lru_cache(maxsize=1024)
    def of_function(fn: Callable) -> tuple:
        return read(fn)

    def signature(fn: Callable) -> tuple:
        if inspect.ismethod(fn):
            arguments, keywords = of_function(fn.__func__)
            return arguments[1:], keywords
        try:
            return of_function(fn)
        except TypeError:  # not hashable: read it each time, as django-tables2 does
            return read(fn)

    signature.cached = True  # type: ignore[attr-defined]
    django_tables2.utils.signature = signature


NUMBER = {"th": {"class": "num"}, "td": {"class": "num"}}  # right-aligned, header and figures
WHOLE = {"td": {"class": "nowrap"}}  # a season or race label on one line: "2012–13"


PER_PAGE_RULE = f"per_page must be a number of rows from 1 to {MOST_PER_PAGE}."


def check_per_page(raw: str | None) -> None:
    """A `?per_page=` that is not a number is a 400 (the table would quietly ignore it)."""
    if raw is not None and not raw.strip().isdigit():
        raise BadRequest(PER_PAGE_RULE)


class ListTable(tables.Table):
    """A public list's table: `?per_page=N` takes 1 to 100 rows a page, anything else is a 400."""

    def paginate(
        self,
        paginator_class: type[Paginator] = Paginator,
        per_page: int | None = None,
        page: int = 1,
        *args: Any,
        **kwargs: Any,
    ) -> "ListTable":
        if per_page is not None and not 1 <= per_page <= MOST_PER_PAGE:
            raise BadRequest(PER_PAGE_RULE)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)


class SeasonTable(ListTable):
    caption = "World Cup seasons"
    name = tables.Column("Season", linkify=True, attrs=WHOLE)
    event_count = tables.Column("Events", orderable=False, attrs=NUMBER)
    race_count = tables.Column("Races", orderable=False, attrs=NUMBER)

    class Meta:
        model = Season
        fields = ["name", "start_date", "end_date"]
        orderable = False


class AthleteTable(ListTable):
    caption = "Athletes"
    name = tables.Column(linkify=True)
    nation = tables.Column(linkify=True)

    def render_name(self, value: str) -> str:
        return unbroken(value)

    def value_name(self, value: str) -> str:
        return value  # a download's cell: the name as it is

    class Meta:
        model = Athlete
        fields = ["name", "nation", "gender"]


class NationTable(ListTable):
    caption = "Nations"
    code = tables.Column("Code", linkify=True)
    athlete_count = tables.Column("Athletes", attrs=NUMBER)

    class Meta:
        model = Nation
        fields = ["code", "name"]
        orderable = False


class MedalTable(ListTable):
    """A season's podium places by nation (rows from ResultQuerySet.medal_table)."""

    caption = "Medal table"
    nation = tables.Column("Nation")
    gold = tables.Column("1st", attrs=NUMBER)
    silver = tables.Column("2nd", attrs=NUMBER)
    bronze = tables.Column("3rd", attrs=NUMBER)
    total = tables.Column("Total", attrs=NUMBER)

    class Meta:
        orderable = False


class ResultTable(ListTable):
    """Results: on the page, each line's race as a link; in a download, the race told in
    columns of their own (event, date, gender, distance, race number, publication)."""

    caption = "Results"
    season = tables.Column(accessor="race__event__season__name", verbose_name="Season", attrs=WHOLE)
    event = tables.Column(accessor="race__event", verbose_name="Event", visible=False)
    date = tables.Column(accessor="race__date", verbose_name="Date", visible=False)
    gender = tables.Column(accessor="race__gender", verbose_name="Gender", visible=False)
    distance = tables.Column(accessor="race__distance", verbose_name="Distance", visible=False)
    number = tables.Column(accessor="race__number", verbose_name="Race number", visible=False)
    state = tables.Column(accessor="race__state", verbose_name="Publication", visible=False)
    race = tables.Column(
        accessor="race",
        verbose_name="Race",
        orderable=False,
        exclude_from_export=True,
        attrs=WHOLE,
    )
    rank = tables.Column()
    competitor = tables.Column(
        accessor="competitor", verbose_name="Athlete / team", orderable=False
    )
    nation = tables.Column(linkify=True)
    time = tables.Column(
        accessor="time_display", verbose_name="Time", orderable=False, attrs=NUMBER
    )
    status = tables.Column()
    points = tables.Column(accessor="points", verbose_name="Points", orderable=False, attrs=NUMBER)

    class Meta:
        model = Result
        fields = ["season", "race", "rank", "competitor", "nation", "time", "status", "points"]
        sequence = ["season", "event", "date", "gender", "distance", "number", "state", "race",
                    "rank", "competitor", "nation", "time", "status", "points"]  # fmt: skip
        orderable = False

    def render_race(self, record: Result) -> str:
        race = record.race
        race.doubled = getattr(record, "race_doubled", False)
        link = format_html('<a href="{}">{}</a>', race.get_absolute_url(), race)
        if race.state == RaceState.PROVISIONAL:
            return format_html('{} <span class="badge">provisional</span>', link)
        return link

    def value_date(self, value: Any) -> str:
        return value.isoformat()

    def value_status(self, record: Result) -> str:
        return record.status  # a code (PEN, DNF, DNS, YC), blank when classified

    def render_competitor(self, record: Result) -> str:
        if record.athlete_id:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("athlete-detail", args=[record.athlete.slug]),
                unbroken(record.athlete.name),
            )
        return record.nation_id

    def value_competitor(self, record: Result) -> str:
        return record.athlete.name if record.athlete_id else record.nation_id
