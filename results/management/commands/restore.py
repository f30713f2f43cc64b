"""python manage.py restore PATH: replace the database's contents with a backup."""

import sqlite3
import subprocess
from pathlib import Path

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from results.management.commands.backup import postgres_environment
from results.standings.loader import forget_loaded
from results.versioning import renew_every_version


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database, replacing "
        "what it holds (every table, history included). Asks first unless --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"no such backup: {path}")
        vendor = connection.vendor
        if not options["yes"]:
            answer = input(f"Replace everything in the {vendor} database with {path}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("restore cancelled; nothing changed")
        if vendor == "sqlite":
            try:
                source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                source.execute("SELECT count(*) FROM django_migrations").fetchone()
            except sqlite3.DatabaseError as error:
                raise CommandError(
                    f"{path} is not a SQLite backup of this site: {error}"
                ) from error
            connection.close()
            connection.ensure_connection()
            with source:
                source.backup(connection.connection)
            source.close()
        elif vendor == "postgresql":
            connection.close()
            done = subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    connection.settings_dict["NAME"],
                    str(path),
                ],  # fmt: skip
                env=postgres_environment(),
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise CommandError(f"pg_restore failed; nothing changed: {done.stderr.strip()}")
        else:
            raise CommandError(f"no restore for a {vendor} database")
        # A fresh version token: nothing cached (here or in another worker) may show again.
        # Cache keys hold the season too, so one new token serves every season.
        renew_every_version()
        cache.clear()
        forget_loaded()
        self.stdout.write(f"Restored {path} into the {vendor} database.")
