"""Public pages: thin views over named QuerySets and the standings loader."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps
from itertools import groupby
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.db import connection
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from results import charts, exports
from results.filters import AthleteFilter, ResultFilter
from results.models import Athlete, Event, HeatLine, Nation, Race, Result, Season
from results.standings import loader
from results.standings.table import Competitor, UnknownTable, grid, table_rows
from results.tables import (
    AthleteTable,
    MedalTable,
    NationTable,
    ResultTable,
    SeasonTable,
    check_per_page,
)
from results.versioning import release
from results.vocabulary import FINALS, RoundName, heat_name

# --- Caching by season version --------------------------------------------------------------

SEASONS = Season._meta.db_table
CACHED_PARAMETERS = ("after_race", "_export")


def cached_by_season(view: Callable) -> Callable:
    """Serve a season's page from the cache, keyed by the season's version token (fresh after
    every committed change) and the day (pages of an event that is on refresh themselves),
    with an ETag so a browser that has it gets a 304."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with connection.cursor() as cursor:  # one plain statement: this runs on every hit
            cursor.execute(f"SELECT version FROM {SEASONS} WHERE slug = %s", [kwargs["season"]])
            row = cursor.fetchone()
        version = row[0] if row else None
        if version is None or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        query = "&".join(f"{p}={request.GET[p]}" for p in CACHED_PARAMETERS if p in request.GET)
        identity = f"{release()}|{version}|{timezone.localdate()}|{request.path}?{query}"
        key = "page:" + hashlib.sha1(identity.encode()).hexdigest()
        entry = cache.get(key)
        if entry is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if response.status_code != 200:
                return response
            headers = {
                h: response[h] for h in ("Content-Type", "Content-Disposition") if h in response
            }
            etag = '"' + hashlib.sha1(response.content).hexdigest()[:24] + '"'
            entry = {"content": response.content, "headers": headers, "etag": etag}
            cache.set(key, entry)
        if entry["etag"] in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(entry["content"], headers=entry["headers"])
        response["ETag"] = entry["etag"]
        response["Cache-Control"] = "no-cache"  # may be kept, but revalidated every time
        return response

    return wrapped


# --- Seasons --------------------------------------------------------------------------------


def build_calendar(races: list[Race], podiums: Iterable[Result]) -> list[dict]:
    """The calendar as the encyclopedia lays it out: per gender, per event, each race with its
    winner, second and third (None where no source gives the place)."""
    by_race: dict[int, dict[int, Result]] = defaultdict(dict)
    for result in podiums:
        by_race[result.race_id][result.rank] = result
    genders: dict[str, dict] = {}
    for race in races:
        block = genders.setdefault(race.gender, {"gender": race.get_gender_display(), "events": {}})
        event = block["events"].setdefault(race.event_id, {"event": race.event, "races": []})
        event["races"].append(
            {"race": race, "podium": [by_race[race.pk].get(r) for r in (1, 2, 3)]}
        )
    return [{**block, "events": list(block["events"].values())} for block in genders.values()]


def current_season(seasons: list[Season]) -> Season | None:
    """The latest season that has started (else the first one to come)."""
    today = timezone.localdate()
    started = [season for season in seasons if season.start_date <= today]
    return started[-1] if started else (seasons[0] if seasons else None)


class HomeView(TemplateView):
    template_name = "results/home.html"

    def get_context_data(self, **kwargs: Any) -> dict:
        seasons = list(Season.objects.order_by("start_date"))
        season = current_season(seasons)
        context = {"seasons": seasons[::-1], "season": season}
        if season is not None:
            today = timezone.localdate()
            events = list(season.events.select_related("venue").order_by("number"))
            podiums = list(
                Result.objects.public()
                .podiums()
                .in_season(season)
                .with_race_doubled()
                .latest_event_first()
            )
            for result in podiums:
                result.race.doubled = result.race_doubled
            last_event_id = podiums[0].race.event_id if podiums else None
            latest = [r for r in podiums if r.race.event_id == last_event_id]
            races = list({r.race_id: r.race for r in latest}.values())
            context |= {
                "next_event": next((e for e in events if e.last_day >= today), None),
                "last_event": next((e for e in events if e.pk == last_event_id), None),
                "latest": build_calendar(races, latest),
                "leaders": loader.season_standings(season).tables(),
            }
        return super().get_context_data(**context, **kwargs)


