"""Public pages. Every path part is a stable slug or code; the converters refuse anything else
with a 404 before a view or the database sees it."""

from django.urls import path, register_converter
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from results import views
from results.vocabulary import Distance, Gender, TableKind


class Converter:
    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


class SeasonConverter(Converter):
    regex = r"\d{4}-\d{2}"


class NumberConverter(Converter):
    regex = r"[1-9]\d{0,2}"  # an event or race number, 1 to 999

    def to_python(self, value: str) -> int:
        return int(value)


class GenderConverter(Converter):
    regex = "|".join(Gender.values)


class DistanceConverter(Converter):
    regex = "|".join(Distance.values)


class TableConverter(Converter):
    regex = "|".join(TableKind.values)


class NationConverter(Converter):
    regex = "[A-Z]{3}"


register_converter(SeasonConverter, "season")
register_converter(NumberConverter, "number")
register_converter(GenderConverter, "gender")
register_converter(DistanceConverter, "distance")
register_converter(TableConverter, "table")
register_converter(NationConverter, "nation")

RACE = (
    "seasons/<season:season>/events/<number:number>/<gender:gender>/<distance:distance>"
    "/<number:race>"
)
TABLE = "seasons/<season:season>/standings/<gender:gender>/<table:kind>"


def cached(view):
    """A season's page, served from the cache by the season's version; GET and HEAD only."""
    return page(views.cached_by_season(view))


def page(view):
    """A page that changes with every request's parameters; GET and HEAD only: any other
    method answers 405 (not the CSRF check's 403, which would say a form was expected)."""
    return csrf_exempt(require_safe(view))


urlpatterns = [
    path("", page(views.HomeView.as_view()), name="home"),
    path("favicon.ico", page(views.favicon), name="favicon"),
    path("seasons/", page(views.SeasonListView.as_view()), name="season-list"),
    path(
        "seasons/<season:season>/",
        cached(views.SeasonDetailView.as_view()),
        name="season-detail",
    ),
    path("seasons/<season:season>/calendar.ics", page(views.calendar_ics), name="season-calendar"),
    path("seasons/<season:season>/medals/", cached(views.medals), name="season-medals"),
    path(
        "seasons/<season:season>/events/<number:number>/",
        cached(views.EventDetailView.as_view()),
        name="event-detail",
    ),
    path(f"{RACE}/", cached(views.RaceDetailView.as_view()), name="race-detail"),
    path(f"{RACE}/results.csv", cached(views.race_csv), name="race-csv"),
    path(f"{RACE}/rounds.csv", cached(views.race_rounds_csv), name="race-rounds-csv"),
    path(
        "seasons/<season:season>/standings/",
        cached(views.StandingsIndexView.as_view()),
        name="standings-index",
    ),
    path(f"{TABLE}/", cached(views.StandingsView.as_view()), name="standings"),
    path(f"{TABLE}.csv", cached(views.standings_csv), name="standings-csv"),
    path(f"{TABLE}.json", cached(views.standings_json), name="standings-json"),
    path("athletes/", page(views.AthleteListView.as_view()), name="athlete-list"),
    path("athletes/<slug:slug>/", page(views.AthleteDetailView.as_view()), name="athlete-detail"),
    path("nations/", page(views.NationListView.as_view()), name="nation-list"),
    path("nations/<nation:code>/", page(views.NationDetailView.as_view()), name="nation-detail"),
    path("results/", page(views.ResultSearchView.as_view()), name="result-search"),
]
