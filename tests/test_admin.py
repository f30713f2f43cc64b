"""The officials' admin: every bad input is refused next to its field, and nothing is saved."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.forms import CheckboxSelectMultiple
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from results.models import Athlete, PublishedStanding, Race, Result, Season, Venue
from tests import factories as make

pytestmark = pytest.mark.django_db


# --- Helpers --------------------------------------------------------------------------------


def value(bound) -> object:
    raw = bound.value()
    if raw is None:
        return ""
    if isinstance(raw, date):
        return raw.isoformat()
    return raw


def form_data(response) -> dict:
    """The POST data an official's browser would send back for an admin page as shown."""
    data: dict = {}
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        data.update({management.add_prefix(n): management[n].value() for n in management.fields})
        forms += inline.formset.forms
    for form in forms:
        for name in form.fields:
            raw = value(form[name])
            if raw is False or (
                raw == "" and isinstance(form.fields[name].widget, CheckboxSelectMultiple)
            ):
                continue  # an unticked checkbox is not sent
            data[form.add_prefix(name)] = "on" if raw is True else raw
            if form.fields[name].show_hidden_initial:  # the page writes it beside the field
                data[form.add_initial_prefix(name)] = data[form.add_prefix(name)]
    return data


def add_line(data: dict, **fields: object) -> dict:
    """Add a line to the race page's classification inline."""
    n = int(data["results-TOTAL_FORMS"])
    data.update({f"results-{n}-{name}": v for name, v in fields.items()})
    data["results-TOTAL_FORMS"] = str(n + 1)
    return data


def change_url(obj) -> str:
    return reverse(f"admin:results_{obj._meta.model_name}_change", args=[obj.pk])


def post_race_page(client, race: Race, **line: object):
    data = add_line(form_data(client.get(change_url(race))), **line)
    return client.post(change_url(race), data)


def refused(response, message: str) -> None:
    """The page came back with the form (not a redirect) and shows the message."""
    assert response.status_code == 200, "the admin saved what it should have refused"
    assert message in response.content.decode()


# --- Bad input ------------------------------------------------------------------------------


def draft_race(*args, **fields) -> Race:
    """A race as officials enter it on race day: draft, not yet public."""
    return make.race(*args, **{"state": "draft", **fields})


def test_a_shared_rank_followed_by_the_rank_it_leaves_empty_is_refused(admin_client):
    # Ranks may be shared (issue "Race day"): two lines on rank 1 leave rank 2 empty.
    race = draft_race()
    make.result(race, 1)
    make.result(race, 2)
    response = post_race_page(admin_client, race, rank=1, athlete=make.athlete().pk, nation="KOR")
    refused(response, "Rank 1 is shared by lines 1 and 3, so rank 2 stays empty")
    assert race.results.count() == 2


def test_duplicate_athlete_in_one_race_is_refused(admin_client):
    race = draft_race()
    skater = make.athlete()
    make.result(race, 1, skater)
    response = post_race_page(admin_client, race, rank=2, athlete=skater.pk)
    refused(response, "Please correct the duplicate data for athlete.")
    assert race.results.count() == 1


def test_athlete_of_the_wrong_gender_is_refused(admin_client):
    race = draft_race(gender="men")
    skater = make.athlete("Wang Meng", gender="women", nation_code="CHN")
    response = post_race_page(admin_client, race, rank=1, athlete=skater.pk)
    refused(response, "Wang Meng skates in the women&#x27;s races, not the men&#x27;s.")
    assert not race.results.exists()


def test_relay_line_with_an_athlete_is_refused(admin_client):
    # The relay's page asks for no athlete (its lines name a nation); a line's own page does.
    relay = draft_race(distance="5000m-relay")
    skater = make.athlete()
    data = form_data(admin_client.get(reverse("admin:results_result_add")))
    data.pop("members")
    data.update(race=relay.pk, rank="1", athlete=skater.pk, nation="KOR")
    response = admin_client.post(reverse("admin:results_result_add"), data)
    refused(response, "A relay line names the team&#x27;s nation, not an athlete.")
    assert not relay.results.exists()


