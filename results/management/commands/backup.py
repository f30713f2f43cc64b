"""python manage.py backup [PATH]: a consistent copy of the whole database, history included."""

import os
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


def postgres_environment() -> dict[str, str]:
    """libpq's variables for the configured database (the password stays out of argv)."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        PGHOST=db["HOST"] or "localhost",
        PGPORT=str(db["PORT"] or 5432),
        PGUSER=db["USER"],
        PGPASSWORD=db["PASSWORD"],
        PGDATABASE=db["NAME"],
    )
    return env


class Command(BaseCommand):
    help = (
        "Back up the database with its own tools: SQLite's online backup (safe while the site "
        "runs) or pg_dump's custom format. Every table is copied, history included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="Default: backups/<time>.<ext>")

    def handle(self, *args: object, **options: object) -> None:
        vendor = connection.vendor
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        extension = {"sqlite": "sqlite3", "postgresql": "dump"}.get(vendor)
        if extension is None:
            raise CommandError(f"no backup for a {vendor} database")
        path = (
            options["path"] or Path(settings.BASE_DIR) / "backups" / f"worldcup-{stamp}.{extension}"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        if vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(path)
            with target:
                connection.connection.backup(target)
            target.close()
        else:
            done = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--file", str(path)],
                env=postgres_environment(),
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise CommandError(f"pg_dump failed: {done.stderr.strip()}")
        self.stdout.write(
            f"Backed up the {vendor} database to {path} ({path.stat().st_size:,} bytes)."
        )
