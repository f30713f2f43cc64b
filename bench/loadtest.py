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
5. Fault: a large import is confirmed through the admin and every gunicorn worker is killed
   while it runs; the import must be all or nothing.

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
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

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
    for number in range(1, 61):
        first = start + timedelta(days=2 * number)
        event = Event.objects.create(season=season, number=number, city=f"City {{number}}",
                                     first_day=first, last_day=first + timedelta(days=1))
        for distance in ("500m", "1000m", "1500m"):
            Race.objects.create(event=event, gender="men", distance=distance, number=1,
                                date=first + timedelta(days=1), state="draft")
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


def prepare(env: dict) -> dict:
    """A clean database: emptied, the app's migrations replayed (they create the roles)."""
    if env["DATABASE_URL"].startswith("sqlite:///"):
        Path(env["DATABASE_URL"].removeprefix("sqlite:///")).unlink(missing_ok=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "flush", "--noinput", "-v0")
    manage(env, "migrate", "results", "zero", "--noinput", "-v0")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "loaddata", "nations", "season_2012_13", "-v0")
    manage(env, "shell", "-c", SETUP)
    ids = manage(env, "shell", "-c", (
        "import json\n"
        "from results.models import Race, Athlete\n"
        f"print(json.dumps([r for r in Race.objects.filter(event__season__slug__in={SEASONS!r})"
        ".order_by('event__number', 'distance', 'event__season__slug')"
        ".values_list('pk', 'event__season__slug', 'event__number', 'distance', 'event_id',"
        " 'date', 'number')],"
        " default=str))\n"
        "print(json.dumps(list(Athlete.objects.filter(name__startswith='Racer')"
        ".values_list('pk', flat=True))))"
    ))  # fmt: skip
    races_line, athletes_line = ids.strip().splitlines()[-2:]
    return {"races": json.loads(races_line), "athletes": json.loads(athletes_line)}


class Server:
    def __init__(self, env: dict, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.https = f"https://127.0.0.1:{self.port}"  # what the server believes it is
        self.log = log
        manage(env, "collectstatic", "--noinput", "-v0")
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "worldcup.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", "4", "--timeout", "60",
             "--access-logfile", "-", "--error-logfile", "-"],  # fmt: skip
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # workers booting on a busy machine take a while
            try:
                if requests.get(self.url + "/seasons/", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.5)
        sys.exit(f"gunicorn did not start:\n{log.read_text()[-2000:]}")

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
    env = environment(database_url)
    fixtures = prepare(env)
    log = DATA / f"loadtest-{label}.log"
    server = Server(env, log)
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

    check = manage(env, "shell", "-c", (
        "import json\n"
        "from results.models import Result\n"
        f"rows = list(Result.objects.filter(race__event__season__slug__in={SEASONS!r})"
        ".values_list('race_id', 'rank', 'athlete_id'))\n"
        "print(json.dumps(rows))"
    ))  # fmt: skip
    written_rows = [tuple(row) for row in json.loads(check.strip().splitlines()[-1])]
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

    report += fault_import(server, env, label, failures)
    server.stop()
    script.unlink()
    return report + [""] + ([f"FAILED: {f}" for f in failures] or ["Passed."]) + [""], failures


def fault_import(server: Server, env: dict, label: str, failures: list[str]) -> list[str]:
    """Kill every worker while the admin imports a big file: all or nothing."""
    header = "season,event,gender,distance,race,rank,athlete,nation,time,status\n"
    manage(env, "shell", "-c", (
        "from tests import factories as make\n"
        "from results.models import Season\n"
        "from datetime import date\n"
        "s = make.season('2041-42', start_date=date(2041, 10, 1), end_date=date(2042, 3, 31))\n"
        "for n in range(1, 121):\n"
        "    e = make.event(s, n, first_day=date(2041, 10, 1), last_day=date(2041, 10, 3))\n"
        "    make.race(e, distance='500m', state='draft')\n"
    ))  # fmt: skip
    lines = [header] + [
        f"2041-42,{event},men,500m,1,{rank},Import Skater {chr(65 + rank % 26)}{chr(65 + rank // 26)},"
        f"{['KOR', 'CAN', 'NED'][event % 3]},,\n"
        for event in range(1, 121)
        for rank in range(1, 101)
    ]
    body = "".join(lines).encode()
    browser = session(server, "chief")
    page = browser.get(server.url + "/admin/results/race/import/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    preview = browser.post(
        server.url + "/admin/results/race/import/",
        data={"csrfmiddlewaretoken": token, "publish": "official", "reason": "", "preview": "1"},
        files={"file": ("big.csv", body, "text/csv")},
        headers={"Referer": server.https + "/admin/results/race/import/"},
    )
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.text))
    if "content" not in fields:
        failures.append(f"{label}: the import preview did not offer a confirmation")
        return ["- Fault: the import preview failed."]
    fields["confirm"] = "Import"
    total = len(lines) - 1

    def count() -> int:
        return int(manage(env, "shell", "-c", (
            "from results.models import Result\n"
            "print(Result.objects.filter(race__event__season__slug='2041-42').count())"
        )).strip().splitlines()[-1])  # fmt: skip

    def confirm(timings: list[float]) -> None:
        started = time.monotonic()
        with contextlib.suppress(requests.RequestException):  # a killed worker: expected
            browser.post(server.url + "/admin/results/race/import/", data=fields, timeout=300,
                         allow_redirects=False,
                         headers={"Referer": server.https + "/admin/results/race/import/"})  # fmt: skip
        timings.append(time.monotonic() - started)

    # Kill every worker at moments across the import; each time nothing may remain.
    outcomes = []
    for delay in (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 3.0):
        timings: list[float] = []
        poster = threading.Thread(target=confirm, args=(timings,))
        poster.start()
        time.sleep(delay)
        for pid in server.workers():
            os.kill(pid, signal.SIGKILL)
        poster.join()
        time.sleep(2)  # the master starts new workers
        found = count()
        outcomes.append(f"killed at {delay} s: {found}")
        if found not in (0, total):
            failures.append(f"{label}: a killed import left {found} of {total} lines")
        if found == total:
            break  # it finished before the kill
    timings = []
    if count() == 0:
        confirm(timings)
        undisturbed = count()
        outcomes.append(f"undisturbed: {undisturbed} in {timings[0]:.1f} s")
        if undisturbed != total:
            failures.append(f"{label}: the undisturbed import wrote {undisturbed} of {total}")
    return [
        f"- Fault: {total} lines confirmed through the admin import, every worker killed at "
        f"moments across it; lines afterwards ({'; '.join(outcomes)}). All or nothing each time."
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
