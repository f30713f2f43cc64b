"""The officials' workflow: roles, publication, corrections with a reason and their history."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from results.models import Event, Race, Result
from tests import factories as make
from tests.test_admin import add_line, change_url, form_data, refused

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase-1"


def member_of(group: str | None, username: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=group is not None)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def official(client):
    client.force_login(member_of("Officials", "official"))
    return client


@pytest.fixture
def data_manager(client):
    client.force_login(member_of("Data managers", "manager"))
    return client


# --- Roles ----------------------------------------------------------------------------------


def test_the_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Officials", "Data managers"}


def test_a_database_migrated_part_of_the_way_gets_the_roles_of_its_models():
    """A database that ran migrations up to 0005 (an older release's, restored): each role
    holds the permissions of that state's models (rounds came later); before auth's tables
    exist there is no role to give (results 0001 depends on nothing), and migrate does not
    stop on the missing table."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from results.roles import sync_roles

    loader = MigrationLoader(connection, replace_migrations=False)  # each step, not the squash
    Group.objects.all().delete()
    sync_roles(apps=loader.project_state(("results", "0001_initial")).apps)
    assert not Group.objects.exists()
    sync_roles(apps=loader.project_state(("results", "0005_roles")).apps)
    officials = set(
        Group.objects.get(name="Officials").permissions.values_list("codename", flat=True)
    )
    assert {"change_race", "delete_result", "view_season"} <= officials
    assert not {"add_round", "change_heatline", "view_evententry"} & officials


def test_createofficial_makes_a_staff_user_in_the_officials_group(monkeypatch, capsys):
    monkeypatch.setenv("DJANGO_OFFICIAL_PASSWORD", PASSWORD)
    call_command("createofficial", "referee")
    user = User.objects.get(username="referee")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Officials"]
    assert user.check_password(PASSWORD)
    assert "Created referee" in capsys.readouterr().out


def test_createofficial_asks_for_the_password_twice(monkeypatch):
    monkeypatch.delenv("DJANGO_OFFICIAL_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("createofficial", "judge")
    assert User.objects.get(username="judge").check_password(PASSWORD)


def test_createofficial_refuses_a_weak_password_and_creates_nobody(monkeypatch):
    monkeypatch.setenv("DJANGO_OFFICIAL_PASSWORD", "1234")
    with pytest.raises(CommandError, match="password refused"):
        call_command("createofficial", "weak")
    assert not User.objects.filter(username="weak").exists()


def test_createofficial_refuses_an_existing_username(monkeypatch):
    monkeypatch.setenv("DJANGO_OFFICIAL_PASSWORD", PASSWORD)
    member_of(None, "taken")
    with pytest.raises(CommandError, match="already exists"):
        call_command("createofficial", "taken")


# The permission matrix: who may open what in the admin.
REFUSED_TO_OFFICIALS = [
    ("get", "admin:auth_user_changelist", None),
    ("get", "admin:auth_group_changelist", None),
    ("get", "admin:auth_user_add", None),
    ("get", "admin:results_season_add", None),
    ("post", "admin:results_season_change", "season"),
    ("get", "admin:results_season_delete", "season"),
    ("get", "admin:results_event_delete", "event"),
    ("get", "admin:results_race_delete", "race"),
    ("get", "admin:results_nation_add", None),
]
REFUSED_TO_DATA_MANAGERS = [
    ("get", "admin:auth_user_changelist", None),
    ("get", "admin:auth_group_changelist", None),
    ("get", "admin:results_season_delete", "season"),
    ("get", "admin:results_event_delete", "event"),
]
OPEN_TO_OFFICIALS = [
    "admin:results_event_changelist",
    "admin:results_race_changelist",
    "admin:results_result_changelist",
    "admin:results_podium_changelist",
    "admin:results_athlete_add",
    "admin:results_venue_add",
    "admin:results_publishedstanding_add",
    "admin:results_result_add",
    "admin:results_race_import",
    "admin:results_season_changelist",  # to read the rules
]


def url_for(name: str, needs: str | None, race: Race) -> str:
    objects = {"season": race.event.season, "event": race.event, "race": race}
    return reverse(name, args=[objects[needs].pk]) if needs else reverse(name)


@pytest.mark.parametrize(("method", "name", "needs"), REFUSED_TO_OFFICIALS)
def test_officials_are_refused(official, method, name, needs):
    race = make.race()
    response = getattr(official, method)(url_for(name, needs, race))
    assert response.status_code == 403, name


@pytest.mark.parametrize(("method", "name", "needs"), REFUSED_TO_DATA_MANAGERS)
def test_data_managers_are_refused(data_manager, method, name, needs):
    race = make.race()
    assert getattr(data_manager, method)(url_for(name, needs, race)).status_code == 403, name


@pytest.mark.parametrize("name", OPEN_TO_OFFICIALS)
def test_officials_may_enter_results(official, name):
    assert official.get(reverse(name)).status_code == 200, name


@pytest.mark.parametrize("name", [n for _, n, _ in REFUSED_TO_OFFICIALS] + OPEN_TO_OFFICIALS)
def test_anonymous_visitors_are_sent_to_the_login(client, name):
    race = make.race()
    needs = next((needs for _, n, needs in REFUSED_TO_OFFICIALS if n == name), None)
    response = client.get(url_for(name, needs, race))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_non_staff_users_are_refused_the_admin(client):
    client.force_login(member_of(None, "fan"))
    response = client.get(reverse("admin:results_race_changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_officials_see_the_rules_read_only(official):
    season = make.season()
    page = official.get(change_url(season)).content.decode()
    assert 'name="points_table"' not in page
    assert "1000, 800, 640" in page or "[1000, 800, 640" in page


def test_data_managers_may_change_the_rules(data_manager):
    season = make.season()
    data = form_data(data_manager.get(change_url(season)))
    data["points_table"] = "100, 80, 70"
    data["change_reason"] = "ISU Communication 2600"
    assert data_manager.post(change_url(season), data).status_code == 302
    season.refresh_from_db()
    assert season.points_table == [100, 80, 70]
    latest = season.history.latest()
    assert (latest.history_user.username, latest.history_change_reason) == (
        "manager",
        "ISU Communication 2600",
    )


def test_rules_of_a_season_with_public_standings_change_with_a_reason(data_manager):
    season = make.season()
    make.race(make.event(season), state="provisional")
    data = form_data(data_manager.get(change_url(season)))
    data["best_individual"] = "5"
    refused(data_manager.post(change_url(season), data), "say why its rules change")
    season.refresh_from_db()
    assert season.best_individual == 6
    data["change_reason"] = "ISU Communication 2600"
    data["note"] = "changed after the first event"
    assert data_manager.post(change_url(season), data).status_code == 302
    season.refresh_from_db()
    assert season.best_individual == 5


def test_other_season_fields_and_draft_seasons_change_without_a_reason(data_manager):
    season = make.season()
    make.race(make.event(season), state="official")
    data = form_data(data_manager.get(change_url(season)))
    data["note"] = "a note"
    assert data_manager.post(change_url(season), data).status_code == 302
    draft = make.season("2013-14")
    data = form_data(data_manager.get(change_url(draft)))
    data["best_individual"] = "5"
    assert data_manager.post(change_url(draft), data).status_code == 302


# --- Publication ----------------------------------------------------------------------------


def run_action(client, model: str, action: str, objects, **extra):
    return client.post(
        reverse(f"admin:results_{model}_changelist"),
        {"action": action, "_selected_action": [o.pk for o in objects], **extra},
        follow=True,
    )


def test_an_official_publishes_races_provisional_then_official(official):
    race = make.race(state="draft")
    run_action(official, "race", "publish_provisional", [race])
    race.refresh_from_db()
    assert race.state == "provisional"
    run_action(official, "race", "publish_official", [race])
    race.refresh_from_db()
    assert race.state == "official"
    moves = list(
        race.history.order_by("history_date").values_list("state", "history_change_reason")
    )
    assert moves[-2:] == [
        ("provisional", "Published as provisional"),
        ("official", "Published as official"),
    ]


def test_official_races_are_never_unpublished(official):
    official_race = make.race(state="official")
    draft = make.race(official_race.event, number=2, state="draft")
    response = run_action(official, "race", "back_to_draft", [official_race, draft])
    assert "Nothing changed" in response.content.decode()
    official_race.refresh_from_db()
    assert official_race.state == "official"


def test_all_races_of_an_event_publish_in_one_step(official):
    event = make.event()
    for distance in ("500m", "1000m", "1500m"):
        make.race(event, distance=distance, state="draft")
    run_action(official, "event", "publish_provisional", [event])
    assert set(Race.objects.values_list("state", flat=True)) == {"provisional"}
    run_action(official, "event", "back_to_draft", [event])
    assert set(Race.objects.values_list("state", flat=True)) == {"draft"}


def test_an_event_with_an_official_race_is_not_set_back_to_draft(official):
    event = make.event()
    make.race(event, distance="500m", state="provisional")
    make.race(event, distance="1000m", state="official")
    response = run_action(official, "event", "back_to_draft", [event])
    assert "Nothing changed: 1 race(s) are official" in response.content.decode()
    assert sorted(Race.objects.values_list("state", flat=True)) == ["official", "provisional"]


def test_the_standard_programme_is_created_in_one_step(official):
    event = make.event()
    response = run_action(
        official,
        "event",
        "create_programme",
        [event],
        apply="1",
        men_doubled="1000m",
        women_doubled="1500m",
        relays="on",
    )
    assert "10 race(s) created" in response.content.decode()
    races = set(event.races.values_list("gender", "distance", "number"))
    assert ("men", "1000m", 2) in races and ("women", "1500m", 2) in races
    assert ("men", "5000m-relay", 1) in races and ("women", "3000m-relay", 1) in races
    assert len(races) == 10 and set(event.races.values_list("state", flat=True)) == {"draft"}
    run_action(official, "event", "create_programme", [event], apply="1", relays="on")
    assert event.races.count() == 10  # existing races are kept, none duplicated


def test_the_programme_action_first_asks_which_distance_is_doubled(official):
    event = make.event()
    response = run_action(official, "event", "create_programme", [event])
    assert "skated twice" in response.content.decode()
    assert not event.races.exists()


# --- Corrections and history ----------------------------------------------------------------


def test_correcting_an_official_race_needs_a_reason(official):
    race = make.race(state="official")
    line = make.result(race, 1)
    data = form_data(official.get(change_url(race)))
    data["results-0-rank"] = "2"
    response = official.post(change_url(race), data)
    assert response.status_code == 200
    assert "This race is official: give the reason for the correction" in response.content.decode()
    line.refresh_from_db()
    assert line.rank == 1


def test_a_correction_keeps_the_earlier_version_with_who_when_and_why(official):
    race = make.race(state="official", completeness="partial")
    line = make.result(race, 1)
    data = form_data(official.get(change_url(race)))
    data["results-0-rank"] = "2"
    data["change_reason"] = "Appeal upheld: photo finish"
    assert official.post(change_url(race), data).status_code == 302
    history = list(line.history.order_by("history_date"))
    assert [h.rank for h in history] == [1, 2]  # the earlier version is kept
    assert history[-1].history_change_reason == "Appeal upheld: photo finish"
    assert history[-1].history_user.username == "official"


def test_a_draft_race_is_entered_without_a_reason(official):
    race = make.race(state="draft")
    skater = make.athlete()
    data = add_line(form_data(official.get(change_url(race))), rank=1, athlete=skater.pk)
    assert official.post(change_url(race), data).status_code == 302
    assert race.results.get().athlete == skater


def test_a_single_result_of_an_official_race_needs_a_reason_too(official):
    line = make.result(make.race(state="official", completeness="partial"), 3)
    data = form_data(official.get(change_url(line)))
    data["rank"] = "4"
    assert "say why it is corrected" in official.post(change_url(line), data).content.decode()
    data["change_reason"] = "Time-keeping error"
    assert official.post(change_url(line), data).status_code == 302
    line.refresh_from_db()
    assert line.rank == 4


def test_an_official_race_cannot_be_set_back_to_draft_in_its_form(official):
    race = make.race(state="official")
    data = form_data(official.get(change_url(race)))
    data["state"] = "draft"
    data["change_reason"] = "try"
    assert "never unpublished" in official.post(change_url(race), data).content.decode()


def test_the_admin_restores_an_earlier_version_of_a_result(official):
    race = make.race(state="draft")
    line = make.result(race, 1, time="40.100")
    line.rank, line._change_reason = 2, "typo"
    line.save()
    first = line.history.earliest()
    url = reverse("admin:results_result_simple_history", args=[line.pk, first.history_id])
    page = official.get(url)
    assert page.status_code == 200
    data = form_data(page)
    data["change_reason"] = "Restore the original rank"
    assert official.post(url, data).status_code == 302
    line.refresh_from_db()
    assert line.rank == 1
    assert line.history.count() == 3


def test_history_shows_in_the_admin(official):
    line = make.result(make.race(state="draft"), 1)
    line.rank, line._change_reason = 5, "entered wrong"
    line.save()
    page = official.get(reverse("admin:results_result_history", args=[line.pk])).content.decode()
    assert "entered wrong" in page


def test_the_public_race_page_notes_corrections(client, official):
    race = make.race(state="official", completeness="partial")
    make.result(race, 1)
    data = form_data(official.get(change_url(race)))
    data["results-0-rank"] = "2"
    data["change_reason"] = "Protest upheld"
    official.post(change_url(race), data)
    page = client.get(race.get_absolute_url()).content.decode()
    assert '<h2 id="changes">Changes</h2>' in page and "Protest upheld" in page


def test_the_changes_note_lists_one_entry_per_correction_of_the_official_classification(
    client, official
):
    race = make.race(state="draft")
    first, second = make.result(race, 1), make.result(race, 2)
    first.time, first._change_reason = "40.100", "Typed from the timing sheet"
    first.save()  # a draft being entered: not a correction of an official classification
    race.publish("official")
    data = form_data(official.get(change_url(race)))
    data["results-0-time"], data["results-1-time"] = "40.200", "40.300"
    data["change_reason"] = "Timing corrected after review"
    assert official.post(change_url(race), data).status_code == 302
    from results.models import Adjustment

    Adjustment.objects.create(result=second, kind="disqualified", reason="Appeal: impeding")
    corrections = race.corrections()
    assert [(c["reason"], c["changed"], c["added"], c["removed"]) for c in corrections] == [
        ("Appeal: impeding", 1, 0, 0),
        ("Timing corrected after review", 2, 0, 0),
    ]
    page = client.get(race.get_absolute_url()).content.decode()
    assert "Timing corrected after review (2 lines corrected)" in page
    assert "Typed from the timing sheet" not in page


def test_loaded_results_keep_their_first_version_when_corrected(official, capsys):
    call_command("load_initial_data")
    line = Result.objects.get(
        race__event__number=1, race__gender="men", race__distance="500m", rank=1
    )
    assert line.history.get().history_change_reason.startswith("Loaded from fixtures")
    data = form_data(official.get(change_url(line)))
    data["time"], data["change_reason"] = "39.938", "Timing corrected"
    assert official.post(change_url(line), data).status_code == 302
    versions = list(line.history.order_by("history_date").values_list("time", flat=True))
    assert [str(v) for v in versions] == ["39.937", "39.938"]  # the loaded one is kept
    assert [c["reason"] for c in line.race.corrections()] == ["Timing corrected"]


def test_a_line_added_to_an_official_race_needs_a_reason(official):
    race = make.race(state="official")
    make.result(race, 1)
    url = reverse("admin:results_result_add")
    data = form_data(official.get(url))
    data.pop("members")  # an individual line: no relay team members
    data.update(race=race.pk, rank=2, athlete=make.athlete().pk, nation="KOR", status="")
    response = official.post(url, data)
    assert "say why it is corrected" in response.content.decode()
    assert race.results.count() == 1
    data["change_reason"] = "Protest upheld: reinstated"
    assert official.post(url, data).status_code == 302
    assert race.results.count() == 2


def test_a_line_of_an_official_race_is_not_deleted_in_the_admin(official):
    line = make.result(make.race(state="official"), 1)
    url = reverse("admin:results_result_delete", args=[line.pk])
    page = official.post(url, {"post": "yes"}).content.decode()
    assert "the race is official" in page
    selected = official.post(
        reverse("admin:results_result_changelist"),
        {"action": "delete_selected", "_selected_action": [line.pk], "post": "yes"},
    )
    assert "the race is official" in selected.content.decode()
    assert Result.objects.filter(pk=line.pk).exists()


def test_a_line_of_a_draft_race_may_be_deleted(official):
    line = make.result(make.race(state="draft"), 1)
    url = reverse("admin:results_result_delete", args=[line.pk])
    assert official.post(url, {"post": "yes"}).status_code == 302
    assert not Result.objects.filter(pk=line.pk).exists()


# --- Exports from the admin -----------------------------------------------------------------


def test_races_export_their_results_from_the_admin(official, season_2012_13):
    races = Race.objects.filter(event__number=1, distance__endswith="relay")
    response = run_action(official, "race", "download_csv", races)
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("season,event,gender,distance,race,rank,athlete,nation,time,status")
    assert len(lines) == 1 + 4 + 4  # men: podium + CHN 4th; women: podium + CAN 4th


def test_results_export_from_the_admin(official, season_2012_13):
    results = Result.objects.filter(race__event__number=1, race__distance="500m")
    response = run_action(official, "result", "download_csv", results)
    assert response.content.decode().count("\n") == 1 + 6


def test_event_admin_groups_races_inline(official):
    event = make.event()
    make.race(event)
    page = official.get(change_url(event)).content.decode()
    assert "Men 500 m" in page or 'value="500m" selected' in page
    assert Event.objects.count() == 1


# --- Two officials, one race -----------------------------------------------------------------


def test_the_second_of_two_officials_saving_a_race_gets_a_conflict(client, django_user_model):
    from django.test import Client

    race = make.race(state="draft", completeness="partial")
    make.result(race, 1, make.athlete("Early Skater"))
    first, second = Client(), Client()
    first.force_login(member_of("Officials", "first"))
    second.force_login(member_of("Officials", "second"))
    seen_by_first = form_data(first.get(change_url(race)))
    seen_by_second = form_data(second.get(change_url(race)))

    seen_by_first["results-0-rank"] = "2"
    assert first.post(change_url(race), seen_by_first).status_code == 302

    seen_by_second["record_note"] = "WR"
    refused = second.post(change_url(race), seen_by_second)
    assert refused.status_code == 200
    assert "Another official saved this race while you were editing it" in refused.content.decode()
    race.refresh_from_db()
    assert race.record_note == ""  # nothing of the second official's was saved
    assert race.results.get().rank == 2  # the first official's correction stands


def test_a_publication_while_editing_is_a_conflict_too(official):
    race = make.race(state="draft")
    stale = form_data(official.get(change_url(race)))
    race.publish("provisional")
    stale["note"] = "typo"
    assert (
        "Another official saved this race"
        in official.post(change_url(race), stale).content.decode()
    )
    race.refresh_from_db()
    assert race.state == "provisional"  # not silently set back to draft


# --- Two officials, one row: every change page refuses a save from a stale version ----------


def two_officials():
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(member_of("Data managers", "first"))
    second.force_login(member_of("Data managers", "second"))
    return first, second


def stale_save(obj, first_edit: dict, second_edit: dict):
    """Both officials open the page; the first saves; the second saves what he saw."""
    first, second = two_officials()
    seen_by_first = form_data(first.get(change_url(obj)))
    seen_by_second = form_data(second.get(change_url(obj)))
    assert first.post(change_url(obj), {**seen_by_first, **first_edit}).status_code == 302
    return second.post(change_url(obj), {**seen_by_second, **second_edit})


def test_the_second_of_two_officials_saving_a_line_gets_the_first_ones_change(db):
    line = make.result(make.race(state="draft", completeness="partial"), 2, time=40.1)
    response = stale_save(line, {"time": "40.123"}, {"note": "photo finish"})
    page = response.content.decode()
    refused(response, "Another official saved this result while you were editing it")
    assert "Their save (first, " in page  # who
    assert "time 40.100 → 40.123" in page  # and what they changed
    line.refresh_from_db()
    assert (str(line.time), line.note) == ("40.123", "")


def test_the_second_of_two_officials_saving_an_event_gets_a_conflict(db):
    event = make.event(city="Calgary")
    response = stale_save(event, {"city": "Calgary AB"}, {"note": "venue renamed"})
    refused(response, "Another official saved this event while you were editing it")
    event.refresh_from_db()
    assert (event.city, event.note) == ("Calgary AB", "")


def test_the_second_of_two_officials_saving_a_season_gets_a_conflict(db):
    season = make.season("2030-31")
    response = stale_save(season, {"name": "2030/31"}, {"note": "dates from the ISU"})
    refused(response, "Another official saved this season while you were editing it")
    season.refresh_from_db()
    assert (season.name, season.note) == ("2030/31", "")


def test_a_race_changed_elsewhere_is_a_conflict_on_its_events_page(db):
    race = make.race(state="draft")
    first, second = two_officials()
    on_event_page = form_data(second.get(change_url(race.event)))
    seen = form_data(first.get(change_url(race)))
    assert first.post(change_url(race), {**seen, "record_note": "WR"}).status_code == 302
    on_event_page["races-0-record_note"] = "OR"
    response = second.post(change_url(race.event), on_event_page)
    refused(response, "Another official saved this race while you were editing it")
    race.refresh_from_db()
    assert race.record_note == "WR"


def test_two_officials_changing_two_races_on_one_events_page_both_save(db):
    """Each page's save changes only its own row: the other's race, and the event, are left
    as they are (not saved again), so neither save makes the other's page stale."""
    event = make.event(city="Calgary")
    first_race = make.race(event, distance="500m", state="draft")
    make.race(event, distance="1000m", state="draft")
    first, second = two_officials()
    seen_by_first = form_data(first.get(change_url(event)))
    seen_by_second = form_data(second.get(change_url(event)))
    mine = 0 if str(seen_by_first["races-0-id"]) == str(first_race.pk) else 1  # the 500 m
    before = event.history.count()
    seen_by_first[f"races-{mine}-record_note"] = "WR"
    assert first.post(change_url(event), seen_by_first).status_code == 302
    seen_by_second[f"races-{1 - mine}-record_note"] = "OR"
    assert second.post(change_url(event), seen_by_second).status_code == 302
    assert sorted(event.races.values_list("distance", "record_note")) == [
        ("1000m", "OR"), ("500m", "WR"),
    ]  # fmt: skip
    assert event.history.count() == before  # the event itself was not saved again


def test_two_officials_changing_two_events_on_one_seasons_page_both_save(db):
    season = make.season("2030-31")
    first_event = make.event(season, 1, city="Calgary")
    make.event(season, 2, city="Montreal")
    first, second = two_officials()
    seen_by_first = form_data(first.get(change_url(season)))
    seen_by_second = form_data(second.get(change_url(season)))
    mine = 0 if str(seen_by_first["events-0-id"]) == str(first_event.pk) else 1
    seen_by_first[f"events-{mine}-city"] = "Calgary AB"
    assert first.post(change_url(season), seen_by_first).status_code == 302
    seen_by_second[f"events-{1 - mine}-city"] = "Montréal"
    assert second.post(change_url(season), seen_by_second).status_code == 302
    assert sorted(season.events.values_list("number", "city")) == [
        (1, "Calgary AB"), (2, "Montréal"),
    ]  # fmt: skip


# --- Every path that changes an official race is a correction with a reason -----------------


def test_an_official_race_is_not_unpublished_from_its_events_page(official):
    race = make.race(state="official")
    data = form_data(official.get(change_url(race.event)))
    data["races-0-state"] = "draft"
    response = official.post(change_url(race.event), data)
    refused(response, "it is corrected with a reason, never unpublished")
    race.refresh_from_db()
    assert race.state == "official"


def test_an_official_race_changed_on_its_events_page_needs_the_reason(official):
    race = make.race(state="official")
    data = form_data(official.get(change_url(race.event)))
    data["races-0-record_note"] = "WR"
    refused(official.post(change_url(race.event), data), "give the reason for the correction")
    assert Race.objects.get(pk=race.pk).record_note == ""
    data["change_reason"] = "World record ratified"
    assert official.post(change_url(race.event), data).status_code == 302
    race.refresh_from_db()
    assert race.record_note == "WR"
    assert race.history.latest().history_change_reason == "World record ratified"


def test_an_adjustment_of_an_official_line_goes_with_a_reason(official):
    from results.models import Adjustment

    line = make.result(make.race(state="official"), 1)
    data = form_data(official.get(change_url(line)))
    data.update({"adjustment-TOTAL_FORMS": "1", "adjustment-0-kind": "disqualified",
                 "adjustment-0-points": "0", "adjustment-0-reason": "Doping case"})  # fmt: skip
    refused(official.post(change_url(line), data), "give the reason for the correction")
    assert not Adjustment.objects.exists()
    data["change_reason"] = "ISU decision 2031-04"
    assert official.post(change_url(line), data).status_code == 302
    adjustment = Adjustment.objects.get()

    # Removing it is a correction too: not on its own delete page, and on the line's page
    # only with a reason.
    delete = reverse("admin:results_adjustment_delete", args=[adjustment.pk])
    assert "is official; remove the adjustment on the line" in official.get(delete).content.decode()
    official.post(delete, {"post": "yes"})
    assert Adjustment.objects.exists()
    data = form_data(official.get(change_url(line)))
    data["adjustment-0-DELETE"] = "on"
    refused(official.post(change_url(line), data), "give the reason for the correction")
    data["change_reason"] = "Decision overturned on appeal"
    assert official.post(change_url(line), data).status_code == 302
    assert not Adjustment.objects.exists()


HISTORY_MODELS = ["season", "event", "race", "result", "athlete", "venue", "adjustment",
                  "publishedstanding"]  # fmt: skip


def history_object(model: str):
    """A row of the model, with its first version in the history."""
    from results.models import Adjustment, PublishedStanding, Venue

    line = make.result(make.race(state="draft"), 1)
    season = line.race.event.season
    make_one = {
        "season": lambda: season,
        "event": lambda: line.race.event,
        "race": lambda: line.race,
        "result": lambda: line,
        "athlete": lambda: line.athlete,
        "venue": lambda: Venue.objects.create(name="Arena", city="Town", nation=make.nation()),
        "adjustment": lambda: Adjustment.objects.create(
            result=line, kind="deduction", points=10, reason="Protest"
        ),
        "publishedstanding": lambda: PublishedStanding.objects.create(
            season=season, gender="men", kind="500m", rank=1, points=1000
        ),
    }
    return make_one[model]()


@pytest.mark.parametrize("model", HISTORY_MODELS)
def test_restoring_a_version_needs_the_right_to_change(client, model):
    """A role that may only read a model may read its history, not post its "revert" form."""
    from django.contrib.auth.models import Permission

    obj = history_object(model)
    version = obj.history.earliest()
    reader = User.objects.create_user("reader", password=PASSWORD, is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename=f"view_{model}"))
    client.force_login(reader)
    url = reverse(f"admin:results_{model}_simple_history", args=[obj.pk, version.pk])
    page = client.get(url)
    assert page.status_code == 200  # reading the version is allowed
    before = obj.history.count()
    assert client.post(url, form_data(page)).status_code == 403
    assert obj.history.count() == before  # nothing was saved


def restore(client, obj, version, reason: str = ""):
    """Post the history page's restore form of `version` of `obj`, as the page draws it."""
    model = obj._meta.model_name
    url = reverse(f"admin:results_{model}_simple_history", args=[obj.pk, version.pk])
    data = form_data(client.get(url))
    data["change_reason"] = reason
    return client.post(url, data)


REASON_NEEDED = "This race is official: give the reason for the correction"


def official_race_row(model: str):
    """(row, field, its first value, a later value, what a restore without a reason is told)
    of a row whose restore the reason rule covers."""
    from decimal import Decimal

    from results.models import Adjustment

    race = make.race(state="official", record_note="")
    if model == "race":
        return race, "record_note", "", "WR", REASON_NEEDED
    line = make.result(race, 1, time=Decimal("85.500"))
    if model == "result":
        return line, "time", Decimal("85.500"), Decimal("85.400"), REASON_NEEDED
    if model == "adjustment":
        adjustment = Adjustment.objects.create(result=line, kind="deduction", points=10,
                                               reason="Protest")  # fmt: skip
        return adjustment, "points", 10, 20, REASON_NEEDED
    season = race.event.season  # its standings are public: the race is official
    return season, "best_individual", season.best_individual, 5, "say why its rules change"


@pytest.mark.parametrize("model", ["race", "result", "adjustment", "season"])
def test_restoring_an_earlier_version_is_held_to_the_reason_rule(request, model):
    """A history page's restore form is drawn with the earlier version's values: what it
    changes is counted against the stored row, so restoring an official race, its line, an
    adjustment of it, or rules of a season whose standings are public needs a reason."""
    client = request.getfixturevalue("data_manager" if model == "season" else "official")
    row, field, first_value, later, told = official_race_row(model)
    first = row.history.earliest()
    setattr(row, field, later)
    row._change_reason = "Corrected"
    row.save()
    response = restore(client, row, first)
    assert response.status_code == 200
    assert told in response.content.decode()
    row.refresh_from_db()
    assert getattr(row, field) == later  # nothing restored
    assert restore(client, row, first, "Restored after review").status_code == 302
    row.refresh_from_db()
    assert getattr(row, field) == first_value
    assert row.history.latest().history_change_reason == "Restored after review"


# --- Race day: the programme, the rules a season starts with ---------------------------------


def test_the_programme_dates_the_races_by_the_events_days_with_their_usual_rounds(official):
    from datetime import date

    event = make.event(first_day=date(2030, 10, 24), last_day=date(2030, 10, 26))
    run_action(official, "event", "create_programme", [event], apply="1",
               men_doubled="500m", relays="on")  # fmt: skip
    dates = {(r.gender, r.distance, r.number): r.date for r in event.races.all()}
    # Qualifying on the 24th; the "(1)" finals on the 25th; the "(2)" finals and the relays
    # on the 26th, the last day.
    assert dates[("men", "500m", 1)] == dates[("women", "1500m", 1)] == date(2030, 10, 25)
    assert dates[("men", "500m", 2)] == dates[("men", "5000m-relay", 1)] == date(2030, 10, 26)
    rounds = {
        (race.distance, race.number): [r.name for r in race.rounds.in_order()]
        for race in event.races.filter(gender="men")
    }
    assert rounds[("500m", 1)] == ["heats", "quarterfinals", "semifinals", "final-b", "final-a"]
    assert rounds[("1500m", 1)] == ["heats", "semifinals", "final-b", "final-a"]
    assert rounds[("5000m-relay", 1)] == ["semifinals", "final-b", "final-a"]


def test_a_new_season_starts_with_the_rules_of_the_latest(data_manager):
    make.season("2030-31", points_table=[100, 80, 60], best_individual=4, best_relay=3,
                tie_break=["last-race"], classification_rule="latest-round-only",
                rules_source="ISU Communication 9999", rules_confidence="sourced",
                classification_rule_confidence="sourced")  # fmt: skip
    form = data_manager.get(reverse("admin:results_season_add")).context["adminform"].form
    initial = {name: form[name].value() for name in ["points_table", "best_individual",
               "best_relay", "tie_break", "classification_rule", "rules_confidence",
               "classification_rule_confidence"]}  # fmt: skip
    assert initial == {
        "points_table": "100, 80, 60", "best_individual": 4, "best_relay": 3,
        "tie_break": "last-race", "classification_rule": "latest-round-only",
        # The latest season's source speaks of that season: here the rules are assumed.
        "rules_confidence": "assumed", "classification_rule_confidence": "assumed",
    }  # fmt: skip
    assert form["rules_source"].value().startswith("Copied from the rules of 2030–31 (sourced")


def test_changing_the_classification_rule_derives_the_races_in_rounds_again(data_manager):
    from results.models import HeatLine

    race = make.race(state="draft")
    a, b = make.athlete("Skater A"), make.athlete("Skater B")
    lines = []
    for row, skater in enumerate([a, b], 1):
        line = HeatLine(athlete=skater, nation=skater.nation, place=1)  # unraced: both 1st
        line.line = row
        lines.append(line)
    race.write_heats({("final-b", 1): lines[:1]})
    final_a = HeatLine(athlete=b, nation=b.nation, place=1, time=40)
    final_a.line = 1
    make_a = make.athlete("Skater C")
    other = HeatLine(athlete=make_a, nation=make_a.nation, place=2, time=41)
    other.line = 2
    race.write_heats({("final-a", 1): [final_a, other]})
    season = race.event.season
    data = form_data(data_manager.get(change_url(season)))
    data["classification_rule"] = "latest-round-only"
    response = data_manager.post(change_url(season), data, follow=True)
    assert "The classification of 1 race(s) skated in rounds follows the new rule" in (
        response.content.decode()
    )
    season.refresh_from_db()
    assert season.classification_rule == "latest-round-only"
