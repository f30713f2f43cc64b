"""A catalogue of bad input: each gets a clear 4xx or form error, and changes nothing.

Across URL paths, query parameters, API parameters, admin forms, CSV/XLSX imports and fixtures:
wrong types, huge numbers, unknown slugs, SQL-ish and HTML-ish strings, wrong encodings,
oversized files. A checksum of every table the site owns is taken before and after each.
"""

import base64
import hashlib
import io
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from results.models import Athlete, Event, Race, Season
from tests.test_admin import add_line, change_url, form_data

pytestmark = pytest.mark.django_db

SQLISH = "x' OR '1'='1'; DROP TABLE results_result; --"
HTMLISH = '<script>alert("x")</script>'


def checksum() -> str:
    """Every row of the site's own tables (results, history, users, groups), hashed."""
    models = list(apps.get_app_config("results").get_models()) + [User, Group]
    digest = hashlib.sha256()
    for model in models:
        rows = model.objects.order_by("pk").values_list()
        digest.update(repr((model.__name__, list(rows))).encode())
    return digest.hexdigest()


@pytest.fixture
def site(season_2012_13):
    return season_2012_13


# --- URL paths and query parameters of the public site --------------------------------------

PAGE_CASES = [
    ("/seasons/2099-00/", 404, "Not found"),
    ("/seasons/2012-13/events/99999999999999999999/", 404, "Not found"),
    ("/seasons/2012-13/events/0/", 404, "Not found"),
    ("/seasons/2012-13/events/1/boys/500m/1/", 404, "Not found"),
    ("/seasons/2012-13/events/1/men/400m/1/", 404, "Not found"),
    ("/seasons/2012-13/standings/women/5000m-relay/", 404, "Not found"),
    (f"/athletes/{SQLISH}/", 404, "Not found"),
    (f"/athletes/{HTMLISH}/", 404, "Not found"),
    ("/nations/kor/", 404, "Not found"),
    (
        "/seasons/2012-13/standings/men/500m/?after_race=abc",
        400,
        "after_race must be a race number",
    ),
    (
        "/seasons/2012-13/standings/men/500m/?after_race=99999999999999999999",
        400,
        "after_race must",
    ),
    (f"/seasons/2012-13/standings/men/500m/?after_race={HTMLISH}", 400, "after_race must"),
    ("/seasons/2012-13/standings/men/500m/?after_race=9", 404, "Not found"),
    ("/results/?page=99999999999999999999", 404, ""),
    ("/results/?per_page=-1", 400, "per_page must be a number of rows from 1 to 100"),
    ("/athletes/?per_page=0", 400, "per_page must be"),
    ("/nations/?per_page=100000000", 400, "per_page must be"),
    ("/seasons/?per_page=-5", 400, "per_page must be"),
    ("/athletes/?per_page=abc", 400, "per_page must be"),
    ("/results/?per_page=1.5", 400, "per_page must be"),
]


@pytest.mark.parametrize(("url", "status", "message"), PAGE_CASES)
def test_bad_addresses_and_parameters(client, site, url, status, message):
    before = checksum()
    response = client.get(url)
    assert response.status_code == status
    body = response.content.decode()
    assert message in body
    assert HTMLISH not in body  # never echoed unescaped
    assert checksum() == before


TABLE = ["page", "per_page", "sort", "_export"]  # every page with a sortable, paginated table
STANDINGS = ["after_race", "_export"]
# Each public page and the query parameters it reads (results/views.py, results/filters.py).
PAGE_PARAMETERS = {
    "/": [], "/seasons/": TABLE, "/seasons/2012-13/": [], "/seasons/2012-13/events/1/": [],
    "/seasons/2012-13/events/1/men/500m/1/": [],
    "/seasons/2012-13/events/1/men/500m/1/results.csv": [],
    "/seasons/2012-13/standings/": [], "/seasons/2012-13/standings/men/500m/": STANDINGS,
    "/seasons/2012-13/standings/men/500m.csv": STANDINGS,
    "/seasons/2012-13/standings/men/500m.json": STANDINGS,
    "/seasons/2012-13/medals/": [], "/seasons/2012-13/calendar.ics": [],
    "/athletes/": [*TABLE, "name", "nation", "gender"], "/nations/": [*TABLE, "all"],
    "/nations/KOR/": [], "/results/": [*TABLE, "season", "gender", "distance", "nation",
                                       "athlete", "podium"],
    "athlete": [],
}  # fmt: skip
PUBLIC_PAGES = [page for page in PAGE_PARAMETERS if page != "athlete"]
PARAMETERS = sorted({parameter for reads in PAGE_PARAMETERS.values() for parameter in reads})
JUNK = ["%00", "a%00b", "%ff%fe", "-", "'", HTMLISH, "99999999999999999999999", "-1", "0",
        "1e9", "%0d%0aSet-Cookie:x=1"]  # fmt: skip


