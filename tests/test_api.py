"""The read-only JSON API: same facts as the pages, stable slugs, only published results."""

import json
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from results.models import Athlete
from results.standings.loader import forget_loaded
from tests import factories as make

pytestmark = pytest.mark.django_db


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    return response.json()


def test_the_standings_endpoint_serves_what_the_command_prints(client, season_2012_13, capsys):
    call_command("standings", "2012-13", "women", "3000m-relay", "--format", "json")
    printed = json.loads(capsys.readouterr().out)
    served = get(client, "/api/v1/seasons/2012-13/standings/women/3000m-relay")
    assert served == printed
    china = served["rows"][0]
    assert (china["nation"], china["points"], china["athlete"]) == ("CHN", 4000, None)
    calgary = china["results"][0]
    assert calgary["points"] == 800 and calgary["counted"] is False  # dropped


def test_the_standings_after_race_k(client, season_2012_13):
    table = get(client, "/api/v1/seasons/2012-13/standings/men/5000m-relay?after_race=2")
    assert (table["rows"][0]["nation"], table["rows"][0]["points"]) == ("KOR", 2000)
    assert (table["races_done"], table["races_total"], table["after_race"]) == (2, 6, 2)


def test_seasons_and_a_season_with_its_rules(client, season_2012_13):
    assert get(client, "/api/v1/seasons") == [
        {"slug": "2012-13", "name": "2012–13", "start_date": "2012-10-19", "end_date": "2013-02-10"}
    ]
    season = get(client, "/api/v1/seasons/2012-13")
    assert season["rules"]["points_table"][:5] == [1000, 800, 640, 512, 410]
    assert (season["rules"]["best_individual"], season["rules"]["best_relay"]) == (6, 4)
    assert (season["previous"], season["next"]) == (None, None)


def test_events_with_venues(client, season_2012_13):
    events = get(client, "/api/v1/seasons/2012-13/events")
    assert [e["city"] for e in events] == [
        "Calgary",
        "Montreal",
        "Nagoya",
        "Shanghai",
        "Sochi",
        "Dresden",
    ]
    assert events[3]["venue"] == {
        "name": "Oriental Sports Center",
        "city": "Shanghai",
        "nation": "CHN",
    }


def test_an_event_with_its_races_and_podiums(client, season_2012_13):
    event = get(client, "/api/v1/seasons/2012-13/events/1")
    assert event["name"] == "World Cup 1 · Calgary"
    assert len(event["races"]) == 10
    relay = next(r for r in event["races"] if r["distance"] == "5000m-relay")
    assert [p["nation"] for p in relay["podium"]] == ["KOR", "RUS", "CAN"]
    titles = [r["title"] for r in event["races"] if r["distance"] == "1000m"]
    assert titles == ["Men 1000 m (1)", "Men 1000 m (2)", "Women 1000 m (1)", "Women 1000 m (2)"]


def test_races_filter_by_gender_and_distance(client, season_2012_13):
    races = get(client, "/api/v1/seasons/2012-13/races?gender=women&distance=3000m-relay")
    assert [r["event"] for r in races] == [1, 2, 3, 4, 5, 6]


def test_a_race_classification_with_points(client, season_2012_13):
    race = get(client, "/api/v1/seasons/2012-13/events/1/men/500m/1")
    assert race["record_note"] == "WR"
    winner = race["results"][0]
    assert (winner["athlete"], winner["athlete_slug"], winner["time"], winner["points"]) == (
        "J. R. Celski",
        "j-r-celski",
        "39.937",
        1000,
    )


def test_a_relay_penalty_that_kept_its_rank(client, season_2012_13):
    race = get(client, "/api/v1/seasons/2012-13/events/1/men/5000m-relay/1")
    china = race["results"][3]
    assert (china["rank"], china["nation"], china["status"], china["points"]) == (
        4,
        "CHN",
        "PEN",
        512,
    )


def test_athletes_paginate_and_filter(client, season_2012_13):
    page = get(client, "/api/v1/athletes?limit=5")
    assert page["count"] == 37 and len(page["items"]) == 5
    russians = get(client, "/api/v1/athletes?nation=RUS")["items"]
    assert {a["slug"] for a in russians} == {"victor-an", "vladimir-grigorev"}
    assert [a["slug"] for a in get(client, "/api/v1/athletes?q=ahn")["items"]] == ["victor-an"]


