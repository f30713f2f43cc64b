"""Officials enter a heat on one screen (results/heat_entry.py): skaters typed as helmet numbers,
ISU ids or names, the rules of the rounds shown on their line, the classification so far, the
next round's start list, relay members, the rights the page needs, its queries, and tampered
forms refused with a clear error."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from results.models import EventEntry, HeatLine, Race, Result
from tests import factories as make
from tests.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db

# The entry list of the event: helmet number, name, nation, ISU id.
ENTRIES = [
    (11, "Charles Hamelin", "CAN", "10011"),
    (12, "François Hamelin", "CAN", "10012"),
    (13, "Wu Dajing", "CHN", "10013"),
    (14, "Sjinkie Knegt", "NED", "10014"),
    (15, "Kwak Yoon-gy", "KOR", "10015"),
    (16, "Semion Elistratov", "RUS", "10016"),
    (17, "Thibaut Fauconnet", "FRA", "10017"),
    (18, "Liu Shaolin Sándor", "HUN", "10018"),
]


@pytest.fixture
def race_day():
    """A draft men's 500 m at an event with an entry list of eight, a skater off the list,
    and an official signed in."""
    season = make.season("2030-31")
    event = make.event(season, 1, city="Montreal")
    race = make.race(event, state="draft")
    skaters = {}
    for helmet, name, nation, isu_id in ENTRIES:
        skater = make.athlete(name, nation_code=nation, isu_id=isu_id)
        EventEntry.objects.create(event=event, athlete=skater, nation_id=nation, helmet=helmet)
        skaters[helmet] = skater
    skaters["celski"] = make.athlete("J. R. Celski", nation_code="USA", isu_id="10099")
    make.athlete("Wang Meng", gender="women", nation_code="CHN", isu_id="20001")
    return race, skaters


def url(race: Race, **query: object) -> str:
    path = reverse("admin:results_race_heats", args=[race.pk])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def page_data(response) -> dict:
    """What an official's browser sends back for the page as shown."""
    context = response.context
    data = {"reason": ""}
    heat_form, formset = context["heat_form"], context["formset"]
    for name in heat_form.fields:
        data[name] = heat_form[name].value() or ""
    management = formset.management_form
    data |= {management.add_prefix(n): management[n].value() for n in management.fields}
    for form in formset.forms:
        for name, field in form.fields.items():
            shown = field.prepare_value(form[name].value())
            data[form.add_prefix(name)] = "" if shown is None else str(shown)
    return data


def enter(data: dict, rows: list[dict]) -> dict:
    """Type these lines into the first rows (clearing the rest), adding rows as needed."""
    total = max(int(data["lines-TOTAL_FORMS"]), len(rows))
    for index in range(total):
        row = rows[index] if index < len(rows) else {}
        for name in ("place", "athlete", "nation", "members", "time", "status", "qualification",
                     "start"):  # fmt: skip
            if f"lines-0-{name}" in data:
                data[f"lines-{index}-{name}"] = str(row.get(name, ""))
    data["lines-TOTAL_FORMS"] = str(total)
    return data


def save_heat(client, race, round_, heat, rows, reason=""):
    data = enter(page_data(client.get(url(race, round=round_, heat=heat))), rows)
    data["reason"] = reason
    return client.post(url(race, round=round_, heat=heat), data)


def lines_of(race, round_, heat=1) -> list[tuple]:
    return [
        (line.place, line.athlete.name if line.athlete_id else line.nation_id, line.status,
         line.qualification)
        for line in HeatLine.objects.filter(round__race=race, round__name=round_, heat=heat)
        .select_related("athlete").order_by(F("place").asc(nulls_last=True), "id")
    ]  # fmt: skip


def problems(response) -> str:
    assert response.status_code == 200, "the page saved what it should have refused"
    html = response.content.decode()
    assert "Nothing was saved" in html
    return html


# --- Who a line names -----------------------------------------------------------------------


