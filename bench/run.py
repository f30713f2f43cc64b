"""`make bench`: build the 30-season history and measure it; writes bench/results.md.

    .venv/bin/python bench/run.py                         # SQLite (bench/data/bench.sqlite3)
    DATABASE_URL=postgres://app:app@127.0.0.1:54329/bench .venv/bin/python bench/run.py
                                                          # SQLite, then that PostgreSQL database

For each database, in a child process (the database's URL in DATABASE_URL, as the site reads
it): generate the history (bench/generate.py, which times the CSV import), time the standings
loader and the admin's race page in-process, then start gunicorn (SERVERS: the page cache on,
off, no cache at all, and on SQLite a fix tried) and drive it with wrk. Every page is measured
beside a static copy of its own bytes served by the same gunicorn (whitenoise), so the ratios
hold on a noisy machine. The PostgreSQL database is emptied first (`flush`): its name must contain
"bench".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
STATIC = DATA / "static"  # bench.settings.STATIC_ROOT
RESULTS = BENCH / "results.md"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
WRK = shutil.which("wrk") or "/usr/bin/wrk"
SQLITE_URL = f"sqlite:///{DATA / 'bench.sqlite3'}"
WORKERS = 2

# The targets of the issue.
CACHED_RATIO = 1.5  # cached page latency ≤ 1.5 × its static copy's
UNCACHED_P99_MS = 50.0
LOADER_MS = 50.0
IMPORT_ROWS_PER_S = 5000.0

# The gunicorn servers: what each shows, its settings (bench/settings.py) and its runs, each a
# page and wrk's connections (None: --connections; WORKERS: one connection per worker, so no
# request waits behind another and latency is the time to serve one).
SERVERS = {
    "default": (
        "the page cache on (the project's settings)",
        {"BENCH_CACHE": "default"},
        [("standings", None), ("season", None)],
    ),
    "no-pages": (
        "the page cache off: every request renders the page (the standings cache on)",
        {"BENCH_CACHE": "no-pages"},
        [("standings", None), ("standings", WORKERS), ("season", None)],
    ),
    "none": (
        "no cache at all: every request also loads and scores the whole season",
        {"BENCH_CACHE": "none"},
        [("standings", None)],
    ),
}


def environment(database_url: str, server: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every command and server of the bench: production settings over
    plain HTTP on 127.0.0.1, a throwaway key, two workers, the in-process cache."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_RELEASE")}
    env |= {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECRET_KEY": "bench-only-not-secret",
        "WEB_CONCURRENCY": str(WORKERS),
        "PYTHONPATH": str(ROOT),
    }
    return env | (server or {"BENCH_CACHE": "default"})


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


# --- The parent: prepare each database, measure it in a child, write results.md ----------


def prepare_sqlite() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATA / 'bench.sqlite3'}{suffix}").unlink(missing_ok=True)
    env = environment(SQLITE_URL)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "loaddata", "nations", "--verbosity", "0")


def check_postgresql(url: str) -> None:
    """Refuse any database but a bench one: the bench empties it."""
    import dj_database_url

    name = dj_database_url.parse(url)["NAME"] or ""
    if "bench" not in name:
        raise SystemExit(
            f"DATABASE_URL names the database {name!r}: the bench empties its database, so "
            "give it one whose name contains 'bench' (e.g. createdb -O app bench)."
        )


def prepare_postgresql(url: str) -> None:
    check_postgresql(url)
    env = environment(url)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "flush", "--noinput", "--verbosity", "0")
    manage(env, "loaddata", "nations", "--verbosity", "0")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--runs", type=int, default=15, help="runs of each in-process timing")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child: a database's label
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.measure:
        return measure(options)

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    DATA.mkdir(parents=True, exist_ok=True)
    if not Path(WRK).exists():
        raise SystemExit("wrk is missing: apt-get install wrk")
    database_url = os.environ.get("DATABASE_URL", "")
    databases = []
    if options.only != "postgresql":
        databases.append(("SQLite", SQLITE_URL))
    if options.only != "sqlite" and database_url.startswith(("postgres", "pgsql")):
        check_postgresql(database_url)  # before the SQLite run, not after it
        databases.append(("PostgreSQL", database_url))
    if not databases:
        raise SystemExit("--only postgresql needs DATABASE_URL=postgres://…/bench")

    print("collectstatic into bench/data/static/ …", flush=True)
    shutil.rmtree(STATIC, ignore_errors=True)
    manage(environment(SQLITE_URL), "collectstatic", "--noinput", "--verbosity", "0")
    (STATIC / "bench").mkdir(parents=True, exist_ok=True)

    figures = {}
    for label, url in databases:
        print(f"{label}: preparing the database …", flush=True)
        prepare_sqlite() if label == "SQLite" else prepare_postgresql(url)
        out = DATA / f"{label.lower()}.json"
        out.unlink(missing_ok=True)
        command = [PYTHON, str(BENCH / "run.py"), "--measure", label, "--out", str(out)]
        command += ["--duration", str(options.duration), "--runs", str(options.runs)]
        command += ["--connections", str(options.connections)]
        subprocess.run(command, cwd=ROOT, env=environment(url), check=True)
        figures[label] = json.loads(out.read_text())
    loads = (load_before, os.getloadavg()[0])
    kept = kept_sections(RESULTS.read_text() if RESULTS.exists() else "")
    RESULTS.write_text(report(figures, options, time.perf_counter() - started, loads) + kept)
    print(f"Wrote {RESULTS.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s.")
    return 0


# --- The child: one database -------------------------------------------------------------


def say(label: str, text: str) -> None:
    print(f"{label}: {text}", flush=True)


def median_ms(function, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), times


def measure(options: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.signals import request_finished
    from django.db import close_old_connections, connection, connections

    from bench.generate import generate

    # In this process a page is fetched with django.test.Client: keep the connection between
    # requests (as the test suite does), so query counts hold and timings leave out reconnecting,
    # which the gunicorn measures include.
    request_finished.disconnect(close_old_connections)

    label = options.measure
    figures: dict = {"label": label, "database": database_version(connection)}
    say(label, "generating the history and importing it from CSV …")
    figures["history"] = generate()
    imported = figures["history"]["import"]
    say(label, f"imported {imported['rows']} rows at {imported['rows_per_second']:.0f} rows/s")

    season, table = biggest()
    figures["season"] = season
    figures["table"] = table
    say(label, f"standings loader, {season['slug']} ({options.runs} runs) …")
    figures["loader"] = measure_loader(season["slug"], options.runs)
    say(label, "admin race page …")
    figures["admin"] = measure_admin(options.runs)
    pages = {
        "standings": f"/seasons/{season['slug']}/standings/{table[0]}/{table[1]}/",
        "season": f"/seasons/{season['slug']}/",
    }
    figures["pages"] = static_copies(label, pages)
    figures["profiles"] = profiles(label, season["slug"], pages["standings"])
    connections.close_all()

    figures["servers"] = {}
    for name in SERVERS:
        say(label, f"gunicorn, {name} …")
        figures["servers"][name] = measure_server(label, name, figures["pages"], options)
    options.out.write_text(json.dumps(figures, indent=2, default=str))
    return 0


def database_version(connection) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def biggest() -> tuple[dict, tuple[str, str]]:
    """The season with the most results (the worst case) and its biggest individual table."""
    from django.db.models import Count

    from results.models import Season
    from results.standings.loader import load_season
    from results.vocabulary import INDIVIDUAL_DISTANCES as INDIVIDUAL

    season = (
        Season.objects.annotate(results=Count("events__races__results"))
        .order_by("-results", "start_date")
        .first()
    )
    loaded = load_season(season)
    tables = loaded.table_keys()
    keys = [key for key in tables if key[1] in INDIVIDUAL]
    table = max(
        keys,
        key=lambda k: (
            len(loaded.races[k]) * len({s.competitor for s, _ in loaded.entries[k]}),
            k,
        ),
    )
    return {
        "slug": season.slug,
        "results": season.results,
        "tables": len(tables),
        "races": sum(len(loaded.races[k]) for k in tables),
    }, table


def measure_loader(slug: str, runs: int) -> dict:
    """`load_season` then `.tables()`: the whole season's standings, as the standings index
    and the home page build them (no cache)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from results.models import Season
    from results.standings.loader import load_season

    season = Season.objects.get(slug=slug)
    season.rules  # noqa: B018 (built once per Season object, outside the timing)
    loaded = load_season(season)
    tables = loaded.tables()
    with CaptureQueriesContext(connection) as queries:
        load_season(season)
    count, sql = len(queries), queries.captured_queries[-1]["sql"]
    total, times = median_ms(lambda: load_season(season).tables(), runs)
    load, _ = median_ms(lambda: load_season(season), runs)

    def build() -> list:
        loaded.built.clear()  # each worker keeps tables it built; time the building itself
        return loaded.tables()

    build, _ = median_ms(build, runs)
    return {
        "total_ms": total,
        "max_ms": max(times),
        "load_ms": load,
        "tables_ms": build,
        "queries": count,
        "tables": len(tables),
        "rows": sum(len(t.rows) for t in tables),
        "explain": explain(connection, sql),
    }


