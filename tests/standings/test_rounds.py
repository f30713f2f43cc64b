"""A race's final classification from its rounds, worked out by hand, and what the rounds must
hold (results/standings/rounds.py; no database)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from results.standings.rounds import RoundLine, admitted, classify, round_problems
from results.vocabulary import ROUND_ORDER

N = 0


def line(competitor, round_, place, time=None, status="", code="", heat=1) -> RoundLine:
    global N
    N += 1
    seconds = Decimal(str(time)) if time is not None else None
    return RoundLine(competitor, round_, heat, place, seconds, status, code, N)


def ranks(lines, rule="latest-round"):
    return [(p.competitor, p.rank, p.status) for p in classify(lines, rule)]


# A 500 m of eight: two semifinals of four; the first two of each to Final A, the others to
# Final B. Every skater's heats are left out where they decide nothing.
SEMIS = [
    line("A", "semifinals", 1, 40.1, code="QA"), line("B", "semifinals", 2, 40.2, code="QA"),
    line("C", "semifinals", 3, 40.3, code="QB"), line("D", "semifinals", 4, 40.4, code="QB"),
    line("E", "semifinals", 1, 40.0, code="QA", heat=2),
    line("F", "semifinals", 2, 40.5, code="QA", heat=2),
    line("G", "semifinals", 3, 40.6, code="QB", heat=2),
    line("H", "semifinals", 4, 40.7, code="QB", heat=2),
]  # fmt: skip


def test_a_penalty_in_final_a_ranks_last_of_final_a_and_keeps_its_status():
    # Final A: E 1st, A 2nd, F 3rd, B penalised (no place): B ranks 4th, the last of Final A,
    # and keeps PEN; Final B: C, G, D, H rank 5 to 8.
    finals = [
        line("E", "final-a", 1, 39.9), line("A", "final-a", 2, 40.0),
        line("F", "final-a", 3, 40.2), line("B", "final-a", None, status="PEN"),
        line("C", "final-b", 1, 41.0), line("G", "final-b", 2, 41.1),
        line("D", "final-b", 3, 41.2), line("H", "final-b", 4, 41.3),
    ]  # fmt: skip
    assert ranks(SEMIS + finals) == [
        ("E", 1, ""), ("A", 2, ""), ("F", 3, ""), ("B", 4, "PEN"),
        ("C", 5, ""), ("G", 6, ""), ("D", 7, ""), ("H", 8, ""),
    ]  # fmt: skip


def test_an_unraced_final_b_is_decided_by_the_semifinals():
    # Final B not skated: its four are listed 1st with no time, all equal there; going back,
    # the semifinals: C and G were 3rd (C faster, 40.3 to 40.6), D and H 4th (D faster).
    finals = [
        line("E", "final-a", 1, 39.9), line("A", "final-a", 2, 40.0),
        line("F", "final-a", 3, 40.2), line("B", "final-a", 4, 40.3),
        *(line(s, "final-b", 1) for s in "CDGH"),
    ]  # fmt: skip
    assert round_problems(SEMIS + finals) == []  # the one exception to places 1, 2, 3 …
    assert [r[:2] for r in ranks(SEMIS + finals)][4:] == [("C", 5), ("G", 6), ("D", 7), ("H", 8)]


def test_equal_time_quarterfinal_thirds_are_decided_by_their_heats():
    # Two quarterfinal thirds, both 41.500: equal in the quarterfinals; in the heats P was
    # 1st and Q 2nd, so P ranks ahead of Q.
    lines = [
        line("P", "heats", 1, 42.0, code="Q"), line("Q", "heats", 2, 41.0, code="Q", heat=2),
        line("P", "quarterfinals", 3, 41.5), line("Q", "quarterfinals", 3, 41.5, heat=2),
    ]  # fmt: skip
    assert ranks(lines) == [("P", 1, ""), ("Q", 2, "")]
    # Under the rule that looks no further back, they share the rank.
    assert ranks(lines, "latest-round-only") == [("P", 1, ""), ("Q", 1, "")]


def test_two_heat_penalties_share_a_rank_and_skip_the_next():
    # Heats: R, S placed; T and U penalised in the heats (no place): both out in the heats
    # after every placed skater, equal: they share 3rd and no one is 4th.
    lines = [
        line("R", "heats", 1, 42.0), line("S", "heats", 2, 42.5),
        line("T", "heats", None, status="PEN"), line("U", "heats", None, status="PEN", heat=2),
        line("V", "quarterfinals", 1, 41.0),
    ]  # fmt: skip
    # V (quarterfinals, a later group) first; R 2nd, S 3rd, T and U share 4th.
    assert ranks(lines) == [("V", 1, ""), ("R", 2, ""), ("S", 3, ""), ("T", 4, "PEN"),
                            ("U", 4, "PEN")]  # fmt: skip


def test_a_yellow_card_in_final_a_moves_the_final_b_winner_up():
    finals = [
        line("E", "final-a", 1, 39.9), line("A", "final-a", 2, 40.0),
        line("F", "final-a", 3, 40.2), line("B", "final-a", None, status="YC"),
        line("C", "final-b", 1, 41.0), line("G", "final-b", 2, 41.1),
        line("D", "final-b", 3, 41.2), line("H", "final-b", 4, 41.3),
    ]  # fmt: skip
    result = ranks(SEMIS + finals)
    assert result[3] == ("C", 4, "")  # the Final B winner is 4th
    assert result[-1] == ("B", None, "YC")  # no rank, no points


def test_a_qualified_skater_who_does_not_start_ranks_in_the_round_before():
    lines = [
        line("W", "heats", 1, 42.0, code="Q"), line("X", "heats", 2, 42.5, code="Q"),
        line("W", "quarterfinals", None, status="DNS"), line("X", "quarterfinals", 1, 41.0),
        line("Y", "heats", None, status="DNS"),
    ]  # fmt: skip
    # X reached the quarterfinals; W's last round skated is the heats (blank status); Y
    # started nothing: no rank, DNS.
    assert ranks(lines) == [("X", 1, ""), ("W", 2, ""), ("Y", None, "DNS")]


def test_what_the_rounds_must_hold():
    lines = [
        line("A", "heats", 1, 42.0, code="Q"),
        line("B", "heats", 1, 42.1),  # a repeated place
        line("C", "heats", 2, 42.2, status="PEN"),  # a place on a status line
        line("D", "heats", None),  # no place, no status
        line("A", "heats", 3, 43.0, heat=2),  # twice in one round
        line("B", "quarterfinals", 1, 41.0),  # not qualified (held no code)
        line("E", "final-a", 1, 39.0, heat=2),  # a final has one heat
        line("F", "heats", 3, 42.9, code="QA"),  # QA only from the semifinals
    ]
    messages = [(p.column, p.message.split(":")[0].split(";")[0]) for p in round_problems(lines)]
    assert ("place", "place 1 repeats") in messages
    assert ("place", "a line with a status (PEN, DNF, DNS, YC) has no place") in messages
    assert ("place", "a line with no place needs a status or ADV, ADA, ADB") in messages
    assert ("athlete", f"appears twice in the heats (also line {lines[0].line})") in messages
    assert ("qualification", "the quarterfinals take who holds Q/q/ADV from the round before") in (
        messages
    )
    assert ("heat", "the Final A has one heat") in messages
    assert ("qualification", "QA qualifies for a final, from the semifinals") in messages


def test_a_referee_advancement_and_the_repechage_admit_to_the_next_round():
    lines = [
        line("A", "heats", None, code="ADV"),  # fell, advanced by the referee
        line("B", "heats", 2, 43.0),  # not qualified: to the repechage
        line("B", "repechage", 1, 42.0, code="Q"),
        line("A", "quarterfinals", 1, 41.0), line("B", "quarterfinals", 2, 41.2),
        line("C", "heats", 1, 42.0, code="Q"), line("C", "repechage", 2, 42.5),
    ]  # fmt: skip
    problems = round_problems(lines)
    assert [(p.line, p.column) for p in problems] == [(lines[-1].line, "round")]
    assert "the repechage takes the heats' non-qualifiers" in problems[0].message


def test_a_start_list_is_who_the_latest_earlier_round_admits():
    # Heats: A 1st Q, B 2nd q, C 3rd, D did not start, E penalised (heat 1); F advanced by the
    # referee, G 2nd (heat 2). Repechage: C 1st Q, E 2nd, G 3rd. Quarterfinal: A 1st Q, B 2nd,
    # F 3rd q, C 4th.
    heats = [
        line("A", "heats", 1, 42.0, code="Q"), line("B", "heats", 2, 42.1, code="q"),
        line("C", "heats", 3, 42.5), line("D", "heats", None, status="DNS"),
        line("E", "heats", None, status="PEN"),
        line("F", "heats", None, code="ADV", heat=2), line("G", "heats", 2, 43.0, heat=2),
    ]  # fmt: skip
    repechage = [
        line("C", "repechage", 1, 42.2, code="Q"), line("E", "repechage", 2, 42.4),
        line("G", "repechage", 3, 42.9),
    ]  # fmt: skip
    quarterfinal = [
        line("A", "quarterfinals", 1, 41.0, code="Q"), line("B", "quarterfinals", 2, 41.1),
        line("F", "quarterfinals", 3, 41.3, code="q"), line("C", "quarterfinals", 4, 41.5),
    ]  # fmt: skip
    everything = heats + repechage + quarterfinal
    assert admitted(everything, "heats") == []  # the first round: nobody skated before it
    # The heats' non-qualifiers, in heat order, the penalised one after the placed; D's DNS
    # is no round skated, so nothing admits D.
    assert admitted(everything, "repechage") == ["C", "E", "G"]
    # Q, q and ADV of the heats (heat 1 by place, then heat 2), then the repechage's Q.
    assert admitted(everything, "quarterfinals") == ["A", "B", "F", "C"]
    # The semifinals take the quarterfinal's Q and q; a Final A would take only QA or ADA.
    assert admitted(everything, "semifinals") == ["A", "F"]
    assert admitted(everything, "final-a") == []


# --- The property: a ranking, each group together, the latest group first -------------------


@st.composite
def competitions(draw):
    """Up to 10 skaters, each out in some round, with places and times drawn freely (ties
    and penalties included); every skater skates the heats, some the preliminaries."""
    skaters = draw(st.integers(min_value=1, max_value=10))
    lines = []
    for skater in range(skaters):
        last = draw(st.integers(min_value=1, max_value=len(ROUND_ORDER) - 1))
        path = [r for r in ROUND_ORDER[1 : last + 1] if r != "repechage"]
        if draw(st.booleans()):
            path.insert(0, "preliminaries")
        for round_ in path:
            kind = draw(st.sampled_from(["placed", "placed", "placed", "PEN", "DNS", "YC"]))
            place = draw(st.integers(min_value=1, max_value=3)) if kind == "placed" else None
            time = draw(st.sampled_from([None, 40, 41])) if kind == "placed" else None
            status = "" if kind == "placed" else kind
            lines.append(line(f"S{skater}", round_, place, time, status))
    return lines


@settings(max_examples=300, deadline=None)
@given(competitions())
def test_the_classification_is_a_ranking_with_each_group_together(lines):
    placings = classify(lines)
    ranked = [p for p in placings if p.rank is not None]
    # A ranking: sorted ranks, each the next position or shared with the one before.
    for index, placing in enumerate(ranked):
        assert placing.rank == index + 1 or placing.rank == ranked[index - 1].rank
    # Each group contiguous, the latest first.
    order = [ROUND_ORDER.index(p.round) for p in ranked]
    assert order == sorted(order, reverse=True)
    # Every competitor once; a YC or an all-DNS competitor has no rank.
    assert sorted(p.competitor for p in placings) == sorted({x.competitor for x in lines})
    for placing in placings:
        own = [x for x in lines if x.competitor == placing.competitor]
        if any(x.status == "YC" for x in own):
            assert (placing.rank, placing.status) == (None, "YC")
        elif all(x.status == "DNS" for x in own):
            assert (placing.rank, placing.status) == (None, "DNS")
