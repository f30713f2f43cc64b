"""Every public page type as a newcomer finds it, in Debian's Chromium (Playwright): no serious
or critical accessibility violation (axe-core), no sideways page scroll on a phone, no table
wider than its box on a desktop, number columns' headers aligned like their numbers.

Each page is loaded once, at 1280 px: axe runs, the tables are measured and a screenshot taken;
then the same page is narrowed to 390 px, measured and shot again. The page's tests only read
what the visit found. With SCREENSHOTS=1 (`make screenshots`) each page is also shot at both
widths into test-results/screenshots/ (gitignored), to be looked at.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.test import override_settings

from results.models import Season
from results.standings.loader import forget_loaded
from tests.browser.test_public_site import race_with_rounds
from tests.conftest import insert_bundled

# django_db: the test databases are made when only some of these tests are chosen (-k), as
# for the whole module; the tests themselves only read what the visit noted.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ROUNDS = "(the race with rounds)"
PAGES = {
    "home": "/",
    "season list": "/seasons/",
    "season calendar": "/seasons/2012-13/",
    "event": "/seasons/2012-13/events/1/",
    "race without rounds": "/seasons/2012-13/events/1/men/500m/1/",
    "race with rounds": ROUNDS,
    "relay race": "/seasons/2012-13/events/1/men/5000m-relay/1/",
    "standings overview": "/seasons/2012-13/standings/",
    "standings table": "/seasons/2012-13/standings/women/3000m-relay/",
    "standings after a race": "/seasons/2012-13/standings/men/500m/?after_race=3",
    "medal table": "/seasons/2012-13/medals/",
    "athlete list": "/athletes/",
    "athlete": "/athletes/elise-christie/",
    "nation list": "/nations/",
    "nation": "/nations/KOR/",
    "results search": "/results/?gender=men&distance=1000m",
    "API docs": "/api/v1/docs",
    "not found": "/seasons/2012-13/events/99/",
}
MADE: dict[str, str] = {}  # the address of the race with rounds, once it is made
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
SHOOT = os.environ.get("SCREENSHOTS") == "1"
SERIOUS = ("serious", "critical")

# Each table of <main>: its caption, whether it is wider than its box (scrolls inside it), and
# each column whose body cells are right-aligned but whose header is not.
TABLES = """() => [...document.querySelectorAll("main table")].filter(t => t.offsetParent)
  .map(table => {
    const box = table.closest(".table-scroll") || table.parentElement;
    const heads = [...table.querySelectorAll("thead th")];
    const rows = [...table.querySelectorAll("tbody tr")];
    const misaligned = heads.filter((th, i) => {
      const cells = rows.map(tr => tr.children[i]).filter(td => td && td.textContent.trim());
      const right = cells.length && cells.every(td => getComputedStyle(td).textAlign === "right");
      return right && getComputedStyle(th).textAlign !== "right";
    }).map(th => th.textContent.trim());
    return {
      caption: table.caption ? table.caption.textContent.trim() : null,
      overflow: box.scrollWidth - box.clientWidth,
      misaligned,
    };
  })"""

# The right edge of the "Time" header's text and of each time below it, per table.
TIME_EDGES = """() => {
  const right = el => { const r = document.createRange(); r.selectNodeContents(el);
                        return r.getBoundingClientRect().right; };
  return [...document.querySelectorAll("main table")].flatMap(table => {
    const heads = [...table.querySelectorAll("thead th")];
    const i = heads.findIndex(th => th.textContent.trim() === "Time");
    if (i < 0) return [];
    const cells = [...table.querySelectorAll("tbody tr")].map(tr => tr.children[i])
      .filter(td => td && td.textContent.trim());
    return [{caption: table.caption.textContent.trim(), header: right(heads[i]),
             cells: cells.map(right)}];
  });
}"""


# Skaters' names split at a hyphen across two lines ("Kwak Yoon-" / "gy"): the characters on
# either side of each hyphen of a linked name measured apart.
BROKEN_NAMES = """() => {
  const broken = [];
  for (const link of document.querySelectorAll('main a[href^="/athletes/"]')) {
    const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (let at = text.indexOf('-'); at > 0 && at < text.length - 1;
           at = text.indexOf('-', at + 1)) {
        const before = document.createRange(), after = document.createRange();
        before.setStart(node, at - 1); before.setEnd(node, at);
        after.setStart(node, at + 1); after.setEnd(node, at + 2);
        const a = before.getBoundingClientRect(), b = after.getBoundingClientRect();
        if (a.width && b.width && Math.abs(a.top - b.top) > 2) {
          broken.push(link.textContent.trim());
        }
      }
    }
  }
  return broken;
}"""
# Each table caption whose text runs past the visible part of its table's box.
CUT_CAPTIONS = """() => [...document.querySelectorAll("main table caption")]
  .filter(caption => caption.offsetParent).filter(caption => {
    const box = caption.closest(".table-scroll").getBoundingClientRect();
    const range = document.createRange(); range.selectNodeContents(caption);
    const text = range.getBoundingClientRect();
    return text.left < box.left || text.right > box.right + 1;
  }).map(caption => caption.textContent.trim())"""


# The height of the smallest text of the progression chart as drawn (null: no chart).
CHART_TEXT = """() => { const texts = [...document.querySelectorAll("figure.chart svg text")];
  return texts.length ? Math.min(...texts.map(t => t.getBoundingClientRect().height)) : null; }"""


@pytest.fixture(scope="module", params=list(PAGES))
def visit(request, django_db_blocker, bundled_rows, browser) -> dict:
    """Load one page type and note what each test checks. A module fixture with a parameter:
    pytest runs each page's tests together, so each page is loaded once (per test process).
    The data goes in before the first load (again if a test in between emptied the database)
    and the database is emptied after the module: the tests only read what the visit noted,
    so they need no database (and no flush of it each)."""
    # Asked for here, not as an argument: a test that names live_server gets a whole
    # transactional database (emptied after each test) from pytest-django.
    live_server = request.getfixturevalue("live_server")
    name = request.param
    storage = "django.contrib.staticfiles.storage.StaticFilesStorage"
    with (
        django_db_blocker.unblock(),
        override_settings(
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": storage},
            },
            SECURE_SSL_REDIRECT=False,
        ),
    ):
        live_server._live_server_modified_settings.enable()
        try:
            if not Season.objects.exists():
                insert_bundled(bundled_rows)
                MADE["rounds"] = race_with_rounds()
            return look_at(name, live_server, browser)
        finally:
            live_server._live_server_modified_settings.disable()


@pytest.fixture(scope="module", autouse=True)
def _emptied_after(django_db_blocker):
    """The visits' data leaves no trace for the tests after this module."""
    yield
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("flush", "--noinput", verbosity=0)