def test_a_heat_is_saved_with_helmet_numbers_isu_ids_and_names(official, race_day):
    race, s = race_day
    response = save_heat(official, race, "heats", 1, [
        {"place": 1, "athlete": "13", "time": "40.512", "qualification": "Q"},  # helmet
        {"place": 2, "athlete": "10099", "time": "40.601", "qualification": "Q"},  # ISU id
        {"place": 3, "athlete": "sjinkie knegt", "time": "40.950"},  # name, any case
        {"place": 4, "athlete": "sandor", "time": "1:01.003"},  # part of a name, no accent
        {"athlete": "#15", "status": "pen"},  # helmet only; the status in any case
    ])  # fmt: skip
    assert response.status_code == 302
    assert lines_of(race, "heats") == [
        (1, "Wu Dajing", "", "Q"),
        (2, "J. R. Celski", "", "Q"),  # off the entry list: among all men
        (3, "Sjinkie Knegt", "", ""),
        (4, "Liu Shaolin Sándor", "", ""),
        (None, "Kwak Yoon-gy", "PEN", ""),
    ]
    saved = HeatLine.objects.get(athlete=s[18])
    assert (saved.time, saved.nation_id) == (Decimal("61.003"), "HUN")
    assert HeatLine.objects.get(athlete=s["celski"]).nation_id == "USA"


def test_a_saved_heat_shows_its_lines_by_label_and_saves_again_unchanged(official, race_day):
    race, _ = race_day
    save_heat(official, race, "heats", 1, [
        {"place": 2, "athlete": "11", "time": "40.7"},
        {"place": 1, "athlete": "12", "time": "40.6"},
    ])  # fmt: skip
    page = official.get(url(race, round="heats", heat=1))
    data = page_data(page)
    # In place order, each skater written with the helmet number the entry list gives.
    assert (data["lines-0-athlete"], data["lines-1-athlete"]) == (
        "12 François Hamelin (CAN)",
        "11 Charles Hamelin (CAN)",
    )
    assert data["lines-0-time"] == "40.600"
    again = official.post(url(race, round="heats", heat=1), data, follow=True)
    assert "Heats, heat 1 saved as it was (2 lines): nothing changed." in again.content.decode()
    assert lines_of(race, "heats") == [
        (1, "François Hamelin", "", ""),
        (2, "Charles Hamelin", "", ""),
    ]


def test_a_skater_off_the_entry_list_is_found_again_by_the_label_the_page_writes(
    official, race_day
):
    """The page's lookup writes a skater found among all men as "J. R. Celski (USA)": that
    label, typed or sent back by a saved heat, names the skater again (no entry list needed)."""
    race, s = race_day
    lookup = reverse("admin:results_race_heats_skater", args=[race.pk])
    assert official.get(lookup, {"q": "J. R. Celski (USA)"}).json()["label"] == "J. R. Celski (USA)"
    response = save_heat(official, race, "heats", 1, [
        {"place": 1, "athlete": "J. R. Celski (USA)", "time": "40.5"},
        {"place": 2, "athlete": "j. r. celski", "time": "40.6"},
    ])  # fmt: skip
    assert "could be" not in response.content.decode()  # one skater named twice is a rule error
    response = save_heat(official, race, "heats", 1, [
        {"place": 1, "athlete": "J. R. Celski (USA)", "time": "40.5"},
    ])  # fmt: skip
    assert response.status_code == 302
    data = page_data(official.get(url(race, round="heats", heat=1)))
    assert data["lines-0-athlete"] == "J. R. Celski (USA)"
    assert official.post(url(race, round="heats", heat=1), data).status_code == 302
    assert lines_of(race, "heats") == [(1, "J. R. Celski", "", "")]
    # The label's nation counts: Celski does not skate for Canada.
    html = problems(save_heat(official, race, "heats", 1, [
        {"place": 1, "athlete": "J. R. Celski (CAN)", "time": "40.5"},
    ]))  # fmt: skip
    assert "No skater &#x27;J. R. Celski (CAN)&#x27;" in html
    assert HeatLine.objects.get(athlete=s["celski"]).nation_id == "USA"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Hamelin", "&#x27;Hamelin&#x27; could be 11 Charles Hamelin (CAN), 12 François Hamelin"),
        ("99", "No skater &#x27;99&#x27; on the entry list or among the men: type a helmet"),
        ("Wang Meng", "No skater &#x27;Wang Meng&#x27; on the entry list or among the men"),
        ("", "An individual race needs an athlete."),
    ],
)
def test_an_unknown_or_ambiguous_skater_is_refused_on_its_line(official, race_day, typed, message):
    race, _ = race_day
    response = save_heat(official, race, "heats", 1, [
        {"place": 1, "athlete": "13", "time": "40.5"},
        {"place": 2, "athlete": typed, "time": "40.6"},
    ])  # fmt: skip
    html = problems(response)
    row = html.split('id="lines-1-line"')[1].split('id="lines-2-line"')[0]
    assert message in row  # on the second line, in its skater's cell
    assert 'aria-invalid="true"' in row.split('data-label="Time"')[0]
    assert not HeatLine.objects.exists()


