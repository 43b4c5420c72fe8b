"""Dates written the way each language writes them, for the few patterns Django's named formats
lack: an event's day and time with its weekday, and a short date with an abbreviated month.

Django's ``M`` capitalises abbreviated months ("7 Dec 2026"), right in English and wrong in
Swedish and Dutch, which write them in lower case ("7 dec. 2026"); ``b`` gives the lower-case form.
"""

from __future__ import annotations

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
