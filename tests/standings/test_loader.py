"""The standings of seasons in the database: the loader's one query, its cache under the
season's version, and the tables it builds (results/standings/loader.py)."""

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command

from results.models import Adjustment, Race, Season
from results.standings.loader import load_season, season_standings, standings_table
from results.standings.table import progression
from tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def rows(table):
    return [(r.standing.rank, r.competitor.display, r.standing.points) for r in table.rows]


# --- 2012–13, worked out by hand from the fixture's results ---------------------------------


def test_womens_relay_2012_13(season_2012_13):
    # CHN: Cal 2nd 800, Mon/Nag/Sha/Soc 1st 1000 each, Dre 3rd 640 → best 4 = 4000;
    # the Calgary 2nd and the Dresden 3rd are dropped.
    # CAN: Cal 4th 512 + Mon, Soc, Dre 2nd 800 each = 2912 (the article publishes 2992).
    # JPN: Cal, Mon, Nag 3rd 640 each + Sha 2nd 800 = 2720 (= published).
    # KOR: Cal 1st 1000 + Nag 2nd 800 + Mon, Sha 5th 410 each = 2620 (published 2824).
    # ITA: Sha, Soc 3rd 640 each = 1280. NED: Dre 1st = 1000.
    table = standings_table(season_2012_13, "women", "3000m-relay")
    assert rows(table) == [
        (1, "CHN", 4000),
        (2, "CAN", 2912),
        (3, "JPN", 2720),
        (4, "KOR", 2620),
        (5, "ITA", 1280),
        (6, "NED", 1000),
    ]
    china = table.rows[0].standing
    dropped = [line.race for line in china.lines if not line.counted]
    assert dropped == [1, 6]  # Calgary 2nd and Dresden 3rd
    assert china.gross == 5440
    assert (table.races_done, table.races_total, table.best_of) == (6, 6, 4)


def test_mens_relay_2012_13(season_2012_13):
    # KOR: five wins, best 4 → 4000, one win dropped. NED: four 2nd places → 3200.
    # CHN: Cal 4th (penalised, still classified) 512 + Mon 2nd 800 + Nag, Soc 3rd 640 → 2592.
    # RUS: Cal 2nd 800 + Soc 1st 1000 + Dre 3rd 640 = 2440. CAN: Cal, Sha 3rd 640 each = 1280.
    # USA: Mon 3rd = 640.
    table = standings_table(season_2012_13, "men", "5000m-relay")
    assert rows(table) == [
        (1, "KOR", 4000),
        (2, "NED", 3200),
        (3, "CHN", 2592),
        (4, "RUS", 2440),
        (5, "CAN", 1280),
        (6, "USA", 640),
    ]
    korea = table.rows[0].standing
    assert (korea.gross, sum(not line.counted for line in korea.lines)) == (5000, 1)


def test_individual_winners_2012_13(season_2012_13):
    # Wang Meng: six 500 m wins = 6000. Hamelin: 2nd Cal, Mon (1), Nag + 1st Sha, Soc (1) = 4400.
    assert rows(standings_table(season_2012_13, "women", "500m"))[0] == (1, "Wang Meng", 6000)
    assert rows(standings_table(season_2012_13, "men", "500m"))[0] == (1, "Charles Hamelin", 4400)


def test_womens_500m_2012_13_whole(season_2012_13):
    # Races in calendar order: 1 Cal, 2–3 Mon (1)(2), 4 Nag, 5 Sha, 6–7 Soc (1)(2), 8 Dre.
    # Wang Meng: wins in races 1, 2, 4, 5, 6, 8 = 6000.
    # Liu Qiuhong: 2nd Cal 800 + 3rd Mon (1) 640 + 2nd Nag 800 + 3rd Soc 640 + 3rd Dre 640 = 3520.
    # Marianne St-Gelais: 2nd Mon (2) 800 + 3rd Sha 640 + 2nd Dre 800 = 2240.
    # Jessica Gregg: 2nd Mon (1) 800 + 1st Mon (2) 1000 = 1800.
    # Arianna Fontana: 3rd Cal 640 + 2nd Soc 800 = 1440. Fan Kexin: 2nd Sha = 800.
    # Shim Suk-hee (3rd Nag) and Caroline Truchon (3rd Mon (2)) tie on 640 with one 3rd place
    # each; going back from the last race, Nagoya is the first where they differ: Shim ahead.
    table = standings_table(season_2012_13, "women", "500m")
    assert rows(table) == [
        (1, "Wang Meng", 6000),
        (2, "Liu Qiuhong", 3520),
        (3, "Marianne St-Gelais", 2240),
        (4, "Jessica Gregg", 1800),
        (5, "Arianna Fontana", 1440),
        (6, "Fan Kexin", 800),
        (7, "Shim Suk-hee", 640),
        (8, "Caroline Truchon", 640),
    ]
    assert table.rows[6].standing.tie_break == "last race: better in WC 3 Nagoya (3. to no result)"


