"""python manage.py import_results FILE --user USERNAME [--dry-run] [--replace] [--reason R]
[--publish STATE]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from results import csv_format, importer
from results.vocabulary import RaceState


class Command(BaseCommand):
    help = (
        "Import classifications from a results CSV (or XLSX) file; see docs/results-csv.md. "
        "Every problem is printed with its line and nothing is written unless the whole file "
        "is good."
    )

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
            help="Replace the classification of races that already have results.",
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
        rows, problems = csv_format.read(path.read_bytes(), path.name)
        import_plan = importer.plan(rows, problems, options["replace"], options["reason"])
        if not import_plan.ok:
            for problem in import_plan.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(
                f"nothing written: {len(import_plan.problems)} problem(s) in {path.name}"
            )
        if options["dry_run"]:
            for row in import_plan.rows:
                self.stdout.write(f"line {row.line}: {import_plan.outcomes[row.line]}")
            self.stdout.write(f"Dry run, nothing written. Would import {import_plan.summary()}.")
            return
        state = options["publish"] or RaceState.DRAFT
        kept = sum(r.state == RaceState.OFFICIAL != state for r in import_plan.races.values())
        done = importer.apply(import_plan, state, options["reason"], user)
        official = f"; {kept} official race(s) stay official" if kept else ""
        self.stdout.write(
            f"Imported {done['results']} result(s) into {done['races']} race(s) ({state}"
            f"{official}): {done['athletes']} new athlete(s), {done['replaced']} earlier "
            "result(s) replaced."
        )
