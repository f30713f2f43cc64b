import os

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

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


def pytest_configure(config: pytest.Config) -> None:
    """A fast password hash for the tests' accounts (the production one takes a good part of a
    second on purpose, and tests make hundreds of accounts).

    Each test process its own Redis database: clearing the cache (every test does) flushes
    a whole Redis database, which would wipe what another process's test just cached."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("REDIS_URL")
    if worker and url:
        own = f"{url.rsplit('/', 1)[0]}/{int(worker.removeprefix('gw')) + 1}"
        os.environ["REDIS_URL"] = own
        settings.CACHES["default"]["LOCATION"] = own


DATABASE_FIXTURES = {"django_db_setup", "live_server"}
SERVER_SETTINGS = (
    "tests/test_serving.py"  # runs the settings, which read DATABASE_URL and REDIS_URL
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `database_free` the tests that touch no database and no server settings (the pure
    rules, the file formats, the layers): CI's PostgreSQL leg leaves them out
    (-m "not database_free"), as the SQLite leg has run them and a database cannot change
    what they find."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if (
            item.get_closest_marker("django_db") is None
            and not fixtures & DATABASE_FIXTURES
            and not item.nodeid.startswith(SERVER_SETTINGS)
        ):
            item.add_marker(pytest.mark.database_free)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a browser downloaded by Playwright: its binary itself, not the
    /usr/bin/chromium launcher, whose desktop flags (GPU rasterization in software, shared
    memory off, the bundled extensions) cost the browser tests about a tenth of their CPU."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/lib/chromium/chromium",
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
    # Each test client loads the middleware anew, and WhiteNoise would index every file that
    # collectstatic left in STATIC_ROOT each time (about a tenth of a second per client);
    # looking a file up when it is asked for serves the tests the same files.
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases; before they are dropped, on PostgreSQL, the sessions a
    test's threads (the live server's, a restore's) may have left open are ended, or the drop
    fails ("being accessed by other users") and leaves the database behind. Only the tests'
    own sessions: the server's autovacuum workers are not this role's to end."""
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND usename = current_user AND backend_type = 'client backend'"
            )


@pytest.fixture(scope="session")
def bundled_rows(django_db_setup, django_db_blocker) -> list[tuple[type, str, list[tuple]]]:
    """The bundled nations and 2012–13 season as table rows, read once a session (per test
    worker): `loaddata` resolves every natural key with queries (about 2 s a load), while
    inserting the same rows takes milliseconds. The load is rolled back at once. Each table's
    rows are kept as its INSERT statement and the values the database is given (each field's
    own conversion, as a bulk create makes them), so a test's insert compiles nothing."""
    quote = connection.ops.quote_name
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "nations", "season_2012_13", verbosity=0)
        tables = []
        for model in in_dependency_order(apps.get_app_config("results")):
            fields = model._meta.concrete_fields
            rows = [
                tuple(
                    field.get_db_prep_save(getattr(row, field.attname), connection)
                    for field in fields
                )
                for row in model._base_manager.order_by("pk")
            ]
            if rows:
                columns = ", ".join(quote(field.column) for field in fields)
                marks = ", ".join(["%s"] * len(fields))
                sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
                tables.append((model, sql, rows))
        transaction.set_rollback(True)
    return tables


def in_dependency_order(app_config) -> list[type]:
    """The app's tables (many-to-many ones included), each after the tables it refers to."""
    models = [m for m in app_config.get_models(include_auto_created=True) if not m._meta.proxy]
    ordered: list[type] = []
    while len(ordered) < len(models):
        for model in models:
            targets = {
                field.related_model
                for field in model._meta.concrete_fields
                if field.is_relation and field.related_model in models
            } - {model}
            if model not in ordered and targets <= set(ordered):
                ordered.append(model)
    return ordered


@pytest.fixture
def official(db, client):
    """The client, signed in as a staff account of the Officials group."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("official", password="a-long-pass-phrase-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Officials"))
    client.force_login(user)
    return client


@pytest.fixture
def season_2012_13(db, bundled_rows):
    """The 2012–13 season as the bundled fixtures give it (the same rows `loaddata` writes)."""
    return insert_bundled(bundled_rows)


def insert_bundled(bundled_rows: list[tuple[type, str, list[tuple]]]):
    """Insert the bundled rows; the 2012–13 season."""
    from results.models import Season

    with connection.cursor() as cursor:
        for _, sql, rows in bundled_rows:
            cursor.executemany(sql, rows)
        models = [model for model, _, _ in bundled_rows]
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        for statement in statements:  # PostgreSQL: the next id after the loaded ones
            cursor.execute(statement)
    return Season.objects.get(slug="2012-13")