def test_tables_say_their_classifications_are_partial(season_2012_13):
    table = standings_table(season_2012_13, "women", "500m")
    assert (table.races_done, table.races_total) == (7, 8)  # Sochi (2) has no sourced result
    assert table.partial_races == 7


def test_standings_after_race_k_and_rank_changes(season_2012_13):
    # After race 2 of the men's relay (Calgary, Montreal): KOR 2000 (two wins); RUS 800 and
    # CHN 512 + 800 = 1312 → CHN 2nd, RUS 3rd. After race 1 RUS was 2nd, so it lost a place.
    table = standings_table(season_2012_13, "men", "5000m-relay", after_race=2)
    assert rows(table)[:3] == [(1, "KOR", 2000), (2, "CHN", 1312), (3, "RUS", 800)]
    change = {r.competitor.key: r.rank_change for r in table.rows}
    assert change["CHN"] == 2  # 4th after Calgary → 2nd after Montreal
    assert change["RUS"] == -1
    assert change["USA"] is None  # first result in race 2
    assert table.races_done == 2


def test_progression_has_points_after_every_race(season_2012_13):
    # CHN women's relay: Cal 2nd 800; + Mon 1st = 1800; + Nag 1st = 2800; + Sha 1st = 3800;
    # + Soc 1st = best 4 of 800,1000×4 = 4000; + Dre 3rd 640 = still 4000.
    # KOR: Cal 1st 1000; + Mon 5th 410 = 1410; + Nag 2nd = 2210; + Sha 5th = 2620; then 2620.
    table = standings_table(season_2012_13, "women", "3000m-relay")
    series = {row.competitor.key: values for row, values in progression(table)}
    assert series["CHN"] == [800, 1800, 2800, 3800, 4000, 4000]
    assert series["KOR"] == [1000, 1410, 2210, 2620, 2620, 2620]


def test_progression_agrees_with_the_standings_after_each_race(season_2012_13):
    for gender, distance in season_standings(season_2012_13).table_keys():
        final = standings_table(season_2012_13, gender, distance)
        # The progression has a value after every race (flat over a race with no results).
        for k in range(1, final.after_race + 1):
            after = {
                r.competitor.key: r.standing.points
                for r in standings_table(season_2012_13, gender, distance, k).rows
            }
            for row, values in progression(final, top=100):
                assert values[k - 1] == after.get(row.competitor.key, 0), (gender, distance, k)


def test_the_loader_runs_one_query_whatever_the_season_size(django_assert_num_queries):
    small = make.season("2001-02")
    for number in range(1, 3):
        event = make.event(small, number)
        for distance in ("500m", "1000m", "1500m", "5000m-relay"):
            race = make.race(event, distance=distance)
            make.result(race, 1, nation_code="KOR")
    big = make.season("2002-03")
    for number in range(1, 11):
        event = make.event(big, number)
        for gender, distance in [("men", d) for d in ("500m", "1000m", "1500m", "5000m-relay")] + [
            ("women", d) for d in ("500m", "1000m", "1500m", "3000m-relay")
        ]:
            race = make.race(event, gender=gender, distance=distance)
            for rank in range(1, 4):
                make.result(race, rank, nation_code=["KOR", "CAN", "CHN"][rank - 1])
    assert Race.objects.filter(event__season=small).count() == 8
    assert Race.objects.filter(event__season=big).count() == 80
    for season in (small, big):
        with django_assert_num_queries(1):
            loaded = load_season(season)
        assert loaded.tables()  # built with no further query
    big_tables = season_standings(big)
    with django_assert_num_queries(0):
        season_standings(big).tables()  # cached under the season's version
    assert len(big_tables.table_keys()) == 8


@pytest.mark.django_db(transaction=True)
def test_a_committed_result_shows_in_the_next_standings():
    race = make.race(distance="500m")
    make.result(race, 1)
    season = Season.objects.get()
    assert len(standings_table(season, "men", "500m").rows) == 1
    make.result(race, 2)  # committed at once (autocommit)
    season = Season.objects.get()  # a new request reads the season and its new version
    assert len(standings_table(season, "men", "500m").rows) == 2


def test_draft_races_are_on_the_calendar_but_not_in_the_standings():
    event = make.event()
    public = make.race(event, state="official")
    draft = make.race(event, state="draft", number=2)
    make.result(public, 1)
    make.result(draft, 1)
    table = standings_table(event.season, "men", "500m")
    assert (table.races_done, table.races_total, len(table.rows)) == (1, 2, 1)


def test_a_recorded_disqualification_and_deduction_change_the_standings():
    race1 = make.race(make.event(number=1))
    race2 = make.race(make.event(race1.event.season, number=2))
    a = make.athlete("A Skater")
    b = make.athlete("B Skater")
    win = make.result(race1, 1, a)
    make.result(race1, 2, b)
    make.result(race2, 1, b)
    second = make.result(race2, 2, a)
    season = race1.event.season
    # Before: A = 1000 + 800 = 1800, B = 800 + 1000 = 1800.
    Adjustment.objects.create(result=win, kind="disqualified", reason="Doping case")
    Adjustment.objects.create(result=second, kind="deduction", points=100, reason="Protest")
    season.refresh_from_db()
    # After: A = 0 (disqualified) + 800 − 100 = 700; B = 1800.
    table = standings_table(season, "men", "500m")
    assert rows(table) == [(1, "B Skater", 1800), (2, "A Skater", 700)]
    a_row = table.rows[1].standing
    assert (a_row.deduction, a_row.lines[0].disqualified) == (100, True)


