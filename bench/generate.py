"""A reproducible 30-season World Cup history for the benchmark.

    DATABASE_URL=sqlite:////work/main/bench/data/bench.sqlite3 \\
    DJANGO_SETTINGS_MODULE=worldcup.settings .venv/bin/python bench/generate.py

into a migrated database holding the nations (`manage.py loaddata nations`) and no season.
Seasons 1996-97 … 2025-26, each with the 2012-13 rules (the 0.8-series points table, best 6
individual, best 4 relay); 6–9 events of 10–12 races: 500, 1000 and 1500 m for men and women,
one of them skated twice, the men's 5000 m and women's 3000 m relays, and now and then a second
doubled distance or (from 2019-20) the mixed relay. 32–40 ranked skaters per individual race
(and a few PEN, DNF, DNS lines), 7–9 nations per relay, about 2,000 athletes from 30 nations.

Seasons, events and races (draft) are created with bulk_create; the classifications are written
as results CSV files, one per season (bench/data/csv/), and imported the way an official does it
(`results.csv_format`: read → plan → apply, publishing the races as official). The import is
timed, phase by phase. Everything comes from one seeded random generator: the same seed gives the
same history, byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
SEED = 20121019
FIRST_YEAR = 1996
SEASONS = 30
# The 2012-13 rules (fixtures/season_2012_13.json): 1000 × 0.8^(rank − 1), down to 1 point.
POINTS = [1000, 800, 640, 512, 410, 328, 262, 210, 168, 134, 107, 86, 69, 55, 44, 35, 28, 23,
          18, 14, 12, 9, 7, 6, 5, 4, 3, 2, 2, 2, 1, 1, 1, 1, 1]  # fmt: skip
INDIVIDUAL = ("500m", "1000m", "1500m")
RELAY = {"men": "5000m-relay", "women": "3000m-relay"}
MIXED_RELAY_FROM = 2019  # first season (start year) with a mixed relay
POOL = (95, 105)  # active skaters per gender and season
RETIRE = 0.33  # chance a skater retires after a season
# Thirty nations and how strong their skaters are (mean ability, in noise units).
NATIONS = {
    "KOR": 1.2, "CHN": 1.1, "CAN": 1.0, "NED": 0.8, "ITA": 0.6, "USA": 0.6, "RUS": 0.6,
    "JPN": 0.4, "HUN": 0.4, "FRA": 0.2, "GBR": 0.2, "GER": 0.1, "KAZ": 0.0, "POL": 0.0,
    "BEL": 0.0, "AUS": -0.2, "UKR": -0.2, "LAT": -0.3, "ISR": -0.4, "CZE": -0.4, "AUT": -0.5,
    "SUI": -0.5, "BUL": -0.5, "ROU": -0.6, "TPE": -0.6, "HKG": -0.7, "SGP": -0.8, "NZL": -0.8,
    "MGL": -1.0, "TUR": -1.0,
}  # fmt: skip
# How many of a season's new skaters come from each nation (big federations send more).
NATION_WEIGHTS = {code: max(1, round(5 + 4 * strength)) for code, strength in NATIONS.items()}
CITIES = [
    ("Calgary", "CAN"), ("Montreal", "CAN"), ("Saguenay", "CAN"), ("Salt Lake City", "USA"),
    ("Milwaukee", "USA"), ("Marquette", "USA"), ("Shanghai", "CHN"), ("Harbin", "CHN"),
    ("Beijing", "CHN"), ("Changchun", "CHN"), ("Seoul", "KOR"), ("Jeonju", "KOR"),
    ("Nagoya", "JPN"), ("Dresden", "GER"), ("Moscow", "RUS"), ("Kolomna", "RUS"),
    ("Sochi", "RUS"), ("Turin", "ITA"), ("Bormio", "ITA"), ("Dordrecht", "NED"),
    ("Heerenveen", "NED"), ("Budapest", "HUN"), ("Debrecen", "HUN"), ("Almaty", "KAZ"),
    ("Sofia", "BUL"), ("Gdańsk", "POL"), ("Sheffield", "GBR"), ("Antwerp", "BEL"),
]  # fmt: skip


def words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = {
    "men": words("""Aaron Adam Alex Andrea Anton Arjan Ben Bence Charles Daan Daniel Dmitry Elias
        Felix Franz Gabriel Hwang Ivan Jae Jan Jens Jin Jordan Kai Kazuki Kim Lars Leo Liam Lin
        Luca Marco Mark Martin Maxime Min Nikita Niels Oleg Pascal Paul Pietro Quentin Rafael
        Roman Ryo Samuel Semen Shaolin Simon Sjinkie Steven Takuya Thibaut Tomas Viktor Wu Yuri
        Zhang"""),
    "women": words("""Alena Alina Anna Arianna Bo Cecilia Charlotte Chloe Choi Courtney Daria Elise
        Emina Fan Hanne Ilaria Irina Jorien Julie Kalyna Kim Kristen Lana Lara Lee Li Marianne
        Martina Mei Miyu Natalia Noh Olga Petra Qi Rianne Sara Selma Shim Sofia Sumire Suzanne
        Tatiana Valerie Veronika Xandra Yara Yuki Zhou Zsofia Ana Ines Hanna Ewa Katrin Nadia
        Rosa Saskia"""),
}
SURNAMES = words("""Abe Achterberg Ahn Akkerman Anker Berger Bertels Boutin Brink Celski Chen Cho
    Choi Christie Confortola Dai Dijkstra Dubois Eder Elistratov Fabris Fan Fontana Gagnon
    Girard Gong Guo Hamelin Han Heo Hirai Hwang Ito Jang Jeong Jiang Kang Kato Knegt Kobayashi
    Kozlov
    Krylov Lambert Lee Lepape Li Lim Liu Ma Maltais Martin Meng Moreau Nagy Noh Novak Park
    Petrov Popov Qu Ren Roberts Rossi Saito Sato Schulting Seo Shin Smith Song St-Gelais Sun
    Suzuki Takahashi Tan Tanaka Toth Valcepina Van_Kerkhof Van_Ruijven Varga Volkov Walter
    Wang Wu Xu Yang Yoon Yu Zhang Zhao Zhou Zhu Abramov Baumann Cooper Dumont Eriksen Fischer
    Garcia Horvath Ivanova Jensen Keller Larsen Moretti Nowak Olsen Peeters Richter Schmidt
    Vermeulen Weber Wouters Zielinski""")
SURNAMES = [name.replace("_", " ") for name in SURNAMES]  # "Van_Kerkhof" → "Van Kerkhof"


@dataclass
class Skater:
    name: str
    gender: str
    nation: str
    ability: float


@dataclass
class RacePlan:
    gender: str
    distance: str
    number: int
    date: date
    lines: list[tuple[int | None, str, str, str, str]] = field(default_factory=list)
    # (rank, athlete name or "" for a relay team, nation, time, status)


@dataclass
class EventPlan:
    number: int
    city: str
    first_day: date
    last_day: date
    races: list[RacePlan] = field(default_factory=list)


@dataclass
class SeasonPlan:
    slug: str
    name: str
    events: list[EventPlan] = field(default_factory=list)

    @property
    def start_date(self) -> date:
        return self.events[0].first_day

    @property
    def end_date(self) -> date:
        return self.events[-1].last_day

    @property
    def result_count(self) -> int:
        return sum(len(race.lines) for event in self.events for race in event.races)


# --- The history (pure: no database) --------------------------------------------------------


class Names:
    """Unique skater names, "First SURNAME", drawn from the lists (a number when they run out)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()

    def new(self, gender: str) -> str:
        for _ in range(50):
            name = f"{self.rng.choice(FIRST_NAMES[gender])} {self.rng.choice(SURNAMES).upper()}"
            if name.casefold() not in self.taken:
                self.taken.add(name.casefold())
                return name
        name = f"{name} {len(self.taken)}"
        self.taken.add(name.casefold())
        return name