def test_the_parameter_catalogue_is_every_parameter_a_view_reads():
    """A parameter a view starts to read must join PAGE_PARAMETERS, or the sweep below misses it."""
    from results.filters import AthleteFilter, ResultFilter

    assert set(PAGE_PARAMETERS["/results/"]) == {*TABLE, *ResultFilter.base_filters}
    assert set(PAGE_PARAMETERS["/athletes/"]) == {*TABLE, *AthleteFilter.base_filters}


@pytest.mark.slow
@pytest.mark.parametrize("url", list(PAGE_PARAMETERS))
def test_no_junk_in_any_query_parameter_makes_a_server_error(client, site, url):
    """Each public page × the parameters it reads, and one it does not, × junk: 4xx or a page.
    A list page is asked for five rows a page where per_page is not the parameter tried: what
    is tried is how the parameters are read, and a short page renders in a fraction of the
    time of fifty rows."""
    client.raise_request_exception = False
    reads = PAGE_PARAMETERS[url]
    unread = next(parameter for parameter in PARAMETERS if parameter not in reads)
    if url == "athlete":
        url = Athlete.objects.order_by("name").first().get_absolute_url()

    def address(parameter: str, junk: str) -> str:
        short = "per_page" in reads and parameter != "per_page"
        return f"{url}?{parameter}={junk}" + ("&per_page=5" if short else "")

    before = checksum()
    errors = [
        (url, parameter, junk, response.status_code)
        for parameter in [*reads, unread]
        for junk in JUNK
        if (response := client.get(address(parameter, junk))).status_code >= 500
        or "Set-Cookie" in response.headers
    ]
    assert errors == []
    assert checksum() == before


@pytest.mark.parametrize(
    "query",
    [f"season={SQLISH}", "nation=ZZZ", f"gender={HTMLISH}", "distance=10000m"],
)
def test_bad_filter_values_are_refused_by_the_form(client, site, query):
    before = checksum()
    response = client.get(f"/results/?{query}")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert HTMLISH not in response.content.decode()
    assert checksum() == before


# --- API parameters -------------------------------------------------------------------------

API_CASES = [
    (f"/api/v1/seasons/{SQLISH}", 400),
    ("/api/v1/seasons/2012-13/events/-1", 400),
    ("/api/v1/seasons/2012-13/events/1e3", 400),
    ("/api/v1/seasons/2012-13/standings/men/500m?after_race=1.5", 400),
    (f"/api/v1/seasons/2012-13/races?gender={HTMLISH}", 400),
    ("/api/v1/athletes?limit=99999999999999999999999", 400),
    ("/api/v1/athletes?q=" + "x" * 500, 400),
    ("/api/v1/nations/K%00R", 400),
    ("/api/v1/athletes?q=Kim%00", 400),  # PostgreSQL text cannot hold a NUL byte
]


@pytest.mark.parametrize(("url", "status"), API_CASES)
def test_bad_api_parameters(client, site, url, status):
    before = checksum()
    response = client.get(url)
    assert response.status_code == status
    assert response.json()["detail"]
    assert checksum() == before


def test_api_writes_are_refused(client, site):
    before = checksum()
    response = client.post(
        "/api/v1/seasons", data=json.dumps({"slug": "2099-00"}), content_type="application/json"
    )
    assert response.status_code == 405
    assert checksum() == before


# --- Admin forms ----------------------------------------------------------------------------


