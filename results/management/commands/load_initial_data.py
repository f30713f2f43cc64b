"""Load the bundled fixtures (nations, every season) into an empty database, and only then."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

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
        with transaction.atomic():
            call_command("loaddata", "nations", *seasons, verbosity=0)
            record_in_history(f"Loaded from fixtures: {', '.join(['nations', *seasons])}")
        self.stdout.write(f"Loaded nations and {len(seasons)} season(s): {', '.join(seasons)}.")


def record_in_history(reason: str) -> None:
    """Give every loaded row its first version in the history (a fixture load writes none),
    so a later correction keeps the earlier version and can restore it. One date for all: a
    race and its lines enter together, and no loaded line reads as a later correction."""
    now = timezone.now()
    for model in apps.get_app_config("results").get_models():
        tracked = getattr(model._meta, "simple_history_manager_attribute", None) == "history"
        if model._meta.proxy or not tracked:  # (a line's kept members are no model of ours)
            continue
        if not model.history.exists():
            model.history.bulk_history_create(
                list(model.objects.all()),
                batch_size=1000,
                default_change_reason=reason,
                default_date=now,
            )
