"""Showing an exchange's time in its own time zone and, where different, the viewer's."""

from __future__ import annotations

import zoneinfo

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def _zone(name):
    if isinstance(name, zoneinfo.ZoneInfo):
        return name
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _span(start, end, tz) -> str:
    start, end = start.astimezone(tz), end.astimezone(tz)
    if start.date() == end.date():
        return f"{date_format(start, 'D j M Y, H:i')}–{date_format(end, 'H:i')}"
    return f"{date_format(start, 'D j M Y, H:i')} – {date_format(end, 'D j M Y, H:i')}"


def when_text(start, end, exchange_tz, viewer_tz=None) -> tuple[str, str | None]:
    """(time in the exchange's zone, time in the viewer's zone or None when the same)."""
    own = _zone(exchange_tz) or zoneinfo.ZoneInfo("UTC")
    main = f"{_span(start, end, own)} ({own.key})"
    viewer = _zone(viewer_tz) if viewer_tz else None
    if (
        viewer is None
        or viewer.key == own.key
        or start.astimezone(viewer).utcoffset() == start.astimezone(own).utcoffset()
    ):
        return main, None
    return main, f"{_span(start, end, viewer)} ({viewer.key})"


@register.simple_tag(takes_context=True)
def exchange_when(context, obj, viewer_tz=None, exchange_tz=None):
    """Render an exchange's (or a session's) time; the viewer's zone defaults to the active one."""
    tzname = exchange_tz or getattr(obj, "time_zone", None) or obj.exchange.time_zone
    if viewer_tz is None:
        viewer_tz = timezone.get_current_timezone()
    main, local = when_text(obj.starts_at, obj.ends_at, tzname, viewer_tz)
    if local is None:
        return format_html('<time datetime="{}">{}</time>', obj.starts_at.isoformat(), main)
    return format_html(
        '<time datetime="{}">{}</time> <span class="meta">({}: {})</span>',
        obj.starts_at.isoformat(),
        main,
        _("your time"),
        local,
    )


@register.simple_tag
def exchange_when_text(obj, viewer_tz=None):
    """Plain text variant for emails."""
    tzname = getattr(obj, "time_zone", None) or obj.exchange.time_zone
    main, local = when_text(obj.starts_at, obj.ends_at, tzname, viewer_tz)
    if local is None:
        return main
    return f"{main} — {_('your time')}: {local}"


@register.simple_tag
def upcoming_exchanges(limit=3):
    """The next published exchanges with their place counts: one query."""
    from exchanges.models import Exchange

    return list(Exchange.objects.published().upcoming().with_place_counts().order_by("starts_at", "pk")[: int(limit)])
