# ruff: noqa: E501 -- generated-code f-strings and report lines read better unbroken
"""Load and fault test: race-day traffic against gunicorn while officials write results.

    python bench/loadtest.py [--seconds 60] [--database-url URL]

1. A fresh database (SQLite in bench/data, or the PostgreSQL database given) gets the 2012–13
   season and four empty race-day seasons of draft races (180 each).
2. gunicorn serves it, production settings, plain HTTP on 127.0.0.1.
3. For --seconds: wrk runs 50 concurrent readers over standings, season and API pages; four
   officials, each logged in to the admin, post whole classifications (race form + lines, as
   provisional, so a race goes public with all its lines at once) until the readers stop: the
   race-day season has more draft races than they can fill; a checker reads the races being
   written through the API and records any classification seen half-written.
4. Then: zero 5xx, zero "database is locked" in the server log, every written line compared
   with what was posted (none lost, changed or duplicated, none unexpected), zero half-written
   classifications, and the officials still writing when the readers stopped.
5. 50 readers on one standings page while two officials save classifications, in turns with
   two officials typing heats (A B B A A B B A, each side's latencies pooled): the heats' p99
   at most 1.2× the classifications' (1.5× in a run shorter than 30 s: heats_limit); then
   the classifications while a 12,000-line import runs in a loop: p99 at most 2× theirs.
6. Fault: a large import is confirmed through the admin, once undisturbed (timed), then again
   with every gunicorn worker killed at fractions of that time; it must be all or nothing.

LOADTEST_DATABASE_URL adds a PostgreSQL run; LOADTEST_SQLITE=0 skips the SQLite one.
Exits non-zero when any of these fails; prints a report (also written to bench/loadtest.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from statistics import median

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PYTHON = sys.executable
OFFICIALS = 4
PASSWORD = "load-test-pass-phrase-1"
# Race-day seasons of 180 draft races each (60 events × 3 distances): 720 races, more than four
# officials fill in 60 s, taken in turn from each season, so each season's pages keep changing.
SEASONS = ("2040-41", "2042-43", "2043-44", "2044-45")
LINES = 12  # lines per classification an official enters
# While readers are measured against each other (classifications, heats, an import), each of
# the two officials saves once every PACE seconds (or at once after a slower save): the same
# pace for classifications and heats, so what is compared is what a save costs the readers.
PACE = 1.5
# The other phases' seasons: replaced by imports while read; typed while read; the fault
# phase's import, killed mid-import in one and timed undisturbed in the other.
IMPORTED, TYPED, KILLED, MEASURED = "2046-47", "2047-48", "2041-42", "2039-40"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY="load-test-only-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_BEHIND_PROXY="1",  # officials' clients say https, as behind a TLS proxy
        DJANGO_DEBUG="0",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


SETUP = f'''
from datetime import date, timedelta
from django.contrib.auth.models import Group, User
from django.utils.text import slugify
from results.models import Athlete, Event, Nation, Race, Season
for slug in {SEASONS!r}:
    start = date(int(slug[:4]), 10, 1)
    season = Season.objects.create(
        slug=slug, name=slug.replace("-", "–"), start_date=start,
        end_date=date(start.year + 1, 3, 31), best_individual=6, best_relay=4,
        points_table=[1000, 800, 640, 512, 410, 328, 262, 210, 168, 134])
    days = [start + timedelta(days=2 * number) for number in range(1, 61)]
    events = Event.objects.bulk_create(
        Event(season=season, number=number, city=f"City {{number}}", first_day=first,
              last_day=first + timedelta(days=1))
        for number, first in enumerate(days, start=1))
    Race.objects.bulk_create(
        Race(event=event, gender="men", distance=distance, number=1,
             date=event.first_day + timedelta(days=1), state="draft")
        for event in events for distance in ("500m", "1000m", "1500m"))
for i in range(60):
    name = f"Racer {{i:02d}}"
    Athlete.objects.create(name=name, slug=slugify(name), gender="men",
                           nation=Nation.objects.get(code=["KOR", "CAN", "CHN", "NED", "USA"][i % 5]))
officials = Group.objects.get(name="Officials")
for i in range(1, {OFFICIALS} + 1):
    user = User.objects.create_user(f"official{{i}}", password="{PASSWORD}", is_staff=True)
    user.groups.add(officials)
User.objects.create_superuser("chief", password="{PASSWORD}")
'''


MIGRATED = (
    "from django.core.management import call_command\n"
    "call_command('migrate', interactive=False, verbosity=0)\n"
    "call_command('loaddata', 'nations', 'season_2012_13', verbosity=0)\n"
)
EMPTY_POSTGRESQL = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public')\n"
)


# PostgreSQL: the set-up's bulk writes leave dead rows and stale statistics, and autovacuum
# would deal with them in whichever measured window came first; the phases start on a settled
# database instead (with the statistics the server keeps for its planner).
SETTLED = (
    "from django.db import connection\n"
    "if connection.vendor == 'postgresql':\n"
    "    with connection.cursor() as cursor:\n"
    "        cursor.execute('VACUUM ANALYZE')\n"
)


def prepare(env: dict) -> dict:
    """A clean database: emptied whole, then migrated (the migrations make the roles), with
    every phase's data made in one Django process; the ids the phases need."""
    if env["DATABASE_URL"].startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(env["DATABASE_URL"].removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    emptied = "" if env["DATABASE_URL"].startswith("sqlite:///") else EMPTY_POSTGRESQL
    ids = manage(env, "shell", "-c", (  # one Django process: each start costs a second or two
        emptied + MIGRATED + SETUP
        + season_of_races(IMPORTED, "official") + season_of_races(TYPED, "draft", events=400)
        + HEATS_SETUP + season_of_races(KILLED, "draft") + season_of_races(MEASURED, "draft")
        + SETTLED
        + "import json\n"
        "from results.models import Race, Athlete\n"
        "def races(seasons, order):\n"
        "    return list(Race.objects.filter(event__season__slug__in=seasons).order_by(*order)"
        ".values_list('pk', 'event__season__slug', 'event__number', 'distance', 'event_id',"
        " 'date', 'number'))\n"
        f"print(json.dumps({{'races': races({SEASONS!r}, ['event__number', 'distance',"
        " 'event__season__slug']),"
        f" 'typed': races([{TYPED!r}], ['pk']),"
        f" 'heats': [r[0] for r in races([{HEAT_SEASON!r}], ['pk'])],"
        " 'athletes': list(Athlete.objects.filter(name__startswith='Racer')"
        ".values_list('pk', flat=True))}, default=str))"
    ))  # fmt: skip
    return json.loads(ids.strip().splitlines()[-1])


class Server:
    def __init__(self, env: dict, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.https = f"https://127.0.0.1:{self.port}"  # what the server believes it is
        self.log = log
        manage(env, "collectstatic", "--noinput", "-v0")
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "worldcup.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", "4", "--timeout", "60", "--preload",
             "--access-logfile", "-", "--error-logfile", "-"],  # fmt: skip
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.serving_again()  # workers booting on a busy machine take a while

    def serving_again(self) -> None:
        """Wait until a worker answers: at the start, or once the master has started new ones
        after a kill (the next request then goes to a worker that is ready: only those accept
        connections)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/seasons/", timeout=10).status_code == 200:
                    return
            time.sleep(0.1)
        sys.exit(f"gunicorn did not answer within 60 s:\n{self.log.read_text()[-2000:]}")

    def workers(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


class BehindTlsProxy(requests.Session):
    """A browser behind a TLS proxy: the server sees HTTPS (X-Forwarded-Proto), so its cookies
    are Secure, and the browser sends them back."""

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        prepared = super().prepare_request(request)
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)
        if cookies:
            prepared.headers["Cookie"] = cookies
        return prepared


def session(server: Server, username: str) -> requests.Session:
    browser = BehindTlsProxy()
    browser.headers["X-Forwarded-Proto"] = "https"
    page = browser.get(server.url + "/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = browser.post(
        server.url + "/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        headers={"Referer": server.https + "/admin/login/"},
        allow_redirects=False,  # requests would rebuild the cookies of a redirect by itself
    )
    if done.status_code != 302:
        raise RuntimeError(f"{username} could not log in (HTTP {done.status_code})")
    return browser


def enter_classification(browser, server, race, athletes, offset) -> tuple[int, str]:
    """Post a whole classification through the race's admin page, as provisional."""
    pk, season, event_number, distance, event_id, day, number = race
    url = f"{server.url}/admin/results/race/{pk}/change/"
    page = browser.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    revision = re.search(r'name="seen_revision" value="(\d+)"', page.text).group(1)
    data = {
        "csrfmiddlewaretoken": token, "event": event_id, "gender": "men", "distance": distance,
        "number": str(number), "date": str(day), "record_note": "", "state": "provisional",
        "completeness": "complete", "source": "load test", "note": "", "change_reason": "",
        "seen_revision": revision, "results-TOTAL_FORMS": str(LINES),
        "results-INITIAL_FORMS": "0", "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i in range(LINES):
        skater = athletes[(offset + i) % len(athletes)]
        data |= {f"results-{i}-rank": str(i + 1), f"results-{i}-athlete": str(skater),
                 f"results-{i}-nation": "", f"results-{i}-time": "", f"results-{i}-status": "",
                 f"results-{i}-source": "", f"results-{i}-race": str(pk), f"results-{i}-id": ""}  # fmt: skip
    referer = url.replace(server.url, server.https)
    response = browser.post(url, data=data, headers={"Referer": referer}, allow_redirects=False)
    return response.status_code, response.text[:300]


def run(seconds: int, database_url: str, label: str) -> tuple[list[str], list[str]]:
    DATA.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    env = environment(database_url)
    fixtures = prepare(env)
    log = DATA / f"loadtest-{label}.log"
    server = Server(env, log)
    ready = time.monotonic()
    failures: list[str] = []
    report = [f"## {label}", ""]
    races = fixtures["races"]
    saved: dict[int, int] = {}
    posted: set[tuple[int, int, int]] = set()  # (race, rank, athlete) of every saved line
    writing: list[float] = []  # when each save was answered
    ran_out: list[int] = []
    refused: list[str] = []
    half_seen: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def official(n: int) -> None:
        try:
            enter_all(n)
        except BaseException as error:  # a failed client is a failure, not a silent thread
            with lock:
                refused.append(f"official{n} stopped: {error!r}")

    def enter_all(n: int) -> None:
        browser = session(server, f"official{n}")
        athletes = fixtures["athletes"]
        for race in races[n - 1 :: OFFICIALS]:
            if stop.is_set():
                return
            status, body = enter_classification(browser, server, race, athletes, race[0])
            with lock:
                writing.append(time.monotonic())
                if status == 302:
                    saved[race[0]] = LINES
                    posted.update(
                        (race[0], i + 1, athletes[(race[0] + i) % len(athletes)])
                        for i in range(LINES)
                    )
                else:
                    refused.append(f"race {race[0]}: HTTP {status} {body!r}")
        ran_out.append(n)  # every race of this official's share is written: stopped early

    def checker() -> None:
        try:
            check_all()
        except BaseException as error:
            half_seen.append(f"checker stopped: {error!r}")

    def check_all() -> None:
        reader = requests.Session()
        while not stop.is_set():
            with lock:
                written = [race for race in races if race[0] in saved]
            for pk, season, event_number, distance, _, _, number in written[-40:] + races[::18]:
                url = f"{server.url}/api/v1/seasons/{season}/events/{event_number}/men/{distance}/{number}"
                lines = len(reader.get(url).json()["results"])
                if lines not in (0, LINES):
                    half_seen.append(f"race {pk}: {lines} of {LINES} lines visible")
                if stop.is_set():
                    return

    paths = [
        "/seasons/2012-13/standings/women/3000m-relay/",
        "/seasons/2012-13/standings/men/500m/?after_race=3",
        "/seasons/2012-13/",
        *(f"/seasons/{season}/standings/men/500m/" for season in SEASONS),
        *(f"/seasons/{season}/" for season in SEASONS),
        "/api/v1/seasons/2012-13/standings/men/5000m-relay",
        *(f"/api/v1/seasons/{season}/standings/men/1000m" for season in SEASONS),
        "/api/v1/athletes?limit=20",
    ]
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        "local paths = {" + ", ".join(f'"{p}"' for p in paths) + "}\n"
        "local i = 0\n"
        "request = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('ERRORS %d %d %d %d %d\\n', summary.errors.connect,"
        " summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))\n"
        "end\n"
    )
    wrk = subprocess.Popen(
        ["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency", "--timeout", "10s", "-s", str(script), server.url],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    threads = [threading.Thread(target=official, args=(n,)) for n in range(1, OFFICIALS + 1)]
    threads.append(threading.Thread(target=checker))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    out, _ = wrk.communicate()
    readers_stopped = time.monotonic() - started
    stop.set()
    for thread in threads:
        thread.join(timeout=120)

    errors = re.search(r"ERRORS (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    connect, read, write, status, timeout = map(int, errors.groups())
    total = re.search(r"(\d+) requests in", out).group(1)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)  # the latency distribution's
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    log_text = log.read_text()
    server_errors = len(re.findall(r'" 5\d\d ', log_text))
    locked = log_text.count("database is locked")

    written_rows = [
        tuple(row)
        for season in SEASONS
        for row in rows_of(env["DATABASE_URL"], "race_id, rank, athlete_id", season)
    ]
    rows, distinct_rows = len(written_rows), len(set(written_rows))
    distinct_ranks = len({(race, rank) for race, rank, _ in written_rows})
    lost = posted - set(written_rows)  # saved, answered 302, and not in the database as posted
    unexpected = set(written_rows) - posted
    first_save = (min(writing) - started) if writing else 0.0
    last_save = (max(writing) - started) if writing else 0.0

    report += [
        f"- Readers: wrk, 50 connections, {seconds} s: {total} requests, {rate} req/s, "
        f"p50 {p50}, p99 {p99}; socket errors {connect + read + write + timeout}, "
        f"non-2xx/3xx {status}.",
        f"- Officials: {OFFICIALS} clients saved {len(saved)} classifications of {LINES} lines "
        f"through the admin, from {first_save:.1f} s to {last_save:.1f} s (readers stopped at "
        f"{readers_stopped:.1f} s); {len(refused)} refused; {len(ran_out)} ran out of races.",
        f"- Server log: {server_errors} responses 5xx, {locked} 'database is locked'.",
        f"- Database: {rows} lines ({distinct_rows} distinct; {distinct_ranks} distinct race/rank), "
        f"each compared with what was posted: {len(lost)} lost or changed, {len(unexpected)} "
        "unexpected.",
        f"- Half-written classifications seen by readers: {len(half_seen)}.",
    ]
    for name, bad in [("non-2xx/3xx responses", status), ("5xx in the log", server_errors),
                      ("'database is locked'", locked), ("lost lines", len(lost)),
                      ("unexpected lines", len(unexpected)), ("duplicated lines", rows - distinct_rows),
                      ("half-written classifications seen", len(half_seen)),
                      ("refused saves", len(refused)), ("socket errors", connect + read + write + timeout),
                      ("officials who ran out of races before the readers stopped", len(ran_out))]:  # fmt: skip
        if bad:
            failures.append(f"{label}: {bad} {name}")
    failures += [f"{label}: {r}" for r in refused[:5]]
    failures += [f"{label}: {h}" for h in half_seen[:5]]
    if not saved:
        failures.append(f"{label}: no classification was saved")

    moments = [("set-up and server start", ready), ("readers and officials", time.monotonic())]
    # The heats and the classifications they are compared with are measured in turns, and
    # before the large imports leave the database work to do while others read.
    saving = ClassificationsWhileReading(server, env, fixtures, label, seconds, failures)
    heats = heats_officials(server, fixtures)
    alone, typed = alternated(saving.officials, heats, seconds)
    moments.append(("classifications and heats in turns while reading", time.monotonic()))
    report += saving.with_import(alone)
    report += heats_while_reading(heats, typed, alone, env, label, seconds, failures)
    moments.append(("import while reading", time.monotonic()))
    report += fault_import(server, env, label, failures, seconds)
    server.stop()
    script.unlink()
    moments.append(("fault", time.monotonic()))
    spans = [f"{name} {end - start:.0f} s" for (name, end), start in
             zip(moments, [began] + [end for _, end in moments[:-1]], strict=True)]  # fmt: skip
    report.append(f"- Time: {time.monotonic() - began:.0f} s in all ({'; '.join(spans)}).")
    return report + [""] + ([f"FAILED: {f}" for f in failures] or ["Passed."]) + [""], failures


def season_of_races(slug: str, state: str, events: int = 120) -> str:
    """A shell script that makes a season of `events` events, each with a men's 500 m."""
    start = int(slug[:4])
    return (
        "from datetime import date\n"
        "from results.models import Event, Race, Season\n"
        f"s = Season.objects.create(slug='{slug}', name='{slug}', start_date=date({start}, 10, 1),"
        f" end_date=date({start + 1}, 3, 31), points_table=[1000, 800, 640, 512, 410],"
        " best_individual=6)\n"
        f"events = Event.objects.bulk_create(Event(season=s, number=n, city=f'City {{n}}',"
        f" first_day=date({start}, 10, 1), last_day=date({start}, 10, 3))"
        f" for n in range(1, {events + 1}))\n"
        "Race.objects.bulk_create(Race(event=e, gender='men', distance='500m', number=1,"
        f" date=date({start}, 10, 3), state='{state}') for e in events)\n"
    )


def big_file(slug: str) -> tuple[bytes, int]:
    """A results file of 120 races × 100 lines for the season `season_of_races` made."""
    header = "season,event,gender,distance,race,rank,athlete,nation,time,status\n"
    lines = [header] + [
        f"{slug},{event},men,500m,1,{rank},Import Skater {chr(65 + rank % 26)}{chr(65 + rank // 26)},"
        f"{['KOR', 'CAN', 'NED'][event % 3]},,\n"
        for event in range(1, 121)
        for rank in range(1, 101)
    ]
    return "".join(lines).encode(), len(lines) - 1


READ_PATH = "/seasons/2012-13/standings/men/500m/"
# wrk's latency histogram at the end of a run: each distinct latency (µs) and how often it came,
# so that several short runs can be pooled into one distribution.
HISTOGRAM = (
    "done = function(summary, latency, requests)\n"
    "  for i = 1, #latency do\n"
    "    local value, count = latency(i)\n"
    "    io.write(string.format('LATENCY %d %d\\n', value, count))\n"
    "  end\n"
    "end\n"
)


def readers(server: Server, seconds: int) -> dict:
    """wrk: 50 connections on the standings page for `seconds`; its latencies (µs: count) and
    errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(HISTOGRAM)
    try:
        done = subprocess.run(
            ["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency", "--timeout", "20s",
             "-s", script.name, server.url + READ_PATH],
            capture_output=True, text=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    out = done.stdout
    latencies: Counter[int] = Counter()
    for value, count in re.findall(r"^LATENCY (\d+) (\d+)$", out, re.M):
        latencies[int(value)] += int(count)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "latencies": latencies,
        "p99": percentile(latencies, 99),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def percentile(latencies: Counter[int], p: float) -> float:
    """The p-th percentile (ms) of a latency histogram (µs: count)."""
    total = sum(latencies.values())
    if not total:
        return 0.0
    rank, seen = p / 100 * total, 0
    for value in sorted(latencies):
        seen += latencies[value]
        if seen >= rank:
            return value / 1000
    return max(latencies) / 1000


def pooled(runs: list[dict], turn: int) -> dict:
    """Several readers' runs of `turn` seconds as one: their latencies pooled, the p99 of the
    pool, and their saves."""
    latencies: Counter[int] = sum((run["latencies"] for run in runs), Counter())
    return {
        "runs": len(runs),
        "turn": turn,
        "requests": sum(run["requests"] for run in runs),
        "latencies": latencies,
        "p99": percentile(latencies, 99),
        "non_2xx": sum(run["non_2xx"] for run in runs),
        "saves": [save for run in runs for save in run["saves"]],
        "took": [took for run in runs for took in run["took"]],
    }


def paced(stop: threading.Event, started: float) -> None:
    """Wait out the rest of an official's PACE from `started` (no longer once stopped)."""
    stop.wait(max(0.0, PACE - (time.monotonic() - started)))


class Officials:
    """Two officials, each logged in once, working through their own list of saves (what it
    is, and a function of the official's browser that makes it and returns the HTTP status),
    one every PACE seconds while readers are measured, resuming where they stopped."""

    def __init__(self, server: Server, work: list[list[tuple[str, Callable]]]) -> None:
        self.server = server
        self.browsers = [session(server, f"official{n + 1}") for n in range(len(work))]
        self.work = [list(share) for share in work]
        # (what, HTTP status, seconds it took with its page's load) of every save
        self.saves: list[tuple[str, int, float]] = []
        self.stop = threading.Event()

    def official(self, n: int) -> None:
        while self.work[n] and not self.stop.is_set():
            started = time.monotonic()
            what, save = self.work[n].pop(0)
            status = save(self.browsers[n])
            self.saves.append((what, status, time.monotonic() - started))
            paced(self.stop, started)

    def read_while_saving(self, seconds: int, also: tuple[threading.Thread, ...] = ()) -> dict:
        """The readers for `seconds` while the officials save (and `also` runs); its saves'
        statuses in `saves`, how long each took in `took`."""
        self.stop.clear()
        before = len(self.saves)
        threads = [threading.Thread(target=self.official, args=(n,)) for n in range(len(self.work))]
        for thread in [*threads, *also]:
            thread.start()
        measured = readers(self.server, seconds)
        self.stop.set()
        for thread in [*threads, *also]:
            thread.join(timeout=300)
        made = self.saves[before:]
        return measured | {"saves": [s for _, s, _ in made], "took": [t for _, _, t in made]}


TURNS = "ABBAABBA"  # whose turn it is, A (the first group) or B, one after the other


def alternated(first: Officials, second: Officials, seconds: int) -> tuple[dict, dict]:
    """Each group of officials saving while the readers are measured for `seconds` in all, in
    four short turns each, in the order of TURNS: what drifts over the run (the host's speed,
    the workers' heaps, the database's own work) falls on both alike. Each group's turns are
    pooled into one latency distribution."""
    turn = max(2, seconds // 4)
    runs: dict[str, list[dict]] = {"A": [], "B": []}
    for group in TURNS:
        runs[group].append({"A": first, "B": second}[group].read_while_saving(turn))
    return pooled(runs["A"], turn), pooled(runs["B"], turn)


class ClassificationsWhileReading:
    """50 readers on a standings page while two officials save classifications (measured in
    turns with the heats, `alternated`), then while a 12,000-line `import_results --replace`
    of another season runs in a loop: the readers' p99 may at most double, and no save may
    fail."""

    def __init__(
        self, server: Server, env: dict, fixtures: dict, label: str, seconds: int,
        failures: list[str],
    ) -> None:  # fmt: skip
        self.server, self.env, self.label, self.seconds = server, env, label, seconds
        self.failures = failures
        self.body, self.total = big_file(IMPORTED)
        path = DATA / f"import-{label[:6].lower()}.csv"
        path.write_bytes(self.body)
        self.command = [PYTHON, "manage.py", "import_results", str(path), "--user", "chief",
                        "--replace", "--reason", "Reloaded while the site is read", "--publish",
                        "official"]  # fmt: skip
        subprocess.run(self.command, cwd=ROOT, env=env, check=True, capture_output=True)
        athletes = fixtures["athletes"]

        def classification(race: list) -> tuple[str, Callable]:
            def save(browser) -> int:
                return enter_classification(browser, server, race, athletes, race[0])[0]

            return "classification", save

        races = fixtures["typed"]
        self.officials = Officials(
            server, [[classification(race) for race in races[n::2]] for n in range(2)]
        )
        self.imports: list[int] = []

    def importing(self) -> None:
        while not self.officials.stop.is_set():
            done = subprocess.run(
                self.command, cwd=ROOT, env=self.env, capture_output=True, text=True
            )
            self.imports.append(done.returncode)

    def with_import(self, alone: dict) -> list[str]:
        """The readers while the officials save and the import runs, compared with `alone`
        (the classifications' turns measured with the heats)."""
        label, failures = self.label, self.failures
        importer = threading.Thread(target=self.importing)
        loaded = self.officials.read_while_saving(self.seconds, also=(importer,))
        failed_saves = [s for s in alone["saves"] + loaded["saves"] if s != 302]
        ratio = loaded["p99"] / alone["p99"] if alone["p99"] else float("inf")
        if ratio > 2:
            failures.append(f"{label}: read p99 {loaded['p99']:.0f} ms during the import, "
                            f"{ratio:.1f}× the {alone['p99']:.0f} ms without one")  # fmt: skip
        if failed_saves:
            failures.append(f"{label}: {len(failed_saves)} officials' saves failed during the "
                            f"import (HTTP {sorted(set(failed_saves))})")  # fmt: skip
        if alone["non_2xx"] or loaded["non_2xx"]:
            failures.append(
                f"{label}: {alone['non_2xx'] + loaded['non_2xx']} reads not answered 200"
            )
        if not self.imports or any(self.imports):
            failures.append(f"{label}: imports during the reads: {self.imports or 'none ran'}")
        return [
            f"- Import while reading: 50 readers on a standings page, two officials each "
            f"saving a classification every {PACE} s: p99 {alone['p99']:.0f} ms over "
            f"{alone['runs']} turns of {alone['turn']} s between the heats' "
            f"({alone['requests']} reads, {len(alone['saves'])} saves). For {self.seconds} s "
            f"while `import_results --replace` of {self.total:,} lines ran "
            f"{len(self.imports)} times in a loop: p99 {loaded['p99']:.0f} ms ({ratio:.2f}×; "
            f"{loaded['requests']} reads, {len(loaded['saves'])} saves, "
            f"{len(failed_saves)} failed)."
        ]


HEAT_SEASON = "2048-49"
HEATS_SETUP = f"""
from datetime import date
from results.models import Athlete, Event, EventEntry, Race, Season
season = Season.objects.create(slug="{HEAT_SEASON}", name="{HEAT_SEASON}",
    start_date=date(2048, 10, 1), end_date=date(2049, 3, 31), best_individual=6,
    points_table=[1000, 800, 640, 512, 410, 328, 262, 210, 168, 134])
events = Event.objects.bulk_create(
    Event(season=season, number=n, city=f"Heat City {{n}}", first_day=date(2048, 10, 1),
          last_day=date(2048, 10, 3)) for n in range(1, 41))
Race.objects.bulk_create(Race(event=e, gender="men", distance="500m", number=1,
    date=date(2048, 10, 3), state="provisional") for e in events)
skaters = list(Athlete.objects.filter(name__startswith="Racer").order_by("name")[:8])
EventEntry.objects.bulk_create(
    EventEntry(event=e, athlete=a, nation_id=a.nation_id, helmet=h)
    for e in events for h, a in enumerate(skaters, start=1))
"""
# A race as the officials type it, skaters by helmet number: two heats of four (the first two
# of each go on), a semifinal of those four (two to Final A, two to Final B), Final B, Final A.
# The Final A's save derives the race's classification of eight.
HEATS_OF_A_RACE = [
    ("heats", 1, [1, 2, 3, 4], ["Q", "Q"]), ("heats", 2, [5, 6, 7, 8], ["Q", "Q"]),
    ("semifinals", 1, [5, 1, 6, 2], ["QA", "QA", "QB", "QB"]),
    ("final-b", 1, [2, 6], []), ("final-a", 1, [1, 5], []),
]  # fmt: skip


def form_fields(html: str) -> dict[str, str]:
    """The named inputs of a page and the values it shows (what a browser would send back)."""
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        name = re.search(r'\bname="([^"]+)"', tag)
        value = re.search(r'\bvalue="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def enter_heat(browser, server, race_id: int, round_: str, heat: int, helmets, codes) -> int:
    """Type one heat on the race's heat page, skaters by helmet number in place order; save."""
    url = f"{server.url}/admin/results/race/{race_id}/heats/?round={round_}&heat={heat}"
    data = form_fields(browser.get(url).text)
    for line, helmet in enumerate(helmets):
        data |= {
            f"lines-{line}-place": str(line + 1), f"lines-{line}-athlete": str(helmet),
            f"lines-{line}-time": f"4{line + 1}.{heat:02d}0", f"lines-{line}-status": "",
            f"lines-{line}-qualification": (codes[line:] or [""])[0], f"lines-{line}-start": str(line + 1),
        }  # fmt: skip
    data["lines-TOTAL_FORMS"] = str(max(len(helmets), int(data.get("lines-TOTAL_FORMS") or 0)))
    data["reason"] = ""
    referer = url.replace(server.url, server.https)
    response = browser.post(url, data=data, headers={"Referer": referer}, allow_redirects=False)
    return response.status_code


def heats_limit(seconds: int) -> float:
    """How much higher the readers' p99 may be while heats are saved than while
    classifications are. Each side's p99 rests on the slowest 1 % of its reads, and those
    follow a handful of saves: in the 10-s form (CI) 16 saves and about 45 reads a side, whose
    p99 moves by ±25 % from one run of the same code to the next (1.24× and 0.95× in two
    runs an hour apart; heats are the lighter save: 0.56 s against 0.80 s). The race-day
    limit, 20 %, holds from 30 s on (`make loadtest`: 60 s, 88 saves and 300 slowest reads a
    side); the short form keeps a limit that noise stays under and a real regression (a heat
    save that makes the readers' page render anew, say) would go over."""
    return 1.2 if seconds >= 30 else 1.5


def heats_officials(server: Server, fixtures: dict) -> Officials:
    """Two officials who type the heat season's races on the heat page, each its own half."""

    def heat(race_id: int, round_: str, number: int, helmets, codes) -> tuple[str, Callable]:
        def save(browser) -> int:
            return enter_heat(browser, server, race_id, round_, number, helmets, codes)

        return round_, save

    races = fixtures["heats"]
    return Officials(
        server,
        [[heat(race, *step) for race in races[n::2] for step in HEATS_OF_A_RACE] for n in range(2)],
    )


def heats_while_reading(
    heats: Officials, measured: dict, baseline: dict, env: dict, label: str, seconds: int,
    failures: list[str],
) -> list[str]:  # fmt: skip
    """50 readers on the same standings page while two officials type heats on the heat page
    (each Final A derives its race's classification, public at once: the race is provisional):
    the readers' p99 stays within 20 % of theirs while two officials save classifications,
    both measured in turns (`alternated`)."""
    statuses = [(round_, status) for round_, status, _ in heats.saves]
    derived = lines_of(env["DATABASE_URL"], HEAT_SEASON)
    saved = sum(1 for _, status in statuses if status == 302)
    finals = sum(1 for round_, status in statuses if round_ == "final-a" and status == 302)
    if derived != 8 * finals:
        failures.append(f"{label}: {finals} Final A saved, {derived} classification lines derived")
    ratio = measured["p99"] / baseline["p99"] if baseline["p99"] else float("inf")
    limit = heats_limit(seconds)
    if ratio > limit:
        failures.append(f"{label}: read p99 {measured['p99']:.0f} ms while heats were saved, "
                        f"{ratio:.2f}× the {baseline['p99']:.0f} ms while classifications were "
                        f"(at most {limit}× in a {seconds}-s run)")  # fmt: skip
    if saved != len(statuses) or not saved:
        failures.append(f"{label}: {len(statuses) - saved} of {len(statuses)} heat saves failed "
                        f"(HTTP {sorted({status for _, status in statuses})})")  # fmt: skip
    if measured["non_2xx"]:
        failures.append(f"{label}: {measured['non_2xx']} reads not answered 200")
    return [
        f"- Heats while reading: the same 50 readers while two officials typed races on the "
        f"heat page, a heat every {PACE} s each: heats, a semifinal, Final B and Final A "
        f"({saved} heats saved of {len(statuses)}; each Final A derived its provisional race's "
        f"classification: {derived} classification lines), in {measured['runs']} turns of "
        f"{measured['turn']} s alternating with the classifications' ({' '.join(TURNS)}): "
        f"p99 {measured['p99']:.0f} ms over the turns pooled ({ratio:.2f}× the "
        f"{baseline['p99']:.0f} ms with classifications saved, at most {limit}×; "
        f"{measured['requests']} reads; a save took {median(measured['took']):.2f} s for a heat "
        f"and {median(baseline['took']):.2f} s for a classification in these turns, the median, "
        "page load included)."
    ]


def rows_of(database_url: str, columns: str, season: str) -> list[tuple]:
    """These columns of the season's lines, read straight from the database."""
    sql = (
        f"SELECT {columns} FROM results_result JOIN results_race ON results_race.id = race_id "
        "JOIN results_event ON results_event.id = event_id JOIN results_season "
        "ON results_season.id = season_id WHERE results_season.slug = "
    )
    if database_url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            return db.execute(sql + "?", [season]).fetchall()
    with psycopg.connect(database_url) as db:
        return db.execute(sql + "%s", [season]).fetchall()


def lines_of(database_url: str, season: str) -> int:
    """How many lines the season's races hold."""
    return rows_of(database_url, "count(*)", season)[0][0]


def fault_import(
    server: Server, env: dict, label: str, failures: list[str], seconds: int
) -> list[str]:
    """Kill every worker while the admin imports a big file: all or nothing. The same import
    is first timed undisturbed (into a season of its own), and the kills come at fractions of
    that time, so that they land while it is under way however fast the machine runs it (its
    lines are written in the first part of that time: the kills come early)."""
    fractions = (0.1, 0.2, 0.3, 0.4, 0.5) + ((0.6, 0.7, 0.8, 0.9) if seconds >= 30 else ())
    browser = session(server, "chief")
    url = server.url + "/admin/results/race/import/"
    referer = {"Referer": server.https + "/admin/results/race/import/"}

    def confirmation(slug: str) -> tuple[dict[str, str] | None, int]:
        """The import page's confirmation of the big file of this season, previewed."""
        body, total = big_file(slug)
        page = browser.get(url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        preview = browser.post(
            url,
            data={"csrfmiddlewaretoken": token, "publish": "official", "reason": "", "preview": "1"},
            files={"file": ("big.csv", body, "text/csv")},
            headers=referer,
        )  # fmt: skip
        fields = dict(
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.text)
        )
        return ({**fields, "confirm": "Import"} if "content" in fields else None), total

    def confirm(fields: dict[str, str], timings: list[float]) -> None:
        started = time.monotonic()
        with contextlib.suppress(requests.RequestException):  # a killed worker: expected
            browser.post(url, data=fields, timeout=300, allow_redirects=False, headers=referer)
        timings.append(time.monotonic() - started)

    measured, total = confirmation(MEASURED)
    killed, _ = confirmation(KILLED)
    if measured is None or killed is None:
        failures.append(f"{label}: the import preview did not offer a confirmation")
        return ["- Fault: the import preview failed."]
    timings: list[float] = []
    confirm(measured, timings)
    took = timings[0]
    undisturbed = lines_of(env["DATABASE_URL"], MEASURED)
    if undisturbed != total:
        failures.append(f"{label}: the undisturbed import wrote {undisturbed} of {total}")
    outcomes = [f"undisturbed: {undisturbed} in {took:.2f} s"]
    for fraction in fractions:
        poster = threading.Thread(target=confirm, args=(killed, []))
        poster.start()
        time.sleep(fraction * took)
        for pid in server.workers():
            os.kill(pid, signal.SIGKILL)
        poster.join()
        server.serving_again()
        found = lines_of(env["DATABASE_URL"], KILLED)
        outcomes.append(f"killed at {fraction * took:.2f} s: {found}")
        if found not in (0, total):
            failures.append(f"{label}: a killed import left {found} of {total} lines")
        if found == total:
            break  # it finished before the kill: a later kill would find it done too
    return [
        f"- Fault: {total} lines confirmed through the admin import, first undisturbed, then "
        f"every worker killed at moments across that time; lines afterwards "
        f"({'; '.join(outcomes)}). All or nothing each time."
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOADTEST_SECONDS", 60)))
    parser.add_argument("--database-url", default=os.environ.get("LOADTEST_DATABASE_URL", ""))
    args = parser.parse_args()
    legs = []
    if os.environ.get("LOADTEST_SQLITE", "1") != "0":
        legs.append(("SQLite (WAL)", f"sqlite:///{DATA / 'loadtest.sqlite3'}"))
    if args.database_url:
        legs.append(("PostgreSQL", args.database_url))
    report = [
        "# Load and fault test",
        "",
        "Written by `make loadtest` (bench/loadtest.py). The officials write all through the run, "
        "about five classifications a second, far beyond a race day's pace: each save changes its "
        "season's version, so the readers' pages of the four race-day seasons are rendered anew "
        "after almost every save, and the reader figures are those of pages rendered, not cached.",
        "",
    ]
    failures: list[str] = []
    for label, url in legs:
        lines, failed = run(args.seconds, url, label)
        report += lines
        failures += failed
        print("\n".join(lines), flush=True)
    (ROOT / "bench" / "loadtest.md").write_text("\n".join(report))
    if failures:
        sys.exit("\n".join(failures))


if __name__ == "__main__":
    main()