def test_an_athlete_with_results(client, season_2012_13):
    an = get(client, "/api/v1/athletes/victor-an")
    assert an["aliases"] == ["Viktor Ahn", "Ahn Hyun-soo"]
    # Sourced: Calgary 1000 m (2) 1st, Shanghai 1500 m 1st, Dresden 1000 m 3rd, 1500 m (2) 3rd.
    assert sorted((r["event"], r["distance"], r["rank"], r["points"]) for r in an["results"]) == [
        (1, "1000m", 1, 1000),
        (4, "1500m", 1, 1000),
        (6, "1000m", 3, 640),
        (6, "1500m", 3, 640),
    ]


def test_nations(client, season_2012_13):
    assert {"code": "NED", "name": "Netherlands"} in get(client, "/api/v1/nations")
    korea = get(client, "/api/v1/nations/KOR")
    assert "shim-suk-hee" in {a["slug"] for a in korea["athletes"]}


def test_the_standings_index_links_every_table(client, season_2012_13):
    tables = get(client, "/api/v1/seasons/2012-13/standings")
    assert len(tables) == 8
    assert tables[0]["url"] == "/api/v1/seasons/2012-13/standings/men/500m"


def test_every_object_uses_slugs_not_ids(client, season_2012_13):
    body = json.dumps(
        [
            get(client, "/api/v1/seasons/2012-13/events/1"),
            get(client, "/api/v1/athletes/victor-an"),
            get(client, "/api/v1/seasons/2012-13/events/1/men/500m/1"),
        ]
    )
    assert '"id"' not in body and '"pk"' not in body


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/seasons/2099-00", 404),
        ("/api/v1/seasons/2099-00/events", 404),
        ("/api/v1/seasons/2012-13/events/9", 404),
        ("/api/v1/seasons/2012-13/events/1/men/500m/2", 404),
        ("/api/v1/seasons/2012-13/standings/men/400m", 404),
        ("/api/v1/seasons/2012-13/standings/men/3000m-relay", 404),
        ("/api/v1/seasons/2012-13/standings/men/500m?after_race=9", 404),
        ("/api/v1/athletes/nobody", 404),
        ("/api/v1/nations/XYZ", 404),
        ("/api/v1/seasons/2012-13/events/abc", 400),
        ("/api/v1/seasons/2012-13/events/99999999999999999999", 400),
        ("/api/v1/seasons/2012-13/standings/men/500m?after_race=x", 400),
        ("/api/v1/seasons/2012-13/standings/men/500m?after_race=0", 400),
        ("/api/v1/seasons/2012-13/races?gender=boys", 400),
        ("/api/v1/athletes?limit=-1", 400),
        ("/api/v1/nations/kor", 400),
        ("/api/v1/seasons/2012'13", 400),
    ],
)
def test_bad_requests_get_a_clear_4xx(client, season_2012_13, url, status):
    body = get(client, url, status=status)
    assert body["detail"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "url", ["/api/v1/seasons", "/api/v1/seasons/2012-13", "/api/v1/athletes/victor-an",
            "/api/v1/seasons/2012-13/standings/men/500m"]
)  # fmt: skip
def test_the_api_is_read_only(client, season_2012_13, method, url):
    assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize(
    "url", ["/api/v1/seasons", "/api/v1/seasons/2012-13/standings/men/500m", "/api/v1/docs"]
)
def test_head_answers_like_get_without_a_body(client, season_2012_13, url):
    got, head = client.get(url), client.head(url)
    assert (head.status_code, head["Content-Type"]) == (200, got["Content-Type"])
    assert head.content == b""
    assert client.head("/api/v1/nations/XYZ").status_code == 404


def test_draft_results_are_not_in_the_api(client, db):
    event = make.event(make.season("2030-31"), 1)
    draft = make.race(event, state="draft")
    make.result(draft, 1, make.athlete("Secret Skater"))
    race = get(client, "/api/v1/seasons/2030-31/events/1/men/500m/1")
    assert (race["state"], race["results"], race["podium"]) == ("draft", [], [])
    assert get(client, "/api/v1/seasons/2030-31/standings/men/500m")["rows"] == []
    # A skater with draft results only is no public skater (issue "Nothing gets out").
    assert client.get("/api/v1/athletes/secret-skater").status_code == 404
    assert get(client, "/api/v1/seasons/2030-31/events/1")["races"][0]["podium"] == []


