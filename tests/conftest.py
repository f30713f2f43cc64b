import os

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM refuses to run there
# unless this is set. Only the test process sets it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a browser downloaded by Playwright."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the database rolls back; the cache would not)."""
    from django.core.cache import cache

    from results.standings.loader import forget_loaded

    cache.clear()
    forget_loaded()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The manifest storage needs collectstatic; tests serve static files as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def season_2012_13(db):
    """The 2012–13 season as the bundled fixtures give it."""
    call_command("loaddata", "nations", "season_2012_13", verbosity=0)
    from results.models import Season

    return Season.objects.get(slug="2012-13")
