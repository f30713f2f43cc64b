"""Entry lists imported from an entry-list file (docs/entries-csv.md): by the command and the
admin's upload → preview → confirm page; each of its events' whole list, all or nothing, every
bad file refused with line and column and the database unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError
from django.urls import reverse

from results.csv_format import ENTRIES, read_any
from results.models import Athlete, EventEntry
from tests import factories as make
from tests.test_rounds_import import EXAMPLE as ROUNDS_EXAMPLE
from tests.test_rounds_import import NATIONS, confirm_data, run, upload

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "entries-example.csv"
HEADER = "season,event,helmet,athlete,nation,gender\n"


@pytest.fixture
def event(db):
    """Event 1 of 2030-31 (the example's), its men's 500 m, and the example's nations."""
    season = make.season("2030-31")
    for code in NATIONS:
        make.nation(code)
    event = make.event(season, 1, city="Example City")
    make.race(event, state="draft")
    return event


@pytest.fixture
def listed(event):
    """An event with an entry list already: Hamelin #1 and Kwak #2."""
    hamelin = make.athlete("Charles Hamelin", nation_code="CAN")
    kwak = make.athlete("Kwak Yoon-gy", nation_code="KOR")
    EventEntry.objects.create(event=event, athlete=hamelin, nation_id="CAN", helmet=1)
    EventEntry.objects.create(event=event, athlete=kwak, nation_id="KOR", helmet=2)
    return event


def entry_list(event) -> list[tuple]:
    return sorted(event.entries.values_list("helmet", "athlete__name", "nation", "athlete__gender"))


def snapshot() -> tuple:
    return (
        sorted(EventEntry.objects.values_list("pk", "event", "athlete", "nation", "helmet")),
        sorted(Athlete.objects.values_list("name", "nation", "gender")),
    )


def test_a_file_with_a_helmet_column_is_an_entry_list():
    reading = read_any(EXAMPLE.read_bytes(), "entries.csv")
    assert reading.kind == ENTRIES
    assert reading.problems == []
    assert len(reading.rows) == 32
    assert reading.rows[0].helmet == 101 and reading.rows[0].athlete == "Example Skater 01"
    # A rank column makes it a classification file, told its wrong columns as one.
    other = read_any(b"season,event,gender,distance,race,rank,athlete,nation,time,status,helmet\n")
    assert other.kind != ENTRIES
    assert "unknown 'helmet'" in str(other.problems[0])


def test_the_example_creates_the_entry_list_and_the_rounds_file_then_finds_its_skaters(
    tmp_path, event, capsys
):
    run(tmp_path, EXAMPLE.read_bytes(), name="entries.csv")
    out = capsys.readouterr().out
    assert "Imported the entry list of 1 event(s): 32 skater(s), 32 new athlete(s)" in out
    listed = entry_list(event)
    assert len(listed) == 32
    assert listed[0] == (101, "Example Skater 01", "KOR", "men")
    assert listed[-1] == (132, "Example Skater 32", "USA", "men")
    history = EventEntry.history.filter(event=event)
    assert history.count() == 32
    assert {h.history_change_reason for h in history} == {"Imported from an entry-list file"}
    assert {h.history_user.username for h in history} == {"importer"}

    run(tmp_path, ROUNDS_EXAMPLE.read_bytes(), "--dry-run", name="rounds.csv")
    assert "0 new athlete(s)" in capsys.readouterr().out  # the rounds' skaters are the entries'


def test_a_dry_run_tells_each_line_and_writes_nothing(tmp_path, event, capsys):
    before = snapshot()
    run(tmp_path, EXAMPLE.read_bytes(), "--dry-run", name="entries.csv")
    out = capsys.readouterr().out
    assert "line 2: new entry; new athlete Example Skater 01 (KOR)" in out
    assert "Would import 1 event(s)' entry list, 32 skater(s), 32 new athlete(s)" in out
    assert snapshot() == before


def test_an_event_with_an_entry_list_is_replaced_only_when_asked(tmp_path, listed, capsys):
    hamelin = EventEntry.objects.get(athlete__name="Charles Hamelin")
    text = HEADER + (
        "2030-31,1,2,Charles Hamelin,CAN,\n"  # takes Kwak's number, Kwak leaves
        "2030-31,1,1,Wu Dajing,CHN,men\n"  # takes Hamelin's
    )
    before = snapshot()
    with pytest.raises(CommandError, match="nothing written"):
        run(tmp_path, text, name="entries.csv")
    assert (
        "line 2, column event: World Cup 1 · Example City already has an entry list of "
        "2 skaters (lines 2–3); use --replace to replace them" in capsys.readouterr().err
    )
    assert snapshot() == before

    run(tmp_path, text, "--replace", "--reason", "Entries after the draw", name="entries.csv")
    assert "1 earlier entry(ies) removed" in capsys.readouterr().out
    assert entry_list(listed) == [
        (1, "Wu Dajing", "CHN", "men"),
        (2, "Charles Hamelin", "CAN", "men"),
    ]
    kept = EventEntry.objects.get(athlete__name="Charles Hamelin")
    assert kept.pk == hamelin.pk  # changed in place: its history goes on
    steps = kept.history.order_by("history_id")
    assert [(h.helmet, h.history_change_reason) for h in steps] == [
        (1, None),
        (2, "Entries after the draw"),
    ]
    removed = EventEntry.history.filter(athlete__name="Kwak Yoon-gy", history_type="-")
    assert removed.get().history_change_reason == "Entries after the draw"


BAD = [
    ("2030-31,1,7,Example Skater 01,KOR,men\n2030-31,1,7,Example Skater 02,CHN,men\n",
     "line 3, column helmet: another skater has this helmet number at the event"),
    ("2030-31,1,7,Example Skater 01,KOR,men\n2030-31,1,8,example skater 01,KOR,men\n",
     "line 3, column athlete: this skater is on the entry list already"),
    ("2030-31,1,0,Example Skater 01,KOR,men\n",
     "line 2, column helmet: '0' is not a whole number from 1 to 999"),
    ("2030-31,1,1000,Example Skater 01,KOR,men\n",
     "line 2, column helmet: '1000' is not a whole number from 1 to 999"),
    ("2030-31,4,7,Example Skater 01,KOR,men\n", "line 2, column event: season 2030-31 has no "
     "event 4"),
    ("2099-00,1,7,Example Skater 01,KOR,men\n", "line 2, column season: unknown season 2099-00"),
    ("2030-31,1,7,Example Skater 01,XYZ,men\n", "line 2, column nation: unknown nation XYZ"),
    ("2030-31,1,7,Example Skater 01,Korea,men\n", "line 2, column nation: 'Korea' is not a three"),
    ("2030-31,1,7,Example Skater 01,KOR,\n",
     "line 2, column gender: missing: Example Skater 01 (KOR) is not a known skater, and a new "
     "one needs their gender (men or women)"),
    ("2030-31,1,7,Example Skater 01,KOR,mixed\n", "line 2, column gender: 'mixed' is not one of"),
    ("2030-31,1,7,,KOR,men\n", "line 2, column athlete: missing; an entry names its skater"),
    ("2030-31,1,7,Charles Hamelin,CAN,women\n",
     "line 2, column gender: Charles Hamelin (CAN) skates in the men's races, not the women's"),
    ("2030-31,1,7,Charles Hamelin,CAN,\n2030-31,1,8,Hamelin Charles,CAN,\n",
     "line 3, column athlete: this skater is on the entry list already"),  # an alias
    ("2030-31,1,7,Charles Hamélin,CAN,\n",
     "missing: Charles Hamélin (CAN) is not a known skater, and a new one needs their gender "
     "(men or women); did you mean Charles Hamelin?"),
]  # fmt: skip


@pytest.mark.parametrize(("lines", "told"), BAD)
def test_a_bad_entry_list_is_refused_with_line_and_column_and_nothing_changes(
    tmp_path, event, capsys, lines, told
):
    make.athlete("Charles Hamelin", nation_code="CAN", aliases=["Hamelin Charles"])
    good = "2030-31,1,50,Example Skater 09,KOR,men\n"  # a good line does not go in either
    before = snapshot()
    with pytest.raises(CommandError, match="nothing written"):
        run(tmp_path, HEADER + good + lines, name="entries.csv")
    err = capsys.readouterr().err
    shifted = told.replace("line 3", "line 4").replace("line 2", "line 3")
    assert shifted in err
    assert snapshot() == before


# --- The admin ------------------------------------------------------------------------------


def test_an_official_previews_and_confirms_an_entry_list(official, event):
    before = snapshot()
    response = upload(official, EXAMPLE.read_bytes(), name="entries.csv")
    page = response.content.decode()
    assert "Preview of entries.csv: nothing is written until you confirm" in page
    assert "1 event(s)&#x27; entry list, 32 skater(s), 32 new athlete(s)" in page
    assert "<td>101</td><td>Example Skater 01</td><td>KOR</td><td>men</td>" in page
    assert 'value="Import 32 entries"' in page
    assert snapshot() == before
    done = official.post(
        reverse("admin:results_race_import"),
        {**confirm_data(response), "confirm": "Import"},
        follow=True,
    )
    assert "Imported the entry list of 1 event(s): 32 skater(s)" in done.content.decode()
    assert len(entry_list(event)) == 32


def test_the_admin_preview_of_a_bad_entry_list_names_each_problem(official, event):
    text = HEADER + "2030-31,1,7,Example Skater 01,KOR,men\n2030-31,1,7,Example Skater 02,CHN,\n"
    page = upload(official, text, name="entries.csv").content.decode()
    assert "2 problems: nothing can be imported" in page
    assert "<td>3</td><td>gender</td>" in page and "<td>3</td><td>helmet</td>" in page
    assert 'name="confirm"' not in page


def test_an_account_that_may_not_change_entry_lists_cannot_import_one(client, event):
    user = User.objects.create_user("clerk", password="a-long-pass-phrase-1", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_result", "change_race"])
    )
    client.force_login(user)
    assert upload(client, EXAMPLE.read_bytes(), name="entries.csv").status_code == 403


def test_a_skater_skating_for_another_nation_keeps_their_entry_and_is_no_new_athlete(
    tmp_path, listed, capsys
):
    entry = EventEntry.objects.get(athlete__name="Charles Hamelin")
    text = HEADER + "2030-31,1,1,Charles Hamelin,USA,\n2030-31,1,2,Kwak Yoon-gy,KOR,\n"
    make.nation("USA")
    run(tmp_path, text, "--replace", "--dry-run", name="entries.csv")
    out = capsys.readouterr().out
    assert "line 2: nation CAN → USA" in out and "line 3: unchanged" in out
    assert "0 new athlete(s)" in out
    run(tmp_path, text, "--replace", name="entries.csv")
    moved = EventEntry.objects.get(pk=entry.pk)
    assert (moved.nation_id, moved.athlete.nation_id) == ("USA", "CAN")
    assert Athlete.objects.filter(name="Charles Hamelin").count() == 1


def test_an_entry_list_imported_again_as_it_is_writes_no_new_version(tmp_path, listed):
    text = HEADER + "2030-31,1,1,Charles Hamelin,CAN,\n2030-31,1,2,Kwak Yoon-gy,KOR,\n"
    before = EventEntry.history.count()
    run(tmp_path, text, "--replace", name="entries.csv")
    assert EventEntry.history.count() == before
    assert entry_list(listed) == [(1, "Charles Hamelin", "CAN", "men"),
                                  (2, "Kwak Yoon-gy", "KOR", "men")]  # fmt: skip


def test_a_name_two_skaters_of_other_nations_share_needs_the_isu_id(tmp_path, event, capsys):
    make.athlete("Li Jian", nation_code="CHN", slug="li-jian-chn")
    make.athlete("Li Jian", nation_code="KOR", slug="li-jian-kor")
    make.nation("USA")
    before = snapshot()
    with pytest.raises(CommandError, match="nothing written"):
        run(tmp_path, HEADER + "2030-31,1,5,Li Jian,USA,\n", name="entries.csv")
    assert (
        "line 2, column athlete: 2 skaters are named Li Jian (CHN, KOR) and none of them is "
        "of USA: give the isu_id column" in capsys.readouterr().err
    )
    assert snapshot() == before


def test_publish_does_not_apply_to_an_entry_list_and_says_so(tmp_path, event, capsys):
    run(tmp_path, EXAMPLE.read_bytes(), "--publish", "official", name="entries.csv")
    assert "(official does not apply: an entry list is never public)" in capsys.readouterr().out
