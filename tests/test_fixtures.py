"""The 2012–13 fixture holds what the sources say, loads idempotently and round-trips."""

import importlib.util
import io
import ipaddress
import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from results.models import (
    Athlete,
    Event,
    Nation,
    PublishedStanding,
    Race,
    Result,
    Season,
    Venue,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


# The facts, not their history (history rows may point at deleted rows; backups keep them).
FACT_MODELS = [
    "results.nation", "results.venue", "results.season", "results.event", "results.race",
    "results.athlete", "results.result", "results.adjustment", "results.publishedstanding",
]  # fmt: skip


def dumpdata() -> str:
    """Every fact of the app, with natural keys only, in dependency order."""
    out = io.StringIO()
    call_command("dumpdata", *FACT_MODELS, natural_foreign=True, natural_primary=True, stdout=out)
    return out.getvalue()


def dump() -> list:
    """The facts of `dumpdata`, in a stable order to compare."""
    return sorted(json.loads(dumpdata()), key=lambda obj: json.dumps(obj, sort_keys=True))


def test_the_season_has_six_events_and_sixty_races(season_2012_13):
    assert season_2012_13.events.count() == 6
    races = Race.objects.filter(event__season=season_2012_13)
    assert races.count() == 60
    assert races.filter(gender="men").count() == 30
    assert races.filter(gender="women").count() == 30
    # 8 races of each individual distance per gender, 6 relays each (research §1.1).
    for gender in ("men", "women"):
        for distance in ("500m", "1000m", "1500m"):
            assert races.filter(gender=gender, distance=distance).count() == 8
    assert races.filter(distance="5000m-relay").count() == 6
    assert races.filter(distance="3000m-relay").count() == 6


def test_the_doubled_distances_have_races_one_and_two(season_2012_13):
    # The article's "(1)/(2)": Calgary 1000 m, Montreal 500 m, Nagoya 1500 m, Shanghai 1000 m,
    # Sochi 500 m, Dresden 1500 m.
    doubled = {
        (e, d)
        for e, d in Race.objects.filter(number=2).values_list("event__city", "distance").distinct()
    }
    assert doubled == {
        ("Calgary", "1000m"),
        ("Montreal", "500m"),
        ("Nagoya", "1500m"),
        ("Shanghai", "1000m"),
        ("Sochi", "500m"),
        ("Dresden", "1500m"),
    }


def test_the_events_are_numbered_in_calendar_order_with_real_days(season_2012_13):
    events = list(
        Event.objects.order_by("number").values_list("number", "city", "first_day", "last_day")
    )
    assert events == [
        (1, "Calgary", date(2012, 10, 19), date(2012, 10, 21)),
        (2, "Montreal", date(2012, 10, 26), date(2012, 10, 28)),
        (3, "Nagoya", date(2012, 11, 30), date(2012, 12, 2)),
        (4, "Shanghai", date(2012, 12, 7), date(2012, 12, 9)),
        (5, "Sochi", date(2013, 2, 1), date(2013, 2, 3)),
        (6, "Dresden", date(2013, 2, 8), date(2013, 2, 10)),
    ]


def test_result_counts_match_the_sources(season_2012_13):
    results = Result.objects.all()
    assert results.count() == 141
    relay = results.filter(athlete__isnull=True)
    assert relay.filter(rank__lte=3).count() == 36  # 12 relay podiums from the article
    assert relay.filter(rank__gt=3).count() == 4  # the four sourced places below the podium
    assert results.filter(athlete__isnull=False).count() == 101  # sourced individual places
    assert all(results.values_list("source", flat=True)), "every result names its source"


def test_the_five_named_venues_and_shanghai(season_2012_13):
    venues = dict(Event.objects.values_list("city", "venue__name"))
    assert venues == {
        "Calgary": "Olympic Oval",
        "Montreal": "Maurice Richard Arena",
        "Nagoya": "Nippon Gaishi Hall",
        "Shanghai": "Oriental Sports Center",
        "Sochi": "Iceberg Skating Palace",
        "Dresden": "EnergieVerbund Arena",
    }
    shanghai = Venue.objects.get(city="Shanghai")
    assert "baxi.tv" in shanghai.source
    assert "names no venue" in shanghai.note


def test_season_dates_are_corrected_with_the_articles_value_named(season_2012_13):
    assert season_2012_13.start_date == date(2012, 10, 19)
    assert season_2012_13.end_date == date(2013, 2, 10)
    assert "12 February 2013" in season_2012_13.note  # the article's value, named


@pytest.mark.parametrize(
    ("gender", "distance", "number", "day", "article_day"),
    [
        ("men", "1000m", 1, 20, 22),
        ("women", "1500m", 1, 20, 23),
        ("men", "500m", 1, 21, 23),
        ("women", "1000m", 2, 21, 22),
        ("men", "5000m-relay", 1, 21, 23),
        ("women", "3000m-relay", 1, 21, 23),
    ],
)
def test_calgary_is_corrected_race_by_race(
    season_2012_13, gender, distance, number, day, article_day
):
    race = Race.objects.get(event__number=1, gender=gender, distance=distance, number=number)
    assert race.date == date(2012, 10, day)
    assert f"{article_day} October 2012" in race.note
    assert "huffingtonpost" in race.source


def test_other_stops_keep_the_articles_dates(season_2012_13):
    assert Race.objects.get(event__number=2, gender="men", distance="500m", number=1).date == date(
        2012, 10, 27
    )
    assert Race.objects.get(event__number=6, gender="women", distance="3000m-relay").date == date(
        2013, 2, 10
    )
    assert not Race.objects.filter(event__number__gt=1, note__contains="corrected").exists()


@pytest.mark.parametrize(
    ("city", "distance", "podium"),
    [
        ("Calgary", "5000m-relay", ["KOR", "RUS", "CAN"]),
        ("Montreal", "5000m-relay", ["KOR", "CHN", "USA"]),
        ("Nagoya", "5000m-relay", ["KOR", "NED", "CHN"]),
        ("Shanghai", "5000m-relay", ["KOR", "NED", "CAN"]),
        ("Sochi", "5000m-relay", ["RUS", "NED", "CHN"]),
        ("Dresden", "5000m-relay", ["KOR", "NED", "RUS"]),
        ("Calgary", "3000m-relay", ["KOR", "CHN", "JPN"]),
        ("Montreal", "3000m-relay", ["CHN", "CAN", "JPN"]),
        ("Nagoya", "3000m-relay", ["CHN", "KOR", "JPN"]),
        ("Shanghai", "3000m-relay", ["CHN", "JPN", "ITA"]),
        ("Sochi", "3000m-relay", ["CHN", "CAN", "ITA"]),
        ("Dresden", "3000m-relay", ["NED", "CAN", "CHN"]),
    ],
)
def test_relay_podiums_are_the_articles(season_2012_13, city, distance, podium):
    lines = Result.objects.filter(race__event__city=city, race__distance=distance, rank__lte=3)
    assert list(lines.order_by("rank").values_list("nation", flat=True)) == podium


def test_relay_places_below_the_podium_carry_their_sources(season_2012_13):
    below = {
        (r.race.event.city, r.race.distance, r.rank, r.nation_id): r
        for r in Result.objects.filter(rank__gt=3).select_related("race__event")
    }
    assert set(below) == {
        ("Calgary", "5000m-relay", 4, "CHN"),
        ("Calgary", "3000m-relay", 4, "CAN"),
        ("Montreal", "3000m-relay", 5, "KOR"),
        ("Shanghai", "3000m-relay", 5, "KOR"),
    }
    china = below[("Calgary", "5000m-relay", 4, "CHN")]
    assert china.status == "PEN"  # penalised in the Final A, still classified 4th
    assert china.source == "http://en.people.cn/90779/7985651.html"
    assert below[("Shanghai", "3000m-relay", 5, "KOR")].confidence == "inferred"


def test_the_world_record_is_a_note_on_the_race_and_celskis_time(season_2012_13):
    race = Race.objects.get(event__number=1, gender="men", distance="500m")
    assert race.record_note == "WR"
    assert "Celski" in race.note and "39.937" in race.note
    winner = race.results.get(rank=1)
    assert winner.athlete.name == "J. R. Celski"
    assert str(winner.time) == "39.937"
    assert Race.objects.exclude(record_note="").count() == 1


def test_individual_podium_places_come_from_the_research_with_sources(season_2012_13):
    nagoya = Result.objects.filter(
        race__event__city="Nagoya", race__gender="men", race__distance="500m"
    )
    assert [(r.rank, r.athlete.name, r.nation_id) for r in nagoya.order_by("rank")] == [
        (1, "Robert Seifert", "GER"),
        (2, "Charles Hamelin", "CAN"),
        (3, "Travis Jayner", "USA"),
    ]
    unaddressed = Result.objects.exclude(source__startswith="http").filter(athlete__isnull=False)
    assert unaddressed.count() == 4  # the chinanews/Xinhua story whose address was not recorded
    assert all("address not recorded" in r.source for r in unaddressed)


def test_no_place_without_a_source_is_filled(season_2012_13):
    # Montreal: neither 1500 m podium was found; the men's 1000 m has only its 2nd place.
    assert not Result.objects.filter(race__event__city="Montreal", race__distance="1500m").exists()
    montreal_1000 = Result.objects.filter(
        race__event__city="Montreal", race__gender="men", race__distance="1000m"
    )
    assert list(montreal_1000.values_list("rank", flat=True)) == [2]
    assert Race.objects.exclude(completeness="partial").count() == 0


def test_athletes_carry_their_other_spellings(season_2012_13):
    an = Athlete.objects.get(name="Victor An")
    assert (an.nation_id, an.gender) == ("RUS", "men")
    assert set(an.aliases) == {"Viktor Ahn", "Ahn Hyun-soo"}
    assert Athlete.objects.count() == 37


def test_the_rules_are_the_2012_13_rules_marked_assumed(season_2012_13):
    rules = season_2012_13.rules
    assert rules.points[:8] == (1000, 800, 640, 512, 410, 328, 262, 210)
    assert rules.points[-1] == 1
    assert (rules.best_individual, rules.best_relay) == (6, 4)
    assert season_2012_13.rules_confidence == "assumed"
    assert "Communication No. 1747" in season_2012_13.rules_source


def test_the_published_standings_are_kept_as_published(season_2012_13):
    published = PublishedStanding.objects.filter(season=season_2012_13)
    assert published.count() == 40
    canada = published.get(gender="women", kind="3000m-relay", rank=2)
    assert (canada.nation_id, canada.points) == ("CAN", 2992)  # the article's figure, kept
    assert "2912" in canada.note
    winners = {
        (p.gender, p.kind): (p.athlete.name, p.points)
        for p in published.filter(rank=1, athlete__isnull=False).select_related("athlete")
    }
    assert winners[("women", "500m")] == ("Wang Meng", 6000)
    assert winners[("men", "500m")] == ("Charles Hamelin", 4400)
    assert winners[("women", "1000m")] == ("Elise Christie", 4552)
    assert published.filter(rank__gt=1, athlete__isnull=False).count() == 0  # 2–5 are unnamed


def test_loading_twice_changes_nothing(season_2012_13):
    before = dump()
    call_command("loaddata", "nations", "season_2012_13", verbosity=0)
    assert dump() == before
    assert Result.objects.count() == 141


def test_a_natural_key_dump_loads_back_into_an_empty_database(season_2012_13, tmp_path):
    before = dump()
    path = tmp_path / "dump.json"
    path.write_text(dumpdata())
    for model in (Result, PublishedStanding, Race, Event, Season, Athlete, Venue, Nation):
        model.objects.all().delete()
    call_command("loaddata", str(path), verbosity=0)
    assert dump() == before


def test_a_bad_fixture_is_refused_and_changes_nothing(season_2012_13, tmp_path):
    before = dump()
    bad = [
        {
            "model": "results.result",
            "fields": {
                "race": ["2012-13", 1, "men", "5000m-relay", 1],
                "rank": 9,
                "athlete": ["j-r-celski"],
                "nation": "USA",
                "time": None,
                "status": "",
                "members": [],
                "source": "x",
                "confidence": "sourced",
                "note": "",
            },
        },
    ]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises((CommandError, Exception), match="result_relay_has_no_athlete"):
        call_command("loaddata", str(path), verbosity=0)
    assert dump() == before


def test_the_season_loads_on_its_own_into_an_empty_database(db):
    call_command("loaddata", "season_2012_13", verbosity=0)  # the historians' command
    assert (Result.objects.count(), Nation.objects.count()) == (141, 10)
    call_command("loaddata", "nations", verbosity=0)  # every other nation, none twice
    assert Nation.objects.get(code="KOR").name == "Republic of Korea"
    assert Nation.objects.count() > 10


def test_the_nations_fixture_uses_ioc_codes(db):
    call_command("loaddata", "nations", verbosity=0)
    codes = set(Nation.objects.values_list("code", flat=True))
    assert {"NED", "GER", "SUI", "KOR", "CHN", "TPE"} <= codes
    assert not {"NLD", "DEU", "CHE"} & codes


@pytest.mark.skipif(
    not (FIXTURES.parent.parent / "shared" / "seed").is_dir(),
    reason="sources not beside the project",
)
def test_the_fixture_is_what_the_builder_makes_from_its_sources():
    spec = importlib.util.spec_from_file_location(
        "builder", FIXTURES.parent / "scripts" / "build_season_2012_13.py"
    )
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    built = builder.with_nations(
        builder.build(builder.SEED, builder.PODIUMS), FIXTURES / "nations.json"
    )
    committed = json.loads((FIXTURES / "season_2012_13.json").read_text(encoding="utf-8"))
    assert built == committed


def test_every_source_address_names_its_site_not_a_proxy():
    """Sources cite the page itself (https://de.wikipedia.org/…), never a raw IP address proxy."""
    text = (FIXTURES / "season_2012_13.json").read_text(encoding="utf-8")
    addresses = re.findall(r"https?://[^\s;\"),]+", text)
    assert any(
        a.startswith("https://de.wikipedia.org/wiki/Shorttrack-Weltcup_2012/13") for a in addresses
    )
    for address in addresses:
        host = urlsplit(address).hostname or ""
        try:
            ipaddress.ip_address(host)
        except ValueError:
            continue
        pytest.fail(f"{address} cites an IP address, not the site")