def test_the_skater_lookup_answers_as_the_save_finds(official, race_day):
    race, _ = race_day
    lookup = reverse("admin:results_race_heats_skater", args=[race.pk])
    assert official.get(lookup, {"q": "14", "round": "heats"}).json() == {
        "label": "14 Sjinkie Knegt (NED)",
        "name": "Sjinkie Knegt",
    }
    assert official.get(lookup, {"q": "celski"}).json()["label"] == "J. R. Celski (USA)"
    assert "could be" in official.get(lookup, {"q": "hamelin"}).json()["error"]
    assert official.get(lookup, {"q": "14", "round": "final-z"}).status_code == 400


# --- The rules of the rounds, the reason, two officials -------------------------------------


def test_a_rule_of_the_rounds_is_shown_on_its_line_and_nothing_is_saved(official, race_day):
    race, _ = race_day
    response = save_heat(official, race, "heats", 1, [
        {"place": 1, "athlete": "11", "time": "40.5"},
        {"place": 1, "athlete": "12", "time": "40.6"},
        {"place": 3, "athlete": "13", "status": "DNF"},
    ])  # fmt: skip
    html = problems(response)
    second = html.split('id="lines-1-line"')[1].split('id="lines-2-line"')[0]
    third = html.split('id="lines-2-line"')[1].split('id="lines-3-line"')[0]
    place = second.split('data-label="Place"')[1].split("</td>")[0]
    assert "Place 1 repeats: places in a heat run 1, 2, 3 … with no repeat." in place
    third_place = third.split('data-label="Place"')[1].split("</td>")[0]
    assert "A line with a status (PEN, DNF, DNS, YC) has no place." in third_place
    assert not HeatLine.objects.exists()
    assert not race.rounds.exists()


def test_a_skater_not_admitted_to_a_final_is_refused_on_that_line(official, race_day):
    race, _ = race_day
    semifinal = [
        {"place": 1, "athlete": "11", "qualification": "QA"},
        {"place": 2, "athlete": "12", "qualification": "QB"},
    ]
    assert save_heat(official, race, "semifinals", 1, semifinal).status_code == 302
    response = save_heat(official, race, "final-a", 1, [
        {"place": 1, "athlete": "11", "time": "40.1"},
        {"place": 2, "athlete": "12", "time": "40.2"},
    ])  # fmt: skip
    html = problems(response)
    second = html.split('id="lines-1-line"')[1]
    assert "The Final A takes who holds QA/ADA from the round before" in second
    assert not race.rounds.filter(name="final-a").exists()


def test_an_official_race_needs_a_reason(official, race_day):
    race, _ = race_day
    Race.objects.filter(pk=race.pk).update(state="official")
    page = official.get(url(race, round="heats", heat=1)).content.decode()
    reason_cell = page.split('class="heat-reason"')[1].split("submit-row")[0]
    assert "This race is official: give the reason for the correction" in reason_cell
    rows = [{"place": 1, "athlete": "11", "time": "40.5"}]
    html = problems(save_heat(official, race, "heats", 1, rows))
    errors = html.split('class="heat-reason"')[1].split("heat-reason-rule")[0]
    assert "give the reason for the correction" in errors  # at the reason field
    assert not HeatLine.objects.exists()
    assert save_heat(official, race, "heats", 1, rows, "Photo finish reviewed").status_code == 302
    line = HeatLine.objects.get()
    assert line.history.first().history_change_reason == "Photo finish reviewed"


