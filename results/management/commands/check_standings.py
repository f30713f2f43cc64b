"""python manage.py check_standings SEASON: published standings beside the computed ones."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from results.models import Season
from results.standings import loader


class Command(BaseCommand):
    help = (
        "Compare a season's published standings with the computed ones, table by table. "
        "Exits with status 1 when any row differs, naming the competitor, both totals and "
        "the likely cause."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("season", help="Season slug, e.g. 2012-13.")

    def handle(self, *args: object, **options: object) -> None:
        season = Season.objects.filter(slug=options["season"]).first()
        if season is None:
            raise CommandError(f"unknown season {options['season']!r}", returncode=2)
        differences = 0
        tables = loader.comparison(season)
        if not tables:
            self.stdout.write(f"{season.name}: no published standings to compare.")
        for table, comparisons in tables:
            best = f"best {table.best_of}" if table.best_of else "all count"
            self.stdout.write(
                f"\n{table.title} ({best}, after "
                f"{table.races_done} of {table.races_total} races, {table.partial_races} "
                "with partial classifications)"
            )
            for comparison in comparisons:
                published, row = comparison.published, comparison.computed
                who = published.name or "unnamed"
                computed = (
                    f"{row.standing.points:>5} ({row.standing.rank}. {row.competitor.display})"
                    if row
                    else "    – (not in the computed table)"
                )
                verdict = "ok" if comparison.agrees else f"DIFFERS: {comparison.cause}"
                self.stdout.write(
                    f"  {published.rank}. {who:<18} published {published.points:>5}  "
                    f"computed {computed:<34} {verdict}"
                )
                differences += not comparison.agrees
        self.stdout.write(
            f"\n{differences} published row(s) differ from the computed standings."
            if differences
            else "\nEvery published row agrees with the computed standings."
        )
        if differences:
            raise SystemExit(1)
