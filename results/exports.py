"""Downloads: CSV, XLSX and iCalendar responses of what the pages show.

A race's classification downloads in the results CSV format (importable again); standings,
lists and the medal table as CSV or XLSX; a season's events as an iCalendar feed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django_tables2 import Table
from django_tables2.export import TableExport

from results import csv_format

EXPORT_FORMATS = ["csv", "xlsx"]


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(rows: Iterable[Iterable[object]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    csv.writer(response, lineterminator="\n").writerows(rows)
    return attachment(response, filename)


def results_csv_response(lines: Iterable[Any], filename: str) -> HttpResponse:
    """Classification lines in the results CSV format (each with race__event__season and
    athlete loaded): the file an official can import again."""
    response = HttpResponse(csv_format.write(lines), content_type="text/csv")
    return attachment(response, filename)


def is_export(name: str | None) -> bool:
    return TableExport.is_valid_format(name) and name in EXPORT_FORMATS


def table_response(name: str, table: Table, filename: str) -> HttpResponse:
    """A django-tables2 table as CSV or XLSX (`name` checked by `is_export`)."""
    return TableExport(name, table).response(f"{filename}.{name}")


# --- iCalendar ------------------------------------------------------------------------------


def calendar_response(title: str, events: Iterable[dict[str, Any]], filename: str) -> HttpResponse:
    """All-day iCalendar events (DTEND the day after the last day). Each event: uid, first_day,
    last_day, summary, location, url."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Short Track World Cup results//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{ics_text(title)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event['uid']}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{event['first_day']:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event['last_day'] + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{ics_text(event['summary'])}",
            f"LOCATION:{ics_text(event['location'])}",
            f"URL:{event['url']}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    body = "".join(fold(line) + "\r\n" for line in lines)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    return attachment(response, filename)


def ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a character."""
    encoded, parts = line.encode(), []
    while len(encoded) > 75:
        cut = 75 if not parts else 74
        while encoded[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte
            cut -= 1
        parts.append(encoded[:cut].decode())
        encoded = encoded[cut:]
    parts.append(encoded.decode())
    return "\r\n ".join(parts)