def test_the_races_history_shows_a_heat_lines_correction_old_to_new(official, race_day):
    race, _ = race_day
    rows = [{"place": 1, "athlete": "11", "time": "40.5"}, {"place": 2, "athlete": "13"}]
    assert save_heat(official, race, "heats", 2, rows).status_code == 302
    Race.objects.filter(pk=race.pk).update(state="official")
    rows[0]["time"] = "40.45"
    rows[1] |= {"place": "", "status": "PEN"}
    assert save_heat(official, race, "heats", 2, rows, "Video review").status_code == 302
    html = official.get(reverse("admin:results_race_history", args=[race.pk])).content.decode()
    newest = html.split("<tbody>")[1].split("</tr>")[:2]
    assert any(
        "Heats 2: 1. Charles Hamelin" in row
        and "Video review" in row
        and "<strong>time:</strong> 40.500 → 40.450" in row
        for row in newest
    )
    assert any(
        "Heats 2: PEN Wu Dajing" in row
        and "<strong>place:</strong> 2 → (empty)" in row
        and "<strong>status:</strong> (empty) → Penalty" in row
        for row in newest
    )
    assert "Heats 2: 2. Wu Dajing" in html  # its first version, as it stood


def test_a_heat_saved_by_another_official_meanwhile_is_not_overwritten(official, race_day):
    race, _ = race_day
    data = enter(page_data(official.get(url(race, round="heats", heat=1))), [
        {"place": 1, "athlete": "11", "time": "40.5"},
    ])  # fmt: skip
    other = Client()
    other.force_login(User.objects.create_superuser("referee", password="a-long-pass-phrase-2"))
    assert save_heat(other, race, "heats", 1, [{"place": 1, "athlete": "13"}]).status_code == 302
    html = problems(official.post(url(race, round="heats", heat=1), data))
    assert "Another official saved this heat after you opened it" in html
    assert lines_of(race, "heats") == [(1, "Wu Dajing", "", "")]


# --- What the page shows after a save -------------------------------------------------------

SEMIFINALS = {
    1: [("11", 1, "40.1", "QA"), ("12", 2, "40.2", "QA"), ("13", 3, "40.3", "QB"),
        ("14", 4, "40.4", "QB")],
    2: [("15", 1, "40.0", "QA"), ("16", 2, "40.5", "QA"), ("17", 3, "40.6", "QB"),
        ("18", 4, "40.7", "QB")],
}  # fmt: skip


def skate_semifinals(client, race):
    for heat, lines in SEMIFINALS.items():
        rows = [{"athlete": h, "place": p, "time": t, "qualification": q} for h, p, t, q in lines]
        assert save_heat(client, race, "semifinals", heat, rows).status_code == 302


def classification_so_far(html: str) -> list[tuple[str, str]]:
    table = html.split('id="heat-classification-title"')[1].split("</table>")[0]
    rows = table.split("<tbody>")[1].split("</tr>")[:-1]
    return [
        (row.split("<td>")[1].split("</td>")[0], row.split('<th scope="row">')[1].split("<")[0])
        for row in rows
    ]


def test_the_classification_so_far_is_shown_after_a_save(official, race_day):
    race, _ = race_day
    skate_semifinals(official, race)
    response = official.get(url(race, round="semifinals", heat=2, saved=1))
    # Everyone's last round is the semifinals: by place, equal places by time. Firsts: Kwak
    # 40.0, C. Hamelin 40.1; seconds: F. Hamelin 40.2, Elistratov 40.5; thirds: Wu 40.3,
    # Fauconnet 40.6; fourths: Knegt 40.4, Liu 40.7.
    assert classification_so_far(response.content.decode()) == [
        ("1", "Kwak Yoon-gy"), ("2", "Charles Hamelin"), ("3", "François Hamelin"),
        ("4", "Semion Elistratov"), ("5", "Wu Dajing"), ("6", "Thibaut Fauconnet"),
        ("7", "Sjinkie Knegt"), ("8", "Liu Shaolin Sándor"),
    ]  # fmt: skip
    assert not race.results.exists()  # the race's lines wait for the Final A
    html = response.content.decode()
    assert "it becomes the race&#x27;s classification once the Final A is saved" in html
    # The next heats offered: the finals.
    next_links = html.split('class="heat-next"')[1].split("</p>")[0]
    assert "Final B, heat 1" in next_links and "Final A, heat 1" in next_links
    # Every skater of the entry list has a semifinal: no third one is offered.
    assert "Semifinals, heat 3" not in next_links


