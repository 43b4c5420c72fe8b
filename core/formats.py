"""Dates and numbers written the way each language writes them. Dates: the few patterns Django's
named formats lack: an event's day and time with its weekday, and a short date with an abbreviated month.

Django's ``M`` capitalises abbreviated months ("7 Dec 2026"), right in English and wrong in
Swedish and Dutch, which write them in lower case ("7 dec. 2026"); ``b`` gives the lower-case form.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import get_language

# Weekday, day, abbreviated month, year and a 24-hour time: "Mon 7 Dec 2026, 08:00".
EVENT_DATETIME = {"en": "D j M Y, H:i", "sv": "D j b Y, H:i", "nl": "D j b Y, H:i"}
# Day, abbreviated month and year: "7 Dec 2026".
MEDIUM_DATE = {"en": "j M Y", "sv": "j b Y", "nl": "j b Y"}


def _pattern(patterns: dict[str, str]) -> str:
    return patterns.get((get_language() or "en")[:2], patterns["en"])


def event_datetime(value) -> str:
    return formats.date_format(value, _pattern(EVENT_DATETIME)) if value else ""


def medium_date(value) -> str:
    return formats.date_format(value, _pattern(MEDIUM_DATE)) if value else ""


def event_time(value) -> str:
    return formats.time_format(value, "H:i") if value else ""


# --- Numbers ----------------------------------------------------------------------------------
#
# Figures are written the way the active language writes them (thousands and decimal
# separators: "1,234.5", "1 234,5", "1.234,5"), integers without decimals, and a column of
# figures that are compared with each other (a value beside its target) all with the same
# number of decimals. Text only: SVG and CSS attributes take ``unlocalize``.


def decimals_needed(values, *, at_most: int = 2) -> int:
    """The fewest decimals that show every one of ``values`` (rounded to ``at_most`` places)
    exactly: 0 for ``[115.00, 111]``, 1 for ``[1.5, 2]``. None values are skipped."""
    places = 0
    step = Decimal(1).scaleb(-at_most)
    for value in values:
        if value is None:
            continue
        exponent = Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP).normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            places = max(places, -exponent)
    return places


def number(value, decimals: int | None = None) -> str:
    """``value`` in the active language with ``decimals`` places (by default the fewest that
    show it exactly, at most two); "–" for None."""
    if value is None or value == "":
        return "–"
    if decimals is None:
        decimals = decimals_needed([value])
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)
