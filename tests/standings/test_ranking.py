"""Ranking by net points, worked out by hand: best N, adjustments, tie-breaks
(results/standings/ranking.py; no database).

The points table used throughout is 2012–13's top: 1000, 800, 640, 512, 410, 328, 262, 210.
"""

from results.standings.ranking import Score, standings
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


# --- Best N ---------------------------------------------------------------------------------


def test_best_six_of_eight_drops_the_two_lowest():
    # Ranks 1,2,3,4,5,6,1,2 → 1000,800,640,512,410,328,1000,800. Best six:
    # 1000+1000+800+800+640+512 = 4752; dropped 410 (race 5) and 328 (race 6); gross 5490.
    (row,) = standings(scored("A", dict(enumerate([1, 2, 3, 4, 5, 6, 1, 2], start=1))), 6)
    assert (row.points, row.gross) == (4752, 5490)
    assert [line.race for line in row.lines if not line.counted] == [5, 6]


def test_fewer_results_than_n_all_count():
    # Three results, best 6: 800+640+410 = 1850, nothing dropped.
    (row,) = standings(scored("A", {1: 2, 4: 3, 7: 5}), 6)
    assert (row.points, row.gross) == (1850, 1850)
    assert all(line.counted for line in row.lines)


def test_an_athlete_who_skated_once():
    rows = by_name(standings(scored("A", {1: 1, 2: 1}) + scored("B", {2: 3}), 6))
    assert (rows["B"].points, rows["B"].rank, len(rows["B"].lines)) == (640, 2, 1)


def test_among_equal_points_the_earlier_race_counts():
    # Best 1 of two wins: the first counts, the second is dropped; net 1000 either way.
    (row,) = standings(scored("A", {1: 1, 2: 1}), 1)
    assert [line.counted for line in row.lines] == [True, False]


def test_relays_rank_nations_by_their_best_four():
    # CHN women 2012–13: 2nd, 1st, 1st, 1st, 1st, 3rd → best 4 = 4 × 1000; 800 and 640 dropped.
    # CAN: 4th, 2nd, 2nd, 2nd → 512 + 3 × 800 = 2912.
    rows = by_name(
        standings(
            scored("CHN", {1: 2, 2: 1, 3: 1, 4: 1, 5: 1, 6: 3})
            + scored("CAN", {1: 4, 2: 2, 5: 2, 6: 2}),
            4,
        )
    )
    assert (rows["CHN"].points, rows["CHN"].gross) == (4000, 5440)
    assert [line.race for line in rows["CHN"].lines if not line.counted] == [1, 6]
    assert (rows["CAN"].points, rows["CAN"].rank) == (2912, 2)


def test_a_dns_is_a_result_worth_nothing():
    # 1st, DNS: net 1000; the DNS line is shown with 0 points.
    (row,) = standings(scored("A", {1: 1, 2: None}), 6)
    assert row.points == 1000
    assert [(line.rank, line.points) for line in row.lines] == [(1, 1000), (None, 0)]


def test_a_penalty_that_kept_the_rank_keeps_its_points():
    ranks = [Score("CHN", 1, 4, points_for(4, "PEN", RULES)), *scored("CHN", {2: 2})]
    (row,) = standings(ranks, 4)
    assert row.points == 512 + 800


def test_no_best_n_counts_everything():
    (row,) = standings(scored("A", {r: 8 for r in range(1, 10)}), None)
    assert row.points == 9 * 210


# --- Adjustments ----------------------------------------------------------------------------


def test_a_disqualified_result_loses_its_points_and_its_place_in_the_best_n():
    # Ranks 1,1,3 best 2; race 1 disqualified: its 1000 goes, so 1000 + 640 = 1640 count.
    scores = scored("A", {2: 1, 3: 3}) + [Score("A", 1, 1, 1000, disqualified=True)]
    (row,) = standings(scores, 2)
    assert row.points == 1640
    line = row.lines[0]
    assert (line.race, line.points, line.disqualified) == (1, 0, True)


def test_a_disqualified_win_no_longer_counts_as_a_win_in_the_countback():
    # A: a win (disqualified) and a 2nd = 800; B: a 2nd = 800 in the same race set.
    # Without the disqualified win, neither has a win; last race decides: B was 2nd in race 3,
    # A had nothing there.
    a = [Score("A", 1, 1, 1000, disqualified=True), *scored("A", {2: 2})]
    b = scored("B", {3: 2})
    rows = standings(a + b, 6, CHAIN)
    assert [(r.competitor, r.rank) for r in rows] == [("B", 1), ("A", 2)]
    assert rows[0].tie_break.startswith("last race")


def test_a_deduction_comes_off_the_net_total_never_below_zero():
    (row,) = standings([*scored("A", {1: 1, 2: 2}), Score("A", 3, 5, 410, deduction=300)], 6)
    assert (row.points, row.gross, row.deduction) == (1000 + 800 + 410 - 300, 2210, 300)
    (row,) = standings([Score("B", 1, 8, 210, deduction=500)], 6)
    assert row.points == 0


# --- Tie-breaks -----------------------------------------------------------------------------