def explain(connection, sql: str) -> str:
    """The plan of the loader's query, as the database runs it."""
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return "\n".join(str(row[-1]) for row in rows)
    return "\n".join(row[0] for row in rows)


def measure_admin(runs: int) -> dict:
    """The admin's change page of a race with 40 results, as a superuser."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from results.models import Athlete, Race

    race = (
        Race.objects.annotate(lines=Count("results"))
        .filter(lines=40, distance__in=["500m", "1000m", "1500m"])
        .select_related("event__season")
        .order_by("-event__season__start_date", "event__number", "pk")
        .first()
    )
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", None)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = f"/admin/results/race/{race.pk}/change/"
    response = client.get(url)  # warm: templates, permissions
    assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries)  # now: the next request's start empties the connection's query log
    median, times = median_ms(lambda: client.get(url), runs)
    return {
        "race": str(race),
        "url": url,
        "results": race.lines,
        "athletes": Athlete.objects.count(),
        "queries": count,
        "bytes": len(response.content),
        "median_ms": median,
        "max_ms": max(times),
    }


def static_copies(label: str, pages: dict[str, str]) -> dict:
    """Render each page once and write its bytes into the static root, served by whitenoise
    at /static/bench/…: the baseline of the same size through the same server."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    copies = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        path = STATIC / "bench" / f"{label.lower()}-{name}.html"
        path.write_bytes(response.content)
        copies[name] = {
            "url": url,
            "static": f"/static/bench/{path.name}",
            "bytes": len(response.content),
        }
    return copies


