"""The sport's words and how race times are written (results/vocabulary.py; no database)."""

from decimal import Decimal

import pytest

from results.vocabulary import (
    Distance,
    Gender,
    RaceState,
    distance_fits_gender,
    format_time,
    heat_name,
    parse_time,
)


def test_words_are_their_stored_values_with_labels():
    assert Gender.MEN == "men" and f"{Gender.MEN}" == "men"
    assert Gender.choices == [("men", "Men"), ("women", "Women"), ("mixed", "Mixed")]
    assert RaceState("official").label == "Official"
    assert Distance.values[:3] == ["500m", "1000m", "1500m"]


@pytest.mark.parametrize(
    ("gender", "distance", "fits"),
    [
        ("men", "500m", True),
        ("women", "1500m", True),
        ("mixed", "500m", False),
        ("men", "5000m-relay", True),
        ("women", "5000m-relay", False),
        ("women", "3000m-relay", True),
        ("men", "3000m-relay", False),
        ("mixed", "2000m-mixed-relay", True),
        ("men", "2000m-mixed-relay", False),
    ],
)
def test_each_relay_is_skated_by_one_gender_and_only_it_is_mixed(gender, distance, fits):
    assert distance_fits_gender(gender, distance) is fits


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("39.937", "39.937"), ("1:26.661", "86.661"), ("6:43.22", "403.22"), ("40.6", "40.6")],
)
def test_race_times_read_as_the_isu_writes_them(text, seconds):
    assert parse_time(text) == Decimal(seconds)


@pytest.mark.parametrize("text", ["1:61.000", "abc", "39,937", "-1.5", "0.000", "1:2:3.4", ""])
def test_malformed_race_times_are_refused(text):
    with pytest.raises(ValueError, match="race time|seconds below 60"):
        parse_time(text)


def test_race_times_are_written_as_the_isu_writes_them():
    assert format_time(Decimal("39.937")) == "39.937"
    assert format_time(Decimal("86.661")) == "1:26.661"
    assert format_time(Decimal("403.220")) == "6:43.220"
    assert format_time(None) == ""


@pytest.mark.parametrize(
    ("round_", "heat", "name"),
    [("quarterfinals", 2, "Quarterfinal 2"), ("heats", 5, "Heat 5"), ("semifinals", 1,
     "Semifinal 1"), ("final-a", 1, "Final A"), ("final-b", 1, "Final B")],
)  # fmt: skip
def test_a_heat_is_named_as_a_results_sheet_heads_it(round_, heat, name):
    assert heat_name(round_, heat) == name