class PagedTable(SingleTableMixin):
    """A public list's table, paged: `?per_page=` is a number of rows or a 400."""

    def get_table_pagination(self, table: Any) -> dict | bool:
        check_per_page(self.request.GET.get("per_page"))
        return super().get_table_pagination(table)


class SeasonListView(ExportMixin, PagedTable, ListView):
    model = Season
    table_class = SeasonTable
    template_name = "results/season_list.html"
    paginate_by = 50
    export_class = exports.TableDownload
    export_formats = exports.EXPORT_FORMATS
    export_name = "seasons"

    def get_queryset(self) -> QuerySet:
        return Season.objects.with_counts().order_by("-start_date")


class SeasonDetailView(DetailView):
    template_name = "results/season_detail.html"
    slug_url_kwarg = "season"

    def get_queryset(self) -> QuerySet:
        return Season.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict:
        season = self.object
        races = list(
            season.races().select_related("event__venue").with_doubled().in_programme_order()
        )
        podiums = Result.objects.public().podiums().in_season(season).select_related("athlete")
        return super().get_context_data(
            calendar=build_calendar(races, podiums),
            neighbours=season.neighbours(),
            **kwargs,
        )


class EventDetailView(DetailView):
    template_name = "results/event_detail.html"

    def get_object(self, queryset: QuerySet | None = None) -> Event:
        return get_object_or_404(
            Event.objects.select_related("season", "venue"),
            season__slug=self.kwargs["season"],
            number=self.kwargs["number"],
        )

    def get_context_data(self, **kwargs: Any) -> dict:
        event = self.object
        races = list(
            event.races.select_related("event__season").with_doubled().in_programme_order()
        )
        podiums = (
            Result.objects.public().podiums().filter(race__event=event).select_related("athlete")
        )
        return super().get_context_data(calendar=build_calendar(races, podiums), **kwargs)


class RaceDetailView(DetailView):
    template_name = "results/race_detail.html"

    def get_object(self, queryset: QuerySet | None = None) -> Race:
        return get_object_or_404(
            Race.objects.select_related("event__season", "event__venue").with_doubled(),
            event__season__slug=self.kwargs["season"],
            event__number=self.kwargs["number"],
            gender=self.kwargs["gender"],
            distance=self.kwargs["distance"],
            number=self.kwargs["race"],
        )

    def get_context_data(self, **kwargs: Any) -> dict:
        race = self.object
        lines = list(HeatLine.objects.for_race_page(race))
        skating = {competitor_key(line) for line in lines}
        leaders = [c for c in leaders_entering(race) if c.key in skating] if lines else []
        live = race.event.is_on(timezone.localdate())
        return super().get_context_data(
            classification=race.classification_lines(),
            corrections=race.corrections() if race.is_public else [],
            rounds=rounds_of(lines, {leader.key for leader in leaders}),
            leaders=leaders,
            live=live,
            last_change=race.last_change() if live else None,
            **kwargs,
        )


def leaders_entering(race: Race) -> list[Competitor]:
    """Who leads the race's distance table of the World Cup standings entering the race (the
    ISU's yellow helmet): the table after the race before it, that is after the previous one
    with results; every one of a shared lead; nobody before the table's first race."""
    season = race.event.season
    table = loader.standings_table(season, race.gender, race.distance)
    position = next(
        (
            column.position
            for column in table.races
            if (column.event, column.number) == (race.event.number, race.number)
        ),
        1,  # (not among the table's races: standings read before the race was added)
    )
    if position == 1:
        return []
    before = loader.standings_table(season, race.gender, race.distance, after_race=position - 1)
    return [row.competitor for row in before.rows if row.standing.rank == 1]