def test_the_docs_page_makes_no_external_request(client):
    html = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    # the page's files are the site's static files; its one other address the way back home
    assert [s for s in sources if not s.startswith("/static/")] == ["/"], sources
    assert "https://" not in html and "http://" not in html


def test_the_openapi_schema_lists_every_endpoint(client):
    paths = set(get(client, "/api/v1/openapi.json")["paths"])
    assert paths == {
        "/api/v1/",
        "/api/v1/seasons",
        "/api/v1/seasons/{season}",
        "/api/v1/seasons/{season}/events",
        "/api/v1/seasons/{season}/events/{number}",
        "/api/v1/seasons/{season}/races",
        "/api/v1/seasons/{season}/events/{number}/{gender}/{distance}/{race}",
        "/api/v1/seasons/{season}/standings",
        "/api/v1/seasons/{season}/standings/{gender}/{distance}",
        "/api/v1/athletes",
        "/api/v1/athletes/{slug}",
        "/api/v1/nations",
        "/api/v1/nations/{code}",
    }


# --- A constant number of queries per endpoint ----------------------------------------------

ENDPOINTS = [
    "/api/v1/seasons",
    "/api/v1/seasons/2040-41",
    "/api/v1/seasons/2040-41/events",
    "/api/v1/seasons/2040-41/events/1",
    "/api/v1/seasons/2040-41/races",
    "/api/v1/seasons/2040-41/events/1/men/500m/1",
    "/api/v1/seasons/2040-41/events/1/men/5000m-relay/1",
    "/api/v1/seasons/2040-41/standings",
    "/api/v1/seasons/2040-41/standings/men/500m",
    "/api/v1/athletes",
    "/api/v1/athletes/skater-00",
    "/api/v1/nations",
    "/api/v1/nations/KOR",
]


def grow(n_races: int, n_athletes: int):
    season = make.season("2040-41")
    skaters = [make.athlete(f"Skater {i:02d}") for i in range(n_athletes)]
    for number in range(1, n_races + 1):
        race = make.race(make.event(season, number))
        make.classification(race, skaters)
    relay = make.race(season.events.first(), distance="5000m-relay")
    make.result(relay, 1, nation_code="KOR")
    relay.results.get().members.set(skaters[:4])
    return season


def queries(client, url: str) -> int:
    cache.clear()
    forget_loaded()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_every_endpoint_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    """Each endpoint's queries with one race and one athlete, then with twenty races and forty
    athletes: the same, and at most eight (the data grown once for every endpoint)."""
    season = grow(1, 1)
    with_one = {url: queries(client, url) for url in ENDPOINTS}
    season.delete()
    Athlete.objects.all().delete()
    grow(20, 40)
    with_twenty = {}
    for url in ENDPOINTS:
        with django_assert_max_num_queries(8):
            with_twenty[url] = queries(client, url)
    assert with_twenty == with_one


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=1001", "offset=-1", "offset=99999999999999999999", "limit=abc"]
)
def test_pagination_bounds_are_a_400_not_a_server_error(client, db, query):
    assert get(client, f"/api/v1/athletes?{query}", status=400)["detail"]


