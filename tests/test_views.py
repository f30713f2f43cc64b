"""The public pages: what fans, media and federations read."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from results.models import Athlete, HeatLine, Race, Result, Season
from results.standings.loader import forget_loaded
from tests import factories as make

pytestmark = pytest.mark.django_db


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def text(html: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- The 2012–13 season, laid out like the encyclopedia -------------------------------------


def test_the_season_page_shows_all_sixty_races(client, season_2012_13):
    html = page(client, "/seasons/2012-13/")
    race_links = set(
        re.findall(r'href="(/seasons/2012-13/events/\d/(?:men|women)/[^"]+/\d/)"', html)
    )
    assert len(race_links) == 60
    assert html.count("<caption>Men · World Cup") == 6
    assert html.count("<caption>Women · World Cup") == 6


def test_the_season_page_shows_the_relay_podiums(client, season_2012_13):
    html = page(client, "/seasons/2012-13/")
    row = re.search(r"5000m-relay/1/\">5000 m relay</a>.*?</tr>", html, re.S).group(0)
    assert re.findall(r"nations/([A-Z]{3})/", row) == ["KOR", "RUS", "CAN"]  # Calgary


def test_the_season_page_marks_the_world_record(client, season_2012_13):
    html = page(client, "/seasons/2012-13/")
    calgary = html[html.index("Men · World Cup 1 · Calgary") :]
    row = re.search(r"men/500m/1/\">500 m</a>(.*?)</tr>", calgary, re.S).group(1)
    assert '<abbr class="record" title="World record">WR</abbr>' in row
    assert "J. R. Celski" in row  # the winner is a name, the WR a note


def test_the_season_page_labels_doubled_distances(client, season_2012_13):
    calgary = text(page(client, "/seasons/2012-13/"))
    assert "1000 m (1)" in calgary and "1000 m (2)" in calgary
    assert "500 m (1)" not in calgary.split("World Cup 2")[0]  # Calgary's 500 m was skated once


def test_the_season_page_names_the_corrections(client, season_2012_13):
    assert "12 February 2013" in page(client, "/seasons/2012-13/")


def test_season_pages_link_the_previous_and_next_season(client, season_2012_13):
    make.season("2013-14")
    html = page(client, "/seasons/2012-13/")
    assert 'rel="next" href="/seasons/2013-14/"' in html
    assert 'rel="prev" href="/seasons/2012-13/"' in page(client, "/seasons/2013-14/")


def test_the_event_page_shows_venue_dates_and_races(client, season_2012_13):
    body = text(page(client, "/seasons/2012-13/events/4/"))
    assert "World Cup 4 · Shanghai" in body
    assert "Oriental Sports Center" in body
    assert "7 December – 9 December 2012" in body


def test_the_race_page_shows_the_classification_with_points(client, season_2012_13):
    body = text(page(client, "/seasons/2012-13/events/1/men/500m/1/"))
    assert "1 J. R. Celski USA 39.937 WR 1000" in body
    assert "2 Charles Hamelin CAN 800" in body
    assert "partial: only the places a source gives" in body


def test_the_race_page_shows_a_relay_penalty_that_kept_its_rank(client, season_2012_13):
    body = text(page(client, "/seasons/2012-13/events/1/men/5000m-relay/1/"))
    assert "4 CHN CHN PEN" in body and "512" in body


def test_the_race_classification_downloads_in_the_results_csv_format(client, season_2012_13):
    response = client.get("/seasons/2012-13/events/1/men/5000m-relay/1/results.csv")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:10] == [
        "season",
        "event",
        "gender",
        "distance",
        "race",
        "rank",
        "athlete",
        "nation",
        "time",
        "status",
    ]
    assert rows[1][:10] == ["2012-13", "1", "men", "5000m-relay", "1", "1", "", "KOR", "", ""]
    assert rows[4][:10] == ["2012-13", "1", "men", "5000m-relay", "1", "4", "", "CHN", "", "PEN"]


# --- Standings ------------------------------------------------------------------------------


def test_the_standings_page_strikes_through_dropped_results(client, season_2012_13):
    html = page(client, "/seasons/2012-13/standings/women/3000m-relay/")
    china = re.search(r'nations/CHN/">CHN</a></th>(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', china, re.S)
    assert re.sub(r"<[^>]+>", "", cells[0]).strip() == "4000"
    races = cells[3:9]  # after points, gross and the most still reachable: Calgary … Dresden
    assert "<s" in races[0] and ">800</s>" in races[0]  # Calgary 2nd, dropped
    assert "<s" in races[5] and ">640</s>" in races[5]  # Dresden 3rd, dropped
    assert all("<s" not in cell for cell in races[1:5])
    assert "After 6 of 6 races." in html


def test_a_dropped_or_disqualified_result_is_told_in_words(client, season_2012_13):
    from results.models import Adjustment

    montreal = Result.objects.get(
        race__event__number=2, race__gender="women", race__distance="3000m-relay", nation="CHN"
    )
    Adjustment.objects.create(result=montreal, kind="disqualified", reason="Test")
    html = page(client, "/seasons/2012-13/standings/women/3000m-relay/")
    china = text(re.search(r'nations/CHN/">CHN</a></th>(.*?)</tr>', html, re.S).group(1))
    # 800, DQ, 1000, 1000, 1000, 640: best 4 are the three wins and the 800; the 640 drops
    assert " 3800 " in china
    assert " 800 DQ (disqualified) 1000 1000 1000 640 (dropped) " in china


def test_the_standings_page_shows_published_figures_where_they_differ(client, season_2012_13):
    body = text(page(client, "/seasons/2012-13/standings/women/3000m-relay/"))
    assert "CAN 2992 2912 (2. CAN) 2992 is no sum of 4 points-table values" in body
    assert "4 of 5 published rows differ" in body


def test_the_published_final_standings_are_set_beside_the_whole_table(client, season_2012_13):
    # The sources published the women's relay table after its 6 races; seen after race 2, the
    # comparison is still with the whole table, and says so.
    body = text(page(client, "/seasons/2012-13/standings/women/3000m-relay/?after_race=2"))
    assert "CAN 2992 2912 (2. CAN) 2992 is no sum of 4 points-table values" in body
    assert "4 of 5 published rows differ" in body
    assert "they are set beside ours after race 6, not after race 2 as above" in body


def test_the_standings_page_says_classifications_are_incomplete(client, season_2012_13):
    # Women's 500 m: eight races; race 7 has no results, the seven others podiums only.
    body = text(page(client, "/seasons/2012-13/standings/women/500m/"))
    assert "8 of 8 races skated; results known for 7." in body
    assert (
        "Incomplete: of the 8 races up to race 8, 1 has no results and 7 have a partial "
        "classification" in body
    )


def test_the_standings_page_explains_a_broken_tie(client, season_2012_13):
    body = text(page(client, "/seasons/2012-13/standings/men/500m/"))
    # Seifert (win at Nagoya) and Bastille (win at Montreal (2)) have 1000 each.
    assert "Robert Seifert GER 1000 1000" in body
    assert "last race: better in WC 3 Nagoya (1. to no result)" in body


def test_the_standings_after_race_k(client, season_2012_13):
    html = page(client, "/seasons/2012-13/standings/men/5000m-relay/?after_race=2")
    assert "After 2 of 6 races." in html
    body = text(html)
    assert "1 – KOR 2000" in body  # two wins (relay tables have no second nation column)
    assert "2 ▲2 CHN 1312" in body  # 4th after Calgary, 2nd after Montreal
    assert '<option value="2" selected>' in html


def test_the_standings_page_draws_the_progression_chart(client, season_2012_13):
    html = page(client, "/seasons/2012-13/standings/women/3000m-relay/")
    svg = html[html.index("<svg viewBox") : html.index("</svg>")]
    assert svg.count("<polyline") == 6  # six teams scored
    assert "1. CHN: 4000" in html


def test_the_chart_gives_its_figures_as_a_table(client, season_2012_13):
    html = page(client, "/seasons/2012-13/standings/women/3000m-relay/")
    figures = html[html.index('<details class="chart-figures">') : html.index("</details>")]
    assert "<caption>Points after each race, top 6</caption>" in figures
    assert '<th scope="col" class="num"><abbr title="WC 6 Dresden">WC6</abbr></th>' in figures
    # CHN: 2nd (800), four wins, 3rd; best 4: the fourth win replaces the 800, the 3rd drops.
    assert "1 CHN 800 1800 2800 3800 4000 4000" in text(figures)


def test_sources_show_as_links_named_by_site_and_page(client, season_2012_13):
    event = page(client, "/seasons/2012-13/events/1/")
    assert (
        '<a href="https://thereflector.ca/2012/11/02/olympic-oval-hosts-speedsters" '
        'rel="nofollow">thereflector.ca: olympic oval hosts speedsters</a>'
    ) in event
    race = page(client, "/seasons/2012-13/events/1/men/500m/1/")
    assert (
        '<a href="https://www.huffingtonpost.ca/2012/10/21/short-track-speedskating-_n_1998470'
        '.html" rel="nofollow">huffingtonpost.ca: short track speedskating</a>'
    ) in race
    assert race.count('rel="nofollow">en.people.cn</a>') == 5  # source, note and 3 lines'
    season = page(client, "/seasons/2012-13/")  # a source with no address stays text
    assert "Source: Encyclopedia article &quot;2012–13 ISU Short Track Speed" in season
    rules = page(client, "/seasons/2012-13/standings/")
    assert 'rel="nofollow">de.zxc.wiki: Shorttrack-Weltcup</a>' in rules


def test_no_page_shows_a_raw_address(client, season_2012_13):
    pages = [
        "/seasons/2012-13/",
        "/seasons/2012-13/standings/",
        *(event.get_absolute_url() for event in season_2012_13.events.all()),
        *(race.get_absolute_url() for race in Race.objects.all()),
    ]
    assert len(pages) == 2 + 6 + 60
    assert [url for url in pages if "http" in text(page(client, url))] == []


def test_the_standings_download_as_csv_and_json(client, season_2012_13, capsys):
    from django.core.management import call_command

    download = client.get("/seasons/2012-13/standings/women/3000m-relay.csv").content.decode()
    rows = list(csv.reader(io.StringIO(download)))
    assert rows[1][:6] == ["1", "", "", "CHN", "4000", "5440"]
    call_command("standings", "2012-13", "women", "3000m-relay", "--format", "csv")
    assert capsys.readouterr().out == download  # the same bytes as the command prints
    data = json.loads(client.get("/seasons/2012-13/standings/women/3000m-relay.json").content)
    assert (data["rows"][0]["nation"], data["rows"][0]["points"]) == ("CHN", 4000)
    named = {
        url: client.get(url)["Content-Disposition"]
        for url in ["/seasons/2012-13/standings/women/3000m-relay.csv",
                    "/seasons/2012-13/standings/women/3000m-relay.csv?after_race=2"]
    }  # fmt: skip
    assert list(named.values()) == [
        'attachment; filename="2012-13-women-3000m-relay.csv"',
        'attachment; filename="2012-13-women-3000m-relay-after-race-2.csv"',
    ]


def test_the_standings_json_is_what_the_command_prints(client, season_2012_13, capsys):
    from django.core.management import call_command

    call_command("standings", "2012-13", "men", "500m", "--after-race", "4", "--format", "json")
    printed = json.loads(capsys.readouterr().out)
    served = json.loads(client.get("/seasons/2012-13/standings/men/500m.json?after_race=4").content)
    assert served == printed


def test_the_standings_index_lists_every_table(client, season_2012_13):
    html = page(client, "/seasons/2012-13/standings/")
    assert len(re.findall(r'href="/seasons/2012-13/standings/(?:men|women)/[^"]+/"', html)) == 8


def test_the_medal_table(client, season_2012_13):
    body = text(page(client, "/seasons/2012-13/medals/"))
    # KOR's sourced podium places: worked from the fixture's rows (the first row).
    assert body.index("KOR") < body.index("CHN") < body.index("CAN")


def test_the_calendar_feed_has_all_day_events(client, season_2012_13):
    response = client.get("/seasons/2012-13/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 6
    assert "DTSTART;VALUE=DATE:20121019\r\nDTEND;VALUE=DATE:20121022\r\n" in body  # Calgary 19–21
    assert "SUMMARY:World Cup 1 · Calgary (2012–13)" in body
    assert "LOCATION:Olympic Oval\\, Calgary" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_the_calendar_feed_names_its_events_alike_under_every_host_name(
    client, season_2012_13, settings
):
    settings.ALLOWED_HOSTS = ["results.example.org", "www.results.example.org"]
    settings.CALENDAR_UID_DOMAIN = "calendar.example.net"

    def uids(host: str) -> list[str]:
        body = client.get("/seasons/2012-13/calendar.ics", HTTP_HOST=host).content.decode()
        return re.findall(r"^UID:(.*)\r$", body, re.M)

    expected = [f"2012-13-{number}@calendar.example.net" for number in range(1, 7)]
    assert uids("results.example.org") == expected
    assert uids("www.results.example.org") == expected


# --- Athletes, nations, results -------------------------------------------------------------


def test_the_athlete_page(client, season_2012_13):
    body = text(page(client, "/athletes/elise-christie/"))
    # Sourced 1000 m results: Calgary (1) 2nd 800, Nagoya 1st 1000, Shanghai (1) 3rd 640,
    # Sochi 2nd 800 → 3240; 1500 m: Nagoya (2) 2nd 800, Sochi 3rd 640, Dresden (1) 1st 1000.
    assert "2012–13 1000 m 4 3240" in body
    assert "2012–13 1500 m 3 2440" in body
    assert "Podiums 7 (2 × 1st, 3 × 2nd, 2 × 3rd)" in body


def test_the_athlete_page_gives_the_standings_rank_per_season_and_table(
    client, django_assert_max_num_queries
):
    # Two seasons. 2030-31, men's 500 m: A wins (1000), B 2nd (800) → B ranks 2nd; 1000 m:
    # B wins → 1st. 2031-32, 500 m: B alone → 1st.
    first, second = make.season("2030-31"), make.season("2031-32")
    a, b = make.athlete("Skater A"), make.athlete("Skater B")
    five = make.race(make.event(first), distance="500m")
    make.result(five, 1, a)
    make.result(five, 2, b)
    make.result(make.race(five.event, distance="1000m"), 1, b)
    make.result(make.race(make.event(second), distance="500m"), 1, b)
    with django_assert_max_num_queries(6):  # the seasons' standings in one query
        body = text(page(client, "/athletes/skater-b/"))
    assert "2031–32 500 m 1 1000 (best 6) 1000 1." in body
    assert "2030–31 500 m 1 800 (best 6) 800 2." in body
    assert "2030–31 1000 m 1 1000 (best 6) 1000 1." in body


def test_the_athlete_page_lists_other_spellings(client, season_2012_13):
    assert "Viktor Ahn, Ahn Hyun-soo" in page(client, "/athletes/victor-an/")


def test_the_nations_list_shows_the_nations_taking_part_unless_asked_for_all(client, db):
    make.nation("XEV", "Everland")  # in the register, no skater, no result
    race = make.race()
    make.result(race, 1, make.athlete("Kim Skater", nation_code="KOR"))
    make.result(make.race(race.event, distance="5000m-relay"), 1, nation_code="CAN")  # a team
    listed = text(page(client, "/nations/"))
    assert "KOR" in listed and "CAN" in listed and "Everland" not in listed
    everyone = text(page(client, "/nations/?all=1"))
    assert "Everland" in everyone and "KOR" in everyone


@pytest.mark.parametrize("url", ["/results/", "/athletes/"])
def test_the_nation_filter_offers_the_nations_taking_part(client, db, url):
    make.nation("XEV", "Everland")  # in the register, no skater, no result
    make.result(make.race(), 1, make.athlete("Kim Skater", nation_code="KOR"))
    options = re.findall(r'<option value="([^"]*)"', page(client, url).split('name="nation"')[1]
                         .split("</select>")[0])  # fmt: skip
    assert options == ["", "KOR"]  # "All nations", then KOR alone


def test_the_nation_page(client, season_2012_13):
    body = text(page(client, "/nations/CAN/"))
    assert "Charles Hamelin" in body
    assert "Women 3000 m relay 4" in body  # the Calgary relay 4th
    assert "2012–13" in body


def test_the_athlete_list_filters_by_nation_and_alias(client, season_2012_13):
    body = text(page(client, "/athletes/?nation=RUS"))
    assert "Victor An" in body and "Charles Hamelin" not in body
    assert "Victor An" in text(page(client, "/athletes/?name=ahn"))


def test_results_search_filters_by_season_gender_distance_and_nation(client, season_2012_13):
    body = text(page(client, "/results/?season=2012-13&gender=women&distance=500m&nation=CAN"))
    assert "Jessica Gregg" in body and "Wang Meng" not in body


def test_the_podium_filter_offers_all_lines_or_the_podium_only(client, season_2012_13):
    html = page(client, "/results/")
    select = re.search(r'<select name="podium".*?</select>', html, re.S).group()
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select) == ["All lines", "Podium only"]
    assert '<option value="" selected>All lines</option>' in select
    assert "Unknown" not in html
    assert "---------" not in html  # every filter names its empty choice: "All seasons", …


def test_the_podium_filter_keeps_ranks_1_to_3(client, season_2012_13):
    def lines(query: str) -> int:
        return len(page(client, f"/results/?_export=csv{query}").splitlines()) - 1

    # 141 lines: 36 relay and 101 individual podium places, 4 relay places below the podium
    assert lines("") == 141
    assert lines("&podium=true") == 137
    assert lines("&podium=false") == 141  # the old yes/no filter's "no": every line
    assert "Select a valid choice" in page(client, "/results/?podium=maybe")


def test_results_export_as_csv_and_xlsx(client, season_2012_13):
    csv_text = client.get("/results/?distance=5000m-relay&_export=csv").content.decode()
    assert len(csv_text.strip().splitlines()) == 1 + 18 + 1  # header, 18 podium places, CHN 4th
    workbook = load_workbook(
        io.BytesIO(client.get("/results/?distance=5000m-relay&_export=xlsx").content)
    )
    assert workbook.active.max_row == 20
    response = client.get("/results/?season=2012-13&gender=women&distance=500m&_export=csv")
    assert 'filename="results-2012-13-women-500m.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert "<" not in "".join(cell for row in rows for cell in row)  # names, not links
    assert rows[0] == ["Season", "Event", "Date", "Gender", "Distance", "Race number",
                       "Publication", "Rank", "Athlete / team", "Nation", "Time", "Status",
                       "Points"]  # fmt: skip
    # Wang Meng won the women's 500 m at Dresden on 10 February 2013 (the fixture's dates).
    assert ["2012–13", "World Cup 6 · Dresden", "2013-02-10", "Women", "500 m", "1",
            "Official", "1", "Wang Meng", "CHN", "", "", "1000"] in rows  # fmt: skip


def test_the_medal_table_exports_as_csv_and_xlsx(client, season_2012_13):
    rows = list(csv.reader(io.StringIO(client.get("/seasons/2012-13/medals/?_export=csv").text)))
    assert rows[0] == ["Nation", "1st", "2nd", "3rd", "Total"]
    # Every podium line of the season's published races counts once: 141 lines, 4 below.
    assert sum(int(row[4]) for row in rows[1:]) == 137  # 141 lines, 4 below the podium
    workbook = load_workbook(
        io.BytesIO(client.get("/seasons/2012-13/medals/?_export=xlsx").content)
    )
    assert workbook.active.max_row == len(rows)


def test_provisional_results_are_marked_wherever_they_show(client, db):
    race = make.race(state="provisional")
    skater = make.athlete("New Skater")
    make.result(race, 1, skater)
    badge = '<span class="badge">provisional</span>'
    assert badge in page(client, skater.get_absolute_url())
    assert badge in page(client, "/results/")
    api = json.loads(client.get(f"/api/v1/athletes/{skater.slug}").content)
    assert api["results"][0]["state"] == "provisional"
    season = race.event.season.slug
    standings = json.loads(client.get(f"/api/v1/seasons/{season}/standings/men/500m").content)
    assert standings["races"][0]["provisional"] is True
    race.publish("official")
    assert badge not in page(client, skater.get_absolute_url())
    assert badge not in page(client, "/results/")


# --- Bad addresses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/seasons/2099-00/",
        "/seasons/2012-13/events/9/",
        "/seasons/2012-13/events/1/men/500m/3/",
        "/seasons/2012-13/events/1/women/5000m-relay/1/",
        "/seasons/2012-13/events/99999999999999999999/",
        "/seasons/2012-13/standings/men/3000m-relay/",
        "/seasons/2012-13/standings/men/overall/",
        "/seasons/2012-13/standings/men/5000m-relay/?after_race=7",
        "/seasons/twelve/",
        "/athletes/nobody/",
        "/nations/XXX/",
        "/nations/kor/",
        "/seasons/2012-13/standings/men/500m.json?after_race=9",
    ],
)
def test_unknown_addresses_get_the_404_page(client, season_2012_13, url):
    html = page(client, url, status=404)
    assert "<h1>Not found</h1>" in html


@pytest.mark.parametrize("value", ["abc", "-1", "0", "1e3", "<script>"])
def test_a_bad_after_race_gets_a_400_with_the_reason(client, season_2012_13, value):
    html = page(client, f"/seasons/2012-13/standings/men/500m/?after_race={value}", status=400)
    assert "after_race must be a race number" in html
    assert "<script>" not in html


def test_a_season_with_no_data_still_renders(client, db):
    make.season("2030-31")
    assert "No season is loaded yet" not in page(client, "/")
    assert "World Cup 2030–31" in page(client, "/seasons/2030-31/")


def test_an_empty_site_renders(client, db):
    assert "No season is loaded yet" in page(client, "/")


# --- Draft results stay out of public pages -------------------------------------------------


def test_draft_results_are_not_public(client, db):
    event = make.event(make.season("2030-31"), 1, city="Montreal")
    draft = make.race(event, state="draft")
    make.result(draft, 1, make.athlete("Secret Skater"))
    pages = ["/", "/seasons/2030-31/", "/seasons/2030-31/events/1/", "/results/",
             "/seasons/2030-31/events/1/men/500m/1/",
             "/seasons/2030-31/standings/men/500m/"]  # fmt: skip
    for url in pages:
        assert "Secret Skater</a>" not in page(client, url), url
    # A skater with draft results only has no public page (issue "Nothing gets out").
    page(client, "/athletes/secret-skater/", status=404)
    assert "Results not yet published." in page(client, "/seasons/2030-31/events/1/men/500m/1/")


def test_provisional_results_are_public_and_marked(client, db):
    race = make.race(make.event(make.season("2030-31"), 1), state="provisional")
    make.result(race, 1, make.athlete("Quick Skater"))
    assert "Provisional results" in page(client, "/seasons/2030-31/events/1/men/500m/1/")
    standings = page(client, "/seasons/2030-31/standings/men/500m/")
    assert "Quick Skater" in standings and "1 race provisional" in standings


# --- Queries: a constant number per page, whatever the data ---------------------------------


def grow(n_races: int, n_athletes: int):
    """A season with n races (men's 500 m, one per event) and n athletes placed in them."""
    season = make.season("2040-41")
    skaters = [make.athlete(f"Skater {i:02d}") for i in range(n_athletes)]
    for number in range(1, n_races + 1):
        race = make.race(make.event(season, number, city=f"City {number}"))
        make.classification(race, skaters[:40])
    relay = make.race(season.events.first(), distance="5000m-relay")
    make.result(relay, 1, nation_code="KOR")
    return season


PAGES = [
    "/",
    "/seasons/",
    "/seasons/2040-41/",
    "/seasons/2040-41/events/1/",
    "/seasons/2040-41/events/1/men/500m/1/",
    "/seasons/2040-41/events/1/men/500m/1/results.csv",
    "/seasons/2040-41/events/1/men/5000m-relay/1/",
    "/seasons/2040-41/standings/",
    "/seasons/2040-41/standings/men/500m/",
    "/seasons/2040-41/standings/men/500m/?after_race=1",
    "/seasons/2040-41/standings/men/500m.csv",
    "/seasons/2040-41/standings/men/500m.json",
    "/seasons/2040-41/medals/",
    "/seasons/2040-41/calendar.ics",
    "/athletes/",
    "/athletes/skater-00/",
    "/nations/",
    "/nations/KOR/",
    "/results/",
    "/results/?season=2040-41&gender=men&distance=500m&nation=KOR&athlete=skater",
    "/results/?_export=csv",
]


def queries(client, url: str) -> int:
    cache.clear()
    forget_loaded()  # count the loader's query too
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_every_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    """Each page's queries with one race and one athlete, then with twenty races and forty
    athletes: the same, and at most eight (the data grown once for every page)."""
    small = grow(1, 1)
    with_one = {url: queries(client, url) for url in PAGES}
    small.delete()
    Athlete.objects.all().delete()
    grow(20, 40)
    with_twenty = {}
    for url in PAGES:
        with django_assert_max_num_queries(8):
            with_twenty[url] = queries(client, url)
    assert with_twenty == with_one


@pytest.mark.parametrize(
    ("url", "first"),
    [("/seasons/", "Season"), ("/athletes/?nation=RUS", "Name"), ("/nations/", "Code")],
)
def test_lists_export_as_csv_and_xlsx(client, season_2012_13, url, first):
    sep = "&" if "?" in url else "?"
    rows = list(csv.reader(io.StringIO(client.get(f"{url}{sep}_export=csv").content.decode())))
    assert rows[0][0] == first and len(rows) > 1
    workbook = load_workbook(io.BytesIO(client.get(f"{url}{sep}_export=xlsx").content))
    assert workbook.active.max_row == len(rows)


def test_a_search_ignores_accents_and_case(client, season_2012_13):
    assert "Valérie Maltais" in text(page(client, "/athletes/?name=valerie"))
    assert "Valérie Maltais" in text(page(client, "/athletes/?name=MALTAIS"))
    assert "Valérie Maltais" in text(page(client, "/results/?athlete=Valerie"))
    found = client.get("/api/v1/athletes?q=valerie maltais").json()["items"]
    assert [a["name"] for a in found] == ["Valérie Maltais"]
    assert "Valérie Maltais" not in text(page(client, "/athletes/?name=valerie|x"))


# --- A race skated in rounds ----------------------------------------------------------------


def rounds_race(state: str = "provisional", event_=None, distance: str = "1000m"):
    """A men's 1000 m skated in semifinals, Final B and Final A by eight skaters, A to H.

    Semifinal 1: A, B to Final A, C to Final B, D out (DNF). Semifinal 2: E, F to Final A,
    G, H to Final B. Final B: C, G, H. Final A: E, A, F, and B penalised."""
    from tests.test_rounds import heat

    race = make.race(event_, distance=distance, state="draft")
    a, b, c, d, e, f, g, h = (make.athlete(f"Skater {letter}") for letter in "ABCDEFGH")
    race.write_heats({
        ("semifinals", 1): heat([a, b, c, d], [1, 2, 3, None], ["QA", "QA", "QB", ""],
                                ["", "", "", "DNF"], [86.661, 86.7, 87.012, None]),
        ("semifinals", 2): heat([e, f, g, h], [1, 2, 3, 4], ["QA", "QA", "QB", "QB"]),
        ("final-b", 1): heat([c, g, h], [1, 2, 3]),
        ("final-a", 1): heat([e, a, f, b], [1, 2, 3, None], statuses=["", "", "", "PEN"],
                             times=[85.1, 85.2, 85.3, None]),
    })  # fmt: skip
    race.publish(state)
    return race


def tables_of(html: str) -> list[str]:
    """Each heat's table, in page order, as text."""
    return [text(table) for table in re.findall(r'<table class="heat">.*?</table>', html, re.S)]


def test_the_race_page_shows_every_round_heat_by_heat_final_a_first(client, db):
    race = rounds_race()
    html = page(client, race.get_absolute_url())
    heats = tables_of(html)
    assert [re.search(r"^\s*(\S+ ?\S*)", t).group(1) for t in heats] == [
        "Final A", "Final B", "Semifinal 1", "Semifinal 2",
    ]  # fmt: skip
    # Each header in full, and its short form for a phone (the page shows one of them).
    assert "Place Pl. Skater Nation Nat. Time Status St. Qualification Q." in heats[0]
    assert "1 Skater E KOR 1:25.100" in heats[0]
    assert "– Skater B KOR PEN" in heats[0]  # penalised: no place
    assert "1 Skater A KOR 1:26.661 QA" in heats[2]
    assert "– Skater D KOR DNF" in heats[2]
    assert '<abbr title="To Final A">QA</abbr>' in html
    assert '<abbr title="Penalty">PEN</abbr>' in html
    assert "<caption>Final A</caption>" in html and "<caption>Semifinal 2</caption>" in html
    assert '<a href="/athletes/skater-e/">Skater E</a>' in html
    assert html.index("Classification ·") < html.index('<h2 id="rounds">Rounds</h2>')


def test_rounds_of_a_draft_race_are_not_public(client, db):
    race = rounds_race(state="draft")
    html = page(client, race.get_absolute_url())
    assert "Skater E" not in html and '<table class="heat">' not in html
    assert "Results not yet published." in html


def test_a_provisional_race_shows_its_rounds_before_final_a(client, db):
    from tests.test_rounds import heat

    race = make.race(distance="1000m", state="provisional")
    skaters = [make.athlete(f"Skater {letter}") for letter in "ABCD"]
    race.write_heats({("semifinals", 1): heat(skaters, [1, 2, 3, 4], ["QA", "QA", "QB", "QB"])})
    html = page(client, race.get_absolute_url())
    assert [t.split()[:2] for t in tables_of(html)] == [["Semifinal", "1"]]
    assert "The classification follows from the rounds once Final A is skated." in html


def relay_round(race, nations: list[str], members) -> None:
    """One heat of a relay: the teams placed 1, 2, … in this order, each with its members."""
    lines = []
    for row, code in enumerate(nations, start=1):
        line = HeatLine(nation=make.nation(code), place=row)
        line.line, line.member_ids = row, [m.pk for m in members[code]]
        lines.append(line)
    race.write_heats({("final-a", 1): lines})


def test_a_relay_heat_names_the_teams_and_their_members(client, db):
    race = make.race(distance="5000m-relay", state="draft")
    members = {code: [make.athlete(f"{code} Skater {i}", nation_code=code) for i in (1, 2)]
               for code in ("KOR", "CAN")}  # fmt: skip
    relay_round(race, ["CAN", "KOR"], members)
    race.publish("provisional")
    heats = tables_of(page(client, race.get_absolute_url()))
    assert "Place Pl. Team Nation Nat." in heats[0]
    assert "1 CAN CAN Skater 1 , CAN Skater 2 CAN" in heats[0]


# --- The yellow helmet: the World Cup leader entering the race -----------------------------


def helmets(html: str) -> list[str]:
    """The competitors marked as World Cup leader in the rounds, in page order."""
    rows = re.findall(r'<tr class="leader">.*?</tr>', html, re.S)
    return [re.search(r'<th scope="row"><a [^>]*>([^<]+)</a>', row).group(1) for row in rows]


def test_the_leader_entering_the_race_wears_the_yellow_helmet(client, db):
    from tests.test_rounds import heat

    season = make.season("2040-41")
    a, b, c, d = [make.athlete(f"Skater {letter}") for letter in "ABCD"]
    first = make.race(make.event(season, 1), distance="1000m", state="draft")
    first.write_heats({("final-a", 1): heat([a, b, c, d], [1, 2, 3, 4])})
    first.publish("official")
    race = make.race(make.event(season, 2), distance="1000m", state="draft")
    race.write_heats({
        ("semifinals", 1): heat([b, a, c, d], [1, 2, 3, 4], ["QA", "QA", "QA", "QA"]),
        ("final-a", 1): heat([b, c, d, a], [1, 2, 3, 4]),
    })  # fmt: skip
    race.publish("official")
    # After race 1: A 1000, B 800, C 640, D 512; A leads entering race 2. After race 2 B leads
    # (800 + 1000 = 1800 against A's 1000 + 512 = 1512), but the helmet is worn entering it.
    html = page(client, race.get_absolute_url())
    assert helmets(html) == ["Skater A", "Skater A"]  # in the Final A and the semifinal
    assert "The yellow helmet: <strong>Skater A</strong>, leading the men's 1000 m" in html
    assert '<span class="visually-hidden">(World Cup leader)</span>' in html
    assert 'title="World Cup leader"' in html
    # In the table's first race nobody wears it: nobody led before it.
    assert helmets(page(client, first.get_absolute_url())) == []


def test_a_shared_lead_puts_every_leader_in_the_yellow_helmet(client, db):
    from tests.test_rounds import heat

    season = make.season("2040-41", tie_break=[])  # ties stand: the rank is shared
    a, b, c = [make.athlete(f"Skater {letter}") for letter in "ABC"]
    event = make.event(season, 1)
    make.classification(make.race(event, distance="1000m", number=1), [a])
    make.classification(make.race(event, distance="1000m", number=2), [b])
    # After the two races of World Cup 1: A 1000 and B 1000, both 1st; C has no points.
    race = make.race(make.event(season, 2), distance="1000m", state="draft")
    race.write_heats({("final-a", 1): heat([c, b, a], [1, 2, 3])})
    race.publish("provisional")
    html = page(client, race.get_absolute_url())
    assert helmets(html) == ["Skater B", "Skater A"]  # in the heat's order
    assert "The yellow helmet: <strong>Skater A</strong> and <strong>Skater B</strong>" in html


def test_nobody_wears_the_helmet_when_the_leader_does_not_skate(client, db):
    season = make.season("2040-41")
    make.classification(make.race(make.event(season, 1), distance="1000m"), [make.athlete()])
    html = page(client, rounds_race(event_=make.event(season, 2)).get_absolute_url())
    assert helmets(html) == [] and "yellow helmet" not in html


def season_with_rounds(n_lines: int, distance: str, live: bool = False) -> str:
    """A season whose first race has a classification and whose second is skated by `n_lines`
    skaters (or relay teams of two): the last four (or fewer) in the Final A alone, the others
    in heats of four; the first race's winner among them. The second race's event is on today
    when `live`. Returns the second race's page."""
    from tests.test_rounds import heat

    today = timezone.localdate()
    season = make.season(
        "2040-41", start_date=today - timedelta(90), end_date=today + timedelta(90)
    )
    past = make.event(season, 1, first_day=today - timedelta(30), last_day=today - timedelta(29))
    days = (today, today + timedelta(1)) if live else (today - timedelta(9), today - timedelta(8))
    event = make.event(season, 2, first_day=days[0], last_day=days[1])
    first = make.race(past, distance=distance)
    race = make.race(event, distance=distance, state="draft")
    if distance.endswith("relay"):
        competitors = [f"N{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(n_lines)]
        for rank, code in enumerate(competitors, start=1):
            make.result(first, rank, nation_code=code)

        def lines_of(group: list) -> list[HeatLine]:
            lines = []
            for place, code in enumerate(group, start=1):
                line = HeatLine(nation_id=code, place=place)
                members = [make.athlete(nation_code=code) for _ in range(2)]
                line.line, line.member_ids = place, [m.pk for m in members]
                lines.append(line)
            return lines
    else:
        competitors = [make.athlete(f"Skater {i:02d}") for i in range(n_lines)]
        make.classification(first, competitors)

        def lines_of(group: list) -> list[HeatLine]:
            return heat(group, list(range(1, len(group) + 1)))

    final = max(n_lines - 4, 0)
    heats = {("final-a", 1): lines_of(competitors[final:])}
    for start in range(0, final, 4):
        heats[("heats", start // 4 + 1)] = lines_of(competitors[start : min(start + 4, final)])
    race.write_heats(heats)
    race.publish("provisional")
    return race.get_absolute_url()


@pytest.mark.parametrize(
    ("distance", "live", "most"),
    # The season's version, the race, its heat lines (+ relay members), the standings loader,
    # the classification and its members, the race's history (+ its last change while live).
    [("500m", False, 7), ("5000m-relay", False, 8), ("500m", True, 8)],
)
def test_a_race_page_with_rounds_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, distance, live, most
):
    url = season_with_rounds(1, distance, live)
    with_one = queries(client, url)
    assert len(tables_of(page(client, url))) == 1
    Season.objects.all().delete()
    Athlete.objects.all().delete()
    url = season_with_rounds(40, distance, live)
    with_forty = queries(client, url)
    html = page(client, url)
    assert len(tables_of(html)) == 10 and len(helmets(html)) == 1
    assert with_forty == with_one, (with_one, with_forty)
    cache.clear()
    forget_loaded()
    with django_assert_max_num_queries(most):
        client.get(url)


# --- Pages of an event that is on refresh themselves -----------------------------------------

LIVE_SCRIPT = '<script src="/static/js/live.js" defer></script>'


@pytest.mark.parametrize("live", [True, False])
def test_race_and_standings_pages_refresh_themselves_only_while_the_event_is_on(client, live):
    url = season_with_rounds(4, "500m", live=live)
    standings = "/seasons/2040-41/standings/men/500m/"
    for html in (
        page(client, url),
        page(client, standings),
        page(client, standings + "?after_race=1"),
    ):
        assert (LIVE_SCRIPT in html) is live
        assert ("this page updates itself while the event is on" in html) is live
    assert LIVE_SCRIPT not in page(client, "/seasons/2040-41/")  # only race and standings pages


def test_the_live_script_is_a_static_file():
    from django.contrib.staticfiles import finders

    with open(finders.find("js/live.js"), encoding="utf-8") as file:
        script = file.read()
    assert "If-None-Match" in script and "visibilitychange" in script


def test_a_page_cached_the_day_before_the_event_refreshes_itself_once_it_is_on(
    client, db, monkeypatch
):
    today = timezone.localdate()
    season = make.season("2040-41", start_date=today - timedelta(9), end_date=today + timedelta(9))
    event = make.event(season, 1, first_day=today + timedelta(1), last_day=today + timedelta(2))
    race = make.race(event, state="provisional")
    assert LIVE_SCRIPT not in page(client, race.get_absolute_url())  # cached, nothing changes
    monkeypatch.setattr(timezone, "localdate", lambda: today + timedelta(1))
    assert LIVE_SCRIPT in page(client, race.get_absolute_url())


def test_the_live_page_says_when_its_results_last_changed(client, db):
    from tests.test_rounds import heat

    url = season_with_rounds(4, "500m", live=True)
    race = Race.objects.get(event__number=2)
    published = race.history.latest().history_date  # the race's last save: its publication
    html = page(client, url)
    assert f'data-changed="{published.isoformat()}"' in html
    assert f'Last changed <time datetime="{published.isoformat()}">{published:%H:%M:%S} UTC' in html
    race.write_heats({("heats", 1): heat([make.athlete("Skater New")], [1])})
    saved = HeatLine.history.latest().history_date
    derived = Result.history.latest().history_date  # the classification written after the heat
    assert derived > saved > published
    cache.clear()  # (the test's transaction never commits, so the season keeps its version)
    assert f'data-changed="{derived.isoformat()}"' in page(client, url)
    standings = page(client, "/seasons/2040-41/standings/men/500m/")
    assert f'data-changed="{derived.isoformat()}"' in standings


def test_a_draft_edited_during_the_event_does_not_say_when(client, db):
    season_with_rounds(4, "500m", live=True)
    standings = "/seasons/2040-41/standings/men/500m/"
    changed = re.compile(r'data-changed="([^"]+)"')
    draft = make.race(Race.objects.get(event__number=2).event, number=2, state="draft")
    before = changed.search(page(client, standings)).group(1)  # the new race is a new column
    assert changed.search(page(client, draft.get_absolute_url())).group(1) == (
        draft.history.latest().history_date.isoformat()  # the race itself, not its lines
    )
    make.result(draft, 1, make.athlete("Secret Skater"))
    cache.clear()
    assert changed.search(page(client, standings)).group(1) == before
    assert changed.search(page(client, draft.get_absolute_url())).group(1) < (
        draft.results.get().history.latest().history_date.isoformat()
    )


@pytest.mark.django_db(transaction=True)
def test_a_live_page_answers_304_until_a_heat_is_saved(client):
    from tests.test_rounds import heat

    url = season_with_rounds(4, "500m", live=True)
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    race = HeatLine.objects.first().round.race
    newcomer = make.athlete("Skater New")
    race.write_heats({("heats", 1): heat([newcomer], [1])})  # committed: a new version
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again["ETag"] != etag
    assert "Skater New" in again.content.decode()
    assert client.get(url, headers={"If-None-Match": again["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("/no/such/page/", "There is no such page."),
        ("/seasons/2012-13/events/99/", "There is no such event."),
        ("/athletes/nobody/", "There is no such athlete."),
    ],
)
def test_the_404_page_says_what_is_missing_in_words(client, season_2012_13, url, said):
    html = page(client, url, status=404)
    assert f"<p>{said}</p>" in html
    assert "Resolver404" not in html and "matching the query" not in html


def test_an_unknown_api_address_answers_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_home_page_leaders_say_races_skated_and_results_known_apart(client, season_2012_13):
    body = text(page(client, "/"))
    # Women's 500 m: 8 races skated, race 7 without results (as on its standings page).
    assert "8 of 8 races skated; results known for 7" in body
    assert "After 8 of 8 races" in body  # a table whose every race has results