def profiles(label: str, slug: str, url: str) -> dict:
    """Where the time goes, when pyinstrument is installed (optional): the whole season's
    standings, and the standings page rendered with the page cache missed."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {}
    from django.core.cache import cache
    from django.test import Client

    from results.models import Season
    from results.standings.loader import load_season

    season = Season.objects.get(slug=slug)
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(url)
    found = {}
    for name, work in [
        ("loader", lambda: load_season(season).tables()),
        ("standings-page", lambda: (drop_pages(cache), client.get(url))),
    ]:
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(10):
            work()
        profiler.stop()
        text = profiler.output_text(unicode=False, color=False, short_mode=True)
        path = DATA / f"profile-{label.lower()}-{name}.txt"
        path.write_text(text)
        found[name] = {"path": str(path.relative_to(ROOT)), "text": text}
    return found


def drop_pages(cache) -> None:
    """Forget the cached pages (not the cached standings) of this process's cache."""
    for key in [k for k in cache._cache if ":page:" in k]:
        cache.delete(key.split(":", 2)[2])


# --- gunicorn and wrk --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        return [int(p) for p in children.read_text().split()]
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{pid}$", text, re.M):
            found.append(int(status.parent.name))
    return found


def memory_kib(pid: int) -> dict[str, int]:
    text = Path(f"/proc/{pid}/status").read_text()
    return {
        field: int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))
        for field in ("VmHWM", "VmRSS")
    }


