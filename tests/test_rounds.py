"""Races as they are skated, in the database: heats written round by round, the final
classification derived from them and kept as the race's lines (results/models.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from results.models import HeatLine, Result
from results.standings.loader import standings_table
from tests import factories as make

pytestmark = pytest.mark.django_db


def heat(skaters, places, codes=(), statuses=(), times=None):
    """Unsaved heat lines, numbered 1, 2, … as a form's rows are."""
    lines = []
    for row, skater in enumerate(skaters):
        place = places[row]
        line = HeatLine(
            athlete=skater,
            nation=skater.nation,
            place=place,
            time=Decimal(str(times[row])) if times and times[row] else None,
            status=statuses[row] if statuses else "",
            qualification=codes[row] if codes else "",
        )
        line.line = row + 1
        lines.append(line)
    return lines


@pytest.fixture
def five_hundred(db):
    """A draft men's 500 m and eight skaters, A to H."""
    race = make.race(state="draft")
    skaters = [make.athlete(f"Skater {letter}") for letter in "ABCDEFGH"]
    return race, skaters


def skate_to_the_finals(race, s):
    a, b, c, d, e, f, g, h = s
    race.write_heats({
        ("semifinals", 1): heat([a, b, c, d], [1, 2, 3, 4], ["QA", "QA", "QB", "QB"]),
        ("semifinals", 2): heat([e, f, g, h], [1, 2, 3, 4], ["QA", "QA", "QB", "QB"]),
    })  # fmt: skip


def classification(race):
    return [(r.athlete.name[-1], r.rank, r.status) for r in race.results.order_by("rank", "id")]


def test_the_classification_is_written_once_final_a_is_in(five_hundred):
    race, s = five_hundred
    a, b, c, d, e, f, g, h = s
    skate_to_the_finals(race, s)
    race.write_heats({("final-b", 1): heat([c, g, d, h], [1, 2, 3, 4])})
    assert not race.results.exists()  # not before Final A
    race.write_heats(
        {("final-a", 1): heat([e, a, f, b], [1, 2, 3, None], statuses=["", "", "", "PEN"])}
    )
    assert classification(race) == [
        ("E", 1, ""), ("A", 2, ""), ("F", 3, ""), ("B", 4, "PEN"),
        ("C", 5, ""), ("G", 6, ""), ("D", 7, ""), ("H", 8, ""),
    ]  # fmt: skip
    race.refresh_from_db()
    assert race.completeness == "complete"


def test_a_corrected_heat_updates_the_lines_in_place_with_a_reason(five_hundred):
    race, s = five_hundred
    a, b, c, d, e, f, g, h = s
    skate_to_the_finals(race, s)
    race.write_heats({("final-b", 1): heat([c, g, d, h], [1, 2, 3, 4])})
    race.write_heats({("final-a", 1): heat([e, a, f, b], [1, 2, 3, 4])})
    before = {r.athlete_id: r.pk for r in race.results.all()}
    race.publish("official")
    with pytest.raises(ValidationError, match="give the reason for the correction"):
        race.write_heats({("final-a", 1): heat([a, e, f, b], [1, 2, 3, 4])})
    race.write_heats({("final-a", 1): heat([a, e, f, b], [1, 2, 3, 4])}, "Photo finish reviewed")
    assert classification(race)[:2] == [("A", 1, ""), ("E", 2, "")]
    assert {r.athlete_id: r.pk for r in race.results.all()} == before  # the same lines
    line = race.results.get(athlete=a)
    assert line.history.first().history_change_reason == "Photo finish reviewed"
    assert line.history.count() == 2  # its first version, then the correction


def test_a_correction_writes_only_the_lines_it_changes(five_hundred):
    race, s = five_hundred
    a, b, c, d, e, f, g, h = s
    skate_to_the_finals(race, s)
    race.write_heats({("final-b", 1): heat([c, g, d, h], [1, 2, 3, 4], times=[42.1] * 4)})
    race.write_heats({("final-a", 1): heat([e, a, f, b], [1, 2, 3, 4], times=[41.5] * 4)})
    before = {r.athlete_id: (r.revision, r.history.count()) for r in race.results.all()}
    race.write_heats({("final-b", 1): heat([g, c, d, h], [1, 2, 3, 4], times=[42.1] * 4)})
    after = {r.athlete_id: (r.revision, r.history.count()) for r in race.results.all()}
    changed = {pk for pk in before if after[pk] != before[pk]}
    assert changed == {c.pk, g.pk}  # 5th and 6th swapped; the six others untouched
    assert all(after[pk] == (before[pk][0] + 1, before[pk][1] + 1) for pk in changed)


def test_a_heat_saved_again_unchanged_writes_nothing(five_hundred):
    race, s = five_hundred
    a, b, c, d, e, f, g, h = s
    skate_to_the_finals(race, s)
    semifinal = heat([a, b, c, d], [1, 2, 3, 4], ["QA", "QA", "QB", "QB"], times=[40.1] * 4)
    race.write_heats({("semifinals", 1): semifinal})
    lines = {line.pk for line in HeatLine.objects.all()}
    history = HeatLine.history.count()
    race.write_heats({("semifinals", 1): list(reversed(heat(
        [a, b, c, d], [1, 2, 3, 4], ["QA", "QA", "QB", "QB"], times=[40.1] * 4
    )))})  # fmt: skip
    assert {line.pk for line in HeatLine.objects.all()} == lines
    assert HeatLine.history.count() == history
    race.write_heats({("semifinals", 1): heat(
        [a, b, c, d], [1, 2, 3, 4], ["QA", "QA", "QB", "QB"], times=[40.1, 40.2, 40.3, 40.4]
    )})  # fmt: skip
    assert HeatLine.history.count() == history + 8  # four lines out, four in


