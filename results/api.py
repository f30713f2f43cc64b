"""The read-only JSON API (/api/v1/), with its OpenAPI schema and docs page (django-ninja).

Every object is addressed by stable slugs (season 2012-13, event number, gender, distance, race
number, athlete slug, nation code), never by database ids, so a restored backup keeps every
URL. Only provisional and official results are visible. Every endpoint answers GET and HEAD only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import wraps
from itertools import groupby
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from ninja import Field, NinjaAPI, Path, Query, Schema, Swagger
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from results.filters import name_or_alias
from results.models import Athlete, Event, HeatLine, Nation, Race, Result, Season
from results.standings import loader
from results.standings.table import TableJSON, UnknownTable
from results.vocabulary import Distance, Gender, Qualification, RoundName, Status, format_time

api = NinjaAPI(
    title="Short Track World Cup results API",
    version="1",
    urls_namespace="api",
    # The docs page and openapi.json: GET and HEAD only; other methods get 405, not a CSRF 403.
    docs_decorator=lambda view: csrf_exempt(require_safe(view)),
    # No deep links: each endpoint's summary is one button, with no link nested in it.
    docs=Swagger(settings={"deepLinking": False}),
    description="Read-only results and World Cup standings of the ISU Short Track Speed "
    "Skating World Cup. Standings are computed by each season's rules; `counted: false` marks "
    "a result dropped under best-N.",
)

SEASON = Path(..., pattern=r"^\d{4}-\d{2}$", description="Season slug, e.g. 2012-13")
NUMBER = Path(..., ge=1, le=999)
GENDER = Path(..., pattern="^(" + "|".join(Gender.values) + ")$")
DISTANCE = Path(..., pattern="^(" + "|".join(Distance.values) + ")$")


class Message(Schema):
    detail: str


class Pages(LimitOffsetPagination):
    """Limit and offset within bounds the database takes: a huge offset is a 400, not a 500."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=1_000_000)


# --- Schemas --------------------------------------------------------------------------------


class SeasonOut(Schema):
    slug: str
    name: str
    start_date: date
    end_date: date


class RulesOut(Schema):
    points_table: list[int]
    best_individual: int | None
    best_relay: int | None
    best_mixed_relay: int | None
    overall: bool
    best_overall: int | None
    nations_classification: bool
    scoreless_statuses: list[str]
    tie_break: list[str]
    rules_confidence: str
    rules_source: str


class SeasonDetail(SeasonOut):
    previous: str | None
    next: str | None
    rules: RulesOut
    source: str
    note: str


class VenueOut(Schema):
    name: str
    city: str
    nation: str


class EventOut(Schema):
    number: int
    name: str
    city: str
    venue: VenueOut | None
    first_day: date
    last_day: date


class PodiumLine(Schema):
    rank: int
    athlete: str | None
    athlete_slug: str | None
    nation: str


class RaceOut(Schema):
    event: int
    gender: str
    distance: str
    number: int
    date: date
    title: str
    record_note: str
    state: str
    classification: str | None = Field(
        description="complete, partial or podium: how much of the classification is known; "
        "null while the race is a draft (nothing of its results is public)"
    )
    podium: list[PodiumLine]


class EventDetail(EventOut):
    races: list[RaceOut]


class ClassificationLine(Schema):
    rank: int | None
    athlete: str | None
    athlete_slug: str | None
    nation: str
    time: str | None
    status: str
    points: int
    members: list[str]
    source: str


class HeatLineOut(Schema):
    place: int | None = Field(..., description="Place in the heat; none with a status or ADV")
    athlete: str | None = Field(..., description="The skater; none for a relay team")
    athlete_slug: str | None
    nation: str
    time: str | None = Field(..., description="As the ISU writes it: 39.937, 1:26.661")
    status: str = Field(..., description="Blank, or " + ", ".join(Status.values[1:]))
    qualification: str = Field(
        ...,
        description="Blank, or what the line says of the next round: "
        + ", ".join(f"{q.value} ({q.label.lower()})" for q in Qualification if q.value),
    )
    start: int | None = Field(..., description="Start position")
    members: list[str] = Field(..., description="A relay team's members (athlete slugs)")


class HeatOut(Schema):
    heat: int
    lines: list[HeatLineOut]


class RoundOut(Schema):
    name: str = Field(..., description="One of " + ", ".join(RoundName.values))
    heats: list[HeatOut]


class RaceDetail(RaceOut):
    results: list[ClassificationLine]
    rounds: list[RoundOut] = Field(
        ..., description="Final A first, back to the first round; empty while the race is draft"
    )


