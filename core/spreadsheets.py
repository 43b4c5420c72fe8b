"""CSV downloads that are safe to open in a spreadsheet, and CSV uploads read within limits."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.validators import spreadsheet_safe

# Limits of every CSV import, whatever the file's byte size (MAX_UPLOAD_SIZE caps that):
# a row wider than this, or a cell longer, is refused as soon as it is read. Far above what
# any of our imports needs (the invitation CSV has 6 columns and a 2,000-character message).
CSV_MAX_COLUMNS = 50
CSV_MAX_CELL_CHARS = 10_000


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


class CsvRefused(ValueError):
    """An uploaded CSV that can't be read or is over a limit; the message is user-facing."""


def csv_records(
    text: str,
    *,
    delimiter: str = ",",
    max_rows: int,
    max_columns: int = CSV_MAX_COLUMNS,
    max_cell_chars: int = CSV_MAX_CELL_CHARS,
) -> list[tuple[int, list[str]]]:
    """The non-blank records of ``text``, numbered from 1, the header first.

    Records are read one at a time and the file is refused (``CsvRefused``) at the first one
    over a limit, so the work done is bounded by the limits, not by the file: more than
    ``max_rows`` records after the header, a record with more than ``max_columns`` fields, a
    field longer than ``max_cell_chars``. Malformed CSV (an unclosed quote) is refused too."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, record in enumerate(reader, start=1):  # noqa: B007 — read after the loop
            if len(record) > max_columns:
                raise CsvRefused(
                    _("Row %(line)d has %(count)d columns; a file may have at most %(max)d.")
                    % {"line": number, "count": len(record), "max": max_columns}
                )
            if any(len(cell) > max_cell_chars for cell in record):
                raise CsvRefused(_cell_too_long(number, max_cell_chars))
            if not any(cell.strip() for cell in record):
                continue
            if len(records) > max_rows:
                raise CsvRefused(
                    _(
                        "The file has more than %(max)d rows; at most %(max)d can be imported at once. "
                        "Split it into smaller files."
                    )
                    % {"max": max_rows}
                )
            records.append((number, record))
    except csv.Error as exc:
        # The csv module's own cap on a field (131,072 characters) is above ours, but a
        # longer cell stops the reader before our check sees it: say the same thing.
        if str(exc).startswith("field larger than field limit"):
            raise CsvRefused(_cell_too_long(number + 1, max_cell_chars))
        raise CsvRefused(_("The file could not be read as CSV: %(error)s") % {"error": exc})
    return records


def _cell_too_long(line: int, limit: int) -> str:
    return _("A cell on row %(line)d is longer than %(max)d characters.") % {"line": line, "max": limit}


SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def xlsx_response(filename: str, sheet_name: str, header: list[str], rows: Iterable[list]) -> HttpResponse:
    """An XLSX attachment of one sheet, header in bold and frozen; every text cell goes through
    ``spreadsheet_safe`` as in ``csv_response``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    # A sheet's name may not hold []:*?/\ and is at most 31 characters.
    sheet = workbook.create_sheet(str(sheet_name).translate(SHEET_NAME_FORBIDDEN)[:31] or "Sheet")
    sheet.freeze_panes = "A2"
    cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=spreadsheet_safe(str(label)))
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([spreadsheet_safe("" if value is None else str(value)) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
