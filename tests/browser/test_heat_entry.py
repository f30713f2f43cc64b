"""An official enters a heat by keyboard alone, and pastes one from timing software, in Debian's
Chromium (templates/admin/results/race/heats.html, static/js/heat-entry.js)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.db.models import F
from playwright.sync_api import Page, expect

from results.models import EventEntry, HeatLine
from tests import factories as make

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

ENTRIES = [
    (11, "Charles Hamelin", "CAN"),
    (12, "François Hamelin", "CAN"),
    (13, "Wu Dajing", "CHN"),
    (14, "Sjinkie Knegt", "NED"),
    (15, "Kwak Yoon-gy", "KOR"),
    (16, "Semion Elistratov", "RUS"),
    (17, "Thibaut Fauconnet", "FRA"),
    (18, "Liu Shaolin Sándor", "HUN"),
]


@pytest.fixture
def heats_page(live_server, page: Page):
    """A draft men's 500 m at an event with an entry list of eight; an official signed in."""
    season = make.season("2030-31")
    event = make.event(season, 1, city="Montreal")
    race = make.race(event, state="draft")
    for helmet, name, nation in ENTRIES:
        skater = make.athlete(name, nation_code=nation)
        EventEntry.objects.create(event=event, athlete=skater, nation_id=nation, helmet=helmet)
    official = User.objects.create_user("official", password="a-long-pass-phrase-1", is_staff=True)
    official.groups.add(Group.objects.get(name="Officials"))
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("official")
    page.get_by_label("Password").fill("a-long-pass-phrase-1")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Welcome")).to_be_visible()
    return f"{live_server.url}/admin/results/race/{race.pk}/heats/", race


def saved_lines(race, heat):
    return [
        (line.place, line.athlete.name, line.time, line.status, line.qualification)
        for line in HeatLine.objects.filter(round__race=race, heat=heat)
        .select_related("athlete")
        .order_by(F("place").asc(nulls_last=True))
    ]


# What the official types on each line: helmet, time, status, qualification (start left empty).
TYPED = [
    ("13", "40.512", "", "Q"),
    ("11", "40.601", "", "Q"),
    ("18", "40.950", "", ""),
    ("14", "41.003", "", ""),
    ("15", "", "PEN", ""),
    ("16", "41.220", "", ""),
    ("12", "41.350", "", ""),
    ("17", "1:02.004", "", ""),
]


