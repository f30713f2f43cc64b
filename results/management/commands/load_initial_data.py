"""Load the bundled fixtures (nations, every season) into an empty database, and only then."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from results.models import Nation, Season


class Command(BaseCommand):
    help = (
        "Load fixtures/nations.json and every fixtures/season_*.json into an empty database. "
        "Does nothing when the database already holds nations or seasons, so a rerun never "
        "reverts what officials corrected in the admin."
    )

    def handle(self, *args: object, **options: object) -> None:
        if Nation.objects.exists() or Season.objects.exists():
            self.stdout.write("The database already holds data: no fixtures loaded.")
            return
        fixtures_dir = Path(settings.FIXTURE_DIRS[0])
        seasons = sorted(path.stem for path in fixtures_dir.glob("season_*.json"))
        call_command("loaddata", "nations", *seasons, verbosity=0)
        self.stdout.write(f"Loaded nations and {len(seasons)} season(s): {', '.join(seasons)}.")
