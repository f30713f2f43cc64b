"""Drafts are private, all of them: a draft season, a draft race in a published season and a
skater entered only in draft races leave no trace on any public path: pages, exports, the
calendar feed, the API. Every public path answers GET and HEAD only.

The sweeps read the URL list from the URLconf, so a page added later is swept too.
"""

import io
import itertools
import zipfile

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from openpyxl import load_workbook

from results.models import Athlete, PublishedStanding, Race, Season
from results.vocabulary import Distance, Gender, TableKind
from tests import factories as make

pytestmark = pytest.mark.django_db

# Everything the drafts hold that the public must not see.
SECRETS = [
    "Hidden Skater", "hidden-skater", "Secret Skater", "secret-skater", "DRAFT-SEASON-NOTE",
    "DRAFT-RACE-NOTE", "DRAFTWR", "draft.example", "41.111", "39.001",
]  # fmt: skip


@pytest.fixture
def drafts(season_2012_13):
    """A draft season with a draft-only skater; a draft race, with another draft-only skater
    and a public one, in the published 2012–13 season."""
    season = make.season("2031-32", note="")
    race = make.race(
        make.event(season, 1, city="Nowhere"),
        state="draft",
        note="DRAFT-SEASON-NOTE",
        record_note="DRAFTWR1",
        source="https://draft.example/season",
    )
    hidden = make.athlete("Hidden Skater", nation_code="SUI")
    make.result(race, 1, hidden, time="41.111", source="https://draft.example/line")
    event = season_2012_13.events.get(number=1)
    draft = make.race(
        event,
        distance="1500m",
        number=3,
        state="draft",
        note="DRAFT-RACE-NOTE",
        record_note="DRAFTWR2",
        source="https://draft.example/race",
    )
    make.result(draft, 1, make.athlete("Secret Skater", nation_code="SUI"), time="39.001")
    make.result(draft, 2, Athlete.objects.get(slug="j-r-celski"), source="https://draft.example/x")
    return season_2012_13