def test_an_official_enters_an_eight_line_heat_by_keyboard_alone(heats_page, page: Page):
    url, race = heats_page
    console = []  # a script the Content-Security-Policy refused would show here
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    page.goto(url + "?round=heats&heat=1")
    lines = page.locator("#heat-lines tr.heat-line")
    expect(page.locator("#id_lines-0-athlete")).to_be_focused()  # where the keyboard starts
    for helmet, time, status, code in TYPED:
        for value in (helmet, time, status, code, ""):  # skater, time, status, code, start
            if value:
                page.keyboard.type(value)
            page.keyboard.press("Enter")
    # Enter at the end of the eighth line added a ninth and went to its skater.
    expect(lines).to_have_count(9)
    expect(page.locator("#id_lines-8-athlete")).to_be_focused()
    # Each helmet number became the skater it names; the places followed the lines above,
    # the penalised fifth line taking none.
    expect(page.locator("#id_lines-0-athlete")).to_have_value("13 Wu Dajing (CHN)")
    places = [lines.nth(i).locator("input[data-field='place']").input_value() for i in range(8)]
    assert places == ["1", "2", "3", "4", "", "5", "6", "7"]
    page.keyboard.press("Control+Enter")

    expect(page.locator(".messagelist")).to_contain_text("Heats, heat 1 saved with 8 lines")
    assert saved_lines(race, 1) == [
        (1, "Wu Dajing", Decimal("40.512"), "", "Q"),
        (2, "Charles Hamelin", Decimal("40.601"), "", "Q"),
        (3, "Liu Shaolin Sándor", Decimal("40.950"), "", ""),
        (4, "Sjinkie Knegt", Decimal("41.003"), "", ""),
        (5, "Semion Elistratov", Decimal("41.220"), "", ""),
        (6, "François Hamelin", Decimal("41.350"), "", ""),
        (7, "Thibaut Fauconnet", Decimal("62.004"), "", ""),
        (None, "Kwak Yoon-gy", None, "PEN", ""),
    ]
    # The classification so far: the heat in place order, the penalised skater last.
    so_far = page.locator(".heat-classification tbody tr")
    expect(so_far).to_have_count(8)
    expect(so_far.first.locator("th")).to_have_text("Wu Dajing")
    expect(so_far.last).to_contain_text("Kwak Yoon-gy")
    expect(so_far.last).to_contain_text("PEN")
    # Every skater of the entry list has a heat: the keyboard is on the next round of the
    # 500 m's usual programme (no repechage), and Enter opens it.
    expect(page.get_by_role("link", name="Quarterfinals, heat 1")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quarterfinals, heat 1")
    assert console == []


def test_a_place_typed_over_the_proposed_one_replaces_it(heats_page, page: Page):
    """The official types a skater, then clicks into Place (the page has proposed one) and
    types the place: it is the typed one, not the two run together."""
    url, _ = heats_page
    page.goto(url + "?round=heats&heat=1")
    for line, (helmet, typed) in enumerate([("13", "2"), ("11", "1")]):
        page.locator(f"#id_lines-{line}-athlete").fill(helmet)
        place = page.locator(f"#id_lines-{line}-place")
        place.click(position={"x": 2, "y": 5})  # the caret before the proposed place
        page.keyboard.type(typed)
        expect(place).to_have_value(typed)


def test_a_skater_the_referee_advanced_takes_no_proposed_place(heats_page, page: Page):
    url, _ = heats_page
    page.goto(url + "?round=heats&heat=1")
    for helmet, code in [("13", "Q"), ("11", "ADV"), ("18", "")]:
        for value in (helmet, "", "", code, ""):  # skater, time, status, code, start
            if value:
                page.keyboard.type(value)
            page.keyboard.press("Enter")
    places = [page.locator(f"#id_lines-{i}-place").input_value() for i in range(3)]
    assert places == ["1", "", "2"]  # the advanced skater has none; the next follows on


PASTED = (
    "Place\tHelmet\tName\tTime\tQual\n"
    "1\t12\tFrançois Hamelin\t41.010\tQ\n"
    "2\t14\tSjinkie Knegt\t41.100\tq\n"
    "3\t\tthibaut fauconnet\t41.500\t\n"
    "\t16\tSemion Elistratov\t\tPEN\n"
    "\t\t41.900\n"  # a time, but whose?
)


def test_a_pasted_block_is_parsed_into_lines_before_it_is_saved(heats_page, page: Page):
    url, race = heats_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(url + "?round=heats&heat=2")
    page.evaluate("text => navigator.clipboard.writeText(text)", PASTED)
    page.get_by_label("Paste lines").focus()
    page.keyboard.press("Control+V")

    report = page.locator("#heat-paste-report")
    expect(report).to_contain_text("4 lines put into the heat below")
    expect(report).to_contain_text("Not understood, left out: line 6")
    row = page.locator("#heat-lines tr.heat-line")
    expect(row.nth(0).locator("[data-field='athlete']")).to_have_value("12 François Hamelin (CAN)")
    expect(row.nth(2).locator("[data-field='athlete']")).to_have_value("17 Thibaut Fauconnet (FRA)")
    expect(row.nth(1).locator("[data-field='qualification']")).to_have_value("q")
    expect(row.nth(3).locator("[data-field='status']")).to_have_value("PEN")
    expect(row.nth(3).locator("[data-field='place']")).to_have_value("")
    assert not HeatLine.objects.exists()  # shown, not saved

    page.keyboard.press("Control+Enter")
    expect(page.locator(".messagelist")).to_contain_text("Heats, heat 2 saved with 4 lines")
    assert saved_lines(race, 2) == [
        (1, "François Hamelin", Decimal("41.010"), "", "Q"),
        (2, "Sjinkie Knegt", Decimal("41.100"), "", "q"),
        (3, "Thibaut Fauconnet", Decimal("41.500"), "", ""),
        (None, "Semion Elistratov", None, "PEN", ""),
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_heat_page_fits_the_screen(heats_page, page: Page, width):
    url, race = heats_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url + "?round=heats&heat=1")
    for helmet, time, status, code in TYPED[:3]:
        for value in (helmet, time, status, code, ""):
            if value:
                page.keyboard.type(value)
            page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".messagelist")).to_contain_text("saved with 3 lines")
    page.goto(url + "?round=heats&heat=1")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow}px of sideways scroll at {width}px"
    box = page.locator("#heat-lines").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    page.screenshot(path=f"test-results/heat-entry-{width}.png", full_page=True)
