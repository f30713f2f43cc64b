"""Downloads: CSV, XLSX and iCalendar responses of what the pages show.

A race's classification downloads in the results CSV format and its rounds in the rounds CSV
format (both importable again); standings, lists and the medal table as CSV or XLSX; a
season's events as an iCalendar feed.

Every spreadsheet cell is written as the text it is: a free-text cell that a spreadsheet would
read as a formula (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`, a leading tab or CR, a `-` that is no
number) gets a leading `'` (OWASP's advice against CSV injection, CWE-1236), and XLSX cells are
stored as strings, never as formulas. The importer takes that `'` off again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django_tables2 import Table
from openpyxl import Workbook

from results import csv_format
from results.csv_format import neutralised

EXPORT_FORMATS = ["csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: object) -> object:
    return neutralised(value) if isinstance(value, str) else value


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(rows: Iterable[Iterable[object]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    writer = csv.writer(response, lineterminator="\n")
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return attachment(response, filename)


def xlsx_response(rows: Iterable[Sequence[object]], filename: str, title: str) -> HttpResponse:
    """A one-sheet workbook; every text cell stored as a string, never as a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # the longest sheet name a spreadsheet takes
    for row in rows:
        sheet.append([safe_cell(cell) for cell in row])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=…" would otherwise be stored as a formula
    content = io.BytesIO()
    workbook.save(content)
    return attachment(HttpResponse(content.getvalue(), content_type=XLSX), filename)


def results_csv_response(lines: Iterable[Any], filename: str) -> HttpResponse:
    """Classification lines in the results CSV format (each with race__event__season and
    athlete loaded): the file an official can import again."""
    response = HttpResponse(csv_format.write(lines), content_type="text/csv")
    return attachment(response, filename)


def rounds_csv_response(lines: Iterable[Any], filename: str) -> HttpResponse:
    """Heat lines in the rounds CSV format (`HeatLine.objects.for_rounds_file()`): the file an
    official can import again."""
    response = HttpResponse(csv_format.write_rounds(lines), content_type="text/csv")
    return attachment(response, filename)


def is_export(name: str | None) -> bool:
    return name in EXPORT_FORMATS


def table_response(name: str, table: Table, filename: str) -> HttpResponse:
    """A django-tables2 table as CSV or XLSX (`name` checked by `is_export`)."""
    return TableDownload(name, table).response(f"{filename}.{name}")


class TableDownload:
    """django-tables2's export of a list page (ExportMixin.export_class), written by the
    functions above: CSV or XLSX, every cell safe to open."""

    def __init__(
        self,
        export_format: str,
        table: Table,
        exclude_columns: Iterable[str] | None = None,
        dataset_kwargs: dict | None = None,
    ) -> None:
        self.format = export_format
        self.table = table
        self.rows = list(table.as_values(exclude_columns=exclude_columns or ()))

    @classmethod
    def is_valid_format(cls, export_format: str | None) -> bool:
        return is_export(export_format)

    def response(self, filename: str) -> HttpResponse:
        if self.format == "xlsx":
            title = str(getattr(self.table, "caption", "") or "Sheet")
            return xlsx_response(self.rows, filename, title)
        return csv_response(self.rows, filename)


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
