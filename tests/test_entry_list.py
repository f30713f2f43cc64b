"""An event's entry list, kept by hand on the event's admin page: the skaters, the nation each
skates for and their helmet numbers; no skater and no helmet number twice."""

from __future__ import annotations

import pytest

from results.models import EventEntry
from tests import factories as make
from tests.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return make.event(make.season("2030-31"), 1, city="Montreal")


def add_entries(data: dict, *lines: dict) -> dict:
    n = int(data["entries-TOTAL_FORMS"])
    for i, line in enumerate(lines, start=n):
        data.update({f"entries-{i}-{name}": v for name, v in line.items()})
        data[f"entries-{i}-event"] = ""
    data["entries-TOTAL_FORMS"] = str(n + len(lines))
    return data


def post_entries(client, event, *lines: dict):
    data = add_entries(form_data(client.get(change_url(event))), *lines)
    return client.post(change_url(event), data)


def test_an_official_adds_skaters_to_the_entry_list(official, event):
    hamelin = make.athlete("Charles Hamelin", nation_code="CAN")
    kwak = make.athlete("Kwak Yoon-gy", nation_code="KOR")
    response = post_entries(
        official,
        event,
        {"athlete": hamelin.pk, "nation": "", "helmet": "101"},
        {"athlete": kwak.pk, "nation": "kor", "helmet": "7"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entries = {e.athlete.name: (e.nation_id, e.helmet) for e in event.entries.all()}
    # A blank nation is the athlete's own; a code is read in any case.
    assert entries == {"Charles Hamelin": ("CAN", 101), "Kwak Yoon-gy": ("KOR", 7)}
    page = official.get(change_url(event)).content.decode()
    assert "Entry list" in page or "entry list" in page
    assert "Charles Hamelin" in page  # the saved line shows its skater by name


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"helmet": "101"}, "Another skater has this helmet number at the event."),
        ({"same_skater": True, "helmet": "102"}, "This skater is on the entry list already."),
    ],
    ids=["helmet-twice", "skater-twice"],
)
def test_a_repeat_in_one_submission_is_refused_next_to_its_line(official, event, second, message):
    hamelin = make.athlete("Charles Hamelin", nation_code="CAN")
    other = hamelin if second.pop("same_skater", False) else make.athlete("Kwak Yoon-gy")
    response = post_entries(
        official,
        event,
        {"athlete": hamelin.pk, "nation": "", "helmet": "101"},
        {"athlete": other.pk, "nation": "", **second},
    )
    assert response.status_code == 200  # the page again, with the reason: not a 500
    assert message in response.content.decode()
    assert not EventEntry.objects.exists()  # nothing written, not even the first line


def test_a_repeat_of_a_saved_line_is_refused(official, event):
    hamelin = make.athlete("Charles Hamelin", nation_code="CAN")
    EventEntry.objects.create(event=event, athlete=hamelin, nation_id="CAN", helmet=101)
    response = post_entries(
        official, event, {"athlete": make.athlete("Kwak Yoon-gy").pk, "nation": "", "helmet": "101"}
    )
    assert response.status_code == 200
    assert "Another skater has this helmet number at the event." in response.content.decode()
    assert EventEntry.objects.count() == 1


def test_helmet_numbers_swapped_in_one_submission_are_saved(official, event):
    """Two skaters exchange numbers in one save (each takes a number the other held); a
    third taking a number still held is refused by name, nothing changed."""
    a = make.athlete("Charles Hamelin", nation_code="CAN")
    b = make.athlete("Kwak Yoon-gy")
    EventEntry.objects.create(event=event, athlete=a, nation_id="CAN", helmet=1)
    EventEntry.objects.create(event=event, athlete=b, nation_id="KOR", helmet=2)

    def post(**helmets: str):
        data = form_data(official.get(change_url(event)))
        line = {data[f"entries-{i}-athlete"]: i for i in range(2)}
        for skater, helmet in helmets.items():
            data[f"entries-{line[{'a': a, 'b': b}[skater].pk]}-helmet"] = helmet
        return official.post(change_url(event), data)

    assert post(a="2", b="1").status_code == 302
    assert dict(event.entries.values_list("athlete__name", "helmet")) == {
        "Charles Hamelin": 2,
        "Kwak Yoon-gy": 1,
    }
    assert [h.helmet for h in EventEntry.history.filter(athlete=a).order_by("history_id")] == [
        1,
        2,
    ]  # the number freed on the way is no step of the history
    response = post(a="1")
    assert response.status_code == 200
    assert "Another skater has this helmet number at the event." in response.content.decode()
    assert dict(event.entries.values_list("athlete__name", "helmet")) == {
        "Charles Hamelin": 2,
        "Kwak Yoon-gy": 1,
    }


@pytest.mark.parametrize(
    ("line", "field_message"),
    [
        ({"nation": "XXX", "helmet": "5"}, "Unknown nation code."),
        ({"nation": "", "helmet": "0"}, "greater than or equal to 1"),
        ({"nation": "", "helmet": "abc"}, "Enter a whole number."),
    ],
    ids=["nation", "helmet-zero", "helmet-text"],
)
def test_a_bad_line_is_refused_with_its_reason(official, event, line, field_message):
    response = post_entries(official, event, {"athlete": make.athlete().pk, **line})
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert not EventEntry.objects.exists()


def test_the_event_page_runs_a_fixed_number_of_queries_whatever_the_list(
    official, event, django_assert_max_num_queries
):
    def count() -> int:
        official.get(change_url(event))  # warmed
        with django_assert_max_num_queries(20) as captured:
            assert official.get(change_url(event)).status_code == 200
        return len(captured)

    EventEntry.objects.create(event=event, athlete=make.athlete(), nation_id="KOR", helmet=1)
    with_one = count()
    for helmet in range(2, 41):
        skater = make.athlete(f"Entered Skater {helmet}", nation_code="CAN")
        EventEntry.objects.create(event=event, athlete=skater, nation_id="CAN", helmet=helmet)
    assert count() == with_one
