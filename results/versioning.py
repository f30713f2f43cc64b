"""The season version token: every committed change of a season's results, races, events, rules
or the names they show gives the season a fresh token; cached standings and pages are keyed by
it, so the next request after the commit sees the change.

`connect()` wires the receivers (ResultsConfig.ready calls it). Writes that send no signals
(bulk creates, queryset updates) call `bump_season_version` themselves.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from results.models import (
    Adjustment,
    Athlete,
    Event,
    HeatLine,
    Nation,
    PublishedStanding,
    Race,
    Result,
    Round,
    Season,
    Venue,
    new_version,
)

SOURCES = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def release() -> str:
    """What this code and these templates are: a cached page or standings of another release
    never show (DJANGO_RELEASE when set, so hosts of one release share their cache)."""
    if os.environ.get("DJANGO_RELEASE"):
        return os.environ["DJANGO_RELEASE"]
    digest = hashlib.sha1()
    for path in sorted([*SOURCES.glob("templates/**/*.html"), *SOURCES.glob("results/**/*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class BumpSeasonVersion:
    """An on-commit callback that bumps one season's version."""

    def __init__(self, season_id: int) -> None:
        self.season_id = season_id

    def __call__(self) -> None:
        Season.objects.filter(pk=self.season_id).update(version=new_version())


def bump_season_version(season_id: int | None) -> None:
    """Bump the season's version once the current transaction commits (at once outside one).

    One bump per season and transaction, however many rows it writes: a callback already
    waiting for this season is enough (a rolled-back savepoint takes its callbacks with it).
    """
    if season_id is None:
        return
    waiting = transaction.get_connection().run_on_commit
    if any(getattr(callback, "season_id", None) == season_id for _, callback, _ in waiting):
        return
    transaction.on_commit(BumpSeasonVersion(season_id))


def renew_every_version() -> None:
    """A fresh token for every season at once (after a restore: nothing cached may show)."""
    Season.objects.update(version=new_version())


def season_id_of(instance: models.Model) -> int | None:
    """The season a changed row belongs to, from what is in memory when possible."""
    if isinstance(instance, Season):
        return instance.pk
    if isinstance(instance, Event | PublishedStanding):
        return instance.season_id
    if isinstance(instance, Race):
        if Race.event.is_cached(instance):
            return instance.event.season_id
        events = Event.objects.filter(pk=instance.event_id)
        return events.values_list("season_id", flat=True).first()
    if isinstance(instance, Result):
        if Result.race.is_cached(instance) and Race.event.is_cached(instance.race):
            return instance.race.event.season_id
        races = Race.objects.filter(pk=instance.race_id)
        return races.values_list("event__season_id", flat=True).first()
    if isinstance(instance, Adjustment):
        results = Result.objects.filter(pk=instance.result_id)
        return results.values_list("race__event__season_id", flat=True).first()
    if isinstance(instance, Round):
        races = Race.objects.filter(pk=instance.race_id)
        return races.values_list("event__season_id", flat=True).first()
    if isinstance(instance, HeatLine):
        rounds = Round.objects.filter(pk=instance.round_id)
        return rounds.values_list("race__event__season_id", flat=True).first()
    return None


def revised(sender: type[models.Model], instance: models.Model, **kwargs: object) -> None:
    """A saved season, event, race or line is a new revision of itself; a line written or
    deleted anywhere is also a new revision of its race (whose page edits its lines). The
    counters move in the database (F() + 1), so a stale copy in memory never moves one back."""
    if kwargs.get("raw"):
        return  # a fixture load writes rows as they were dumped
    bump = {"revision": models.F("revision") + 1}
    if kwargs.get("signal") is post_save and not isinstance(instance, HeatLine):
        sender._base_manager.filter(pk=instance.pk).update(**bump)
    if isinstance(instance, Result):
        Race.objects.filter(pk=instance.race_id).update(**bump)
    if isinstance(instance, HeatLine):  # a heat line is a new revision of its round and race
        Round.objects.filter(pk=instance.round_id).update(**bump)
        Race.objects.filter(rounds=instance.round_id).update(**bump)


def season_changed(sender: type[models.Model], instance: models.Model, **kwargs: object) -> None:
    bump_season_version(season_id_of(instance))


def names_changed(sender: type[models.Model], instance: models.Model, **kwargs: object) -> None:
    """A renamed athlete, venue or nation shows in every season it has a part in: through a
    result, a relay team, a published standings row or an event's venue."""
    if kwargs.get("created") or kwargs.get("raw"):
        return  # nothing refers to a new row yet; a fixture load bumps through its races
    season = "race__event__season_id"
    if isinstance(instance, Venue):
        found = [Event.objects.filter(venue=instance).values_list("season_id", flat=True)]
    elif isinstance(instance, Athlete):
        found = [
            Result.objects.filter(Q(athlete=instance) | Q(members=instance)).values_list(
                season, flat=True
            ),
            HeatLine.objects.filter(Q(athlete=instance) | Q(members=instance)).values_list(
                f"round__{season}", flat=True
            ),
            PublishedStanding.objects.filter(athlete=instance).values_list("season_id", flat=True),
        ]
    else:
        found = [
            Result.objects.filter(
                Q(nation=instance) | Q(athlete__nation=instance) | Q(members__nation=instance)
            ).values_list(season, flat=True),
            PublishedStanding.objects.filter(
                Q(nation=instance) | Q(athlete__nation=instance)
            ).values_list("season_id", flat=True),
            Event.objects.filter(venue__nation=instance).values_list("season_id", flat=True),
        ]
    for season_id in {pk for query in found for pk in query}:
        bump_season_version(season_id)


def connect() -> None:
    """Wire the receivers (once, from ResultsConfig.ready)."""
    for signal in (post_save, post_delete):
        for model in (Season, Event, Race, Result, Round, HeatLine):
            signal.connect(revised, sender=model, dispatch_uid=f"revised-{model.__name__}")
        for model in (Season, Event, Race, Result, PublishedStanding, Adjustment, Round, HeatLine):
            signal.connect(season_changed, sender=model, dispatch_uid=f"season-{model.__name__}")
        for model in (Athlete, Venue, Nation):
            signal.connect(names_changed, sender=model, dispatch_uid=f"names-{model.__name__}")
