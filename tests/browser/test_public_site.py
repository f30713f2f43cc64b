"""A fan's walk through the public site, in Debian's Chromium (Playwright).

Screenshots of failures land in test-results/ (pytest-playwright --screenshot only-on-failure).
"""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def site(live_server, season_2012_13):
    return live_server.url


def test_from_home_to_the_womens_relay_standings(site, page: Page):
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("World Cup 2012–13")
    page.get_by_role("link", name="Seasons", exact=True).click()
    page.get_by_role("link", name="2012–13").click()
    expect(page).to_have_url(site + "/seasons/2012-13/")
    page.get_by_role("link", name="Standings", exact=True).first.click()
    page.get_by_role("link", name="Women's 3000 m relay").click()
    expect(page).to_have_url(site + "/seasons/2012-13/standings/women/3000m-relay/")

    china = page.locator("table.standings tbody tr").first
    expect(china.locator("th")).to_have_text("CHN")
    expect(china.locator("td.total")).to_have_text("4000")
    calgary = china.locator("td").nth(5)  # rank, change, points, gross, max, then race 1
    expect(calgary.locator("s.dropped")).to_have_text("800")
    decoration = calgary.locator("s.dropped").evaluate(
        "s => getComputedStyle(s).textDecorationLine"
    )
    assert "line-through" in decoration

    canada = page.locator("table.comparison tr", has_text="CAN")
    expect(canada).to_contain_text("2992")
    expect(canada).to_contain_text("2912")
    expect(canada).to_contain_text("most likely a misprint")


def test_the_chart_and_the_after_race_selector(site, page: Page):
    page.goto(site + "/seasons/2012-13/standings/men/5000m-relay/")
    chart = page.locator("svg.progression")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).to_have_count(6)  # KOR RUS CAN CHN USA NED scored
    page.get_by_label("Standings after race").select_option("2")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"after_race=2$"))
    expect(page.locator(".lead")).to_contain_text("After 2 of 6 races.")
    expect(page.locator("table.standings tbody tr").first).to_contain_text("2000")


def test_downloading_the_standings_csv(site, page: Page):
    page.goto(site + "/seasons/2012-13/standings/women/3000m-relay/")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    lines = download.value.path().read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("1,,,CHN,4000,5440,0,(800)")  # no deduction; Calgary dropped
    assert download.value.suggested_filename == "2012-13-women-3000m-relay.csv"