def new_skater(rng: random.Random, names: Names, gender: str, rookie: bool) -> Skater:
    nation = rng.choices(list(NATION_WEIGHTS), weights=list(NATION_WEIGHTS.values()))[0]
    ability = rng.gauss(NATIONS[nation], 1.0) - (0.4 if rookie else 0.0)
    return Skater(names.new(gender), gender, nation, ability)


def race_time(rng: random.Random, distance: str, rank: int) -> str:
    base = {"500m": 40.6, "1000m": 84.5, "1500m": 134.0, "5000m-relay": 402.0,
            "3000m-relay": 247.0, "2000m-mixed-relay": 158.0}[distance]  # fmt: skip
    seconds = base * (1 + 0.004 * rank + rng.uniform(0, 0.01))
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:06.3f}" if minutes else f"{rest:.3f}"


def individual_lines(
    rng: random.Random, distance: str, pool: list[Skater]
) -> list[tuple[int | None, str, str, str, str]]:
    ranked = rng.randint(32, 40)
    unranked = rng.choice((0, 0, 0, 1, 1, 2, 3))
    # The strongest enter more often; the race decides the order (ability plus the day's form).
    entrants = sorted(pool, key=lambda s: -(s.ability + rng.gauss(0, 1.2)))[: ranked + unranked]
    order = sorted(entrants, key=lambda s: -(s.ability + rng.gauss(0, 0.7)))
    lines: list[tuple[int | None, str, str, str, str]] = []
    for rank, skater in enumerate(order[:ranked], start=1):
        lines.append((rank, skater.name, skater.nation, race_time(rng, distance, rank), ""))
    for skater in order[ranked:]:
        lines.append((None, skater.name, skater.nation, "", rng.choice(("PEN", "DNF", "DNS"))))
    return lines


