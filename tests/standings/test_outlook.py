"""What can still happen in a standings table, worked out by hand and checked against every
outcome of the races left (results/standings/outlook.py; no database)."""

from itertools import permutations, product

from hypothesis import given, settings
from hypothesis import strategies as st

from results.standings.outlook import Contender, best, outlook

POINTS = (100, 80, 60, 50)


def rows(**results: tuple[int, ...]) -> list[Contender]:
    """Contenders from their points so far (best 2 count)."""
    return [Contender(k, k.upper(), best(list(v), 2, 0), v, 0) for k, v in results.items()]


def look(contenders, races_left, best_of=2, unknown=False):
    return outlook(
        "500m", contenders, POINTS, best_of, races_left, unknown, "WC 4 Dresden", "Men's 500 m"
    )


def test_max_points_add_a_win_in_every_race_left_under_best_n():
    # Best 2. a: 100 + 80 = 180; with one race left, a win replaces the 80: 200.
    # b: 60 + 50 = 110 → 100 + 60 = 160. c: 50 → 100 + 50 = 150. The leader's 180: a can win,
    # b and c cannot reach it (160 and 150 < 180).
    table = look(rows(a=(100, 80), b=(60, 50), c=(50,)), races_left=1)
    assert table.max_points == {"a": 200, "b": 160, "c": 150}
    assert table.can_win == {"a": True, "b": False, "c": False}
    assert table.points_available == 100
    # Nobody can reach a, and a newcomer could make only 100: decided.
    assert table.decided


def test_a_tie_on_points_is_never_decided_early():
    table = look(rows(a=(100, 80), b=(80, 100)), races_left=1)
    assert not table.decided and table.can_win == {"a": True, "b": True}
    assert look(rows(a=(100, 80), b=(80, 100)), races_left=0).decided  # but at the end, it is


def test_a_partial_race_leaves_it_open():
    table = look(rows(a=(100, 80), b=(60, 50)), races_left=1, unknown=True)
    assert not table.decided and table.clinch is None
    # b reaches 100 + 60 = 160 < 180 on the points known, yet the skaters below a partial
    # podium may have more: the sentence says why it stays open.
    assert table.summary == (
        "1 race left, 100 points to win: 1 can still win on the points known. Not decided "
        "while a race so far lacks a complete classification: the points below a partial "
        "podium are unknown."
    )
    assert look(rows(a=(100, 80), b=(60, 50)), races_left=1).summary == "Decided."


def test_a_table_with_no_result_yet_is_open_to_anyone():
    table = look([], races_left=2)
    assert not table.decided and table.can_win == {}
    assert table.summary.startswith("2 races left, 200 points to win: no result yet: anyone")


def test_the_nations_table_has_no_outlook():
    assert outlook("nations", rows(a=(100,)), POINTS, None, 1, False, "x", "Nations") is None


def test_what_settles_it_in_the_next_race():
    # All count, two races left. a: 100 + 100 = 200; b: 80 + 80 = 160; c: 60.
    # b can still reach 160 + 200 = 360 ≥ 200: the title is open. In the next race:
    # - a 1st: a 300; b's best is 2nd (80) and a win after: 160 + 80 + 100 = 340 ≥ 300: not yet;
    # so a cannot settle it alone. With a out of the points (a stays 200): b short of 200
    # only with nothing in both races — not in one race. Nothing settles it next race.
    table = look(rows(a=(100, 100), b=(80, 80), c=(60,)), races_left=2, best_of=None)
    assert not table.decided and table.clinch is None
    # One race left, all count. a: 200; b: 160 (can reach 260 ≥ 200); c: 60 (160 < 200).
    # a 1st or 2nd (280, 260 against b's best 160 + 100 or 80): settled; a 3rd gives 260
    # against b's 260 if b wins: not settled. With a out of the points (200): b short only
    # with 2nd or worse (160 + 80 = 240 ≥ 200: no) — only scoring nothing... 160 + 0 < 200:
    # b must score nothing (out of the points).
    table = look(rows(a=(100, 100), b=(80, 80), c=(60,)), races_left=1, best_of=None)
    assert table.clinch == (
        "A wins the Men's 500 m World Cup at WC 4 Dresden with a 2nd place or better, or if B "
        "scores nothing there (other combinations of results there may settle it too)."
    )


# --- Against every outcome of the races left ------------------------------------------------


def final_nets(contenders, outcome, best_of):
    """Each competitor's net after the races left, given their places in each."""
    nets = {}
    for c in contenders:
        added = [POINTS[place - 1] if place <= len(POINTS) else 0 for place in outcome[c.key]]
        nets[c.key] = best([*c.results, *added], best_of, c.deduction)
    return nets


def outcomes(keys, races_left):
    """Every way the races left can end: a permutation of places per race."""
    orders = list(permutations(range(1, len(keys) + 1)))
    for races in product(orders, repeat=races_left):
        yield {k: [race[i] for race in races] for i, k in enumerate(keys)}


@st.composite
def tables(draw):
    best_of = draw(st.sampled_from([None, 1, 2, 3]))
    done = draw(st.integers(min_value=0, max_value=3))
    names = ["a", "b", "c", "d"][: draw(st.integers(min_value=1, max_value=4))]
    contenders = []
    for name in names:
        results = tuple(draw(st.sampled_from([*POINTS, 0])) for _ in range(done))
        deduction = draw(st.sampled_from([0, 0, 0, 30]))
        contenders.append(Contender(name, name, best(list(results), best_of, deduction), results,
                                    deduction))  # fmt: skip
    return contenders, best_of, draw(st.integers(min_value=0, max_value=2))


@settings(max_examples=150, deadline=None)  # up to 5 × 120² outcomes each
@given(tables())
def test_the_outlook_agrees_with_every_outcome(table):
    contenders, best_of, races_left = table
    newcomer = Contender("new", "New", 0, (), 0)  # a skater with no result yet
    everyone = [*contenders, newcomer]
    result = outlook("500m", contenders, POINTS, best_of, races_left, False, "next", "T")
    finals = [
        final_nets(everyone, o, best_of) for o in outcomes([c.key for c in everyone], races_left)
    ]
    for c in contenders:
        # Max points: exactly the best a competitor can end with.
        assert result.max_points[c.key] == max(final[c.key] for final in finals)
        # Whoever can end on top (a tie counts) is one who can still win.
        if any(final[c.key] >= max(final.values()) for final in finals):
            assert result.can_win[c.key]
    if result.decided and races_left:
        leader = max(contenders, key=lambda c: c.points)
        for final in finals:  # the leader ends alone on top, whatever happens
            assert all(final[leader.key] > final[k] for k in final if k != leader.key)


@settings(max_examples=250, deadline=None)
@given(tables())
def test_what_settles_it_does_settle_it(table):
    contenders, best_of, races_left = table
    newcomer = Contender("new", "New", 0, (), 0)
    everyone = [*contenders, newcomer]
    result = outlook("500m", contenders, POINTS, best_of, races_left, False, "next", "T")
    if result.settling is None:
        return
    settling, leader = result.settling, result.settling.leader
    beyond = len(POINTS) + 1  # a place out of the points
    for o in outcomes([c.key for c in everyone], races_left):
        final = final_nets(everyone, o, best_of)
        alone = all(final[leader.key] > final[k] for k in final if k != leader.key)
        if settling.place and o[leader.key][0] <= settling.place:
            assert alone, (o, final)
        if settling.rivals and all(
            o[rival.key][0] >= (rank or beyond) for rival, rank in settling.rivals
        ):
            assert alone, (o, final)