def next_offered(client, race, round_, heat) -> list[str]:
    html = client.get(url(race, round=round_, heat=heat, saved=1)).content.decode()
    offered = html.split('class="heat-next"')[1].split("</p>")[0]
    return re.findall(r">([^<>]+, heat \d+)</a>", offered)


def test_the_next_heats_follow_the_races_programme_and_who_is_still_to_skate(official, race_day):
    from results.models import Round

    race, _ = race_day
    Round.objects.bulk_create(
        Round(race=race, name=name) for name in ["heats", "quarterfinals", "final-a"]
    )
    rows = [{"athlete": h, "place": p, "qualification": "Q"} for h, p in (("11", 1), ("12", 2))]
    assert save_heat(official, race, "heats", 1, rows).status_code == 302
    # Six of the entry list have no heat yet: the next heat first; then the quarterfinals
    # (the programme has no repechage).
    assert next_offered(official, race, "heats", 1) == ["Heats, heat 2", "Quarterfinals, heat 1"]
    rest = [{"athlete": str(h), "place": p} for p, h in enumerate(range(13, 19), 1)]
    assert save_heat(official, race, "heats", 2, rest).status_code == 302
    assert next_offered(official, race, "heats", 2) == ["Quarterfinals, heat 1"]


def test_the_final_a_makes_the_race_classification(official, race_day):
    race, _ = race_day
    skate_semifinals(official, race)
    final_b = [{"athlete": h, "place": p} for h, p in (("13", 1), ("17", 2), ("14", 3), ("18", 4))]
    assert save_heat(official, race, "final-b", 1, final_b).status_code == 302
    final_a = [
        {"athlete": "16", "place": 1, "time": "39.9"}, {"athlete": "11", "place": 2},
        {"athlete": "15", "place": 3}, {"athlete": "12", "status": "PEN"},
    ]  # fmt: skip
    response = save_heat(official, race, "final-a", 1, final_a)
    assert response.status_code == 302
    page = official.get(response["Location"]).content.decode()
    assert "Final A, heat 1 saved with 4 lines" in page
    # Final A: Elistratov, C. Hamelin, Kwak, then F. Hamelin (PEN) last of the Final A; then
    # the Final B in its order.
    expected = [
        (1, "Semion Elistratov", ""), (2, "Charles Hamelin", ""), (3, "Kwak Yoon-gy", ""),
        (4, "François Hamelin", "PEN"), (5, "Wu Dajing", ""), (6, "Thibaut Fauconnet", ""),
        (7, "Sjinkie Knegt", ""), (8, "Liu Shaolin Sándor", ""),
    ]  # fmt: skip
    assert [(r.rank, r.athlete.name, r.status) for r in race.results.order_by("rank")] == expected
    assert classification_so_far(page) == [(str(rank), name) for rank, name, _ in expected]
    # The race's own page shows the classification the rounds give, read-only.
    race_page = official.get(change_url(race))
    assert race_page.status_code == 200
    lines = next(f for f in race_page.context["inline_admin_formsets"]
                 if f.formset.prefix == "results")  # fmt: skip
    assert len(lines.formset.forms) == 8
    assert all("status" not in form.fields for form in lines.formset.forms)  # read-only
    html = race_page.content.decode()
    assert "Semion Elistratov" in html and "Rounds and heats" in html