def body(response) -> str:
    """The response's text; an XLSX download's cells."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(str(v) for sheet in workbook for row in sheet.values for v in row if v)
    return response.content.decode("utf-8", errors="replace")


def leaks(response) -> list[str]:
    text = body(response)
    return [secret for secret in SECRETS if secret in text]


# --- The public paths, read from the URLconf --------------------------------------------------

CANDIDATES = {
    "season": ["2012-13", "2031-32"],
    "number": [1],
    "gender": Gender.values,
    "distance": Distance.values,
    "race": [1, 3],
    "kind": TableKind.values,
    "slug": ["hidden-skater", "secret-skater", "j-r-celski"],
    "code": ["SUI", "KOR", "USA"],
}
# The parameters the site reads, each tried where it is read: on the lists and searches (the
# addresses with no part of their own) and the standings' "after race K".
QUERIES = ["?_export=csv", "?_export=xlsx", "?name=Skater", "?athlete=Skater", "?q=Skater",
           "?nation=SUI", "?season=2031-32", "?per_page=100"]  # fmt: skip


def queries_of(name: str, params: tuple) -> list[str]:
    if not params:
        return ["", *QUERIES]
    return ["", "?after_race=1"] if "standings" in name else [""]


def named_patterns(resolver: URLResolver, namespace: str = "", params: tuple = ()) -> list:
    found = []
    for entry in resolver.url_patterns:
        names = params + tuple(getattr(entry.pattern, "converters", {}))
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # staff only
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += named_patterns(entry, inner, names)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((namespace + entry.name, names))
    return found


def public_urls(only: str | None = None, queries: bool = False) -> list[str]:
    """Every public path the URLconf names (or those of one name), filled in with the values
    above wherever they make an address; with `queries`, each with the parameters it reads."""
    urls = set()
    for name, params in named_patterns(get_resolver()):
        if only is not None and name != only:
            continue
        for values in itertools.product(*(CANDIDATES[p] for p in params)):
            try:
                url = reverse(name, kwargs=dict(zip(params, values, strict=True)))
            except NoReverseMatch:
                continue
            urls |= {url + query for query in queries_of(name, params)} if queries else {url}
    return sorted(urls)


NAMES = sorted({name for name, _ in named_patterns(get_resolver())})


def test_the_sweep_reaches_every_kind_of_page(drafts):
    urls = public_urls()
    assert {"/", "/athletes/", "/results/", "/seasons/2031-32/calendar.ics"} <= set(urls)
    assert "/api/v1/athletes/hidden-skater" in urls
    assert "/seasons/2012-13/events/1/men/1500m/3/results.csv" in urls
    assert len(urls) > 300 and len(NAMES) > 25


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_no_public_path_shows_a_trace_of_a_draft(client, drafts, name):
    found = []
    for url in public_urls(name, queries=True):
        response = client.get(url)
        if response.status_code == 200 and (secrets := leaks(response)):
            found.append((url, secrets))
    assert found == []


def test_no_public_path_takes_a_post(drafts):
    client = Client(enforce_csrf_checks=True)  # as a browser or curl posts: the CSRF check on
    posted = [
        (url, response.status_code)
        for url in public_urls()
        if (response := client.post(url, {"x": "1"})).status_code != 405
    ]
    assert posted == []


# --- Each trace, told apart ------------------------------------------------------------------


def test_a_draft_only_skater_is_on_no_list_page_or_export(client, drafts):
    for url in ["/athletes/", "/athletes/?name=Hidden", "/athletes/?nation=SUI",
                "/athletes/?_export=csv", "/athletes/?_export=xlsx", "/nations/SUI/"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert not leaks(response), url
    assert client.get("/athletes/hidden-skater/").status_code == 404
    assert client.get("/athletes/secret-skater/").status_code == 404
    assert client.get("/athletes/j-r-celski/").status_code == 200  # he has public results


def test_a_draft_only_skater_is_not_in_the_api(client, drafts):
    assert client.get("/api/v1/athletes?q=Hidden").json()["items"] == []
    assert client.get("/api/v1/athletes?nation=SUI").json()["items"] == []
    assert client.get("/api/v1/athletes/hidden-skater").status_code == 404
    assert client.get("/api/v1/nations/SUI").json()["athletes"] == []


def test_a_skater_becomes_public_with_a_provisional_result(client, drafts):
    Race.objects.filter(note="DRAFT-RACE-NOTE").get().publish("provisional")
    assert client.get("/athletes/secret-skater/").status_code == 200
    assert [a["slug"] for a in client.get("/api/v1/athletes?q=Secret").json()["items"]] == [
        "secret-skater"
    ]


def test_a_draft_races_notes_and_sources_are_not_shown(client, drafts):
    for url in ["/seasons/2012-13/", "/seasons/2012-13/events/1/",
                "/seasons/2012-13/events/1/men/1500m/3/", "/seasons/2031-32/",
                "/api/v1/seasons/2012-13/races", "/api/v1/seasons/2012-13/events/1"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert not leaks(response), url
    # The calendar may show that the race exists: its date and distance.
    assert "/seasons/2012-13/events/1/men/1500m/3/" in client.get("/seasons/2012-13/").text
    races = client.get("/api/v1/seasons/2012-13/races").json()
    draft = next(r for r in races if (r["distance"], r["number"]) == ("1500m", 3))
    assert (draft["classification"], draft["podium"], draft["record_note"]) == (None, [], "")


@pytest.mark.django_db(transaction=True)
def test_a_rename_of_a_skater_named_only_in_published_standings_shows_at_once(client):
    season = make.season("2030-31")
    make.result(make.race(make.event(season)), 1, nation_code="KOR")
    skater = make.athlete("Old Name")
    PublishedStanding.objects.create(
        season=season, gender="men", kind="500m", rank=1, athlete=skater, points=1000
    )
    url = "/seasons/2030-31/standings/men/500m/"
    assert "Old Name" in client.get(url).text  # now cached under the season's version
    skater.name = "New Name"
    skater.save()
    page = client.get(url).text
    assert "New Name" in page and "Old Name" not in page
    assert Season.objects.get().version  # (the season's version moved on)


def test_an_xlsx_download_is_read_cell_by_cell(client, drafts):
    """The sweep reads XLSX downloads as their cells: a name inside one would be found."""
    response = client.get("/athletes/?_export=xlsx&nation=USA")
    assert zipfile.is_zipfile(io.BytesIO(response.content))
    assert "J. R. Celski" in body(response)
