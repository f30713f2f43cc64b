"""Every CSV and XLSX download opens safely in a spreadsheet: a free-text cell that would start
a formula gets a leading ', XLSX cells are strings, never formulas, and the importer takes the '
off again (results/exports.py, results/csv_format.py)."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from results import csv_format
from results.models import Athlete, Nation
from tests import factories as make

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example","x")'
COMMAND = "+cmd|' /C calc'!A0"
FORMULAS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile(db):
    """Free text typed as formulas wherever a name, a city or a source is free text."""
    nation = Nation.objects.create(code="XEV", name="@SUM(1+1)")
    season = make.season("2030-31", name="=1+1")
    race = make.race(make.event(season, 1, city=COMMAND), state="official")
    skater = Athlete.objects.create(
        name="-cmd", slug="minus-cmd", gender="men", nation=nation, isu_id="=2+2"
    )
    make.result(race, 1, skater, source=HYPERLINK)
    make.result(race, 2, source="-15 points after review")  # not a number: neutralised
    make.result(race, 3, source="-15")  # a number: left as it is
    return race


def cells_of(response) -> list[str]:
    if response["Content-Type"].startswith("text/csv"):
        return [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert formulas == [], f"cells stored as formulas: {formulas}"
    return [str(cell.value) for cell in cells if cell.value is not None]


def unsafe(cells: list[str]) -> list[str]:
    return [c for c in cells if c.startswith(FORMULAS) and not csv_format.NUMBER.match(c)]


EXPORTS = [
    ("/seasons/2030-31/events/1/men/500m/1/results.csv", ["'" + HYPERLINK, "'=2+2"]),
    ("/results/?_export=csv", ["'-cmd", "'=1+1"]),
    ("/results/?_export=xlsx", ["'-cmd", "'=1+1"]),
    ("/athletes/?_export=csv", ["'-cmd"]),
    ("/athletes/?_export=xlsx", ["'-cmd"]),
    ("/seasons/?_export=csv", ["'=1+1"]),
    ("/seasons/?_export=xlsx", ["'=1+1"]),
    ("/nations/?_export=csv", ["'@SUM(1+1)"]),
    ("/nations/?_export=xlsx", ["'@SUM(1+1)"]),
    ("/seasons/2030-31/medals/?_export=csv", ["XEV"]),
    ("/seasons/2030-31/medals/?_export=xlsx", ["XEV"]),
    ("/seasons/2030-31/standings/men/500m.csv", ["'-cmd"]),
]


@pytest.mark.parametrize(("url", "expected"), EXPORTS)
def test_every_download_writes_free_text_as_text(client, hostile, url, expected):
    response = client.get(url)
    assert response.status_code == 200
    cells = cells_of(response)
    assert unsafe(cells) == []
    for value in expected:
        assert value in cells, (value, cells)


def test_the_admins_download_of_results_is_safe_too(client, hostile):
    admin = User.objects.create_superuser("chief", password="a-long-pass-phrase-1")
    client.force_login(admin)
    response = client.post(
        "/admin/results/race/", {"action": "download_csv", "_selected_action": [hostile.pk]}
    )
    cells = cells_of(response)
    assert unsafe(cells) == []
    assert "'" + HYPERLINK in cells and "-15" in cells and "'-15 points after review" in cells


def test_a_download_imports_back_as_it_was_typed(client, hostile):
    Athlete.objects.filter(slug="minus-cmd").update(name="Minus Cmd")  # a name the import takes
    data = client.get("/seasons/2030-31/events/1/men/500m/1/results.csv").content
    rows, problems = csv_format.read(data)
    assert problems == []
    assert [row.source for row in rows] == [HYPERLINK, "-15 points after review", "-15"]
    assert rows[0].isu_id == "=2+2"


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
        ("-x", "'-x"), ("-1.5", "-1.5"), ("-12", "-12"), ("x=1", "x=1"), ("'=1", "''=1"),
        ("", ""),
    ],
)  # fmt: skip
def test_a_cell_is_neutralised_only_where_it_would_be_read_as_a_formula(typed, written):
    assert csv_format.neutralised(typed) == written
    assert csv_format.restored(written) == typed
