"""The results CSV format: the project's open interchange format for classifications.

    season,event,gender,distance,race,rank,athlete,nation,time,status
    2012-13,1,men,500m,1,1,Example SKATER,CAN,40.651,
    2012-13,1,men,5000m-relay,1,1,,KOR,6:43.220,

Documented in docs/results-csv.md. This module writes it (and reads it: see `parse`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from results.models import Result, format_time

COLUMNS = [
    "season",
    "event",
    "gender",
    "distance",
    "race",
    "rank",
    "athlete",
    "nation",
    "time",
    "status",
]
OPTIONAL_COLUMNS = ["isu_id", "source"]


def result_row(result: Result) -> list[str]:
    """One line of a classification in the CSV format (needs race__event__season, athlete)."""
    race = result.race
    return [
        race.event.season.slug,
        str(race.event.number),
        race.gender,
        race.distance,
        str(race.number),
        "" if result.rank is None else str(result.rank),
        result.athlete.name if result.athlete_id else "",
        result.nation_id,
        format_time(result.time),
        result.status,
        result.athlete.isu_id or "" if result.athlete_id else "",
        result.source,
    ]


def write(results: Iterable[Result]) -> str:
    """The CSV text of these results, header first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + OPTIONAL_COLUMNS)
    writer.writerows(result_row(result) for result in results)
    return out.getvalue()
