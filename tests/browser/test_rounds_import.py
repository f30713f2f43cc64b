"""An official imports a race's rounds in Debian's Chromium: upload, read the classification the
rounds give, confirm; the page fits a phone's width (measured by element boxes)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from tests import factories as make

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "rounds-example.csv"


@pytest.fixture
def example_race(live_server):
    """The race docs/rounds-example.csv is for, its nations, and an official's account."""
    season = make.season("2030-31")
    for code in ("KOR", "CHN", "CAN", "NED", "HUN", "ITA", "JPN", "USA"):
        make.nation(code)
    race = make.race(make.event(season, 1, city="Example City"), state="draft")
    official = User.objects.create_user("official", password="a-long-pass-phrase-1", is_staff=True)
    official.groups.add(Group.objects.get(name="Officials"))
    return live_server.url, race


def sideways(page: Page) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_official_previews_the_rounds_classification_and_imports_it(
    example_race, page: Page, width
):
    site, race = example_race
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("official")
    page.get_by_label("Password").fill("a-long-pass-phrase-1")
    page.get_by_role("button", name="Log in").click()
    page.goto(site + "/admin/results/race/import/")
    assert sideways(page) == 0
    page.locator("input[type=file]").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Preview").click()

    derived = page.locator("table.derived-classification")
    expect(derived.locator("caption")).to_contain_text("The classification the rounds give")
    first = derived.locator("tbody tr").first
    expect(first.locator("th")).to_have_text("Example Skater 05")
    expect(derived.locator("tbody tr").nth(2).locator("th")).to_have_text("Example Skater 29")
    assert sideways(page) == 0  # the wide tables scroll inside their own box
    page.screenshot(path=f"test-results/rounds-import-preview-{width}.png", full_page=False)

    page.get_by_role("button", name="Import 65 heat lines").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Imported 65 heat line(s) into 1 race(s) (draft)"
    )
    assert race.results.get(rank=3).athlete.name == "Example Skater 29"
