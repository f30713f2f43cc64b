"""The model's invariants hold in the database itself, whatever writes to it."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from results.models import (
    Athlete,
    Event,
    Nation,
    Podium,
    PublishedStanding,
    Race,
    Result,
    Season,
    Venue,
)
from tests import factories as make

pytestmark = pytest.mark.django_db


def refused(constraint: str):
    """The database refuses the write, naming the constraint."""
    return pytest.raises(IntegrityError, match=constraint)


def test_rank_must_be_positive():
    race = make.race()
    with refused("result_rank_positive"), transaction.atomic():
        make.result(race, 0)


def test_two_lines_of_a_race_may_share_a_rank():
    """The ISU shows equal ranks; what a shared rank leaves empty is the forms' check."""
    race = make.race()
    make.result(race, 1)
    make.result(race, 1)
    assert list(race.results.values_list("rank", flat=True)) == [1, 1]


def test_an_athlete_has_one_line_per_race():
    race = make.race()
    skater = make.athlete()
    make.result(race, 1, skater)
    with refused("unique|UNIQUE"), transaction.atomic():
        make.result(race, 2, skater)


def test_a_nation_has_one_relay_team_per_race():
    relay = make.race(distance="5000m-relay")
    make.result(relay, 1, nation_code="KOR")
    with refused("unique|UNIQUE"), transaction.atomic():
        make.result(relay, 2, nation_code="KOR")


def test_two_nations_may_both_have_relay_teams():
    relay = make.race(distance="5000m-relay")
    make.result(relay, 1, nation_code="KOR")
    make.result(relay, 2, nation_code="CAN")
    assert relay.results.count() == 2


def test_a_relay_line_with_an_athlete_is_refused_by_the_database():
    relay = make.race(distance="5000m-relay")
    skater = make.athlete()
    with refused("result_relay_has_no_athlete"), transaction.atomic():
        Result.objects.create(race=relay, rank=1, athlete=skater, nation=skater.nation)


def test_an_individual_line_without_an_athlete_is_refused_by_the_database():
    race = make.race(distance="1000m")
    with refused("result_relay_has_no_athlete"), transaction.atomic():
        Result.objects.create(race=race, rank=1, athlete=None, nation=make.nation())


def test_moving_a_relay_line_into_an_individual_race_is_refused():
    relay = make.race(distance="5000m-relay")
    individual = make.race(relay.event, distance="500m")
    line = make.result(relay, 1, nation_code="KOR")
    with refused("result_relay_has_no_athlete"), transaction.atomic():
        Result.objects.filter(pk=line.pk).update(race=individual)


def test_turning_a_race_with_lines_into_a_relay_is_refused():
    race = make.race(distance="500m")
    make.result(race, 1)
    with refused("result_relay_has_no_athlete"), transaction.atomic():
        Race.objects.filter(pk=race.pk).update(distance="5000m-relay")


def test_one_race_of_a_kind_per_event():
    race = make.race(number=1)
    with refused("unique|UNIQUE"), transaction.atomic():
        make.race(race.event, number=1)
    make.race(race.event, number=2)  # the "(2)" race is a different race


@pytest.mark.parametrize(
    ("gender", "distance"),
    [
        ("women", "5000m-relay"),
        ("men", "3000m-relay"),
        ("mixed", "500m"),
        ("men", "2000m-mixed-relay"),
    ],
)
def test_relays_are_skated_by_their_own_gender_only(gender, distance):
    with refused("race_distance_fits_gender"), transaction.atomic():
        make.race(gender=gender, distance=distance)


def test_unknown_distance_is_refused():
    # An unknown distance also fits no gender; a database may name either check.
    with refused("race_distance_valid|race_distance_fits_gender"), transaction.atomic():
        make.race(distance="10000m")


def test_unknown_publication_state_is_refused():
    with refused("race_state_valid"), transaction.atomic():
        make.race(state="published")


def test_season_cannot_end_before_it_starts():
    with refused("season_end_after_start"), transaction.atomic():
        make.season(start_date=date(2013, 1, 1), end_date=date(2012, 1, 1))


def test_season_slug_has_the_years_format():
    with refused("season_slug_format"), transaction.atomic():
        make.season(slug="2012/13")


def test_best_of_cannot_be_zero():
    with refused("season_best_of_positive"), transaction.atomic():
        make.season(best_individual=0)


def test_event_last_day_cannot_precede_first_day():
    with refused("event_last_day_after_first"), transaction.atomic():
        make.event(first_day=date(2012, 10, 21), last_day=date(2012, 10, 19))


def test_event_numbers_are_unique_in_a_season():
    first = make.event(number=1)
    with refused("unique|UNIQUE"), transaction.atomic():
        make.event(first.season, number=1)