def test_a_relays_page_names_no_athlete_and_ignores_one_posted(admin_client):
    relay = draft_race(distance="5000m-relay")
    page = admin_client.get(change_url(relay)).content.decode()
    assert 'name="results-__prefix__-nation"' in page
    assert 'name="results-__prefix__-athlete"' not in page
    response = post_race_page(admin_client, relay, rank=1, athlete=make.athlete().pk, nation="KOR")
    assert response.status_code == 302
    assert list(relay.results.values_list("athlete", "nation")) == [(None, "KOR")]


def test_relay_line_without_a_nation_is_refused(admin_client):
    relay = draft_race(distance="5000m-relay")
    response = post_race_page(admin_client, relay, rank=1)
    refused(response, "A relay line names the team&#x27;s nation.")
    assert not relay.results.exists()


def test_individual_line_without_an_athlete_is_refused(admin_client):
    race = draft_race(distance="1000m")
    response = post_race_page(admin_client, race, rank=1, nation="KOR")
    refused(response, "An individual race needs an athlete.")
    assert "A relay line names" not in response.content.decode()  # only the error that applies
    assert not race.results.exists()


def test_a_complete_classification_with_a_gap_is_refused(admin_client):
    race = draft_race()  # complete, the default
    data = add_line(
        form_data(admin_client.get(change_url(race))), rank=1, athlete=make.athlete().pk
    )
    data = add_line(data, rank=3, athlete=make.athlete().pk)
    refused(admin_client.post(change_url(race), data), "rank(s) 2 would be missing")
    assert not race.results.exists()


def test_a_partial_classification_may_have_a_gap(admin_client):
    race = draft_race(completeness="partial")  # a relay 5th with no known 4th, say
    make.result(race, 1)
    response = post_race_page(admin_client, race, rank=5, athlete=make.athlete().pk)
    assert response.status_code == 302
    assert sorted(race.results.values_list("rank", flat=True)) == [1, 5]


def test_one_line_cannot_open_a_gap_in_a_complete_classification(admin_client):
    race = draft_race()
    make.result(race, 1)
    line = make.result(race, 2)
    data = form_data(admin_client.get(change_url(line)))
    data["rank"] = "4"
    refused(admin_client.post(change_url(line), data), "rank(s) 2, 3 would be missing")
    line.refresh_from_db()
    assert line.rank == 2


def test_malformed_time_is_refused(admin_client):
    race = draft_race()
    response = post_race_page(admin_client, race, rank=1, athlete=make.athlete().pk, time="40,65")
    refused(response, "is not a race time; write ss.fff or m:ss.fff")
    assert not race.results.exists()


def test_a_line_takes_the_athletes_nation_when_left_blank(admin_client):
    race = draft_race()
    skater = make.athlete(nation_code="CAN")
    response = post_race_page(admin_client, race, rank=1, athlete=skater.pk, time="1:26.661")
    assert response.status_code == 302
    line = race.results.get()
    assert (line.nation_id, str(line.time)) == ("CAN", "86.661")


def test_race_date_outside_its_event_is_refused(admin_client):
    race = draft_race()
    data = form_data(admin_client.get(change_url(race)))
    data["date"] = "2030-01-01"
    refused(admin_client.post(change_url(race), data), "The race date must lie within its event")
    race.refresh_from_db()
    assert race.date != date(2030, 1, 1)


def test_womens_5000m_relay_is_refused(admin_client):
    event = make.event()
    response = admin_client.post(
        reverse("admin:results_race_add"),
        {
            "event": event.pk,
            "gender": "women",
            "distance": "5000m-relay",
            "number": "1",
            "date": event.last_day.isoformat(),
            "state": "draft",
            "completeness": "complete",
            "results-TOTAL_FORMS": "0",
            "results-INITIAL_FORMS": "0",
        },
    )
    refused(response, "The 5000 m relay is skated by men only.")
    assert not Race.objects.exists()


def test_season_ending_before_it_starts_is_refused(admin_client):
    season = make.season()
    data = form_data(admin_client.get(change_url(season)))
    data["end_date"] = "2011-01-01"
    refused(admin_client.post(change_url(season), data), "The season cannot end before it starts.")
    season.refresh_from_db()
    assert season.end_date.year == 2013


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [
        ("points_table", "1000, 800, nine", "Write whole numbers separated by commas"),
        ("points_table", "800, 1000", "A lower rank cannot score more than a higher rank."),
        ("tie_break", "coin-toss", "A list of steps among"),
    ],
)
def test_bad_rules_are_refused(admin_client, field, bad, message):
    season = make.season()
    data = form_data(admin_client.get(change_url(season)))
    data[field] = bad
    refused(admin_client.post(change_url(season), data), message)
    season.refresh_from_db()
    assert season.points_table[:2] == [1000, 800]


