"""The points of a line, worked out by hand (results/standings/rules.py; no database).

The points table used throughout is 2012–13's top: 1000, 800, 640, 512, 410, 328, 262, 210.
"""

from results.standings.ranking import Score
from results.standings.rules import Rules, points_for

TABLE = (1000, 800, 640, 512, 410, 328, 262, 210)
RULES = Rules(points=TABLE, best_individual=6, best_relay=4)
CHAIN = ("countback", "last-race")


def scored(competitor: str, ranks: dict[int, int | None], **extra) -> list[Score]:
    """Scores of one competitor: {race position: rank}, points from TABLE."""
    return [
        Score(competitor, race, rank, points_for(rank, "", RULES), **extra)
        for race, rank in ranks.items()
    ]


def by_name(rows):
    return {row.competitor: row for row in rows}


# --- Points ---------------------------------------------------------------------------------


def test_points_follow_the_table_by_rank():
    assert [points_for(rank, "", RULES) for rank in (1, 2, 3, 4, 5)] == [1000, 800, 640, 512, 410]


def test_a_rank_below_the_tables_end_scores_nothing():
    assert points_for(9, "", RULES) == 0  # the table has 8 entries


def test_no_classified_rank_scores_nothing():
    assert points_for(None, "DNS", RULES) == 0
    assert points_for(None, "PEN", RULES) == 0  # a penalty that removed the rank
    assert points_for(None, "DNF", RULES) == 0


def test_a_classified_skater_keeps_the_ranks_points_after_a_fall_or_penalty():
    # CHN men's relay, Calgary: penalised in the Final A, classified 4th, 512 points.
    assert points_for(4, "PEN", RULES) == 512
    assert points_for(4, "YC", RULES) == 512


def test_a_season_may_make_a_status_scoreless():
    strict = Rules(points=TABLE, scoreless=frozenset({"YC"}))
    assert points_for(1, "YC", strict) == 0
    assert points_for(1, "PEN", strict) == 1000