def test_a_line_without_rank_must_say_why():
    race = make.race()
    with refused("result_unranked_has_status"), transaction.atomic():
        make.result(race, None)
    make.result(race, None, status="DNF")


def test_a_skater_who_did_not_start_has_no_rank():
    race = make.race()
    with refused("result_dns_unranked"), transaction.atomic():
        make.result(race, 5, status="DNS")


def test_unknown_status_is_refused():
    race = make.race()
    with refused("result_status_valid"), transaction.atomic():
        make.result(race, 1, status="DQ")


def test_nation_codes_are_three_capital_letters():
    with refused("nation_code_format"), transaction.atomic():
        Nation.objects.create(code="nl", name="Netherlands")


def test_athlete_name_is_unique_within_a_nation():
    make.athlete("Kim Min-jung", gender="women", nation_code="KOR")
    with refused("unique|UNIQUE"), transaction.atomic():
        make.athlete("Kim Min-jung", gender="women", nation_code="KOR", slug="kim-min-jung-2")


def test_isu_id_is_unique_when_given():
    make.athlete(isu_id="STKOR123")
    make.athlete()  # no ISU id: any number may lack one
    make.athlete()
    with refused("unique|UNIQUE"), transaction.atomic():
        make.athlete(isu_id="STKOR123")


def test_podium_is_ranks_one_to_three_of_the_classification():
    race = make.race()
    for rank in (1, 2, 3, 4, 5):
        make.result(race, rank)
    make.result(race, None, status="DNS")
    assert sorted(Podium.objects.values_list("rank", flat=True)) == [1, 2, 3]
    assert Result.objects.count() == 6  # each fact stored once


def test_points_come_from_the_season_table_and_the_rank():
    race = make.race()
    first, fifth, eleventh = make.result(race, 1), make.result(race, 5), make.result(race, 11)
    unranked = make.result(race, None, status="PEN")
    # The factory's table is 1000, 800, 640, 512, 410, 328, 262, 210, 168, 134 (ten ranks).
    assert (first.points, fifth.points, eleventh.points, unranked.points) == (1000, 410, 0, 0)


def test_event_and_race_read_well():
    event = make.event(number=3, city="Nagoya")
    race = make.race(event, gender="women", distance="1500m", number=2)
    make.race(event, gender="women", distance="1500m", number=1)
    single = make.race(event, gender="men", distance="500m")
    assert str(event) == "World Cup 3 · Nagoya"
    assert str(race) == "World Cup 3 · Nagoya · Women 1500 m (2)"
    titles = {r.pk: r.title for r in Race.objects.with_doubled()}
    assert titles[single.pk] == "Men 500 m"
    assert sorted(titles.values()) == ["Men 500 m", "Women 1500 m (1)", "Women 1500 m (2)"]


def test_natural_keys_find_each_object(season_2012_13):
    race = Race.objects.get_by_natural_key("2012-13", 1, "men", "500m", 1)
    assert race.natural_key() == ("2012-13", 1, "men", "500m", 1)
    assert Event.objects.get_by_natural_key("2012-13", 3).city == "Nagoya"
    assert Season.objects.get_by_natural_key("2012-13") == season_2012_13
    assert Nation.objects.get_by_natural_key("KOR").name == "Republic of Korea"
    assert Venue.objects.get_by_natural_key("Olympic Oval", "Calgary").nation_id == "CAN"
    celski = Athlete.objects.get_by_natural_key("j-r-celski")
    winner = Result.objects.get_by_natural_key("2012-13", 1, "men", "500m", 1, "j-r-celski", "USA")
    assert (winner.athlete, winner.rank) == (celski, 1)
    relay = Result.objects.get_by_natural_key("2012-13", 1, "men", "5000m-relay", 1, None, "KOR")
    assert relay.rank == 1
    published = PublishedStanding.objects.get_by_natural_key("2012-13", "women", "3000m-relay", 2)
    assert (published.nation_id, published.points) == ("CAN", 2992)


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_bumps_the_season_version():
    race = make.race()
    season = race.event.season
    season.refresh_from_db()
    before = season.version
    with transaction.atomic():
        for rank in (1, 2, 3):
            make.result(race, rank)
    season.refresh_from_db()
    assert season.version != before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_does_not_bump_the_version():
    race = make.race()
    season = race.event.season
    season.refresh_from_db()
    before = season.version
    with pytest.raises(RuntimeError), transaction.atomic():
        make.result(race, 1)
        raise RuntimeError("abandon")
    season.refresh_from_db()
    assert season.version == before


def test_makemigrations_has_nothing_to_add():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