def test_the_races_page_opens_once_a_first_heat_is_saved(official, race_day):
    race, _ = race_day
    rows = [{"place": 1, "athlete": "11", "time": "40.5"}, {"place": 2, "athlete": "13"}]
    assert save_heat(official, race, "heats", 1, rows).status_code == 302
    assert official.get(change_url(race)).status_code == 200


# --- Start lists ----------------------------------------------------------------------------


def test_the_start_list_of_a_final_is_the_skaters_its_codes_admit(official, race_day):
    race, _ = race_day
    skate_semifinals(official, race)
    final_a = page_data(official.get(url(race, round="final-a", heat=1)))
    # The QA of the semifinals, heat by heat, by place: 11 and 12 of heat 1, 15 and 16 of 2.
    assert [final_a[f"lines-{i}-athlete"] for i in range(5)] == [
        "11 Charles Hamelin (CAN)", "12 François Hamelin (CAN)", "15 Kwak Yoon-gy (KOR)",
        "16 Semion Elistratov (RUS)", "",
    ]  # fmt: skip
    final_b = official.get(url(race, round="final-b", heat=1)).content.decode()
    offered = final_b.split('<datalist id="heat-skaters">')[1].split("</datalist>")[0]
    assert offered.count("<option") == 4  # the QB, nobody else
    assert "13 Wu Dajing (CHN)" in offered and "11 Charles Hamelin" not in offered


def test_the_start_list_of_a_round_of_several_heats_leaves_out_who_has_a_heat(official, race_day):
    race, _ = race_day
    heats = {
        1: [("11", 1, "Q"), ("12", 2, "Q"), ("13", 3, "")],
        2: [("14", 1, "Q"), ("15", 2, "q"), ("16", None, "ADV"), ("17", 3, "")],
    }
    for heat, lines in heats.items():
        rows = [{"athlete": h, "place": p or "", "qualification": q} for h, p, q in lines]
        assert save_heat(official, race, "heats", heat, rows).status_code == 302
    rows = [{"athlete": "11", "place": 1}, {"athlete": "14", "place": 2}]
    assert save_heat(official, race, "quarterfinals", 1, rows).status_code == 302
    page = official.get(url(race, round="quarterfinals", heat=2))
    html = page.content.decode()
    start_list = html.split('id="heat-start-list-title"')[1].split("</ol>")[0]
    # Q, q and ADV of the heats, less the two already in quarterfinal 1.
    assert start_list.count("<li>") == 3
    for label in ("12 François Hamelin", "15 Kwak Yoon-gy", "16 Semion Elistratov"):
        assert label in start_list
    assert page_data(page)["lines-0-athlete"] == ""  # a heat of several is not filled in
    repechage = official.get(url(race, round="repechage", heat=1)).content.decode()
    start_list = repechage.split('id="heat-start-list-title"')[1].split("</ol>")[0]
    # The repechage takes the heats' non-qualifiers.
    assert start_list.count("<li>") == 2
    assert "13 Wu Dajing" in start_list and "17 Thibaut Fauconnet" in start_list


# --- Relays ---------------------------------------------------------------------------------


@pytest.fixture
def relay_day(race_day):
    race, s = race_day
    relay = make.race(race.event, distance="5000m-relay", state="draft")
    teammates = [make.athlete(f"Canadian {i}", nation_code="CAN") for i in range(2)]
    for helmet, skater in enumerate(teammates, start=21):
        EventEntry.objects.create(event=race.event, athlete=skater, nation_id="CAN", helmet=helmet)
    return relay, s, teammates


def test_a_relay_heat_names_teams_and_their_members(official, relay_day):
    relay, s, teammates = relay_day
    response = save_heat(official, relay, "semifinals", 1, [
        {"place": 1, "nation": "can", "members": "11, 12, Canadian 0, 22", "time": "6:52.110"},
        {"place": 2, "nation": "NED", "members": "14", "qualification": ""},
    ])  # fmt: skip
    assert response.status_code == 302
    line = HeatLine.objects.get(nation="CAN")
    assert line.athlete_id is None
    assert set(line.members.all()) == {s[11], s[12], *teammates}
    data = page_data(official.get(url(relay, round="semifinals", heat=1)))
    assert data["lines-0-nation"] == "CAN"
    assert data["lines-0-members"] == (  # by name
        "21 Canadian 0 (CAN); 22 Canadian 1 (CAN); 11 Charles Hamelin (CAN); "
        "12 François Hamelin (CAN)"
    )


