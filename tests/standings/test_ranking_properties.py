"""`standings` against a brute-force reference on random seasons (hypothesis).

The reference is written independently of the implementation: best N by trying every subset,
ranks by counting who beats whom pairwise, each tie-break step as its plain definition.
"""

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from results.standings.ranking import Score, standings
from results.standings.rules import Rules, points_for


@st.composite
def seasons(draw):
    """A random points table, best-N, chain, and a field of 1–40 competitors over 1–10 races."""
    top = draw(st.integers(1, 12))
    table = tuple(sorted(draw(st.lists(st.integers(0, top), min_size=1, max_size=8)), reverse=True))
    best_of = draw(st.one_of(st.none(), st.integers(1, 8)))
    chain = draw(
        st.sampled_from(
            [
                (),
                ("countback",),
                ("last-race",),
                ("countback", "last-race"),
                ("last-race", "countback"),
            ]
        )
    )
    field_size = draw(st.integers(1, 40))
    races = draw(st.integers(1, 10))
    rules = Rules(points=table)
    scores = []
    for race in range(1, races + 1):
        # Who skated this race, in finishing order; some lines have no rank (DNS, DNF, PEN).
        starters = draw(st.lists(st.integers(0, field_size - 1), unique=True, max_size=field_size))
        unranked = draw(st.integers(0, len(starters)))
        for place, who in enumerate(starters, start=1):
            rank = None if place > len(starters) - unranked else place
            disqualified = draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans())
            deduction = draw(st.sampled_from([0, 0, 0, 0, 1, 5]))
            scores.append(
                Score(
                    f"S{who:02d}", race, rank, points_for(rank, "", rules), disqualified, deduction
                )
            )
    return scores, best_of, chain


def reference(scores, best_of, chain):
    """Net points, every competitor's record, and a pairwise 'is ahead of' by the rules."""
    by = {}
    for s in scores:
        by.setdefault(s.competitor, []).append(s)
    races = sorted({s.race for s in scores}, reverse=True)
    net = {}
    for who, group in by.items():
        points = [0 if s.disqualified else s.points for s in group]
        size = len(points) if best_of is None else min(best_of, len(points))
        best = max(sum(combo) for combo in combinations(points, size)) if size else 0
        net[who] = max(0, best - sum(s.deduction for s in group))

    def places(who):
        return [s.rank for s in by[who] if s.rank is not None and not s.disqualified]

    def countback(a, b):  # >0: a ahead
        pa, pb = places(a), places(b)
        for place in range(1, 100):
            if pa.count(place) != pb.count(place):
                return pa.count(place) - pb.count(place)
        return 0

    def last_race(a, b):
        def rank_in(who, race):
            ranks = [
                s.rank
                for s in by[who]
                if s.race == race and s.rank is not None and not s.disqualified
            ]
            return min(ranks) if ranks else None

        for race in races:
            ra, rb = rank_in(a, race), rank_in(b, race)
            if ra != rb:
                if rb is None:
                    return 1
                if ra is None:
                    return -1
                return 1 if ra < rb else -1
        return 0

    steps = {"countback": countback, "last-race": last_race}

    def ahead(a, b):
        if net[a] != net[b]:
            return net[a] > net[b]
        for step in chain:
            decided = steps[step](a, b)
            if decided:
                return decided > 0
        return False

    return by, net, ahead


@settings(max_examples=300, deadline=None)
@given(seasons())
def test_standings_match_the_brute_force_reference(season):
    scores, best_of, chain = season
    by, net, ahead = reference(scores, best_of, chain)
    rows = standings(scores, best_of, chain)

    assert {row.competitor for row in rows} == set(by)
    for row in rows:
        who = row.competitor
        # Net points: the best possible subset of the allowed size, less deductions.
        assert row.points == net[who]
        # The counted results are such a subset.
        counted = [line for line in row.lines if line.counted]
        size = len(row.lines) if best_of is None else min(best_of, len(row.lines))
        assert len(counted) == size
        deduction = sum(s.deduction for s in by[who])
        assert max(0, sum(line.points for line in counted) - deduction) == row.points
        assert row.gross == sum(0 if s.disqualified else s.points for s in by[who])
        # Rank: one more than the number of competitors ahead by the rules.
        assert row.rank == 1 + sum(ahead(other, who) for other in by if other != who)
        # Shared exactly when someone else is neither ahead nor behind.
        equal = any(not ahead(o, who) and not ahead(who, o) for o in by if o != who)
        assert row.shared == equal
    assert [row.rank for row in rows] == sorted(row.rank for row in rows)


@settings(max_examples=100, deadline=None)
@given(seasons())
def test_a_tie_broken_says_which_rule_decided(season):
    scores, best_of, chain = season
    rows = standings(scores, best_of, chain)
    for above, below in zip(rows, rows[1:], strict=False):
        if above.points == below.points and above.rank != below.rank:
            assert below.tie_break is not None
            assert below.tie_break.split(":")[0] in {"countback", "last race"}
