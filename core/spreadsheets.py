"""CSV downloads that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse

from core.validators import spreadsheet_safe


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> HttpResponse:
    """A CSV attachment; every cell goes through ``spreadsheet_safe`` so that text starting
    like a formula (``=HYPERLINK(...)``) is never evaluated by a spreadsheet."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a byte-order mark.
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe("" if value is None else str(value)) for value in row])
    return response
