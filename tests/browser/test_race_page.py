"""The race's admin page fits a 1280 px screen, classification and all, in Debian's Chromium
(static/css/admin.css): no cell of the classification lies beyond the window's right edge."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests import factories as make

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def signed_in(live_server, page: Page):
    User.objects.create_superuser("chief", password="a-long-pass-phrase-1")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill("a-long-pass-phrase-1")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Welcome")).to_be_visible()
    return live_server.url


def race_with_lines(distance: str):
    season = make.season("2030-31")
    event = make.event(season, 1, city="Montreal")
    race = make.race(event, distance=distance, state="draft")
    source = "https://www.isu.org/results/2030-31/wc1/final-a.pdf"
    for rank, code in enumerate(["CAN", "KOR", "NED"], 1):
        if race.is_relay:
            line = make.result(race, rank, nation_code=code, source=source)
            line.members.set([make.athlete(f"Member {rank}{i} Longname-Surname") for i in range(4)])
        else:
            skater = make.athlete(f"Athlete {rank} With A Long Double-Barrelled Name")
            make.result(race, rank, skater, time=Decimal("143.345"), source=source)
    return race


def overflow(page: Page) -> dict:
    """The window's width, the page's, and the cells of the classification that end beyond
    the window (their column's class and right edge)."""
    return page.evaluate(
        """() => {
        const width = document.documentElement.clientWidth;
        const cells = [...document.querySelectorAll('#results-group th, #results-group td')];
        return {
            width: width,
            page: document.documentElement.scrollWidth,
            beyond: cells
                .map(cell => [cell.className || cell.textContent.trim(),
                              Math.round(cell.getBoundingClientRect().right)])
                .filter(([, right]) => right > width),
        };
    }"""
    )


@pytest.mark.parametrize("distance", ["500m", "5000m-relay"])
def test_the_race_page_fits_1280_px(signed_in, page: Page, distance):
    race = race_with_lines(distance)
    page.goto(f"{signed_in}/admin/results/race/{race.pk}/change/")
    page.get_by_role("button", name="Add another line").click()  # a new line too
    found = overflow(page)
    page.screenshot(path=f"test-results/race-page-{distance}.png", full_page=True)
    assert found["beyond"] == []
    assert found["page"] <= found["width"]
    # Every column of a line is there to be seen: delete too.
    delete = page.locator("#results-group tr.has_original td.delete input").first
    expect(delete).to_be_visible()
    assert delete.bounding_box()["x"] + delete.bounding_box()["width"] <= found["width"]


def test_the_race_history_has_no_sideways_scroll_on_a_phone(signed_in, page: Page):
    race = race_with_lines("500m")
    line = race.results.get(rank=1)
    line.time, line._change_reason = Decimal("143.300"), "Timing corrected from the photo finish"
    line.save()
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{signed_in}/admin/results/race/{race.pk}/history/")
    expect(page.locator("#change-history")).to_contain_text("2:23.345 → 2:23.300")
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]


def test_the_event_page_fits_1280_px(signed_in, page: Page):
    """An event with its programme of races and an entry list: every column of both in the
    window (delete too)."""
    from results.models import EventEntry

    event = make.event(make.season("2030-31"), 1, city="Montreal")
    event.create_programme({"men": "500m", "women": "1000m"}, relays=True, mixed_relay=True)
    for helmet in range(1, 4):
        skater = make.athlete(f"Athlete {helmet} With A Long Double-Barrelled Name")
        EventEntry.objects.create(event=event, athlete=skater, nation_id="KOR", helmet=helmet)
    page.goto(f"{signed_in}/admin/results/event/{event.pk}/change/")
    page.screenshot(path="test-results/event-page-1280.png", full_page=True)
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for group in ("#races-group", "#entries-group"):
        delete = page.locator(f"{group} tr.has_original td.delete input").first
        expect(delete).to_be_visible()
        assert delete.bounding_box()["x"] + delete.bounding_box()["width"] <= width, group


def test_the_season_page_fits_1280_px(signed_in, page: Page):
    """A season with its events as rows: every column in the window (delete too)."""
    season = make.season("2030-31")
    for number in range(1, 4):
        make.event(season, number, city=f"Montreal-Saint-Laurent {number}")
    page.goto(f"{signed_in}/admin/results/season/{season.pk}/change/")
    page.screenshot(path="test-results/season-page-1280.png", full_page=True)
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    delete = page.locator("#events-group tr.has_original td.delete input").first
    expect(delete).to_be_visible()
    assert delete.bounding_box()["x"] + delete.bounding_box()["width"] <= width