def test_a_relay_member_of_another_nation_is_refused(official, relay_day):
    relay, _, _ = relay_day
    response = save_heat(official, relay, "semifinals", 1, [
        {"place": 1, "nation": "CAN", "members": "11, 13"},  # 13 skates for China
    ])  # fmt: skip
    html = problems(response)
    assert "No CAN skater &#x27;13&#x27; on the entry list or among the men" in html
    assert not HeatLine.objects.exists()


def test_the_race_page_enters_a_relay_classifications_members(admin_client, relay_day):
    relay, s, _ = relay_day
    line = make.result(relay, 1, nation_code="CAN")
    data = form_data(admin_client.get(change_url(relay)))
    assert "results-0-members" in data
    data["results-0-members"] = [str(s[11].pk), str(s[12].pk)]
    assert admin_client.post(change_url(relay), data).status_code == 302
    assert set(line.members.all()) == {s[11], s[12]}
    page = admin_client.get(change_url(relay)).content.decode()
    assert "Charles Hamelin (CAN)" in page  # the member's label, from the loaded line


def test_the_race_page_of_a_relay_runs_a_fixed_number_of_queries(admin_client, relay_day):
    relay, s, _ = relay_day
    lines = [make.result(relay, 1, nation_code="CAN")]
    lines[0].members.set([s[11], s[12]])

    def count() -> int:
        admin_client.get(change_url(relay))
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(change_url(relay)).status_code == 200
        return len(captured)

    with_one = count()
    for rank in range(2, 21):
        line = make.result(relay, rank, nation_code=f"X{chr(64 + rank)}A")
        line.members.set([make.athlete(nation_code=line.nation_id) for _ in range(4)])
    assert count() == with_one


# --- Rights, queries, tampered forms --------------------------------------------------------


def test_the_page_needs_the_rights_to_change_races_and_enter_heats(client, race_day):
    race, _ = race_day
    staff = User.objects.create_user("reader", password="a-long-pass-phrase-3", is_staff=True)
    client.force_login(staff)
    lookup = reverse("admin:results_race_heats_skater", args=[race.pk])
    assert client.get(url(race)).status_code == 403
    assert client.get(lookup, {"q": "11"}).status_code == 403
    rows = {"round": "heats", "heat": "1", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
            "lines-0-athlete": "11", "lines-0-place": "1"}  # fmt: skip
    assert client.post(url(race), rows).status_code == 403
    assert not HeatLine.objects.exists()
    change = reverse("admin:results_race_change", args=[race.pk])
    staff.user_permissions.add(*staff_permissions("view_race"))
    assert "Rounds and heats" not in client.get(change).content.decode()


def staff_permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="results", codename__in=codenames)


def test_the_race_page_links_to_its_rounds_and_heats(official, race_day):
    race, _ = race_day
    page = official.get(reverse("admin:results_race_change", args=[race.pk])).content.decode()
    assert f'href="{url(race)}">Rounds and heats</a>' in page