class TableRef(Schema):
    gender: str
    distance: str
    title: str
    url: str


class AthleteOut(Schema):
    name: str
    slug: str
    gender: str
    nation: str
    isu_id: str | None

    @staticmethod
    def resolve_nation(athlete: Athlete | dict) -> str:
        return athlete["nation"] if isinstance(athlete, dict) else athlete.nation_id


class AthleteResult(Schema):
    season: str
    event: int
    gender: str
    distance: str
    race: int
    rank: int | None
    status: str
    time: str | None
    nation: str
    points: int
    state: str


class AthleteDetail(AthleteOut):
    aliases: list[str]
    results: list[AthleteResult]


class NationOut(Schema):
    code: str
    name: str


class NationDetail(NationOut):
    athletes: list[AthleteOut]


# --- Shaping --------------------------------------------------------------------------------


def season_out(season: Season) -> dict:
    return {"slug": season.slug, "name": season.name, "start_date": season.start_date,
            "end_date": season.end_date}  # fmt: skip


def event_out(event: Event) -> dict:
    venue = event.venue
    return {
        "number": event.number,
        "name": str(event),
        "city": event.city,
        "venue": {"name": venue.name, "city": venue.city, "nation": venue.nation_id}
        if venue
        else None,
        "first_day": event.first_day,
        "last_day": event.last_day,
    }


def athlete_out(athlete: Athlete) -> dict:
    return {"name": athlete.name, "slug": athlete.slug, "gender": athlete.gender,
            "nation": athlete.nation_id, "isu_id": athlete.isu_id}  # fmt: skip


def race_out(race: Race) -> dict:
    podium = getattr(race, "podium_lines", []) if race.is_public else []
    return {
        "event": race.event.number,
        "gender": race.gender,
        "distance": race.distance,
        "number": race.number,
        "date": race.date,
        "title": race.title,
        "record_note": race.record_note if race.is_public else "",
        "state": race.state,
        "classification": race.completeness if race.is_public else None,
        "podium": [
            {
                "rank": line.rank,
                "athlete": line.athlete.name if line.athlete_id else None,
                "athlete_slug": line.athlete.slug if line.athlete_id else None,
                "nation": line.nation_id,
            }
            for line in podium
        ],  # fmt: skip
    }


def rounds_out(race: Race, lines: Iterable[HeatLine]) -> list[dict]:
    """The race's rounds in the lines' order (Final A first), each with its heats."""
    return [
        {
            "name": name,
            "heats": [
                {"heat": heat, "lines": [heat_line_out(race, line) for line in in_heat]}
                for heat, in_heat in groupby(in_round, key=lambda line: line.heat)
            ],
        }
        for name, in_round in groupby(lines, key=lambda line: line.round.name)
    ]


def competitor_out(line: HeatLine | Result) -> dict:
    """Who skated a line (an athlete, or a relay team by its nation), its time and status."""
    return {
        "athlete": line.athlete.name if line.athlete_id else None,
        "athlete_slug": line.athlete.slug if line.athlete_id else None,
        "nation": line.nation_id,
        "time": format_time(line.time) or None,
        "status": line.status,
    }


def heat_line_out(race: Race, line: HeatLine) -> dict:
    return {
        "place": line.place,
        **competitor_out(line),
        "qualification": line.qualification,
        "start": line.start,
        "members": [member.slug for member in line.members.all()] if race.is_relay else [],
    }


def races_with_podiums(races: QuerySet) -> QuerySet:
    podium = Result.objects.filter(rank__lte=3).select_related("athlete").order_by("rank")
    return (
        races.select_related("event")
        .with_doubled()
        .prefetch_related(Prefetch("results", queryset=podium, to_attr="podium_lines"))
        .in_programme_order()
    )


def season_or_404(slug: str) -> Season:
    return get_object_or_404(Season, slug=slug)


# --- Endpoints ------------------------------------------------------------------------------


class IndexOut(Schema):
    title: str
    docs: str
    schema_url: str = Field(..., alias="schema")
    endpoints: dict[str, str]


