"""iCalendar (RFC 5545) for exchanges: one event per exchange, times with TZID and a
VTIMEZONE, a UID that never changes and a SEQUENCE that grows with every change of time or
place, so calendar clients update the event they already have."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from exchanges.models import Exchange
from outbox.services import Attachment, absolute_url

PRODID = "-//Learning Lab//Exchanges//EN"


def event_uid(exchange: Exchange) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "learninglab"
    return f"exchange-{exchange.pk}@{host}"


def _location(exchange: Exchange, *, with_address: bool) -> str:
    parts = []
    if with_address and exchange.address:
        parts.append(" ".join(exchange.address.split()))
    if exchange.city:
        parts.append(exchange.city)
    if exchange.country:
        parts.append(str(exchange.country.name))
    return ", ".join(parts)


def _event(exchange: Exchange, *, private: bool) -> Event:
    """``private``: for a participant (full address and joining link), else public facts only."""
    tz = exchange.tz
    event = Event()
    event.add("uid", event_uid(exchange))
    event.add("dtstamp", timezone.now())
    event.add("sequence", exchange.sequence)
    event.add("dtstart", exchange.starts_at.astimezone(tz))
    event.add("dtend", exchange.ends_at.astimezone(tz))
    # Title and summary in the active language (the reader's), falling back to the original.
    text = exchange.text()
    event.add("summary", text.title)
    url = absolute_url(exchange.get_absolute_url())
    description = [text.summary] if text.summary else []
    if private and exchange.is_online and exchange.online_link:
        description.append(f"Online: {exchange.online_link}")
    description.append(url)
    event.add("description", "\n\n".join(description))
    event.add("url", url)
    if exchange.is_in_person:
        location = _location(exchange, with_address=private)
        if location:
            event.add("location", location)
    elif private and exchange.online_link:
        event.add("location", exchange.online_link)
    event.add("status", "CANCELLED" if exchange.status == Exchange.Status.CANCELLED else "CONFIRMED")
    event.add("last-modified", exchange.updated_at or timezone.now())
    return event


def calendar_bytes(exchanges: Iterable[Exchange], *, private: bool, name: str | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    for exchange in exchanges:
        cal.add_component(_event(exchange, private=private))
    # One VTIMEZONE per TZID used, generated from the tz database.
    cal.add_missing_timezones()
    return cal.to_ical()


def ics_attachment(exchange: Exchange, *, private: bool = True) -> Attachment:
    return Attachment(
        filename=f"{exchange.slug[:60]}.ics",
        content=calendar_bytes([exchange], private=private),
        mimetype="text/calendar",
    )
