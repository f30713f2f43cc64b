"""What a classification and each of its lines must hold (results/standings/classification.py;
no database)."""

import pytest

from results.standings.classification import (
    DNS_HAS_NO_RANK,
    INDIVIDUAL_NEEDS_ATHLETE,
    RELAY_HAS_NO_ATHLETE,
    UNRANKED_NEEDS_STATUS,
    clause,
    line_problems,
    missing_ranks,
    wrong_gender,
)


@pytest.mark.parametrize(
    ("ranks", "missing"),
    [([1, 2, 3], []), ([1, 3], [2]), ([2, None, 5], [1, 3, 4]), ([], []), ([None], [])],
)
def test_a_complete_classification_has_every_rank_down_to_the_lowest(ranks, missing):
    assert missing_ranks(ranks) == missing


@pytest.mark.parametrize(
    ("line", "problems"),
    [
        ({"relay": False, "athlete": True, "rank": 1, "status": ""}, []),
        ({"relay": True, "athlete": False, "rank": 1, "status": ""}, []),
        ({"relay": True, "athlete": True, "rank": 1, "status": ""}, [RELAY_HAS_NO_ATHLETE]),
        ({"relay": False, "athlete": False, "rank": 1, "status": ""}, [INDIVIDUAL_NEEDS_ATHLETE]),
        ({"relay": False, "athlete": True, "rank": 4, "status": "DNS"}, [DNS_HAS_NO_RANK]),
        ({"relay": False, "athlete": True, "rank": None, "status": ""}, [UNRANKED_NEEDS_STATUS]),
        ({"relay": False, "athlete": True, "rank": None, "status": "DNF"}, []),
        ({"relay": False, "athlete": True, "rank": 3, "status": "PEN"}, []),
    ],
)
def test_what_a_line_names_and_its_rank_and_status(line, problems):
    assert [message for _, message in line_problems(**line)] == problems


def test_a_skater_skates_only_the_races_of_their_gender():
    assert wrong_gender("Wang Meng", "women", "women") is None
    assert wrong_gender("Wang Meng", "women", "men") == (
        "Wang Meng skates in the women's races, not the men's."
    )


def test_a_rule_read_as_a_clause_keeps_a_name_capitalised():
    assert clause(DNS_HAS_NO_RANK) == "a skater who did not start (DNS) has no rank"
    assert (
        clause("Wang Meng skates in the women's races.") == "Wang Meng skates in the women's races"
    )
