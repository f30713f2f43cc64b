"""The project's settings for the benchmark's servers: worldcup.settings, with two changes.

- STATIC_ROOT is bench/data/static, so `collectstatic` and the static copies of the measured
  pages stay inside bench/data/ (the project's staticfiles/ is never touched).
- BENCH_CACHE picks the cache: "default" (the project's, unchanged), "no-pages" (the page cache
  is off: every request misses it and renders the page; the standings loader's cache still
  works, as it does in production), or "none" (no cache at all: every request also loads and
  scores the whole season: the shared cache and each worker's copies of season standings off).
"""

import os

from django.core.cache.backends.locmem import LocMemCache

from worldcup.settings import *  # noqa: F403
from worldcup.settings import BASE_DIR, CACHES

STATIC_ROOT = BASE_DIR / "bench" / "data" / "static"

PAGE_PREFIX = "page:"  # results.views.cached_by_season's keys


class NoPageCache(LocMemCache):
    """The project's in-process cache, except that cached pages are never found nor kept."""

    def get(self, key, default=None, version=None):
        return default if key.startswith(PAGE_PREFIX) else super().get(key, default, version)

    def set(self, key, value, timeout=None, version=None):
        if not key.startswith(PAGE_PREFIX):
            super().set(key, value, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        if key.startswith(PAGE_PREFIX):
            return False
        return super().add(key, value, timeout, version)


BENCH_CACHE = os.environ.get("BENCH_CACHE", "default")
if BENCH_CACHE == "no-pages":
    CACHES = {"default": {**CACHES["default"], "BACKEND": "bench.settings.NoPageCache"}}
elif BENCH_CACHE == "none":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    STANDINGS_WORKER_COPIES = 0  # no per-worker copies of the season standings either
elif BENCH_CACHE != "default":
    raise ValueError(f"BENCH_CACHE must be default, no-pages or none, not {BENCH_CACHE!r}")