def relay_lines(
    rng: random.Random, distance: str, teams: dict[str, float]
) -> list[tuple[int | None, str, str, str, str]]:
    count = rng.randint(7, 9)
    entrants = sorted(teams, key=lambda n: -(teams[n] + rng.gauss(0, 0.8)))[:count]
    order = sorted(entrants, key=lambda n: -(teams[n] + rng.gauss(0, 0.5)))
    penalised = order.pop() if rng.random() < 0.15 else None
    lines: list[tuple[int | None, str, str, str, str]] = [
        (rank, "", nation, race_time(rng, distance, rank), "")
        for rank, nation in enumerate(order, start=1)
    ]
    if penalised:
        lines.append((None, "", penalised, "", "PEN"))
    return lines


def history(seed: int = SEED, seasons: int = SEASONS) -> list[SeasonPlan]:
    """The whole history, from one seeded generator (the same seed, the same history)."""
    rng = random.Random(seed)
    names = Names(rng)
    pools = {
        gender: [new_skater(rng, names, gender, rookie=False) for _ in range(POOL[1])]
        for gender in ("men", "women")
    }
    plans = []
    for year in range(FIRST_YEAR, FIRST_YEAR + seasons):
        if year > FIRST_YEAR:  # careers: some retire, the others' form drifts, rookies come
            for gender, pool in pools.items():
                pool[:] = [s for s in pool if rng.random() > RETIRE]
                for skater in pool:
                    skater.ability += rng.gauss(0.05, 0.25)
                while len(pool) < rng.randint(*POOL):
                    pool.append(new_skater(rng, names, gender, rookie=True))
        season = SeasonPlan(f"{year}-{(year + 1) % 100:02d}", f"{year}–{(year + 1) % 100:02d}")
        # Relay teams: a nation's strength, with this season's form.
        teams = {code: strength + rng.gauss(0, 0.4) for code, strength in NATIONS.items()}
        teams = dict(sorted(teams.items(), key=lambda item: -item[1])[:12])
        friday = date(year, 10, 1) + timedelta(days=(4 - date(year, 10, 1).weekday()) % 7)
        friday += timedelta(weeks=rng.randint(0, 3))
        cities = rng.sample(CITIES, rng.randint(6, 9))
        for number, (city, _) in enumerate(cities, start=1):
            event = EventPlan(number, city, friday, friday + timedelta(days=2))
            season.events.append(event)
            saturday, sunday = friday + timedelta(days=1), friday + timedelta(days=2)
            extras = ["men", "women"] + (["mixed"] if year >= MIXED_RELAY_FROM else [])
            extras = rng.sample(extras, rng.randint(0, 2))
            for gender in ("men", "women"):
                doubled = rng.sample(INDIVIDUAL, 2 if gender in extras else 1)
                for distance in INDIVIDUAL:
                    numbers = (1, 2) if distance in doubled else (1,)
                    for race_number in numbers:
                        day = saturday if race_number == 1 and distance != "500m" else sunday
                        race = RacePlan(gender, distance, race_number, day)
                        race.lines = individual_lines(rng, distance, pools[gender])
                        event.races.append(race)
                race = RacePlan(gender, RELAY[gender], 1, sunday)
                race.lines = relay_lines(rng, RELAY[gender], teams)
                event.races.append(race)
            if "mixed" in extras:
                race = RacePlan("mixed", "2000m-mixed-relay", 1, saturday)
                race.lines = relay_lines(rng, "2000m-mixed-relay", teams)
                event.races.append(race)
            friday += timedelta(weeks=rng.choice((1, 2, 2, 2, 3)))
        plans.append(season)
    return plans