@api.get("/", response=IndexOut, tags=["index"], by_alias=True)
def index(request: HttpRequest) -> dict:
    """What the API holds, with links to its documentation and its OpenAPI schema."""
    root = "/api/v1"
    return {
        "title": api.title,
        "docs": f"{root}/docs",
        "schema": f"{root}/openapi.json",
        "endpoints": {
            "seasons": f"{root}/seasons",
            "season": f"{root}/seasons/{{season}}",
            "events": f"{root}/seasons/{{season}}/events",
            "races": f"{root}/seasons/{{season}}/races",
            "race": f"{root}/seasons/{{season}}/events/{{number}}/{{gender}}/{{distance}}/{{race}}",
            "standings": f"{root}/seasons/{{season}}/standings",
            "table": f"{root}/seasons/{{season}}/standings/{{gender}}/{{distance}}",
            "athletes": f"{root}/athletes",
            "athlete": f"{root}/athletes/{{slug}}",
            "nations": f"{root}/nations",
            "nation": f"{root}/nations/{{code}}",
        },
    }


@api.get("/seasons", response={200: list[SeasonOut], 400: Message}, tags=["seasons"])
def seasons(request: HttpRequest) -> list[dict]:
    """Every season, oldest first."""
    return [season_out(season) for season in Season.objects.order_by("start_date")]


@api.get(
    "/seasons/{season}", response={200: SeasonDetail, 400: Message, 404: Message}, tags=["seasons"]
)
def season_detail(request: HttpRequest, season: str = SEASON) -> dict:
    """A season, its neighbours and its rules (points table, best-N, tie-break chain)."""
    season_ = season_or_404(season)
    previous, following = season_.neighbours()
    rules = {name: getattr(season_, name) for name in RulesOut.model_fields}
    return {
        **season_out(season_),
        "previous": previous.slug if previous else None,
        "next": following.slug if following else None,
        "rules": rules,
        "source": season_.source,
        "note": season_.note,
    }


@api.get(
    "/seasons/{season}/events",
    response={200: list[EventOut], 400: Message, 404: Message},
    tags=["calendar"],
)
def events(request: HttpRequest, season: str = SEASON) -> list[dict]:
    season_ = season_or_404(season)
    return [event_out(e) for e in season_.events.select_related("venue").order_by("number")]


@api.get(
    "/seasons/{season}/events/{number}",
    response={200: EventDetail, 400: Message, 404: Message},
    tags=["calendar"],
)
def event_detail(request: HttpRequest, season: str = SEASON, number: int = NUMBER) -> dict:
    """An event with its races and their podiums (empty while a race is draft)."""
    event = get_object_or_404(
        Event.objects.select_related("venue"), season__slug=season, number=number
    )
    races = races_with_podiums(Race.objects.filter(event=event))
    return {**event_out(event), "races": [race_out(race) for race in races]}


@api.get(
    "/seasons/{season}/races",
    response={200: list[RaceOut], 400: Message, 404: Message},
    tags=["calendar"],
)
def races(
    request: HttpRequest,
    season: str = SEASON,
    gender: str | None = Query(None, pattern="^(" + "|".join(Gender.values) + ")$"),
    distance: str | None = Query(None, pattern="^(" + "|".join(Distance.values) + ")$"),
) -> list[dict]:
    """Every race of the season, filtered by gender and distance if given."""
    season_ = season_or_404(season)
    filters = Q(event__season=season_)
    if gender:
        filters &= Q(gender=gender)
    if distance:
        filters &= Q(distance=distance)
    return [race_out(race) for race in races_with_podiums(Race.objects.filter(filters))]


@api.get(
    "/seasons/{season}/events/{number}/{gender}/{distance}/{race}",
    response={200: RaceDetail, 400: Message, 404: Message},
    tags=["calendar"],
)
def race_detail(
    request: HttpRequest,
    season: str = SEASON,
    number: int = NUMBER,
    gender: str = GENDER,
    distance: str = DISTANCE,
    race: int = NUMBER,
) -> dict:
    """A race's full classification with World Cup points, and its rounds heat by heat, Final
    A first (both empty while the race is draft)."""
    race_ = get_object_or_404(
        races_with_podiums(Race.objects.select_related("event__season")),
        event__season__slug=season,
        event__number=number,
        gender=gender,
        distance=distance,
        number=race,
    )
    lines = race_.classification_lines()
    return {
        **race_out(race_),
        "results": [
            {
                "rank": line.rank,
                **competitor_out(line),
                "points": line.points,
                "members": [member.slug for member in line.members.all()],
                "source": line.source,
            }
            for line in lines
        ],
        "rounds": rounds_out(race_, HeatLine.objects.for_race_page(race_)),
    }


