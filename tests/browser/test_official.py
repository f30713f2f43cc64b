"""An official's race evening, in Debian's Chromium: enter a podium, publish it, see it public."""

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from tests import factories as make

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def race_day(live_server):
    """A season's first event with an empty, draft men's 500 m, and an official's account."""
    season = make.season("2030-31")
    event = make.event(season, 1, city="Montreal")
    race = make.race(event, distance="500m", state="draft")
    for name, nation in [
        ("Charles Hamelin", "CAN"),
        ("Wu Dajing", "CHN"),
        ("Sjinkie Knegt", "NED"),
    ]:
        make.athlete(name, nation_code=nation)
    official = User.objects.create_user("official", password="a-long-pass-phrase-1", is_staff=True)
    official.groups.add(Group.objects.get(name="Officials"))
    return live_server.url, race


def choose_athlete(page: Page, row: int, name: str) -> None:
    line = page.locator("#results-group tr.form-row").nth(row)
    line.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill(name.split()[0])
    page.locator(".select2-results__option", has_text=name).click()


def test_an_official_enters_a_podium_publishes_it_and_the_public_sees_it(race_day, page: Page):
    site, race = race_day
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("official")
    page.get_by_label("Password").fill("a-long-pass-phrase-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome")).to_be_visible()

    page.goto(site + f"/admin/results/race/{race.pk}/change/")
    for row, (name, time) in enumerate(
        [("Charles Hamelin", "40.651"), ("Wu Dajing", "40.702"), ("Sjinkie Knegt", "40.950")]
    ):
        page.get_by_role("button", name=re.compile("add another line", re.I)).click()
        line = page.locator("#results-group tr.form-row").nth(row)
        line.locator("input[name$='-rank']").fill(str(row + 1))
        choose_athlete(page, row, name)
        line.locator("input[name$='-time']").fill(time)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # Nothing is public while the race is draft.
    public = page.context.new_page()
    public.goto(site + "/seasons/2030-31/standings/men/500m/")
    expect(public.locator("table.standings tbody")).to_contain_text("No published results yet.")

    page.goto(site + "/admin/results/race/")
    page.locator(f"input[name='_selected_action'][value='{race.pk}']").check()
    page.locator("select[name='action']").select_option("publish_provisional")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 race(s) now provisional")

    public.reload()
    first = public.locator("table.standings tbody tr").first
    expect(first.locator("th")).to_have_text("Charles Hamelin")
    expect(first.locator("td.total")).to_have_text("1000")
    expect(public.locator("table.standings tbody tr").nth(1).locator("td.total")).to_have_text(
        "800"
    )
    expect(public.get_by_text("1 race provisional")).to_be_visible()