def test_the_standings_count_the_derived_classification(five_hundred):
    race, s = five_hundred
    a, b, c, d, e, f, g, h = s
    skate_to_the_finals(race, s)
    race.write_heats({("final-b", 1): heat([c, g, d, h], [1, 2, 3, 4])})
    race.write_heats({("final-a", 1): heat([e, a, f, b], [1, 2, 3, 4])})
    race.publish("official")
    season = race.event.season
    season.refresh_from_db()
    table = standings_table(season, "men", "500m")
    assert [(row.competitor.name[-1], row.standing.points) for row in table.rows[:2]] == [
        ("E", 1000), ("A", 800),
    ]  # fmt: skip


def test_rounds_that_break_a_rule_are_refused_and_change_nothing(five_hundred):
    race, s = five_hundred
    a, b, c, d, *_ = s
    with pytest.raises(ValidationError) as refused:
        race.write_heats({("semifinals", 1): heat([a, b, c, d], [1, 1, 3, 4])})
    assert "place 1 repeats" in str(refused.value)
    skate_to_the_finals(race, s)
    with pytest.raises(ValidationError) as refused:  # C held QB: not admitted to Final A
        race.write_heats({("final-a", 1): heat([a, b, c], [1, 2, 3])})
    assert "the Final A takes who holds QA/ADA" in str(refused.value)
    assert not race.rounds.filter(name="final-a").exists()
    with pytest.raises(ValidationError, match="skates in the women"):
        race.write_heats({("final-b", 1): heat([make.athlete("Skater Z", "women")], [1])})


def test_a_classification_may_share_a_rank_and_leave_the_next_empty(admin_client):
    from tests.test_admin import draft_race, post_race_page

    race = draft_race()
    make.result(race, 1)
    make.result(race, 2)
    # A second line on rank 2 (shared): rank 3 stays empty; a line on rank 3 is refused.
    response = post_race_page(admin_client, race, rank=2, athlete=make.athlete().pk)
    assert response.status_code == 302
    response = post_race_page(admin_client, race, rank=3, athlete=make.athlete().pk)
    assert response.status_code == 200
    assert "Rank 2 is shared by lines 2 and 3, so rank 3 stays empty" in response.content.decode()
    assert sorted(race.results.values_list("rank", flat=True)) == [1, 2, 2]


def test_the_database_holds_the_heat_rules_itself(five_hundred):
    race, s = five_hundred
    a, b, c, *_ = s
    round_ = race.rounds.create(name="heats")
    HeatLine.objects.create(round=round_, athlete=a, nation=a.nation, place=1, time=42)
    refused = "heat_line_unique_place_per_heat|results_heatline.round_id, results_heatline.heat"
    with pytest.raises(IntegrityError, match=refused):
        HeatLine.objects.create(round=round_, athlete=b, nation=b.nation, place=1, time=43)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"place": 2, "status": "PEN"}, "heat_line_status_unplaced"),
        ({"place": None}, "heat_line_unplaced_has_status"),
        ({"place": 0}, "heat_line_place_positive"),
        ({"place": 2, "qualification": "X"}, "heat_line_qualification_valid"),
    ],
)
def test_a_heat_line_the_database_refuses(five_hundred, fields, constraint):
    race, s = five_hundred
    round_ = race.rounds.create(name="heats")
    with pytest.raises(IntegrityError, match=constraint):
        HeatLine.objects.create(round=round_, athlete=s[0], nation=s[0].nation, **fields)


def test_an_unraced_final_b_lists_its_skaters_first_with_no_time(five_hundred):
    race, s = five_hundred
    skate_to_the_finals(race, s)
    a, b, c, d, e, f, g, h = s
    race.write_heats({("final-b", 1): heat([c, d, g, h], [1, 1, 1, 1])})
    race.write_heats({("final-a", 1): heat([e, a, f, b], [1, 2, 3, 4])})
    # Final B unraced: decided by the semifinals (C and G 3rd: equal times, so the heat
    # numbers do not matter; both had no time; D and H 4th): they share, two by two.
    assert [r[1] for r in classification(race)][4:] == [5, 5, 7, 7]


def test_a_new_classification_rule_derives_the_races_again(five_hundred):
    race, s = five_hundred
    skate_to_the_finals(race, s)
    a, b, c, d, e, f, g, h = s
    race.write_heats({("final-b", 1): heat([c, d, g, h], [1, 1, 1, 1])})
    race.write_heats({("final-a", 1): heat([e, a, f, b], [1, 2, 3, 4])})
    season = race.event.season
    season.classification_rule = "latest-round-only"
    season.save()
    assert season.rederive("Rule confirmed by the ISU") == 1
    assert [r[1] for r in classification(race)][4:] == [5, 5, 5, 5]  # Final B alone: shared
    assert Result.objects.filter(race=race).count() == 8