def start_gunicorn(label: str, name: str, port: int) -> subprocess.Popen:
    """`make serve`'s gunicorn (access log to /dev/null instead of the terminal)."""
    log = (DATA / f"gunicorn-{label.lower()}-{name}.log").open("w")
    server = subprocess.Popen(
        [GUNICORN, "worldcup.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", "--timeout", "30", "--graceful-timeout", "30"],
        cwd=ROOT,
        env=environment(os.environ["DATABASE_URL"], SERVERS[name][1]),
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped: see {log.name}")
        if len(workers_of(server.pid)) == WORKERS:
            try:
                fetch(f"http://127.0.0.1:{port}/static/favicon.svg")
                return server
            except OSError:
                pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer in 60 s: see {log.name}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, duration: int, connections: int) -> dict:
    """Throughput and latency percentiles from `wrk --latency`."""
    command = [WRK, "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * UNITS[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)$", output, re.M)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": latency("50"),
        "p75_ms": latency("75"),
        "p90_ms": latency("90"),
        "p99_ms": latency("99"),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def measure_server(label: str, name: str, pages: dict, options: argparse.Namespace) -> dict:
    """Each page after its static copy, through the same gunicorn: warm up, then wrk."""
    port = free_port()
    server = start_gunicorn(label, name, port)
    base = f"http://127.0.0.1:{port}"
    runs = {}
    try:
        for page_name, connections in SERVERS[name][2]:
            connections = connections or options.connections
            page = pages[page_name]
            served = fetch(base + page["url"])
            static = fetch(base + page["static"])
            for kind, path in (("static", page["static"]), ("page", page["url"])):
                wrk(base + path, 2, connections)  # warm every worker
                figures = wrk(base + path, options.duration, connections)
                figures |= {
                    "connections": connections,
                    "bytes": len(static if kind == "static" else served),
                    "same_bytes": served == static,
                }
                runs[f"{page_name}@c{connections}:{kind}"] = figures
                say(
                    label,
                    f"  {page_name} {kind}, {connections} connections: "
                    f"{figures['requests_per_s']:.0f} req/s, p50 {figures['p50_ms']:.2f} ms, "
                    f"p99 {figures['p99_ms']:.2f} ms",
                )
        memory = {pid: memory_kib(pid) for pid in workers_of(server.pid)}
    finally:
        stop(server)
    return {"runs": runs, "workers": memory}


# --- results.md ----------------------------------------------------------------------------

SUITE = "## The test suite and CI"  # measured by hand from CI's log, kept across bench runs


def kept_sections(text: str) -> str:
    """The part of results.md that the bench does not measure: the suite's and CI's figures."""
    return "\n" + text[text.index(SUITE) :] if SUITE in text else ""


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)
    return f"{cpu}, {os.cpu_count()} cores, {int(memory) // 1024 // 1024} GiB"


def versions() -> str:
    from importlib.metadata import version

    wrk_version = subprocess.run([WRK, "-v"], capture_output=True, text=True).stdout.split()[1]
    return (
        f"Python {platform.python_version()}, Django {version('django')}, gunicorn "
        f"{version('gunicorn')}, whitenoise {version('whitenoise')}, wrk {wrk_version}"
    )