def test_pages_make_no_external_request(site, page: Page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    for path in ["/", "/seasons/2012-13/standings/women/3000m-relay/", "/results/", "/api/v1/docs"]:
        page.goto(site + path)
        page.wait_for_load_state("networkidle")
    assert requested and all(url.startswith(site) for url in requested), requested


def test_keyboard_focus_is_visible(site, page: Page):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_the_api_docs_page_lists_the_endpoints(site, page: Page):
    page.goto(site + "/api/v1/docs")
    expect(
        page.get_by_text("/api/v1/seasons/{season}/standings/{gender}/{distance}")
    ).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(13)  # the index and twelve endpoints


# --- A race skated in rounds ----------------------------------------------------------------


def race_with_rounds() -> str:
    """A men's 1000 m skated in rounds whose Final A winner led the standings entering it,
    with a long name in every heat; its page's address."""
    from results.models import Athlete
    from tests import factories as make
    from tests.test_views import rounds_race

    season = make.season("2040-41")
    race = rounds_race(event_=make.event(season, 2))
    leader = Athlete.objects.get(name="Skater E")
    leader.name = "Skater Evangelina-Maximiliana Zwanenburg-Vandersteen"
    leader.save()
    make.classification(make.race(make.event(season, 1), distance="1000m"), [leader])
    return race.get_absolute_url()


@pytest.fixture
def rounds_page(live_server) -> str:
    return live_server.url + race_with_rounds()


def test_a_race_page_with_rounds_does_not_scroll_sideways_on_a_phone(rounds_page, page: Page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(rounds_page)
    captions = page.locator("table.heat caption")
    expect(captions).to_have_text(["Final A", "Final B", "Semifinal 1", "Semifinal 2"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for box in page.locator(".rounds .table-scroll").all():  # each heat fits the screen whole
        bounds = box.bounding_box()
        assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 390
        assert box.evaluate("b => b.scrollWidth <= b.clientWidth"), "a heat's columns are cut"
        for cell in box.locator("tbody td").all():  # time, status, code: nothing cut
            assert cell.evaluate("c => c.scrollWidth <= c.clientWidth"), cell.inner_text()
    page.screenshot(path="test-results/race-rounds-390.png", full_page=True)
    helmet = page.locator("table.heat tr.leader .helmet").first
    expect(helmet).to_have_attribute("title", "World Cup leader")
    expect(helmet.locator(".helmet-icon")).to_be_visible()
    assert helmet.locator(".helmet-icon").bounding_box()["width"] > 10


@pytest.fixture
def live_race(live_server):
    """A race of an event that is on today, with its Final A of four saved."""
    from results.models import Race
    from tests.test_views import season_with_rounds

    url = season_with_rounds(4, "500m", live=True)
    return live_server.url + url, Race.objects.get(event__number=2)


START = 1_700_000_000_000  # ms since 1970: the page's clock starts here


def paused_clock(page: Page) -> None:
    """The page's clock stands still until the test moves it (Playwright's fake timers): a
    polling period passes in milliseconds of the test's time, not in five seconds."""
    page.clock.install(time=START)
    page.clock.pause_at(START + 1)


def run_clock_until(page: Page, asked: list, answered: list, count: int, limit_ms: int) -> int:
    """Move the page's clock on, half a second at a time, until `answered` holds `count`
    answers or `limit_ms` of the page's time have passed; the page's time it took. While a
    request is under way (asked, not answered yet), the clock waits for its answer in real
    time, as it would in a browser whose clock runs."""
    passed = 0
    while len(answered) < count and passed < limit_ms:
        page.clock.run_for(500)
        passed += 500
        page.wait_for_timeout(10)
        for _ in range(500):
            if len(answered) >= len(asked):
                break
            page.wait_for_timeout(10)
        page.wait_for_timeout(10)  # the page reads the answer and sets its next timer
    return passed


def test_a_saved_heat_shows_on_the_open_page_within_ten_seconds(live_race, page: Page):
    from tests import factories as make
    from tests.test_rounds import heat

    url, race = live_race
    answers = []
    page.on("response", lambda r: answers.append(r.status) if r.url == url else None)
    requests = []
    page.on(
        "request",
        lambda r: requests.append(r.headers.get("if-none-match")) if r.url == url else None,
    )
    paused_clock(page)
    page.goto(url)
    page.evaluate("window.notReloaded = true")
    expect(page.locator("[data-live]")).to_contain_text("Last changed")
    # The load (200), then the polls: 200 (its ETag), then 304 with that ETag.
    assert run_clock_until(page, requests, answers, 3, 15_000) <= 10_000, answers
    assert answers == [200, 200, 304] and requests[2], (answers, requests)
    before = page.locator("[data-live] time").get_attribute("datetime")

    race.write_heats({("heats", 1): heat([make.athlete("Skater New")], [1])})
    assert run_clock_until(page, requests, answers, 4, 15_000) <= 10_000, answers
    assert answers[3] == 200
    expect(page.get_by_role("link", name="Skater New").first).to_be_visible()
    assert page.evaluate("window.notReloaded") is True  # the same page, its <main> replaced
    assert page.locator("[data-live] time").get_attribute("datetime") > before
    expect(page.locator("[data-live] time")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))


def test_a_hidden_tab_stops_polling_and_catches_up_when_shown(live_race, page: Page):
    url, _ = live_race
    polls = []
    page.on("request", lambda r: polls.append(r.url) if r.url == url else None)
    paused_clock(page)
    page.goto(url)
    hide = """hidden => {
        Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
        document.dispatchEvent(new Event("visibilitychange"));
    }"""
    page.evaluate(hide, True)
    loaded = len(polls)
    page.clock.run_for(12_000)  # more than two polling periods
    page.wait_for_timeout(300)
    assert len(polls) == loaded
    page.evaluate(hide, False)
    page.wait_for_timeout(500)  # real time; the page's clock stands still
    assert len(polls) == loaded + 1  # at once, not 5 s later
