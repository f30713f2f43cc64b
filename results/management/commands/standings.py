"""python manage.py standings SEASON GENDER DISTANCE [--after-race K] [--format table|csv|json]"""

import csv
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from results.models import Season
from results.standings import loader
from results.standings.table import StandingsTable, UnknownTable, table_rows
from results.vocabulary import Gender, TableKind

GENDERS = Gender.values
TABLES = TableKind.values


def resolve(season_slug: str, gender: str, distance: str, after_race: int | None) -> tuple:
    """The season and its table, or CommandError(returncode=2) with a one-line reason."""
    if gender not in GENDERS:
        raise CommandError(f"unknown gender {gender!r}: use {', '.join(GENDERS)}", returncode=2)
    if distance not in TABLES:
        raise CommandError(f"unknown distance {distance!r}: use {', '.join(TABLES)}", returncode=2)
    season = Season.objects.filter(slug=season_slug).first()
    if season is None:
        known = ", ".join(Season.objects.values_list("slug", flat=True)) or "none loaded"
        raise CommandError(f"unknown season {season_slug!r} (seasons: {known})", returncode=2)
    try:
        return season, loader.standings_table(season, gender, distance, after_race)
    except UnknownTable as error:
        raise CommandError(str(error), returncode=2) from error


class Command(BaseCommand):
    help = "Print a World Cup standings table, e.g. `standings 2012-13 men 500m`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("season", help="Season slug, e.g. 2012-13.")
        parser.add_argument("gender", help="men, women or mixed.")
        parser.add_argument("distance", help=f"One of: {', '.join(TABLES)}.")
        parser.add_argument("--after-race", type=int, help="The standings after race K.")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args: object, **options: object) -> None:
        season, table = resolve(
            options["season"], options["gender"], options["distance"], options["after_race"]
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(table.as_dict(season.slug), ensure_ascii=False, indent=2))
        elif options["format"] == "csv":
            self.write_csv(table)
        else:
            self.write_table(season, table)

    def write_csv(self, table: StandingsTable) -> None:
        csv.writer(self.stdout, lineterminator="\n").writerows(table_rows(table))  # as the site

    def write_table(self, season: Season, table: StandingsTable) -> None:
        out = self.stdout
        title = f"{table.title} standings, {season.name}"
        best = f"best {table.best_of} count" if table.best_of else "all results count"
        out.write(f"{title}: {table.progress} ({best})")
        if table.partial_races:
            out.write(
                f"Incomplete: {table.partial_races} of {table.races_done} races have partial "
                "classifications (podium or the places a source gives)."
            )
        if table.provisional_races:
            out.write(f"Provisional: {table.provisional_races} races are not yet official.")
        columns = [race.short_label for race in table.races[: table.after_race]]
        outlook = table.outlook
        out.write(
            f"{'Rank':>4}  {'Competitor':<24} {'Nation':<6} {'Points':>6} {'Gross':>6} "
            f"{'Max':>6}  " + "  ".join(f"{c:>8}" for c in columns)
        )
        for row in table.rows:
            lines = {line.race: line.text for line in row.standing.lines}
            cells = [lines.get(r.position, "") for r in table.races[: table.after_race]]
            shared = "=" if row.standing.shared else " "
            key = row.competitor.key
            most = (
                f"{outlook.max_points[key]}{'*' if outlook.can_win[key] else ' '}"
                if (outlook)
                else ""
            )
            out.write(
                f"{row.standing.rank:>3}{shared}  {row.competitor.display[:24]:<24} "
                f"{row.competitor.nation:<6} {row.standing.points:>6} {row.standing.gross:>6} "
                f"{most:>7} "
                + "  ".join(f"{c:>8}" for c in cells)
                + (f"  [{row.standing.tie_break}]" if row.standing.tie_break else "")
            )
        out.write(
            "Dropped results in parentheses; DQ: disqualified; 800-100: a deduction of 100; "
            "= marks a shared rank; [ ]: the tie-break that decided; Max: the most points "
            "still reachable, * can still win."
        )
        if outlook:
            out.write(outlook.summary)