def code_state() -> str:
    """The commit measured, and the files of the app that differ from it (the working tree)."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", "results", "templates", "worldcup"],
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    changed = [line[3:] for line in changed if line.strip()]
    if head.returncode:  # not a git checkout, e.g. an export of a commit: say which
        return os.environ.get("BENCH_CODE_STATE", "unknown (not a git checkout)")
    state = f"commit {head.stdout.strip()}"
    if changed:
        state += " with uncommitted changes to " + ", ".join(changed)
    return state


def ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def ratio(page: dict, static: dict, key: str) -> float:
    return page[key] / static[key]


def run(figures: dict, server: str, page: str, connections: int) -> tuple[dict, dict] | None:
    """(page, its static copy) as measured by one server, if it was."""
    runs = figures["servers"].get(server, {}).get("runs", {})
    key = f"{page}@c{connections}"
    if f"{key}:page" not in runs:
        return None
    return runs[f"{key}:page"], runs[f"{key}:static"]


TARGETS = [
    f"Cached standings page: latency ≤ {CACHED_RATIO}× a static copy of its bytes (p50 and p99)",
    f"Uncached standings page: p99 ≤ {UNCACHED_P99_MS:.0f} ms, ratio to static reported",
    f"A whole season's standings (`load_season` + `.tables()`) < {LOADER_MS:.0f} ms",
    f"Import of the history from CSV > {IMPORT_ROWS_PER_S:,.0f} rows/s",
]


def targets(figures: dict, connections: int) -> list[tuple[str, bool]]:
    """(measured, met) per target, for one database."""
    cached, cached_static = run(figures, "default", "standings", connections)
    p50, p99 = ratio(cached, cached_static, "p50_ms"), ratio(cached, cached_static, "p99_ms")
    cached_text = (
        f"p50 {p50:.2f}× ({ms(cached['p50_ms'])} vs {ms(cached_static['p50_ms'])}), "
        f"p99 {p99:.2f}× ({ms(cached['p99_ms'])} vs {ms(cached_static['p99_ms'])})"
    )
    uncached, uncached_static = run(figures, "no-pages", "standings", connections)
    uncached_text = (
        f"p99 {ms(uncached['p99_ms'])}, p50 {ms(uncached['p50_ms'])} with {connections} "
        f"connections: {ratio(uncached, uncached_static, 'p99_ms'):.0f}× the static copy's "
        f"p99, {ratio(uncached, uncached_static, 'p50_ms'):.0f}× its p50, "
        f"{ratio(uncached, uncached_static, 'requests_per_s'):.3f}× its req/s"
    )
    alone = run(figures, "no-pages", "standings", WORKERS)
    if alone:
        uncached_text += (
            f"; with {WORKERS} connections (no queueing): p99 {ms(alone[0]['p99_ms'])}, "
            f"p50 {ms(alone[0]['p50_ms'])}"
        )
    loader = figures["loader"]
    imported = figures["history"]["import"]
    return [
        (cached_text, p50 <= CACHED_RATIO and p99 <= CACHED_RATIO),
        (uncached_text, uncached["p99_ms"] <= UNCACHED_P99_MS),
        (
            f"{ms(loader['total_ms'])} median (load {ms(loader['load_ms'])} + tables "
            f"{ms(loader['tables_ms'])})",
            loader["total_ms"] < LOADER_MS,
        ),
        (
            f"{imported['rows_per_second']:,.0f} rows/s ({imported['rows']:,} rows in "
            f"{imported['total']:.1f} s)",
            imported["rows_per_second"] > IMPORT_ROWS_PER_S,
        ),
    ]


def report(
    figures: dict, options: argparse.Namespace, seconds: float, loads: tuple[float, float]
) -> str:
    labels = list(figures)
    first = figures[labels[0]]
    history = first["history"]
    out = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (bench/run.py) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in "
        f"{seconds / 60:.1f} min. Machine: {machine()}; {versions()}; "
        + ", ".join(figures[label]["database"] for label in labels)
        + f". Code: {code_state()}. Load average (1 min) {loads[0]:.2f} at the start, "
        f"{loads[1]:.2f} at the end (the bench alone keeps it near 2 on 2 cores; more means "
        "other work shared the machine). How it is measured: bench/README.md.",
        "",
        "## Targets",
        "",
        "| Target | " + " | ".join(f"{label}: measured | met?" for label in labels) + " |",
        "| --- | " + " | ".join("--- | ---" for _ in labels) + " |",
    ]
    measured = {label: targets(figures[label], options.connections) for label in labels}
    for index, target in enumerate(TARGETS):
        cells = []
        for label in labels:
            value, met = measured[label][index]
            cells.append(f"{value} | {'yes' if met else '**no**'}")
        out.append(f"| {target} | " + " | ".join(cells) + " |")
    out += [
        "",
        f"Pages are driven by `wrk -t2 -c{options.connections} -d{options.duration}s "
        f"--latency` against gunicorn with {WORKERS} sync workers on this "
        f"{os.cpu_count()}-core machine (wrk shares the cores). With {options.connections} "
        f"connections on {WORKERS} workers a request waits behind about "
        f"{options.connections // WORKERS - 1} others, so its latency is about "
        f"{options.connections // WORKERS}× the time to serve it; the runs with {WORKERS} "
        "connections show that time alone. A ratio compares a page with the static copy of its "
        "own bytes, served by the same gunicorn (whitenoise) just before it. “Uncached”: a "
        "gunicorn whose cache drops the page cache's entries (bench/settings.py, "
        "`BENCH_CACHE=no-pages`), so every request misses the page cache and renders the page; "
        "the season's standings stay cached, as in production between two changes.",
        "",
        "## The history",
        "",
        f"{history['seasons']} seasons (1996-97 … 2025-26, the 2012-13 rules), "
        f"{history['events']} events, {history['races']:,} races, {history['results']:,} "
        f"results, {history['athletes']:,} athletes, {history['nations']} nations; seed "
        f"{history['seed']}. Built in {history['build_seconds']:.1f} s, calendar created "
        f"(bulk_create) in {history['calendar_seconds']:.2f} s, written as "
        f"{history['csv_bytes'] / 1e6:.1f} MB of results CSV (one file per season) in "
        f"{history['write_seconds']:.2f} s.",
        "",
        f"Measured pages: the season with the most results, {first['season']['slug']} "
        f"({first['season']['results']:,} results, {first['season']['races']} races, "
        f"{first['season']['tables']} standings tables), its calendar "
        f"`{first['pages']['season']['url']}` ({first['pages']['season']['bytes']:,} bytes) "
        f"and its biggest standings table `{first['pages']['standings']['url']}` "
        f"({first['pages']['standings']['bytes']:,} bytes).",
        "",
    ]
    for label in labels:
        out += pages_section(label, figures[label])
    out += in_process_section(figures, options)
    out += memory_section(figures)
    out += ["## Plans and profiles", ""]
    for label in labels:
        out += [
            f"The loader's one query on {label}:",
            "",
            "```",
            figures[label]["loader"]["explain"],
            "```",
            "",
        ]
    for label in labels:
        for name, profile in figures[label]["profiles"].items():
            out += [
                f"pyinstrument, {label}, {name}, 10 runs (whole profile: {profile['path']}):",
                "",
                "```",
                trim(profile["text"]),
                "```",
                "",
            ]
    if not any(figures[label]["profiles"] for label in labels):
        out += ["(pyinstrument is not installed: `.venv/bin/pip install pyinstrument` adds "
                "profiles of the loader and of the uncached standings page here.)", ""]  # fmt: skip
    notes = BENCH / "notes.md"
    if notes.exists():
        out += [notes.read_text().rstrip(), ""]
    return "\n".join(out)


def trim(text: str, lines: int = 45) -> str:
    kept = [line.removeprefix(".  ") for line in text.splitlines() if line.strip(" .")]
    kept = [line for line in kept if not line.startswith(("pyinstrument", "Profile at"))]
    return "\n".join(kept[:lines])


def pages_section(label: str, figures: dict) -> list[str]:
    out = [
        f"## Pages through gunicorn: {label}",
        "",
        "| Server | Page | Connections | Bytes | Req/s | p50 | p99 | p50 ÷ static | "
        "p99 ÷ static | req/s ÷ static |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, server in figures["servers"].items():
        for key, measured in server["runs"].items():
            page, kind = key.split(":")
            static = server["runs"][f"{page}:static"]
            what = f"{page.split('@')[0]} {'static copy' if kind == 'static' else 'page'}"
            ratios = ["", "", ""]
            if kind == "page":
                ratios = [
                    f"{ratio(measured, static, 'p50_ms'):.2f}×",
                    f"{ratio(measured, static, 'p99_ms'):.2f}×",
                    f"{ratio(measured, static, 'requests_per_s'):.3f}×",
                ]
            errors = f" ({measured['errors']} errors)" if measured["errors"] else ""
            out.append(
                f"| {name} | {what} | {measured['connections']} | {measured['bytes']:,} | "
                f"{measured['requests_per_s']:,.0f}{errors} | {ms(measured['p50_ms'])} | "
                f"{ms(measured['p99_ms'])} | " + " | ".join(ratios) + " |"
            )
    same = all(
        measured["same_bytes"]
        for server in figures["servers"].values()
        for measured in server["runs"].values()
    )
    servers = [f"**{name}**: {SERVERS[name][0]}" for name in figures["servers"]]
    out += [
        "",
        "Servers: "
        + "; ".join(servers)
        + ". Every page served was "
        + ("byte for byte its static copy." if same else "NOT identical to its static copy."),
        "",
    ]
    return out


def in_process_section(figures: dict, options: argparse.Namespace) -> list[str]:
    labels = list(figures)
    first = figures[labels[0]]
    rows = [
        ("Whole season's standings: `load_season` + `.tables()`, median",
         lambda f: ms(f["loader"]["total_ms"])),
        ("… slowest of the runs", lambda f: ms(f["loader"]["max_ms"])),
        ("… `load_season` alone (queries)",
         lambda f: f"{ms(f['loader']['load_ms'])} ({f['loader']['queries']})"),
        ("… `.tables()` alone (tables, rows)",
         lambda f: f"{ms(f['loader']['tables_ms'])} ({f['loader']['tables']} tables, "
         f"{f['loader']['rows']} rows)"),
        ("Admin race page with 40 results: median time", lambda f: ms(f["admin"]["median_ms"])),
        ("… queries, HTML", lambda f: f"{f['admin']['queries']} queries, "
         f"{f['admin']['bytes']:,} bytes"),
        ("… athletes in the database", lambda f: f"{f['admin']['athletes']:,}"),
        ("Import: rows per second (read → plan → apply)",
         lambda f: f"{f['history']['import']['rows_per_second']:,.0f}"),
        ("… read / plan / apply",
         lambda f: " / ".join(f"{f['history']['import'][k]:.2f} s"
                              for k in ("read", "plan", "apply"))),
        ("… files, rows, races published, athletes created",
         lambda f: f"{f['history']['import']['files']}, {f['history']['import']['rows']:,}, "
         f"{f['history']['import']['races']:,}, {f['history']['import']['athletes']:,}"),
    ]  # fmt: skip
    out = [
        "## In-process timings",
        "",
        "| Measure | " + " | ".join(labels) + " |",
        "| --- | " + " | ".join("---" for _ in labels) + " |",
    ]
    for name, value in rows:
        out.append(f"| {name} | " + " | ".join(value(figures[label]) for label in labels) + " |")
    out += [
        "",
        f"Medians of {options.runs} runs after a warm-up, in the bench's own process. The "
        f"admin page is `{first['admin']['url']}` ({first['admin']['race']}), fetched as a "
        "superuser with django.test.Client; the import is one results CSV file per season "
        "through `results.csv_format` (read → plan → apply, publishing the races as official), "
        "history rows included.",
        "",
    ]
    return out


def memory_section(figures: dict) -> list[str]:
    labels = list(figures)
    out = [
        "## Worker memory",
        "",
        "Peak resident memory (VmHWM, /proc/<pid>/status) of each gunicorn worker after its "
        "runs; in brackets its resident memory at the end (VmRSS).",
        "",
        "| Server | " + " | ".join(labels) + " |",
        "| --- | " + " | ".join("---" for _ in labels) + " |",
    ]
    for name in SERVERS:
        cells = []
        for label in labels:
            server = figures[label]["servers"].get(name)
            workers = server["workers"].values() if server else []
            cells.append(
                ", ".join(f"{w['VmHWM'] / 1024:.0f} MiB ({w['VmRSS'] / 1024:.0f})" for w in workers)
                or "–"
            )
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return [*out, ""]


if __name__ == "__main__":
    raise SystemExit(main())