def draft_race() -> Race:
    return Race.objects.create(
        event=Season.objects.get().events.get(number=1), gender="men", distance="500m",
        number=2, date="2012-10-21", state="draft",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"rank": "abc", "athlete": "MAN"}, "Enter a whole number."),
        (
            {"rank": "99999999999", "athlete": "MAN"},
            "Ensure this value is less than or equal to 999",
        ),
        ({"rank": "1", "athlete": "MAN", "time": SQLISH}, "is not a race time"),
        ({"rank": "1", "athlete": "999999"}, "Select a valid choice"),
        ({"rank": "1", "athlete": "MAN", "status": "XX"}, "Select a valid choice"),
        ({"rank": "", "athlete": "MAN"}, "A line with no rank needs a status"),
    ],
)
def test_bad_classification_lines_in_the_admin(admin_client, site, line, message):
    race = draft_race()
    man = str(Athlete.objects.get(slug="j-r-celski").pk)
    line = {k: man if v == "MAN" else v for k, v in line.items()}
    data = add_line(form_data(admin_client.get(change_url(race))), **line)
    before = checksum()
    response = admin_client.post(change_url(race), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert checksum() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", HTMLISH, "A name starts with a letter"),
        ("name", "x" * 500, "Ensure this value has at most 100 characters"),
        ("nation", "ZZZ", "Select a valid choice"),
        ("slug", "not a slug!", "Enter a valid “slug”"),
    ],
)
def test_bad_athletes_in_the_admin(admin_client, site, field, value, message):
    before = checksum()
    data = {
        "name": "New Skater",
        "slug": "new-skater",
        "gender": "men",
        "nation": "CAN",
        "aliases": "",
    }
    data[field] = value
    response = admin_client.post(reverse("admin:results_athlete_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert checksum() == before


ADMIN_MODELS = ["season", "event", "race", "athlete", "venue", "nation", "result",
                "publishedstanding", "adjustment"]  # fmt: skip
BAD_IDS = ["abc", "1.5", "'", "%ff%fe", "99999999999999999999999", "-1"]


def test_no_bad_id_or_filter_in_an_admin_address_makes_a_server_error(admin_client, site):
    """Change, history and version pages with ids that are not ids, and list pages with junk
    filters: a 404, a redirect or the page, never a 500."""
    admin_client.raise_request_exception = False
    pages = [
        page
        for model in ADMIN_MODELS
        for junk in BAD_IDS
        for page in (
            f"/admin/results/{model}/{junk}/change/",
            f"/admin/results/{model}/{junk}/history/",
            f"/admin/results/{model}/1/history/{junk}/",
            f"/admin/results/{model}/?event__id__exact={junk}&o={junk}&p={junk}&q={junk}",
        )
    ]
    before = checksum()
    errors = [(page, code) for page in pages if (code := admin_client.get(page).status_code) >= 500]
    assert errors == []
    assert admin_client.get("/admin/results/race/abc/history/").status_code == 404
    assert checksum() == before


@pytest.mark.parametrize("selected", ["abc", "1.5", "99999999999999999999999"])
def test_an_action_on_rows_that_are_not_rows_is_refused(admin_client, site, selected):
    admin_client.raise_request_exception = False
    before = checksum()
    for model, action in [("race", "publish_official"), ("race", "back_to_draft"),
                          ("event", "publish_provisional"), ("result", "download_csv"),
                          ("athlete", "delete_selected")]:  # fmt: skip
        response = admin_client.post(
            f"/admin/results/{model}/", {"action": action, "_selected_action": [selected]}
        )
        assert response.status_code == 400, (model, action, response.status_code)
    assert checksum() == before


ACTIONS = {
    "race": ["publish_provisional", "publish_official", "back_to_draft", "download_csv"],
    "event": ["create_programme", "publish_provisional", "publish_official", "back_to_draft"],
    "result": ["download_csv"],
}
PROGRAMME = {"men_doubled": "", "women_doubled": "1000m", "relays": "on", "apply": "Create"}


@pytest.mark.parametrize("junk", ["nonsense", "", "delete_selected\x01", "x" * 3000])
def test_an_unknown_action_changes_nothing(admin_client, site, junk):
    admin_client.raise_request_exception = False
    race = Race.objects.first()
    before = checksum()
    for model in ACTIONS:
        response = admin_client.post(
            f"/admin/results/{model}/", {"action": junk, "_selected_action": [race.pk]}
        )
        assert response.status_code < 500, (model, response.status_code)
    assert checksum() == before


@pytest.mark.parametrize("field", ["men_doubled", "women_doubled", "relays", "mixed_relay"])
@pytest.mark.parametrize("junk", ["800m", "3000m-relay", "x" * 3000, "<b>", "-1"])
def test_no_value_of_the_programme_form_makes_a_server_error(admin_client, site, field, junk):
    """The standard-programme action's choices: a value it does not offer is refused (the
    form is shown again) or, for a tick box, read as ticked; never a server error."""
    admin_client.raise_request_exception = False
    event = Event.objects.filter(season=site).order_by("number").first()
    before = Race.objects.count()
    data = {**PROGRAMME, field: junk, "action": "create_programme", "_selected_action": [event.pk]}
    response = admin_client.post("/admin/results/event/", data)
    assert response.status_code < 500
    if field.endswith("_doubled"):
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
        assert Race.objects.count() == before


@pytest.mark.parametrize(
    ("model", "field"),
    [("event", "season"), ("event", "venue"), ("race", "event"), ("race", "results-0-athlete"),
     ("result", "athlete"), ("result", "members"), ("publishedstanding", "athlete"),
     ("season", "events-0-venue")],
)  # fmt: skip
def test_a_choice_that_is_not_an_id_is_refused_next_to_its_field(admin_client, site, model, field):
    obj = apps.get_model("results", model).objects.order_by("pk").first()
    shown = form_data(admin_client.get(change_url(obj)))
    before = checksum()
    for junk in ["abc", "1.5", "99999999999999999999999"]:
        response = admin_client.post(change_url(obj), {**shown, field: junk, "change_reason": "x"})
        assert response.status_code == 200, junk
        body = response.content.decode()
        assert "Select a valid choice" in body or "is not a valid value" in body, junk
    assert checksum() == before


@pytest.mark.parametrize("initial", ["-1", "0", "3"])
def test_a_tampered_page_that_the_database_refuses_saves_nothing(admin_client, site, initial):
    """Rows posted as new that are already saved pass the forms but not the unique constraint:
    nothing is saved, and the official is told, not shown a server error."""
    season = Season.objects.get()
    data = {**form_data(admin_client.get(change_url(season))), "events-INITIAL_FORMS": initial}
    before = checksum()
    response = admin_client.post(change_url(season), data, follow=True)
    assert response.status_code == 200
    assert "Nothing was saved: it conflicts with what is already saved" in response.content.decode()
    assert checksum() == before


def test_a_season_with_a_bad_slug_and_dates(admin_client, site):
    before = checksum()
    response = admin_client.post(
        reverse("admin:results_season_add"),
        {
            "slug": SQLISH[:7],
            "name": "x",
            "start_date": "2030-13-45",
            "end_date": "yesterday",
            "points_table": "1000",
            "tie_break": "",
            "rules_confidence": "sourced",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },  # fmt: skip
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Like 2012-13." in body and "Enter a valid date." in body
    assert checksum() == before


# --- NUL bytes: no field takes one, and PostgreSQL text cannot hold one ----------------------


@pytest.mark.parametrize(
    "url", ["/results/?athlete=a%00b", "/athletes/?name=%00", "/admin/results/athlete/?q=Kim%00"]
)
def test_a_nul_byte_in_a_search_is_a_bad_request(admin_client, site, url):
    before = checksum()
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()
    assert checksum() == before


def nul_in_each_field(client, obj) -> list[tuple[str, dict]]:
    """The page's own POST data, once per text field with a NUL byte appended to it."""
    data = form_data(client.get(change_url(obj)))
    return [
        (name, {**data, name: value + "\x00"})
        for name, value in data.items()
        if isinstance(value, str) and not name.endswith(("TOTAL_FORMS", "INITIAL_FORMS"))
    ]


@pytest.mark.parametrize(
    "model", ["season", "event", "race", "athlete", "venue", "result", "publishedstanding"]
)
def test_a_nul_byte_in_any_admin_field_is_a_bad_request(admin_client, site, model):
    obj = apps.get_model("results", model).objects.order_by("pk").first()
    before = checksum()
    refused = {
        name: admin_client.post(change_url(obj), data).status_code
        for name, data in nul_in_each_field(admin_client, obj)
    }
    assert len(refused) >= 3
    assert set(refused.values()) == {400}, refused
    assert checksum() == before


def test_a_nul_byte_in_a_login_is_a_bad_request(client, site):
    before = checksum()
    response = client.post(reverse("admin:login"), {"username": "official\x00", "password": "x"})
    assert response.status_code == 400
    assert checksum() == before


# --- Imports --------------------------------------------------------------------------------

HEADER = b"season,event,gender,distance,race,rank,athlete,nation,time,status\n"


BAD_FILES = [
    (HEADER + "2012-13,1,men,500m,2,1,Bj\u00f8rn,NOR,,\n".encode("latin-1"), "not UTF-8"),
    (
        HEADER + f"2012-13,1,men,500m,2,1,{HTMLISH},CAN,,\n".encode(),
        "a name starts with a letter",
    ),
    (
        HEADER + f"{SQLISH},1,men,500m,2,1,A Skater,CAN,,\n".encode(),
        "is not a season like 2012-13",
    ),
    (
        HEADER + b"2012-13,99999999999999999999,men,500m,2,1,A Skater,CAN,,\n",
        "is not a whole number from 1 to 999",
    ),
    (b"\x00\x01\x02\x03" * 100, "not a text CSV file"),
    (b"PK\x03\x04" + b"\x00" * 100, "the XLSX file cannot be read"),
    (b"a,b,c\n1,2,3\n", "wrong columns"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_bad_import_files(site, tmp_path, capsys, content, message):
    User.objects.create_user("importer", is_staff=True)
    before = checksum()
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(Exception, match="nothing written"):
        call_command("import_results", str(path), "--user", "importer")
    assert message in capsys.readouterr().err
    assert checksum() == before


ROUNDS_HEADER = (
    b"season,event,gender,distance,race,round,heat,place,athlete,nation,time,status,qualification\n"
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        *BAD_FILES,
        (ROUNDS_HEADER + "2012-13,1,men,500m,2,heats,1,1,Bj\u00f8rn,NOR,,,\n".encode("latin-1"),
         "not UTF-8"),
    ],
)  # fmt: skip
def test_bad_import_files_in_the_admin(admin_client, site, content, message):
    """The admin's upload refuses each bad file on its preview, and a confirm page whose
    file was swapped for a bad one too, with the same words and nothing written."""
    before = checksum()
    upload = io.BytesIO(content)
    upload.name = "bad.csv"
    url = reverse("admin:results_race_import")
    response = admin_client.post(url, {"file": upload, "publish": "draft", "preview": "1"})
    assert response.status_code == 200
    assert message in response.content.decode()
    confirm = {"confirm": "1", "content": base64.b64encode(content).decode(),
               "filename": "bad.csv", "publish": "draft", "reason": ""}  # fmt: skip
    response = admin_client.post(url, confirm)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert checksum() == before


def test_an_oversized_upload_in_the_admin(admin_client, site):
    before = checksum()
    upload = io.BytesIO(HEADER + b"#" * 2_000_000)
    upload.name = "huge.csv"
    response = admin_client.post(
        reverse("admin:results_race_import"), {"file": upload, "publish": "draft", "preview": "1"}
    )
    assert "Import larger files with manage.py import_results" in response.content.decode()
    assert checksum() == before


# --- Fixtures -------------------------------------------------------------------------------


def line_of(model: str, **fields: object) -> str:
    return json.dumps([{"model": f"results.{model}", "fields": fields}])


RACE_1 = ["2012-13", 1, "men", "500m", 1]


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("[{", "Problem installing fixture"),
        (
            line_of("result", race=RACE_1, rank=9, athlete=None, nation="USA", status="",
                    members=[], source="", confidence="sourced", note=""),
            "result_relay_has_no_athlete",
        ),
        (
            line_of("athlete", name=HTMLISH, slug="x", gender="men", nation="CAN", aliases=[],
                    isu_id=None),
            "athlete_name_plain",
        ),
        (
            line_of("race", event=["2012-13", 1], gender="women", distance="5000m-relay",
                    number=1, date="2012-10-21", record_note="", state="official",
                    completeness="partial", source="", note=""),
            "race_distance_fits_gender",
        ),
    ],
)  # fmt: skip
def test_bad_fixtures_load_nothing(site, tmp_path, fixture, message):
    before = checksum()
    path = tmp_path / "bad.json"
    path.write_text(fixture)
    with pytest.raises(Exception, match=message):
        call_command("loaddata", str(path), verbosity=0)
    assert checksum() == before