def test_a_tie_decided_by_more_wins():
    # A = 1st + 8th = 1000 + 210 = 1210; B = 2nd + 5th = 800 + 410 = 1210.
    # Equal net; A has one win, B none → A ahead on countback.
    rows = standings(scored("A", {1: 1, 2: 8}) + scored("B", {1: 2, 2: 5}), 6, CHAIN)
    assert [(r.competitor, r.rank, r.points) for r in rows] == [("A", 1, 1210), ("B", 2, 1210)]
    assert rows[0].tie_break == "countback: more wins (1 to 0)"
    assert rows[1].tie_break == "countback: fewer wins (0 to 1)"  # each row in its own terms


def test_two_rows_still_tied_below_a_decided_tie_both_say_what_set_them_apart():
    # A = 1st + 8th = 1210; B = 2nd + 5th = 1210 (races 1, 2); C = 2nd + 5th = 1210 (races
    # 3, 4). A has a win: 1st. B and C are equal on countback and, with no last-race step,
    # share 2nd; each of them is told what put A ahead of them.
    rows = standings(
        scored("A", {1: 1, 2: 8}) + scored("B", {1: 2, 2: 5}) + scored("C", {3: 2, 4: 5}),
        6,
        ["countback"],
    )
    assert [(r.competitor, r.rank, r.shared) for r in rows] == [
        ("A", 1, False), ("B", 2, True), ("C", 2, True),
    ]  # fmt: skip
    assert [r.tie_break for r in rows] == [
        "countback: more wins (1 to 0)", *["countback: fewer wins (0 to 1)"] * 2,
    ]  # fmt: skip


def test_a_tie_decided_by_more_second_places():
    # A flat table keeps the arithmetic plain: 3, 2, 1 points for ranks 1–3.
    # B = 1st, 3rd, 3rd = 3+1+1 = 5 → 1st.
    # A = 2nd (race 1), 2nd (race 2) = 4; C = 2nd (race 3), 2nd (race 4) = 4;
    # D = 2nd, 3rd, 3rd (races 5–7) = 2+1+1 = 4.
    # Countback: no wins for A, C, D; second places A 2, C 2, D 1 → D 4th.
    # A and C equal on countback; last race: going back from race 7, the first race where they
    # differ is race 4 (C 2nd, A nothing) → C 2nd, A 3rd.
    flat = Rules(points=(3, 2, 1))

    def on_flat(name: str, ranks: dict[int, int]) -> list[Score]:
        return [Score(name, r, rank, points_for(rank, "", flat)) for r, rank in ranks.items()]

    rows = standings(
        on_flat("A", {1: 2, 2: 2})
        + on_flat("B", {1: 1, 2: 3, 3: 3})
        + on_flat("C", {3: 2, 4: 2})
        + on_flat("D", {5: 2, 6: 3, 7: 3}),
        None,
        CHAIN,
    )
    assert [(r.competitor, r.rank, r.points) for r in rows] == [
        ("B", 1, 5),
        ("C", 2, 4),
        ("A", 3, 4),
        ("D", 4, 4),
    ]
    assert rows[3].tie_break == "countback: fewer second places (1 to 2)"
    assert rows[1].tie_break == "last race: better in race 4 (2. to no result)"


def test_a_tie_decided_by_the_last_race():
    # A = 1st in race 1, B = 1st in race 2: equal points and wins; B was better most recently.
    rows = standings(scored("A", {1: 1}) + scored("B", {2: 1}), 6, CHAIN, {2: "WC 1 Calgary (2)"})
    assert [r.competitor for r in rows] == ["B", "A"]
    assert rows[0].tie_break == "last race: better in WC 1 Calgary (2) (1. to no result)"


def test_last_race_compares_ranks_in_the_most_recent_race_both_skated():
    # Both skated races 1 and 2: A 1st then 2nd, B 2nd then 1st (1800 each, one win each).
    # Race 2, the most recent: B 1st, A 2nd → B ahead.
    rows = standings(scored("A", {1: 1, 2: 2}) + scored("B", {1: 2, 2: 1}), 6, CHAIN)
    assert [r.competitor for r in rows] == ["B", "A"]
    assert rows[0].tie_break == "last race: better in race 2 (1. to 2.)"


def test_a_tie_that_stands_shares_the_rank_and_skips_the_next():
    # A season whose chain is empty lets ties stand: A (1st race 1) and B (1st race 2) have
    # 1000 each and share 1st; C (2nd race 3, 800) is 3rd, not 2nd.
    rows = standings(
        scored("A", {1: 1}) + scored("B", {2: 1}) + scored("C", {3: 2}), 6, tie_break=()
    )
    assert [(r.competitor, r.rank, r.shared, r.tie_break) for r in rows] == [
        ("A", 1, True, None),
        ("B", 1, True, None),
        ("C", 3, False, None),
    ]


def test_a_tie_stands_when_the_whole_chain_finds_no_difference():
    # C won race 1 (1000). A and B both did not start races 1 and 2: 0 points each, no
    # placings to count back, nothing in any race to compare → they share 2nd.
    rows = standings(
        scored("C", {1: 1}) + scored("A", {1: None, 2: None}) + scored("B", {1: None, 2: None}),
        6,
        CHAIN,
    )
    assert [(r.competitor, r.rank, r.shared) for r in rows] == [
        ("C", 1, False),
        ("A", 2, True),
        ("B", 2, True),
    ]


def test_ties_on_points_only_are_broken_not_ties_across_different_points():
    rows = standings(scored("A", {1: 1}) + scored("B", {1: 2}), 6, CHAIN)
    assert [r.tie_break for r in rows] == [None, None]
