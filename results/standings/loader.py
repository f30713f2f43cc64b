"""The standings' one reader of the database: one query per season, scored by the pure modules,
cached under the season's version token (fresh after every committed change).

Views, the API, the admin and the commands ask here for tables, comparisons and records; the
models never do (they import only the pure rules).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache

from results.models import Athlete, PublishedStanding, Race, Result, Season
from results.standings.athlete import AthleteRecord, AthleteResult, athlete_record
from results.standings.compare import Comparison, Published, compare
from results.standings.table import (
    LineFacts,
    RaceFacts,
    SeasonStandings,
    StandingsTable,
    score_season,
)
from results.versioning import release
from results.vocabulary import PUBLIC_STATES, RELAY_DISTANCES, Completeness, RaceState

# This worker's unpickled copies, by (season, version): never stale, as a committed change makes
# a new version; the shared cache spares other workers and hosts the query and the scoring.
LOADED: dict[tuple[int, int], SeasonStandings] = {}
SHARED_TIMEOUT = 24 * 60 * 60


def season_standings(season: Season) -> SeasonStandings:
    """The season's standings, cached under its version token (fresh after every commit)."""
    key = (season.pk, season.version)
    loaded = LOADED.get(key)
    if loaded is None:
        shared_key = f"standings:{release()}:{season.pk}:{season.version}"
        loaded = cache.get(shared_key)
        if loaded is None:
            loaded = load_season(season)
            cache.set(shared_key, loaded, timeout=SHARED_TIMEOUT)
        most = getattr(settings, "STANDINGS_WORKER_COPIES", 32)
        if most:
            if len(LOADED) >= most:
                LOADED.pop(next(iter(LOADED)))
            LOADED[key] = loaded
    return loaded


def forget_loaded() -> None:
    """Drop this worker's copies (tests, and after a restore)."""
    LOADED.clear()


def load_season(season: Season) -> SeasonStandings:
    """Read every race and public result of the season in one query and score them."""
    rows = (
        Race.objects.filter(event__season=season)
        .order_by("event__number", "date", "number", "pk")
        .values_list(
            "pk",
            "event__number",
            "event__city",
            "gender",
            "distance",
            "number",
            "date",
            "state",
            "completeness",
            "results__rank",
            "results__status",
            "results__nation_id",
            "results__athlete__slug",
            "results__athlete__name",
            "results__adjustment__kind",
            "results__adjustment__points",
        )
    )
    races: dict[int, RaceFacts] = {}
    lines: list[LineFacts] = []
    for pk, event, city, gender, distance, number, day, state, completeness, *line in rows:
        if pk not in races:
            races[pk] = RaceFacts(
                key=pk,
                event=event,
                city=city,
                gender=gender,
                distance=distance,
                number=number,
                date=day,
                public=state in PUBLIC_STATES,
                provisional=state == RaceState.PROVISIONAL,
                complete=completeness == Completeness.COMPLETE,
            )
        rank, status, nation, slug, name, adjustment, deduction = line
        if nation is not None:  # a line (every line names a nation); None: a race with none
            lines.append(LineFacts(pk, rank, status, nation, slug, name, adjustment, deduction))
    return score_season(season.slug, season.rules, list(races.values()), lines)


def standings_table(
    season: Season, gender: str, kind: str, after_race: int | None = None
) -> StandingsTable:
    """A table of the season after race K (all races by default); UnknownTable if none."""
    return season_standings(season).table(gender, kind, after_race)


def published(season: Season, **table: str) -> dict[tuple[str, str], list[Published]]:
    """The season's published standings rows, per (gender, kind) table (one query)."""
    found: dict[tuple[str, str], list[Published]] = {}
    rows = (
        PublishedStanding.objects.filter(season=season, **table)
        .select_related("athlete")
        .order_by("rank")
    )
    for row in rows:
        team = row.nation_id if row.kind in RELAY_DISTANCES else None
        found.setdefault((row.gender, row.kind), []).append(
            Published(
                rank=row.rank,
                points=row.points,
                competitor=row.athlete.slug if row.athlete_id else team,
                name=row.athlete.name if row.athlete_id else team,
            )
        )
    return found


def published_for(season: Season, gender: str, kind: str) -> list[Published]:
    return published(season, gender=gender, kind=kind).get((gender, kind), [])


def comparison(season: Season) -> list[tuple[StandingsTable, list[Comparison]]]:
    """Each published table of the season beside the computed one (two queries)."""
    source = published(season)
    return [
        (table, compare(table, source[(table.gender, table.kind)], season.rules))
        for table in season_standings(season).tables()
        if (table.gender, table.kind) in source
    ]


def table_comparison(season: Season, table: StandingsTable) -> list[Comparison]:
    """One table beside its published rows ([] when none were published)."""
    rows = published_for(season, table.gender, table.kind)
    return compare(table, rows, season.rules) if rows else []


def athlete_results(athlete: Athlete) -> Sequence[Result]:
    """The athlete's public results, newest first, each with its race, event and season."""
    return list(
        athlete.results.public()
        .select_related("race__event__season", "adjustment")
        .with_race_doubled()
        .order_by("-race__date", "race__distance")
    )


def record(results: Sequence[Result]) -> AthleteRecord:
    """Podiums, best placings and points per season from an athlete's public results."""
    facts = []
    for result in results:
        race, season = result.race, result.race.event.season
        adjustment = getattr(result, "adjustment", None)  # None: no adjustment recorded
        facts.append(
            AthleteResult(
                season=season.slug,
                season_name=season.name,
                season_start=season.start_date,
                rules=season.rules,
                race=race.pk,
                gender=race.gender,
                distance=race.distance,
                rank=result.rank,
                status=result.status,
                adjustment=adjustment.kind if adjustment else None,
                deduction=adjustment.points if adjustment else 0,
            )
        )
    return athlete_record(facts)