def test_adjustments_show_in_the_command_csv_and_json(capsys):
    race1 = make.race(make.event(number=1))
    race2 = make.race(make.event(race1.event.season, number=2))
    skater = make.athlete("A Skater")
    win = make.result(race1, 1, skater)
    second = make.result(race2, 2, skater)
    Adjustment.objects.create(result=win, kind="disqualified", reason="Doping case")
    Adjustment.objects.create(result=second, kind="deduction", points=100, reason="Protest")
    slug = race1.event.season.slug
    # Net: 0 (disqualified) + 800 − 100 = 700; gross 800: a disqualified win scores nothing.
    call_command("standings", slug, "men", "500m")
    line = next(line for line in capsys.readouterr().out.splitlines() if "A Skater" in line)
    assert line.split()[-5:] == ["700", "800", "700*", "DQ", "800-100"]  # * can still win
    call_command("standings", slug, "men", "500m", "--format", "csv")
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0].startswith(
        "rank,athlete,athlete_id,nation,points,gross,deduction,WC1 City 1 men 500m,"
    )
    assert csv_lines[1] == "1,A Skater,a-skater,KOR,700,800,100,DQ,800-100,,700,yes"
    call_command("standings", slug, "men", "500m", "--format", "json")
    row = json.loads(capsys.readouterr().out)["rows"][0]
    assert row["deduction"] == 100
    assert [(r["disqualified"], r["deduction"]) for r in row["results"]] == [
        (True, 0),
        (False, 100),
    ]


def test_a_new_season_breaks_ties_by_the_documented_default_chain():
    season = Season(slug="2030-31", name="2030–31", points_table=[100, 80, 70])
    assert season.tie_break == ["countback", "last-race"]
    assert season.rules.tie_break == ("countback", "last-race")


@pytest.mark.django_db(transaction=True)
def test_renaming_an_athlete_refreshes_the_cached_standings():
    result = make.result(make.race(), 1, make.athlete("Old Name"))
    season = result.race.event.season
    season.refresh_from_db()
    assert rows(standings_table(season, "men", "500m")) == [(1, "Old Name", 1000)]
    result.athlete.name = "New Name"
    result.athlete.save()
    season.refresh_from_db()
    assert rows(standings_table(season, "men", "500m")) == [(1, "New Name", 1000)]


def test_overall_classification_counts_the_best_n_over_all_distances():
    season = make.season("2024-25", overall=True, best_overall=2, points_table=[100, 80, 70])
    event = make.event(season)
    skater = make.athlete("Kim Gil-li", gender="women")
    for distance, rank in (("500m", 2), ("1000m", 1), ("1500m", 3)):
        make.result(make.race(event, gender="women", distance=distance), rank, skater)
    # Best 2 of 80, 100, 70 → 180; the 1500 m's 70 is dropped.
    table = standings_table(season, "women", "overall")
    assert rows(table) == [(1, "Kim Gil-li", 180)]
    assert table.races_total == 3


def test_nations_classification_adds_every_point():
    season = make.season("2024-25", nations_classification=True, points_table=[100, 80, 70])
    event = make.event(season)
    race = make.race(event, distance="500m")
    make.result(race, 1, nation_code="KOR")
    make.result(race, 2, nation_code="KOR")
    make.result(race, 3, nation_code="CAN")
    relay = make.race(event, distance="5000m-relay")
    make.result(relay, 1, nation_code="CAN")
    women = make.race(event, gender="women", distance="500m")
    make.result(women, 1, make.athlete("Choi Min-jeong", gender="women", nation_code="KOR"))
    make.result(women, 2, make.athlete("Kim Boutin", gender="women", nation_code="CAN"))
    # The Team Crystal Globe pools men's and women's races, none dropped.
    # KOR: 100 + 80 (men's 500 m) + 100 (women's) = 280; CAN: 70 + 100 (relay) + 80 = 250.
    table = standings_table(season, "mixed", "nations")
    assert rows(table) == [(1, "KOR", 280), (2, "CAN", 250)]
    assert table.title == "Nations (Team Crystal Globe)"
    assert {race.gender for race in table.races} == {"men", "women"}


def test_tables_are_named_as_the_sport_names_them():
    season = make.season("2024-25", points_table=[100, 80, 70])
    event = make.event(season)
    make.result(
        make.race(event, gender="mixed", distance="2000m-mixed-relay"), 1, nation_code="NED"
    )
    make.result(make.race(event, gender="women", distance="3000m-relay"), 1, nation_code="CAN")
    assert standings_table(season, "mixed", "2000m-mixed-relay").title == "2000 m mixed relay"
    assert standings_table(season, "women", "3000m-relay").title == "Women's 3000 m relay"