@api.get(
    "/seasons/{season}/standings",
    response={200: list[TableRef], 400: Message, 404: Message},
    tags=["standings"],
)
def standings_index(request: HttpRequest, season: str = SEASON) -> list[dict]:
    """The season's standings tables."""
    season_ = season_or_404(season)
    return [
        {
            "gender": t.gender,
            "distance": t.kind,
            "title": t.title,
            "url": f"/api/v1/seasons/{season_.slug}/standings/{t.gender}/{t.kind}",
        }  # fmt: skip
        for t in loader.season_standings(season_).tables()
    ]


@api.get(
    "/seasons/{season}/standings/{gender}/{distance}",
    response={200: TableJSON, 400: Message, 404: Message},
    tags=["standings"],
)
def standings(
    request: HttpRequest,
    season: str = SEASON,
    gender: str = GENDER,
    distance: str = Path(..., pattern=r"^[a-z0-9-]{1,30}$"),
    after_race: int | None = Query(None, ge=1, le=999, description="Standings after race K"),
) -> dict:
    """A standings table, exactly as `manage.py standings ... --format json` prints it."""
    season_ = season_or_404(season)
    try:
        return loader.standings_table(season_, gender, distance, after_race).as_dict(season_.slug)
    except UnknownTable as error:
        raise Http404(str(error)) from error


@api.get("/athletes", response={200: list[AthleteOut], 400: Message}, tags=["athletes"])
@paginate(Pages)
def athletes(
    request: HttpRequest,
    nation: str | None = Query(None, pattern="^[A-Z]{3}$"),
    gender: str | None = Query(None, pattern="^(men|women)$"),
    q: str | None = Query(None, max_length=100, description="Part of a name or other spelling"),
) -> list[dict]:
    """Athletes, by name; filter by nation, gender or part of a name."""
    found = Athlete.objects.public().order_by("name")
    if nation:
        found = found.filter(nation=nation)
    if gender:
        found = found.filter(gender=gender)
    if q:
        found = found.filter(name_or_alias(q))
    return found


@api.get(
    "/athletes/{slug}", response={200: AthleteDetail, 400: Message, 404: Message}, tags=["athletes"]
)
def athlete_detail(
    request: HttpRequest, slug: str = Path(..., pattern=r"^[-a-zA-Z0-9_]{1,100}$")
) -> dict:
    """An athlete and every published result, with World Cup points."""
    athlete = get_object_or_404(Athlete.objects.public(), slug=slug)
    results = (
        athlete.results.public()
        .select_related("race__event__season", "adjustment")
        .order_by("race__date", "race__distance")
    )
    return {
        **athlete_out(athlete),
        "aliases": athlete.aliases,
        "results": [
            {
                "season": r.race.event.season.slug,
                "event": r.race.event.number,
                "gender": r.race.gender,
                "distance": r.race.distance,
                "race": r.race.number,
                "rank": r.rank,
                "status": r.status,
                "time": format_time(r.time) or None,
                "nation": r.nation_id,
                "points": r.points,
                "state": r.race.state,
            }
            for r in results
        ],
    }


@api.get("/nations", response={200: list[NationOut], 400: Message}, tags=["nations"])
def nations(request: HttpRequest) -> QuerySet:
    return Nation.objects.order_by("code")


@api.get(
    "/nations/{code}", response={200: NationDetail, 400: Message, 404: Message}, tags=["nations"]
)
def nation_detail(request: HttpRequest, code: str = Path(..., pattern="^[A-Z]{3}$")) -> dict:
    nation = get_object_or_404(Nation, code=code)
    return {
        "code": nation.code,
        "name": nation.name,
        "athletes": [athlete_out(a) for a in nation.athletes.public().order_by("name")],
    }


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404):
    return api.create_response(request, {"detail": str(error) or "Not found."}, status=404)


@api.exception_handler(ValidationError)
def bad_parameters(request: HttpRequest, error: ValidationError):
    """A parameter the API does not take is a 400, as on the pages, saying which and why."""
    said = []
    for problem in error.errors:
        where = ".".join(str(part) for part in problem.get("loc", ())[1:]) or "request"
        said.append(f"{where}: {problem.get('msg', 'not valid')}")
    return api.create_response(
        request, {"detail": "; ".join(said) or "Bad parameters."}, status=400
    )


def answering_head(view: Callable) -> Callable:
    """HEAD is GET without the body (the server drops it): the API's operations are GET only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "HEAD":
            return view(request, *args, **kwargs)
        request.method = "GET"
        try:
            return view(request, *args, **kwargs)
        finally:
            request.method = "HEAD"

    return wrapped


def urls() -> tuple:
    """The API's URL patterns, each also answering HEAD."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = answering_head(pattern.callback)
    return patterns, app_name, namespace