def test_the_page_runs_a_fixed_number_of_queries(official, race_day, django_assert_max_num_queries):
    race, s = race_day

    def count(**query) -> int:
        official.get(url(race, **query))
        with CaptureQueriesContext(connection) as captured:
            assert official.get(url(race, **query)).status_code == 200
        return len(captured)

    assert save_heat(official, race, "heats", 1, [{"place": 1, "athlete": "11"}]).status_code == 302
    with_one = count(round="heats", heat=1), count(round="quarterfinals", heat=1)
    # Twenty lines in the heat, more heats, and a start list for the quarterfinals.
    event = race.event
    more = [make.athlete(f"Skater {i}", nation_code="KOR") for i in range(19)]
    for helmet, skater in enumerate(more, start=31):
        EventEntry.objects.create(event=event, athlete=skater, nation_id="KOR", helmet=helmet)
    rows = [{"place": i, "athlete": str(h), "qualification": "Q"}
            for i, h in enumerate([11, *range(31, 50)], start=1)]  # fmt: skip
    assert save_heat(official, race, "heats", 1, rows).status_code == 302
    assert save_heat(official, race, "heats", 2, [{"place": 1, "athlete": "12"}]).status_code == 302
    assert HeatLine.objects.filter(heat=1).count() == 20
    assert (count(round="heats", heat=1), count(round="quarterfinals", heat=1)) == with_one
    with django_assert_max_num_queries(10):
        official.get(url(race, round="heats", heat=1))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lines-TOTAL_FORMS", "abc", "count of lines was damaged"),
        ("lines-TOTAL_FORMS", "-1", "count of lines was damaged"),
        ("lines-TOTAL_FORMS", "100000", "count of lines was damaged"),
        ("lines-INITIAL_FORMS", "9", "count of lines was damaged"),
        ("lines-INITIAL_FORMS", "", "count of lines was damaged"),
        ("round", "final-c", "There is no round final-c"),
        ("round", "", "Say which round"),
        ("heat", "0", "A heat is numbered from 1 to 999."),
        ("heat", "abc", "A heat is numbered from 1 to 999."),
        ("heat", "99999999999999999999", "A heat is numbered from 1 to 999."),
        ("seen", "x" * 5000, "at most 4000 characters"),
    ],
)
def test_tampered_hidden_fields_are_refused_whole(official, race_day, field, value, message):
    race, _ = race_day
    data = enter(page_data(official.get(url(race, round="heats", heat=1))), [
        {"place": 1, "athlete": "11"},
    ])  # fmt: skip
    data[field] = value
    response = official.post(url(race, round="heats", heat=1), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HeatLine.objects.exists()


@pytest.mark.parametrize(
    "query",
    ["round=final-c&heat=1", "round=heats&heat=0", "round=heats&heat=%00", "heat=x", "round="],
)
def test_a_bad_round_or_heat_in_the_address_is_a_bad_request(official, race_day, query):
    race, _ = race_day
    response = official.get(url(race) + "?" + query)
    assert response.status_code == 400


@pytest.mark.parametrize("race_id", ["abc", "1.5", "99999999999999999999", "424242"])
def test_a_race_that_is_not_one_is_a_404(official, race_day, race_id):
    response = official.get(f"/admin/results/race/{race_id}/heats/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("place", "first", "Enter a whole number."),
        ("place", "0", "Ensure this value is greater than or equal to 1."),
        ("time", "40,5", "is not a race time"),
        ("status", "DSQ", "&#x27;DSQ&#x27; is none of the codes PEN, DNF, DNS, YC."),
        ("qualification", "qa", "&#x27;qa&#x27; is none of the codes Q, q, QA, QB, ADV, ADA, ADB"),
        ("start", "1000", "Ensure this value is less than or equal to 999."),
    ],
)
def test_a_bad_value_is_refused_next_to_its_field(official, race_day, field, value, message):
    race, _ = race_day
    row = {"place": 1, "athlete": "11", field: value}
    html = problems(save_heat(official, race, "heats", 1, [row]))
    cell = html.split('id="lines-0-line"')[1].split(f'class="field-{field}"')[1].split("</td>")[0]
    assert message in cell
    assert not HeatLine.objects.exists()


def test_empty_lines_are_skipped_and_a_line_cleared_is_taken_out(official, race_day):
    race, _ = race_day
    rows = [{"place": 1, "athlete": "11"}, {"place": 2, "athlete": "12"}, {"place": 3}]
    assert save_heat(official, race, "heats", 1, rows).status_code == 302  # "3" alone: no line
    data = page_data(official.get(url(race, round="heats", heat=1)))
    data["lines-1-athlete"] = ""
    data["lines-1-place"] = ""
    assert official.post(url(race, round="heats", heat=1), data).status_code == 302
    assert lines_of(race, "heats") == [(1, "Charles Hamelin", "", "")]
    assert Result.objects.count() == 0