def competitor_key(line: HeatLine) -> str:
    """Who a heat line is of, as the standings name competitors: an athlete's slug, or a relay
    team's nation."""
    return line.athlete.slug if line.athlete_id else line.nation_id


def rounds_of(lines: Iterable[HeatLine], leaders: set[str]) -> list[dict]:
    """The race's rounds in the lines' order (Final A first), each with its heats, each heat
    with its lines, a line marked `leader` when its competitor is among the leaders."""
    rounds = []
    for name, in_round in groupby(lines, key=lambda line: line.round.name):
        heats = []
        for number, in_heat in groupby(in_round, key=lambda line: line.heat):
            heat = list(in_heat)
            for line in heat:
                line.leader = competitor_key(line) in leaders
            heats.append({"number": number, "name": heat_name(name, number), "lines": heat})
        rounds.append(
            {"name": name, "label": RoundName(name).label, "final": name in FINALS, "heats": heats}
        )
    return rounds


def race_csv(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """A race's classification in the results CSV format."""
    race = RaceDetailView(kwargs=kwargs).get_object()
    return exports.results_csv_response(race.classification_lines(), f"{race.file_name()}.csv")


def race_rounds_csv(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """A race's rounds in the rounds CSV format; only the header while the race is draft."""
    race = RaceDetailView(kwargs=kwargs).get_object()
    lines = HeatLine.objects.filter(round__race=race).public().for_rounds_file()
    return exports.rounds_csv_response(lines, f"{race.file_name()}-rounds.csv")


# --- Standings ------------------------------------------------------------------------------


def season_or_404(slug: str) -> Season:
    return get_object_or_404(Season, slug=slug)


def after_race(request: HttpRequest) -> int | None:
    """The ?after_race=K parameter: a race number from 1, or absent."""
    value = request.GET.get("after_race", "")
    if value == "":
        return None
    if not value.isdigit() or not 1 <= int(value) <= 999:
        raise BadRequest(f"after_race must be a race number (1, 2, …), not {value[:20]!r}.")
    return int(value)


def table_or_404(season: Season, gender: str, kind: str, request: HttpRequest):
    try:
        return loader.standings_table(season, gender, kind, after_race(request))
    except UnknownTable as error:
        raise Http404(str(error)) from error


class StandingsIndexView(TemplateView):
    template_name = "results/standings_index.html"

    def get_context_data(self, **kwargs: Any) -> dict:
        season = season_or_404(self.kwargs["season"])
        context = super().get_context_data(**kwargs)
        return context | {"season": season, "tables": loader.season_standings(season).tables()}


class StandingsView(TemplateView):
    template_name = "results/standings.html"

    def get_context_data(self, **kwargs: Any) -> dict:
        season = season_or_404(self.kwargs["season"])
        table = table_or_404(season, self.kwargs["gender"], self.kwargs["kind"], self.request)
        # What a source published is the season's final table: set beside the whole table,
        # also on an "after race K" view (the same table when K is the last race with results).
        whole = loader.standings_table(season, table.gender, table.kind)
        comparison = loader.table_comparison(season, whole)
        outlook = table.outlook
        race_url = reverse("race-detail", args=[season.slug, 1, "men", "500m", 1])
        live = season.events.on(timezone.localdate()).exists()
        return super().get_context_data(**kwargs) | {
            "season": season,
            "live": live,
            "last_change": season.last_change() if live else None,
            "table": table,
            "columns": [(race, race_link(race_url, race)) for race in table.races],
            "missing": sum(1 for race in table.races[: table.after_race] if not race.done),
            "rows": [
                (
                    row,
                    race_cells(cells, table.best_of),
                    competitor_link(row),
                    (
                        outlook.max_points[row.competitor.key],
                        outlook.can_win[row.competitor.key],
                    )
                    if outlook
                    else None,
                )
                for row, cells in grid(table)
            ],
            "comparison": comparison,
            "compared_after": whole.after_race if whole.after_race != table.after_race else None,
            "differences": sum(not c.agrees for c in comparison),
            "chart": charts.progression(table),
        }


def race_link(pattern: str, race: Any) -> str:
    """A race column's race page, from one reversed race address of the season (a table has
    many columns): its event, gender, distance and number put in."""
    events = pattern.rstrip("/").rsplit("/", 4)[0]  # /seasons/2012-13/events
    return f"{events}/{race.event}/{race.gender}/{race.distance}/{race.number}/"


@lru_cache(maxsize=1)
def link_patterns() -> tuple[str, str]:
    """The athlete and nation page addresses, reversed once, a slug or code to fill in."""
    return reverse("athlete-detail", args=["SLUG"]), reverse("nation-detail", args=["XXX"])


def competitor_link(row: Any) -> str:
    """The row's athlete or nation page (one reverse() for all rows: a table has hundreds)."""
    athlete, nation = link_patterns()
    if row.competitor.name:
        return athlete.replace("SLUG", row.competitor.key)
    return nation.replace("XXX", row.competitor.nation)


def race_cells(cells: list, best_of: int | None) -> SafeString:
    """A row's race columns as table cells: counted points, dropped ones struck through.

    Built here rather than in the template: a season's table has rows × races cells (over a
    thousand on a big table) and the template engine took most of the page's time on them.
    Every value is a whole number, so nothing needs escaping.
    """
    dropped = f"Dropped: not among the best {best_of}"
    html = []
    for line in cells:
        if line is None:
            html.append('<td class="num"></td>')
        elif line.disqualified:
            html.append(
                '<td class="num"><s class="dropped" title="Disqualified">DQ</s>'
                '<span class="visually-hidden"> (disqualified)</span></td>'
            )
        elif line.counted:
            html.append(f'<td class="num">{int(line.points)}</td>')
        else:
            html.append(
                f'<td class="num"><s class="dropped" title="{dropped}">{int(line.points)}</s>'
                '<span class="visually-hidden"> (dropped)</span></td>'
            )
    return mark_safe("".join(html))  # built from whole numbers and fixed text only


def standings_csv(request: HttpRequest, season: str, gender: str, kind: str) -> HttpResponse:
    table = table_or_404(season_or_404(season), gender, kind, request)
    after = f"-after-race-{table.after_race}" if request.GET.get("after_race") else ""
    return exports.csv_response(table_rows(table), f"{season}-{gender}-{kind}{after}.csv")


def standings_json(request: HttpRequest, season: str, gender: str, kind: str) -> HttpResponse:
    season_ = season_or_404(season)
    table = table_or_404(season_, gender, kind, request)
    body = json.dumps(table.as_dict(season_.slug), ensure_ascii=False, indent=2)
    return HttpResponse(body, content_type="application/json")


def medals(request: HttpRequest, season: str) -> HttpResponse:
    season_ = season_or_404(season)
    rows = Result.objects.public().in_season(season_).medal_table()
    export = request.GET.get("_export")
    if exports.is_export(export):
        return exports.table_response(export, MedalTable(rows), f"{season_.slug}-medals")
    return render(request, "results/medals.html", {"season": season_, "medals": rows})


def calendar_ics(request: HttpRequest, season: str) -> HttpResponse:
    """The season's events as an iCalendar feed."""
    season_ = season_or_404(season)
    events = [
        {
            "uid": f"{season_.slug}-{event.number}@{settings.CALENDAR_UID_DOMAIN}",
            "first_day": event.first_day,
            "last_day": event.last_day,
            "summary": f"{event} ({season_.name})",
            "location": f"{event.venue.name}, {event.city}" if event.venue else event.city,
            "url": request.build_absolute_uri(event.get_absolute_url()),
        }
        for event in season_.events.select_related("venue").order_by("number")
    ]
    return exports.calendar_response(
        f"World Cup {season_.name}", events, f"world-cup-{season_.slug}.ics"
    )


# --- Athletes, nations, results -------------------------------------------------------------


class AthleteListView(ExportMixin, PagedTable, FilterView):
    table_class = AthleteTable
    filterset_class = AthleteFilter
    template_name = "results/athlete_list.html"
    paginate_by = 50
    export_class = exports.TableDownload
    export_formats = exports.EXPORT_FORMATS
    export_name = "athletes"

    def get_queryset(self) -> QuerySet:
        return Athlete.objects.public().select_related("nation").order_by("name")


class AthleteDetailView(DetailView):
    template_name = "results/athlete_detail.html"
    slug_field = "slug"

    def get_queryset(self) -> QuerySet:
        return Athlete.objects.public().select_related("nation")

    def get_context_data(self, **kwargs: Any) -> dict:
        results = loader.athlete_results(self.object)
        return super().get_context_data(
            results=results, record=loader.record(results, self.object.slug), **kwargs
        )


class NationListView(ExportMixin, PagedTable, ListView):
    table_class = NationTable
    template_name = "results/nation_list.html"
    paginate_by = 50
    export_class = exports.TableDownload
    export_formats = exports.EXPORT_FORMATS
    export_name = "nations"

    def showing_all(self) -> bool:
        """?all=1: every nation of the register; else those taking part."""
        return self.request.GET.get("all") == "1"

    def get_queryset(self) -> QuerySet:
        nations = Nation.objects.with_counts().order_by("code")
        return nations if self.showing_all() else nations.taking_part()

    def get_context_data(self, **kwargs: Any) -> dict:
        return super().get_context_data(showing_all=self.showing_all(), **kwargs)


class NationDetailView(DetailView):
    template_name = "results/nation_detail.html"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self) -> QuerySet:
        return Nation.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict:
        nation = self.object
        return super().get_context_data(
            athletes=nation.athletes.public().order_by("name"),
            relays=Result.objects.public()
            .filter(nation=nation, athlete__isnull=True)
            .select_related("race__event__season", "adjustment")
            .with_race_doubled()
            .order_by("-race__date", "race__distance"),
            medals=Result.objects.public().filter(nation=nation).medals_by_season(),
            **kwargs,
        )


class ResultSearchView(ExportMixin, PagedTable, FilterView):
    table_class = ResultTable
    filterset_class = ResultFilter
    template_name = "results/result_list.html"
    paginate_by = 50
    export_class = exports.TableDownload
    export_formats = exports.EXPORT_FORMATS
    export_name = "results"

    def get_export_filename(self, export_format: str) -> str:
        """What the download holds: results-2012-13-men-500m-KOR.csv, say."""
        form = self.filterset.form
        chosen = form.cleaned_data if form.is_valid() else {}
        parts = [chosen.get(name) for name in ("season", "gender", "distance", "nation")]
        parts = [str(getattr(part, "code", part)) for part in parts if part]
        if chosen.get("podium"):
            parts.append("podiums")
        if chosen.get("athlete"):
            parts.append(slugify(chosen["athlete"])[:40] or "athlete")
        return f"{'-'.join(['results', *parts])}.{export_format}"

    def get_queryset(self) -> QuerySet:
        return (
            Result.objects.public()
            .select_related("race__event__season", "athlete", "nation", "adjustment")
            .with_race_doubled()
            .order_by("-race__date", "race__event__number", "race_id", "rank")
        )


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for where a page names no icon: the site's icon."""
    response = HttpResponseRedirect(static("favicon.ico"))  # its address changes with it
    response["Cache-Control"] = "max-age=86400"
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 page, with what the site said of the missing object in words: no exception's
    class name (an unknown address) nor Django's "No Event matches the given query"."""
    said = exception.args[0] if exception.args and isinstance(exception.args[0], str) else ""
    if match := re.fullmatch(r"No (.+?) (?:matches the given|found matching the) query\.?", said):
        said = f"There is no such {match[1].lower()}."
    if request.path.startswith(reverse("api:api-root")):  # the API's clients read JSON errors
        return JsonResponse({"detail": said or "Not found."}, status=404)
    return render(request, "404.html", {"message": said}, status=404)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(reverse("api:api-root")):  # the API's clients read JSON errors
        return JsonResponse({"detail": str(exception)}, status=400)
    return render(request, "400.html", {"message": str(exception)}, status=400)