def test_rules_are_edited_as_plain_lists(admin_client):
    season = make.season()
    data = form_data(admin_client.get(change_url(season)))
    assert data["points_table"].startswith("1000, 800, 640")
    data["points_table"] = "100, 80, 70, 60"
    data["tie_break"] = ""
    data["scoreless_statuses"] = ["YC"]
    assert admin_client.post(change_url(season), data).status_code == 302
    season.refresh_from_db()
    assert (season.points_table, season.tie_break, season.scoreless_statuses) == (
        [100, 80, 70, 60],
        [],
        ["YC"],
    )


def test_the_admin_is_for_staff_only(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("fan", password="a-long-password-1"))
    response = client.get(reverse("admin:results_race_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


# --- Query counts ---------------------------------------------------------------------------


def queries(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types) so both counts compare
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def grow(season: Season, n: int) -> None:
    """n events (each at its own venue), races, athletes (each of its own nation), podium
    lines and published rows in the season."""
    for i in range(season.events.count() + 1, n + 1):
        code = f"X{chr(65 + i // 26)}{chr(65 + i % 26)}"
        venue = Venue.objects.create(name=f"Arena {i}", city=f"City {i}", nation=make.nation(code))
        race = draft_race(make.event(season, i, venue=venue))
        make.result(race, 1, make.athlete(nation_code=code))
        PublishedStanding.objects.create(
            season=season, gender="men", kind="500m", rank=i, points=1000 - i
        )
        make.season(f"{1990 + i}-{(91 + i) % 100:02d}")


LISTED = ["season", "event", "race", "result", "podium", "athlete", "nation", "venue",
          "publishedstanding"]  # fmt: skip


def test_list_pages_run_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    """Each list page's queries with one row of everything, then with twenty: the same, and at
    most ten (the data grown once for every page)."""
    season = make.season("2012-13")
    urls = [reverse(f"admin:results_{model}_changelist") for model in LISTED]
    grow(season, 1)
    with_one = {url: queries(admin_client, url) for url in urls}
    grow(season, 20)
    with_twenty = {}
    for url in urls:
        admin_client.get(url)  # warmed as `queries` does
        with django_assert_max_num_queries(10) as captured:
            assert admin_client.get(url).status_code == 200
        with_twenty[url] = len(captured)
    assert with_twenty == with_one


@pytest.mark.parametrize("model", ["season", "event"])
def test_season_and_event_pages_run_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, model
):
    season = make.season("2012-13")
    grow(season, 1)
    page = season if model == "season" else season.events.get()
    with_one = queries(admin_client, change_url(page))
    grow(season, 20)
    event = season.events.get(number=1)
    for distance in ("1000m", "1500m"):
        for number in (1, 2):
            draft_race(event, distance=distance, number=number)
    assert (season.events.count(), event.races.count()) == (20, 5)
    assert queries(admin_client, change_url(page)) == with_one
    with django_assert_max_num_queries(12):
        response = admin_client.get(change_url(page))
    assert response.status_code == 200


def test_autocompletes_run_a_fixed_number_of_queries(admin_client):
    season = make.season("2012-13")
    grow(season, 1)
    url = reverse("admin:autocomplete")
    races = f"{url}?app_label=results&model_name=result&field_name=race"
    lines = f"{url}?app_label=results&model_name=adjustment&field_name=result"
    with_one = (queries(admin_client, races), queries(admin_client, lines))
    grow(season, 20)
    assert (queries(admin_client, races), queries(admin_client, lines)) == with_one
    assert len(admin_client.get(races).json()["results"]) == 20  # every row was named


def test_race_page_runs_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    call_command("loaddata", "nations", verbosity=0)  # every nation, as in production
    race = draft_race()
    make.result(race, 1)
    with_one = queries(admin_client, change_url(race))
    for rank in range(2, 41):
        make.result(race, rank)
    # 2,000 athletes in the database: the autocomplete lists none of them on the page.
    Athlete.objects.bulk_create(
        Athlete(name=f"Extra Skater {i}", slug=f"extra-skater-{i}", gender="men", nation_id="KOR")
        for i in range(2000)
    )
    with_forty = queries(admin_client, change_url(race))
    assert with_forty == with_one
    with django_assert_max_num_queries(15):
        response = admin_client.get(change_url(race))
    assert len(response.content) < 300_000
    assert response.content.decode().count('name="results-') > 40 * 7  # every line is a form


def test_race_page_shows_points_per_line(admin_client):
    race = draft_race()
    make.result(race, 1)
    make.result(race, 4)
    page = admin_client.get(change_url(race)).content.decode()
    assert "1000" in page and "512" in page
    assert Result.objects.count() == 2


def test_the_admin_shows_the_same_comparison_to_staff(admin_client, season_2012_13):
    page = admin_client.get(reverse("admin:results_season_change", args=[season_2012_13.pk]))
    html = page.content.decode()
    assert "Published standings against computed ones" in html
    assert "2992 is no sum of 4 points-table values" in html


# --- What an official finds on the pages ----------------------------------------------------


def test_a_new_season_saved_as_shown_keeps_the_default_tie_break_and_assumed_rules(admin_client):
    page = admin_client.get(reverse("admin:results_season_add"))
    data = form_data(page)
    assert data["tie_break"] == "countback, last-race"  # the README's default chain, shown
    data.update(slug="2031-32", name="2031–32", start_date="2031-10-01", end_date="2032-03-31",
                points_table="1000, 800, 640")  # fmt: skip
    response = admin_client.post(reverse("admin:results_season_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    season = Season.objects.get(slug="2031-32")
    assert season.tie_break == ["countback", "last-race"]
    # No source given for the rules: they are assumed, not sourced.
    assert (season.rules_source, season.rules_confidence) == ("", "assumed")


def nation_inputs(html: str) -> list[str]:
    return re.findall(r"<input[^>]*name=\"results-[^\"]*nation\"[^>]*>", html)


def test_a_new_line_has_no_nation_that_reads_like_a_value(admin_client):
    race = draft_race()
    make.result(race, 1)
    inputs = nation_inputs(admin_client.get(change_url(race)).content.decode())
    assert len(inputs) == 2  # the line's, and the one a new line is made from
    assert not [tag for tag in inputs if "placeholder" in tag]


def errors_of(html: str, field_id: str) -> str:
    """The error list Django renders at one field (empty: none)."""
    found = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def test_a_changed_line_of_an_official_race_asks_for_the_reason_at_the_reason_field(
    admin_client,
):
    race = make.race(state="official")
    line = make.result(race, 1, time=Decimal("40.100"))
    data = form_data(admin_client.get(change_url(race)))
    data["results-0-time"] = "40.050"
    response = admin_client.post(change_url(race), data)
    html = response.content.decode()
    at_reason = errors_of(html, "id_change_reason")
    assert "This race is official: give the reason for the correction" in at_reason
    assert html.count("give the reason for the correction") == 1  # there, and nowhere else
    assert 'class="errorlist nonform"' not in html
    assert "below the race" not in html
    # The reason's row is highlighted as Django highlights a field with an error.
    assert re.search(r'<div class="form-row errors field-change_reason', html)
    line.refresh_from_db()
    assert line.time == Decimal("40.100")


def test_a_shared_rank_is_told_at_the_line_on_the_rank_it_leaves_empty(admin_client):
    race = draft_race()
    make.result(race, 1)
    make.result(race, 2)
    response = post_race_page(admin_client, race, rank=1, athlete=make.athlete().pk)
    html = response.content.decode()
    # Lines 1 and 3 share rank 1, so rank 2 stays empty: line 2 (the second row) is told.
    assert errors_of(html, "id_results-1-rank") == (
        "<li>Rank 1 is shared by lines 1 and 3, so rank 2 stays empty: the next line after "
        "them is rank 3.</li>"
    )
    assert not errors_of(html, "id_results-0-rank") and not errors_of(html, "id_results-2-rank")
    assert race.results.count() == 2


def test_two_lines_sharing_the_last_rank_are_a_shared_rank_not_a_duplicate(admin_client):
    race = draft_race()
    make.result(race, 1)
    make.result(race, 2)
    response = post_race_page(admin_client, race, rank=2, athlete=make.athlete().pk)
    assert response.status_code == 302
    assert sorted(race.results.values_list("rank", flat=True)) == [1, 2, 2]


def test_rank_zero_gives_one_clear_error(admin_client):
    race = draft_race()
    response = post_race_page(admin_client, race, rank=0, athlete=make.athlete().pk)
    html = response.content.decode()
    assert errors_of(html, "id_results-0-rank") == (
        "<li>Rank 0 is no rank: ranks start at 1. Leave the rank empty for a line that is not "
        "classified, and give its status.</li>"
    )
    assert html.count('<ul class="errorlist') == 1
    assert "needs a status" not in html
    assert not race.results.exists()


# --- A race's history -----------------------------------------------------------------------


def history_url(race: Race) -> str:
    return reverse("admin:results_race_history", args=[race.pk])


def test_a_races_history_shows_a_corrected_time_old_to_new_with_its_reason(admin_client):
    race = make.race(distance="1500m", state="official")
    make.result(race, 1, make.athlete("Charles Hamelin", nation_code="CAN"),
                time=Decimal("143.345"))  # fmt: skip
    data = form_data(admin_client.get(change_url(race)))
    assert data["results-0-time"] == "2:23.345"
    data["results-0-time"] = "2:23.300"
    data["change_reason"] = "Timing corrected from the photo finish"
    assert admin_client.post(change_url(race), data).status_code == 302
    html = admin_client.get(history_url(race)).content.decode()
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, re.S).group(0)  # the newest
    assert "line 1. Charles Hamelin" in row
    assert "Timing corrected from the photo finish" in row
    assert "<strong>time:</strong> 2:23.345 → 2:23.300" in row


def test_a_races_history_shows_its_own_fields_old_to_new(admin_client):
    race = draft_race(record_note="")
    data = form_data(admin_client.get(change_url(race)))
    data["record_note"] = "WR"
    data["state"] = "provisional"
    assert admin_client.post(change_url(race), data).status_code == 302
    html = admin_client.get(history_url(race)).content.decode()
    assert "<strong>record note:</strong> (empty) → WR" in html
    assert "<strong>publication:</strong> Draft → Provisional" in html


def test_a_relays_history_shows_its_members_old_to_new(admin_client):
    relay = draft_race(distance="5000m-relay")
    skaters = [make.athlete(f"Skater {letter}") for letter in "ABCDE"]
    line = make.result(relay, 1, nation_code="KOR")
    line.members.set(skaters[:4])
    data = form_data(admin_client.get(change_url(relay)))
    data["results-0-members"] = [str(skater.pk) for skater in [*skaters[:3], skaters[4]]]
    data["change_reason"] = "Skater E skated, not Skater D"
    assert admin_client.post(change_url(relay), data).status_code == 302
    assert sorted(line.members.values_list("name", flat=True))[-1] == "Skater E"
    html = admin_client.get(history_url(relay)).content.decode()
    assert (
        "<strong>members:</strong> Skater A, Skater B, Skater C, Skater D → "
        "Skater A, Skater B, Skater C, Skater E"
    ) in html
    assert "Skater E skated, not Skater D" in html


def test_a_races_history_runs_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    relay = draft_race(distance="5000m-relay")
    codes = [f"X{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(20)]

    def correct(line: Result) -> None:
        line.time = Decimal("400.000")
        line.save()
        line.members.set([make.athlete(nation_code=line.nation_id) for _ in range(2)])

    correct(make.result(relay, 1, nation_code=codes[0]))
    with_one = queries(admin_client, history_url(relay))
    for rank, code in enumerate(codes[1:], 2):
        correct(make.result(relay, rank, nation_code=code))
    assert queries(admin_client, history_url(relay)) == with_one
    with django_assert_max_num_queries(12):
        html = admin_client.get(history_url(relay)).content.decode()
    assert html.count("<strong>time:</strong> (empty) → 6:40.000") == 20


def test_the_races_list_finds_a_race_by_its_gender_and_distance(admin_client):
    event = make.event(make.season("2030-31"), 1, city="Montreal")
    wanted = make.race(event, gender="women", distance="1500m")
    make.race(event, gender="men", distance="1000m")
    page = admin_client.get(reverse("admin:results_race_changelist"), {"q": "women 1500"})
    assert list(page.context["cl"].result_list) == [wanted]
