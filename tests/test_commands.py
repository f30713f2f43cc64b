"""The standings commands: `standings` (table, CSV, JSON) and `check_standings`."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories as make

pytestmark = pytest.mark.django_db


def test_standings_command_prints_chn_first_with_4000(season_2012_13, capsys):
    call_command("standings", "2012-13", "women", "3000m-relay")
    out = capsys.readouterr().out
    assert "after 6 of 6 races (best 4 count)" in out
    first = out.splitlines()[3]
    assert first.split()[:5] == ["1", "CHN", "CHN", "4000", "5440"]
    assert "(800)" in first and "(640)" in first  # Calgary 2nd and Dresden 3rd, dropped


def test_standings_json_has_the_documented_shape(season_2012_13, capsys):
    call_command("standings", "2012-13", "men", "500m", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert {"season", "gender", "distance", "best_of", "races_done", "races_total", "rows"} <= set(
        data
    )
    first = data["rows"][0]
    assert set(first) == {
        "rank",
        "athlete",
        "athlete_id",
        "nation",
        "points",
        "gross",
        "deduction",
        "results",
        "tie_break",
        "max_points",
        "can_win",
    }
    # The season is over (race 8 of 8 has results): nothing is left, the table is decided.
    assert (data["races_left"], data["decided"], data["clinch"]) == (0, True, None)
    assert (first["max_points"], first["can_win"]) == (4400, True)
    assert (first["athlete"], first["athlete_id"], first["nation"], first["points"]) == (
        "Charles Hamelin",
        "charles-hamelin",
        "CAN",
        4400,
    )
    assert first["results"][0] == {
        "race": 1,
        "rank": 2,
        "points": 800,
        "counted": True,
        "disqualified": False,
        "deduction": 0,
    }


def test_standings_json_for_a_relay_has_no_athlete(season_2012_13, capsys):
    call_command("standings", "2012-13", "men", "5000m-relay", "--format", "json")
    first = json.loads(capsys.readouterr().out)["rows"][0]
    assert (first["athlete"], first["athlete_id"], first["nation"]) == (None, None, "KOR")


def test_standings_csv(season_2012_13, capsys):
    call_command("standings", "2012-13", "women", "3000m-relay", "--format", "csv")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "rank,athlete,athlete_id,nation,points,gross,deduction,WC1 Calgary women 3000m-relay,"
    )
    assert lines[0].endswith(",WC6 Dresden women 3000m-relay,tie_break,max_points,can_win")
    assert lines[1].startswith("1,,,CHN,4000,5440,0,(800),1000")
    assert lines[1].endswith(",4000,yes")  # the season is over: CHN's 4000 is its most


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2099-00", "men", "500m"], "unknown season '2099-00'"),
        (["2012-13", "boys", "500m"], "unknown gender 'boys'"),
        (["2012-13", "men", "400m"], "unknown distance '400m'"),
        (["2012-13", "men", "3000m-relay"], "no men 3000m-relay standings"),
        (["2012-13", "men", "500m", "--after-race", "9"], "this table has races 1 to 8"),
    ],
)
def test_standings_command_refuses_bad_arguments_with_status_2(season_2012_13, args, message):
    with pytest.raises(CommandError, match=message) as error:
        call_command("standings", *args)
    assert error.value.returncode == 2


def test_check_standings_explains_every_difference(season_2012_13, capsys):
    with pytest.raises(SystemExit) as exited:
        call_command("check_standings", "2012-13")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    women_relay = out[out.index("Women's 3000 m relay") :]
    assert "CHN" in women_relay.splitlines()[1] and women_relay.splitlines()[1].endswith("ok")
    assert "2992 is no sum of 4 points-table values: most likely a misprint" in women_relay
    kor = next(line for line in women_relay.splitlines() if line.strip().startswith("3. KOR"))
    assert "2824" in kor and "2620" in kor and "results below the podium not entered" in kor
    jpn = next(line for line in women_relay.splitlines() if line.strip().startswith("4. JPN"))
    assert "same points, ranked 3 here" in jpn
    assert "2. unnamed" in out  # rows 2–5 of individual tables are matched by rank
    men_1000 = out[out.index("Men's 1000 m") : out.index("Men's 1500 m")]
    # The men's 1000 m has 8 races: 5 with podium places, 3 with no sourced result at all.
    kwak = men_1000.splitlines()[1]
    assert "not entered for 5 races; no results entered for 3 races" in kwak
    # Kwak is published 1st by name and computed 3rd: the unnamed 3rd is not set beside him.
    third = men_1000.splitlines()[3]
    assert "ranked 3 here is Kwak Yoon-gy, whom the source ranks 1" in third
    differing = [line for line in out.splitlines() if "DIFFERS" in line]
    assert all(": " in line.split("DIFFERS")[1] for line in differing)  # each gives a cause
    assert "35 published row(s) differ" in out


def test_check_standings_passes_when_everything_agrees(capsys):
    race = make.race(distance="5000m-relay")
    make.result(race, 1, nation_code="KOR")
    race.event.season.published_standings.create(
        gender="men", kind="5000m-relay", rank=1, nation=make.nation("KOR"), points=1000
    )
    call_command("check_standings", race.event.season.slug)
    assert "Every published row agrees" in capsys.readouterr().out