def look_at(name: str, live_server, browser) -> dict:
    """What the tests check of one page type, loaded at 1280 px then narrowed to 390 px."""
    cache.clear()
    forget_loaded()
    rounds = MADE["rounds"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    path = rounds if PAGES[name] == ROUNDS else PAGES[name]
    response = page.goto(live_server.url + path)
    if name == "API docs":  # Swagger UI fetches the schema after the load
        page.wait_for_load_state("networkidle")
    page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
    seen = {
        "name": name,
        "status": response.status,
        "violations": [
            f"{v['id']} ({v['impact']}): {v['help']}: "
            + "; ".join(
                f"{node['target'][0]} {[c['message'] for c in node['any']]}"
                for node in v["nodes"][:5]
            )
            for v in Axe().run(page).response["violations"]
            if v["impact"] in SERIOUS
        ],
        "tables": page.evaluate(TABLES),
        "times": page.evaluate(TIME_EDGES),
        "chart": page.locator("figure.chart").count(),
        "broken_names": page.evaluate(BROKEN_NAMES),
    }
    shot = SHOTS / name.replace(" ", "-")
    if SHOOT:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shot}-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    seen["phone_width"] = page.evaluate("document.documentElement.scrollWidth")
    seen["cut_captions"] = page.evaluate(CUT_CAPTIONS)
    seen["broken_names"] += page.evaluate(BROKEN_NAMES)
    seen["chart_text"] = page.evaluate(CHART_TEXT)
    if SHOOT:
        page.screenshot(path=f"{shot}-390.png", full_page=True)
    context.close()
    return seen


def test_the_page_answers_as_expected(visit):
    assert visit["status"] == (404 if visit["name"] == "not found" else 200)
    if visit["name"] in ("standings table", "standings after a race"):
        assert visit["chart"] == 1


def test_no_serious_accessibility_violation(visit):
    assert not visit["violations"], "\n".join(visit["violations"])


def test_no_sideways_page_scroll_on_a_phone(visit):
    assert visit["phone_width"] <= 390


def test_the_chart_is_read_on_a_phone(visit):
    if visit["chart"]:
        assert visit["chart_text"] >= 9  # px: its labels are not shrunk with its width


def test_no_skaters_name_is_split_at_its_hyphen(visit):
    assert visit["broken_names"] == []


def test_every_caption_is_read_whole_on_a_phone(visit):
    assert visit["cut_captions"] == []


def test_no_table_is_wider_than_its_box_on_a_desktop(visit):
    assert [t["caption"] for t in visit["tables"] if t["overflow"] > 0] == []


def test_every_table_has_a_caption(visit):
    assert all(t["caption"] for t in visit["tables"])


def test_number_columns_headers_are_aligned_like_their_numbers(visit):
    assert [(t["caption"], t["misaligned"]) for t in visit["tables"] if t["misaligned"]] == []


def test_the_time_header_ends_where_the_times_end(visit):
    timed = [table for table in visit["times"] if table["cells"]]
    if visit["name"] in ("race without rounds", "race with rounds", "results search"):
        assert timed  # the set-up gives these pages times to measure
    for table in timed:
        assert all(abs(cell - table["header"]) <= 1 for cell in table["cells"]), table


def test_the_admin_asks_for_no_missing_file_and_favicon_ico_is_the_icon(live_server, page):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.goto(live_server.url + "/admin/login/")
    page.wait_for_load_state("networkidle")
    icon = page.request.get(live_server.url + "/favicon.ico")  # redirects followed
    assert missing == []
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/")
    assert icon.body()[:4] == b"\0\0\1\0"