def season_csv(season: SeasonPlan) -> bytes:
    """The season's classifications in the results CSV format (docs/results-csv.md)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["season", "event", "gender", "distance", "race", "rank", "athlete",
                     "nation", "time", "status"])  # fmt: skip
    for event in season.events:
        for race in event.races:
            key = [season.slug, event.number, race.gender, race.distance, race.number]
            for rank, athlete, nation, race_time_, status in race.lines:
                writer.writerow([*key, rank or "", athlete, nation, race_time_, status])
    return out.getvalue().encode()


def write_csv(seasons: list[SeasonPlan], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for season in seasons:
        path = directory / f"{season.slug}.csv"
        path.write_bytes(season_csv(season))
        paths.append(path)
    return paths


# --- Into the database ----------------------------------------------------------------------


def create_calendar(seasons: list[SeasonPlan]) -> int:
    """Seasons (2012-13 rules), events and draft races, with bulk_create. Returns the races."""
    from django.db import transaction

    from results.models import Event, Race, Season

    with transaction.atomic():
        Season.objects.bulk_create(
            Season(
                slug=plan.slug,
                name=plan.name,
                start_date=plan.start_date,
                end_date=plan.end_date,
                points_table=POINTS,
                best_individual=6,
                best_relay=4,
                tie_break=["countback", "last-race"],
                rules_confidence="assumed",
                rules_source="Benchmark history (bench/generate.py): the 2012-13 rules.",
            )
            for plan in seasons
        )
        season_ids = dict(Season.objects.values_list("slug", "pk"))
        Event.objects.bulk_create(
            Event(
                season_id=season_ids[plan.slug],
                number=event.number,
                city=event.city,
                first_day=event.first_day,
                last_day=event.last_day,
            )
            for plan in seasons
            for event in plan.events
        )
        event_ids = {
            (season, number): pk
            for pk, season, number in Event.objects.values_list("pk", "season__slug", "number")
        }
        races = [
            Race(
                event_id=event_ids[(plan.slug, event.number)],
                gender=race.gender,
                distance=race.distance,
                number=race.number,
                date=race.date,
                state="draft",
                completeness="complete",
            )
            for plan in seasons
            for event in plan.events
            for race in event.races
        ]
        Race.objects.bulk_create(races, batch_size=1000)
    return len(races)


@dataclass
class ImportTiming:
    """How long the import of the history took, phase by phase (seconds)."""

    files: int = 0
    rows: int = 0
    races: int = 0
    athletes: int = 0
    read: float = 0.0
    plan: float = 0.0
    apply: float = 0.0

    @property
    def total(self) -> float:
        return self.read + self.plan + self.apply

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.total if self.total else 0.0


def import_history(paths: list[Path]) -> ImportTiming:
    """Import each season's file as an official would (read → plan → apply, published as
    official), timing each phase; stops at the first file with a problem."""
    from results import csv_format, importer
    from results.vocabulary import RaceState

    timing = ImportTiming()
    for path in paths:
        data = path.read_bytes()
        started = time.perf_counter()
        rows, problems = csv_format.read(data, path.name)
        read_done = time.perf_counter()
        import_plan = importer.plan(rows, problems)
        plan_done = time.perf_counter()
        if not import_plan.ok:
            shown = "; ".join(str(problem) for problem in import_plan.problems[:5])
            raise SystemExit(f"{path.name}: {len(import_plan.problems)} problem(s): {shown}")
        done = importer.apply(import_plan, RaceState.OFFICIAL, "Benchmark history")
        applied = time.perf_counter()
        timing.files += 1
        timing.rows += done["results"]
        timing.races += done["races"]
        timing.athletes += done["athletes"]
        timing.read += read_done - started
        timing.plan += plan_done - read_done
        timing.apply += applied - plan_done
    return timing


def generate(seed: int = SEED, seasons: int = SEASONS, directory: Path | None = None) -> dict:
    """Build the history into the (empty) database; returns what was made and the timings."""
    from results.models import Athlete, Nation, Result, Season

    if not Nation.objects.filter(code__in=list(NATIONS)).count() == len(NATIONS):
        raise SystemExit("The nations are missing: run `manage.py loaddata nations` first.")
    if Season.objects.exists():
        raise SystemExit("The database already has seasons: generate into an empty one.")
    started = time.perf_counter()
    plans = history(seed, seasons)
    built = time.perf_counter()
    races = create_calendar(plans)
    calendar_done = time.perf_counter()
    paths = write_csv(plans, directory or DATA / "csv")
    written = time.perf_counter()
    timing = import_history(paths)
    return {
        "seed": seed,
        "seasons": len(plans),
        "events": sum(len(plan.events) for plan in plans),
        "races": races,
        "results": Result.objects.count(),
        "athletes": Athlete.objects.count(),
        "nations": len(
            {line[2] for p in plans for e in p.events for r in e.races for line in r.lines}
        ),
        "csv_bytes": sum(path.stat().st_size for path in paths),
        "build_seconds": built - started,
        "calendar_seconds": calendar_done - built,
        "write_seconds": written - calendar_done,
        "import": {
            "files": timing.files,
            "rows": timing.rows,
            "races": timing.races,
            "athletes": timing.athletes,
            "read": timing.read,
            "plan": timing.plan,
            "apply": timing.apply,
            "total": timing.total,
            "rows_per_second": timing.rows_per_second,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--seasons", type=int, default=SEASONS, help="1 to 30 (default 30)")
    parser.add_argument("--csv-dir", type=Path, default=DATA / "csv")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    options = parser.parse_args(argv)
    if not 1 <= options.seasons <= SEASONS:
        parser.error(f"--seasons must be 1 to {SEASONS}")

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worldcup.settings")
    import django

    django.setup()
    summary = generate(options.seed, options.seasons, options.csv_dir)
    if options.json:
        print(json.dumps(summary, indent=2))
    else:
        imported = summary["import"]
        print(
            f"{summary['seasons']} seasons, {summary['events']} events, {summary['races']} "
            f"races, {summary['results']} results, {summary['athletes']} athletes; imported "
            f"{imported['rows']} rows in {imported['total']:.2f} s "
            f"({imported['rows_per_second']:.0f} rows/s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
