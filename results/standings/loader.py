"""The standings' one reader of the database: one query per season, scored by the pure modules,
cached under the season's version token (fresh after every committed change).

Views, the API, the admin and the commands ask here for tables, comparisons and records; the
models never do (they import only the pure rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

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
    return many_standings([season])[season.pk]


def many_standings(seasons: Sequence[Season]) -> dict[int, SeasonStandings]:
    """Several seasons' standings: this worker's copies, then the shared cache, then one
    query for all the seasons still missing."""
    found: dict[int, SeasonStandings] = {}
    missing = {}
    for season in seasons:
        loaded = LOADED.get((season.pk, season.version))
        if loaded is None:
            missing[f"standings:{release()}:{season.pk}:{season.version}"] = season
        else:
            found[season.pk] = loaded
    if missing:
        shared = cache.get_many(list(missing))
        unread = [season for key, season in missing.items() if key not in shared]
        read = load_seasons(unread) if unread else {}
        cache.set_many(
            {k: read[season.pk] for k, season in missing.items() if season.pk in read},
            timeout=SHARED_TIMEOUT,
        )
        for key, season in missing.items():
            loaded = shared.get(key) or read[season.pk]
            found[season.pk] = loaded
            keep(season, loaded)
    return found


def keep(season: Season, loaded: SeasonStandings) -> None:
    most = getattr(settings, "STANDINGS_WORKER_COPIES", 32)
    if most:
        if len(LOADED) >= most:
            LOADED.pop(next(iter(LOADED)))
        LOADED[(season.pk, season.version)] = loaded


def forget_loaded() -> None:
    """Drop this worker's copies (tests, and after a restore)."""
    LOADED.clear()


def load_season(season: Season) -> SeasonStandings:
    """Read every race and public result of the season in one query and score them."""
    return load_seasons([season])[season.pk]


def load_seasons(seasons: Sequence[Season]) -> dict[int, SeasonStandings]:
    """Read every race and public result of these seasons in one query and score them."""
    rows = (
        Race.objects.filter(event__season__in=seasons)
        .order_by("event__season", "event__number", "date", "number", "pk")
        .values_list(
            "event__season_id",
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
    races: dict[int, dict[int, RaceFacts]] = {season.pk: {} for season in seasons}
    lines: dict[int, list[LineFacts]] = {season.pk: [] for season in seasons}
    for (
        season_id,
        pk,
        event,
        city,
        gender,
        distance,
        number,
        day,
        state,
        completeness,
        *line,
    ) in rows:
        if pk not in races[season_id]:
            races[season_id][pk] = RaceFacts(
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
            fact = LineFacts(pk, rank, status, nation, slug, name, adjustment, deduction)
            lines[season_id].append(fact)
    return {
        season.pk: score_season(
            season.slug, season.rules, list(races[season.pk].values()), lines[season.pk]
        )
        for season in seasons
    }


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


def record(results: Sequence[Result], slug: str = "") -> AthleteRecord:
    """Podiums, best placings, points per season and table, and the rank in each table, from
    an athlete's public results (the seasons' standings in one query at most)."""
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
    plain = athlete_record(facts)
    seasons = {result.race.event.season.pk: result.race.event.season for result in results}
    tables = many_standings(list(seasons.values())) if seasons else {}
    by_slug = {season.slug: pk for pk, season in seasons.items()}
    ranked = []
    for points in plain.seasons:
        standings = tables[by_slug[points.season]]
        rank = None
        if (points.gender, points.distance) in standings.races:
            table = standings.table(points.gender, points.distance)
            rank = next((r.standing.rank for r in table.rows if r.competitor.key == slug), None)
        ranked.append(replace(points, rank=rank))
    return replace(plain, seasons=ranked)
