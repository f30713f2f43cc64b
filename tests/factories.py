"""Builders for tests: each makes one valid object, with keyword arguments to vary it."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from results.models import Athlete, Event, Nation, Race, Result, Season

_serial = itertools.count(1)

POINTS_2012_13 = [1000, 800, 640, 512, 410, 328, 262, 210, 168, 134]


def nation(code: str = "KOR", name: str | None = None) -> Nation:
    return Nation.objects.get_or_create(code=code, defaults={"name": name or code})[0]


def season(slug: str = "2012-13", **fields) -> Season:
    start = int(slug[:4])
    fields = {
        "name": slug.replace("-", "–"),
        "start_date": date(start, 10, 1),
        "end_date": date(start + 1, 3, 31),
        "points_table": POINTS_2012_13,
        "best_individual": 6,
        "best_relay": 4,
        "tie_break": ["countback", "last-race"],
        **fields,
    }
    return Season.objects.create(slug=slug, **fields)


def event(season_: Season | None = None, number: int | None = None, **fields) -> Event:
    season_ = season_ or season()
    number = number or (season_.events.count() + 1)
    first = season_.start_date + timedelta(days=7 * (number - 1))
    fields = {
        "city": f"City {number}",
        "first_day": first,
        "last_day": first + timedelta(2),
        **fields,
    }
    return Event.objects.create(season=season_, number=number, **fields)


def race(
    event_: Event | None = None,
    gender: str = "men",
    distance: str = "500m",
    number: int = 1,
    **fields,
) -> Race:
    event_ = event_ or event()
    fields = {"date": event_.last_day, "state": "official", **fields}
    return Race.objects.create(
        event=event_, gender=gender, distance=distance, number=number, **fields
    )


def athlete(
    name: str | None = None, gender: str = "men", nation_code: str = "KOR", **fields
) -> Athlete:
    name = name or f"Skater {next(_serial)}"
    from django.utils.text import slugify

    return Athlete.objects.create(
        name=name,
        slug=fields.pop("slug", slugify(name)),
        gender=gender,
        nation=nation(nation_code),
        **fields,
    )


def result(race_: Race, rank: int | None, athlete_: Athlete | None = None, **fields) -> Result:
    if athlete_ is None and not race_.is_relay:
        athlete_ = athlete(gender=race_.gender)
    nation_code = fields.pop("nation_code", None)
    nation_ = nation(nation_code) if nation_code else (athlete_.nation if athlete_ else nation())
    return Result.objects.create(race=race_, rank=rank, athlete=athlete_, nation=nation_, **fields)


def classification(race_: Race, athletes: list[Athlete]) -> list[Result]:
    """A whole classification in one insert: the athletes ranked 1, 2, 3, … in this order
    (no signals: the caller's season version is not bumped, as in a test nothing is cached)."""
    return Result.objects.bulk_create(
        Result(race=race_, rank=rank, athlete=skater, nation_id=skater.nation_id)
        for rank, skater in enumerate(athletes, start=1)
    )
