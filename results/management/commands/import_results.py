"""python manage.py import_results FILE --user USERNAME [--dry-run] [--replace] [--reason R]
[--publish STATE]: a classification file, a rounds file (told by its `round` column) or an
entry-list file (told by its `helmet` column)."""

import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from results import importer
from results.vocabulary import RaceState

# What the command offers for a problem the importer can be asked to get past.
ACTIONS = {importer.REPLACE: "use --replace to replace them"}


class Command(BaseCommand):
    help = (
        "Import classifications from a results CSV (or XLSX) file, or races' rounds from a "
        "rounds file (it has a round column), or events' entry lists from an entry-list file (it "
        "has a helmet column); see docs/results-csv.md, docs/rounds-csv.md and "
        "docs/entries-csv.md. "
        "Every problem is printed with its line and nothing is written unless the whole file "
        "is good."
    )

    # A batch job on the host that serves the site: from the command line it runs at a lower
    # CPU priority, so the pages read meanwhile are answered first.
    NICENESS = 10

    def run_from_argv(self, argv: list[str]) -> None:
        os.nice(self.NICENESS)
        super().run_from_argv(argv)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and show; write nothing.")
        parser.add_argument(
            "--user",
            default="",
            help="The staff account the history names as the importer (required unless --dry-run).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the classification (or the rounds) of races, or the entry list of "
            "events, that already have them.",
        )
        parser.add_argument(
            "--reason", default="", help="Why (required to replace an official race)."
        )
        parser.add_argument(
            "--publish",
            choices=[RaceState.PROVISIONAL.value, RaceState.OFFICIAL.value],
            help="Publish the imported races (default: they enter as draft).",
        )

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if len(options["reason"]) > 100:
            raise CommandError("the reason is longer than 100 characters; the history keeps 100")
        user = None
        if not options["dry_run"]:
            if not options["user"]:
                raise CommandError(
                    "say who imports: --user USERNAME (a staff account; the history keeps it)"
                )
            user = (
                get_user_model()
                .objects.filter(username=options["user"], is_staff=True, is_active=True)
                .first()
            )
            if user is None:
                raise CommandError(f"no active staff account named {options['user']!r}")
        import_plan = importer.plan_file(
            path.read_bytes(), path.name, options["replace"], options["reason"]
        )
        if not import_plan.ok:
            self.refuse(path, import_plan.problems)
        if options["dry_run"]:
            for row in import_plan.rows:
                self.stdout.write(f"line {row.line}: {import_plan.outcomes[row.line]}")
            for race_preview in getattr(import_plan, "previews", []):
                self.show(race_preview)
            self.stdout.write(f"Dry run, nothing written. Would import {import_plan.summary()}.")
            return
        state = options["publish"] or RaceState.DRAFT
        try:
            done = importer.apply_file(import_plan, state, options["reason"], user)
        except importer.ImportRefused as refused:
            self.refuse(path, refused.problems)
        self.stdout.write(done)

    def refuse(self, path: Path, problems: list) -> None:
        for problem in problems:
            where = str(problem).removesuffix(problem.message)
            self.stderr.write(f"{path.name}: {where}{importer.told(problem, ACTIONS)}")
        raise CommandError(f"nothing written: {len(problems)} problem(s) in {path.name}")

    def show(self, race_preview: importer.RacePreview) -> None:
        """The classification a race's rounds give: rank, athlete or team, status."""
        heading = "Classification" if race_preview.final_a else "Classification so far"
        note = "" if race_preview.final_a else " (no Final A yet: none is written until it is in)"
        self.stdout.write(f"{heading} of {race_preview.race}{note}:")
        for line in race_preview.lines:
            rank = f"{line.rank}." if line.rank else "–"
            status = f" {line.status}" if line.status else ""
            time = f" {line.time_display}" if line.time else ""
            self.stdout.write(f"{rank:>5} {line.competitor}{status}{time}")
