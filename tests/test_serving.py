"""Serving in production: caching that is never stale, conditional GET, security, lockout."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from results.models import Season
from tests import factories as make

ROOT = Path(__file__).resolve().parent.parent


# --- Caching ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_public_page_shows_a_new_result_on_the_very_next_request(client):
    race = make.race(distance="500m")
    make.result(race, 1, make.athlete("First Skater"))
    url = "/seasons/2012-13/standings/men/500m/"
    assert "First Skater" in client.get(url).content.decode()
    assert "Second Skater" not in client.get(url).content.decode()  # served from the cache
    make.result(race, 2, make.athlete("Second Skater"))  # committed: the version changes
    assert "Second Skater" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_costs_one_query(client, django_assert_num_queries):
    race = make.race(distance="500m")
    make.result(race, 1)
    client.get("/seasons/2012-13/")
    with django_assert_num_queries(1):  # the season's version; the page comes from the cache
        assert client.get("/seasons/2012-13/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_rules_change_refreshes_the_standings(client):
    race = make.race(distance="500m")
    make.result(race, 1)
    url = "/seasons/2012-13/standings/men/500m.json"
    assert client.get(url).json()["rows"][0]["points"] == 1000
    season = Season.objects.get()
    season.points_table = [100, 80]
    season.save()
    assert client.get(url).json()["rows"][0]["points"] == 100


@pytest.mark.parametrize(
    "url",
    [
        "/seasons/2012-13/standings/women/3000m-relay/",
        "/seasons/2012-13/standings/women/3000m-relay.csv",
        "/seasons/2012-13/standings/women/3000m-relay.json?after_race=2",
        "/seasons/2012-13/events/1/men/500m/1/results.csv",
        "/api/v1/seasons/2012-13/standings/women/3000m-relay",
        "/api/v1/athletes/victor-an",
        "/results/?_export=csv",
    ],
)
def test_pages_exports_and_the_api_answer_conditional_gets(client, season_2012_13, url):
    first = client.get(url)
    etag = first["ETag"]
    assert etag.strip('W/"')
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_a_changed_page_gets_a_new_etag(client, season_2012_13):
    url = "/seasons/2012-13/standings/men/500m/"
    etag = client.get(url)["ETag"]
    assert client.get(url + "?after_race=2")["ETag"] != etag


# --- Security headers ------------------------------------------------------------------------


def test_pages_send_a_content_security_policy_without_inline_script(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def test_favicon_ico_answers_with_the_sites_icon(client, db):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(6) == b"\0\0\1\0\3\0"  # an icon file (type 1) of three images
    assert client.post("/favicon.ico").status_code == 405


def test_every_page_names_the_sites_icon_the_admin_too(client, admin_client, db):
    icon = b'<link rel="icon" href="/static/favicon.ico" sizes="any">'
    for html in [
        client.get("/").content,
        client.get("/no-such-page/").content,
        client.get("/api/v1/docs").content,
        client.get("/admin/login/").content,
        admin_client.get("/admin/").content,
        admin_client.get("/admin/results/race/").content,
    ]:
        assert icon in html


def test_security_headers(client, db):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def production(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SECRET_KEY="x" * 20 + "production-key-long-enough-for-checks-0123456789",
               DJANGO_ALLOWED_HOSTS="results.example.org", **extra)  # fmt: skip
    return env


def test_check_deploy_is_clean_with_only_the_secret_key_and_hosts_set():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production(), capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production()
    del env["DJANGO_SECRET_KEY"]
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in done.stderr


def test_production_redirects_to_https_and_sends_hsts(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/seasons/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    secure = client.get("/seasons/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_cookies_are_httponly_secure_and_samesite(admin_client, settings):
    from django.conf import settings as live

    assert live.SESSION_COOKIE_SECURE and live.CSRF_COOKIE_SECURE  # debug is off in tests
    response = admin_client.get(reverse("admin:login"), secure=True)
    response = admin_client.get(reverse("admin:results_race_add"), secure=True)
    cookie = response.cookies.get("csrftoken")
    assert cookie and cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert live.SESSION_COOKIE_HTTPONLY and live.SESSION_COOKIE_SAMESITE == "Lax"


# --- Admin login throttling ------------------------------------------------------------------


@pytest.mark.django_db
def test_repeated_failed_logins_lock_out_and_say_so(client, django_user_model):
    django_user_model.objects.create_user(
        "referee", password="the-right-pass-phrase", is_staff=True
    )
    url = reverse("admin:login")
    for _ in range(5):
        page = client.post(url, {"username": "referee", "password": "wrong"})
        assert page.status_code in (200, 429)
    locked = client.post(url, {"username": "referee", "password": "the-right-pass-phrase"})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "locked from this address for 15 minutes after 5 failed attempts" in (
        locked.content.decode()
    )
    cache.clear()


PROXY = "10.0.0.1"


def sign_in(client, password: str, **headers: str):
    return client.post(
        reverse("admin:login"), {"username": "referee", "password": password}, **headers
    )


@pytest.fixture
def referee(django_user_model, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    django_user_model.objects.create_user(
        "referee", password="the-right-pass-phrase", is_staff=True
    )
    yield
    cache.clear()


def test_a_lockout_behind_the_proxy_is_of_one_client_not_of_the_official(client, referee):
    """Five wrong passwords from one client behind the venue's proxy lock that client out for
    the official; the official still signs in from anywhere else."""
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for _ in range(5):
        sign_in(client, "wrong", **attacker)
    locked = sign_in(client, "the-right-pass-phrase", **attacker)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    official = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert sign_in(client, "the-right-pass-phrase", **official).status_code == 302


def test_an_address_written_by_the_client_itself_is_not_believed(client, referee):
    """Only the proxy's right-most entry counts: a forged left part, or the header sent
    straight to the site, changes nothing."""
    for number in range(5):
        forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"1.2.3.{number}, 203.0.113.5"}
        sign_in(client, "wrong", **forged)
    again = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "9.9.9.9, 203.0.113.5"}
    assert sign_in(client, "the-right-pass-phrase", **again).status_code == 429
    cache.clear()
    for number in range(5):
        direct = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": f"1.2.3.{number}"}
        sign_in(client, "wrong", **direct)
    direct = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "4.4.4.4"}
    assert sign_in(client, "the-right-pass-phrase", **direct).status_code == 429


# --- The shared cache (the CI leg that sets REDIS_URL) ---------------------------------------


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="only where REDIS_URL is set")
def test_the_cache_is_shared_between_processes_through_redis():
    from django.core.cache import cache, caches

    assert type(caches["default"]).__name__ == "RedisCache"
    cache.set("shared-probe", "written by the test process", timeout=60)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.core.cache import cache; print(cache.get('shared-probe'))"],
        cwd=ROOT, env=production(REDIS_URL=os.environ["REDIS_URL"]), capture_output=True, text=True,
    )  # fmt: skip
    assert "written by the test process" in done.stdout, done.stderr