@pytest.mark.parametrize("url", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_the_docs_and_schema_are_read_only_too(db, url):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a real browser or curl meets the site
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(url).status_code == 405
    assert client.get(url).status_code == 200


def test_a_disqualified_result_shows_no_points(client, db):
    from results.models import Adjustment

    race = make.race(make.event(make.season("2030-31"), 1))
    line = make.result(race, 1, make.athlete("Caught Skater"))
    Adjustment.objects.create(result=line, kind="disqualified", reason="Doping case")
    race_json = get(client, "/api/v1/seasons/2030-31/events/1/men/500m/1")
    assert race_json["results"][0]["points"] == 0
    assert get(client, "/api/v1/athletes/caught-skater")["results"][0]["points"] == 0


def test_a_quote_in_the_search_does_not_match_every_alias(client, season_2012_13):
    assert get(client, '/api/v1/athletes?q="')["count"] == 0
    assert get(client, "/api/v1/athletes?q=,")["count"] == 0


# --- A race skated in rounds ----------------------------------------------------------------


def test_a_race_with_its_rounds_heat_by_heat_final_a_first(client, db):
    from tests.test_views import rounds_race

    race = get(client, "/api/v1" + rounds_race().get_absolute_url().removesuffix("/"))
    assert [(r["name"], [h["heat"] for h in r["heats"]]) for r in race["rounds"]] == [
        ("final-a", [1]), ("final-b", [1]), ("semifinals", [1, 2]),
    ]  # fmt: skip
    final_a = race["rounds"][0]["heats"][0]["lines"]
    assert [(line["place"], line["athlete"], line["status"]) for line in final_a] == [
        (1, "Skater E", ""), (2, "Skater A", ""), (3, "Skater F", ""), (None, "Skater B", "PEN"),
    ]  # fmt: skip
    semifinal = race["rounds"][2]["heats"][0]["lines"]
    assert semifinal[0] == {
        "place": 1,
        "athlete": "Skater A",
        "athlete_slug": "skater-a",
        "nation": "KOR",
        "time": "1:26.661",
        "status": "",
        "qualification": "QA",
        "start": None,
        "members": [],
    }
    assert (semifinal[3]["athlete"], semifinal[3]["status"], semifinal[3]["qualification"]) == (
        "Skater D", "DNF", "",
    )  # fmt: skip
    assert [line["rank"] for line in race["results"]] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_a_relay_heat_names_its_members(client, db):
    from tests.test_views import relay_round

    race = make.race(distance="5000m-relay", state="draft")
    members = {"KOR": [make.athlete("Relay One"), make.athlete("Relay Two")]}
    relay_round(race, ["KOR"], members)
    race.publish("provisional")
    found = get(client, "/api/v1" + race.get_absolute_url().removesuffix("/"))
    line = found["rounds"][0]["heats"][0]["lines"][0]
    assert (line["athlete"], line["nation"], line["members"]) == (
        None, "KOR", ["relay-one", "relay-two"],
    )  # fmt: skip


def test_the_rounds_of_a_draft_race_are_not_in_the_api(client, db):
    from tests.test_views import rounds_race

    race = get(client, "/api/v1" + rounds_race("draft").get_absolute_url().removesuffix("/"))
    assert (race["state"], race["rounds"], race["results"]) == ("draft", [], [])


def test_the_openapi_schema_documents_the_rounds(client):
    schema = get(client, "/api/v1/openapi.json")["components"]["schemas"]
    assert "rounds" in schema["RaceDetail"]["required"]
    assert schema["RaceDetail"]["properties"]["rounds"]["items"] == {
        "$ref": "#/components/schemas/RoundOut"
    }
    assert set(schema["HeatLineOut"]["properties"]) == {
        "place", "athlete", "athlete_slug", "nation", "time", "status", "qualification",
        "start", "members",
    }  # fmt: skip
    assert "final-a" in schema["RoundOut"]["properties"]["name"]["description"]
    assert "QA (to final a)" in schema["HeatLineOut"]["properties"]["qualification"]["description"]


# The race and its podium, the classification and its members, the heat lines (+ members).
@pytest.mark.parametrize(("distance", "most"), [("500m", 5), ("5000m-relay", 6)])
def test_a_race_with_rounds_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, distance, most
):
    from results.models import Season
    from tests.test_views import season_with_rounds

    url = "/api/v1" + season_with_rounds(1, distance).removesuffix("/")
    with_one = queries(client, url)
    assert len(get(client, url)["rounds"]) == 1
    Season.objects.all().delete()
    Athlete.objects.all().delete()
    url = "/api/v1" + season_with_rounds(40, distance).removesuffix("/")
    with_forty = queries(client, url)
    rounds = get(client, url)["rounds"]
    assert sum(len(heat["lines"]) for r in rounds for heat in r["heats"]) == 40
    assert with_forty == with_one, (with_one, with_forty)
    cache.clear()
    forget_loaded()
    with django_assert_max_num_queries(most):
        client.get(url)


def test_bad_parameters_are_a_400_that_says_which_and_the_schema_says_so(client, db):
    body = get(client, "/api/v1/seasons/2012-13/standings/men/500m?after_race=1.5", status=400)
    assert body["detail"].startswith("after_race: ")
    schema = get(client, "/api/v1/openapi.json")
    operation = schema["paths"]["/api/v1/seasons/{season}/standings/{gender}/{distance}"]["get"]
    assert "400" in operation["responses"] and "422" not in operation["responses"]
