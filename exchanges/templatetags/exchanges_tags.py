"""Showing an exchange's time in its own time zone and, where different, the viewer's."""

from __future__ import annotations

import html
import zoneinfo

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.formats import event_datetime, event_time

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
        return f"{event_datetime(start)}–{event_time(end)}"
    return f"{event_datetime(start)} – {event_datetime(end)}"


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


def _viewer_zone(context):
    """The viewer's own time zone name, or None. Only a signed-in member has a time zone of their
    own; for others the exchange's is the one that matters (the server's UTC would only confuse)."""
    request = context.get("request")
    if request is not None:
        # The viewer's own zone, from the facts the request's Viewer already loaded.
        viewer = getattr(request, "viewer", None)
        return (viewer.time_zone or None) if viewer is not None and viewer.is_authenticated else None
    # A cached fragment (rendered without the request) is keyed by the active zone, which the
    # middleware sets to the member's own; the default means "none of one's own".
    current = timezone.get_current_timezone_name()
    return None if current == settings.TIME_ZONE else current


@register.simple_tag(takes_context=True)
def exchange_when(context, obj, viewer_tz=None, exchange_tz=None):
    """Render an exchange's (or a session's) time; the viewer's zone defaults to the active one."""
    tzname = exchange_tz or getattr(obj, "time_zone", None) or obj.exchange.time_zone
    if viewer_tz is None:
        viewer_tz = _viewer_zone(context)
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


def _hours(start, end, tz) -> str:
    start, end = start.astimezone(tz), end.astimezone(tz)
    if start.date() == end.date():
        return f"{event_time(start)}–{event_time(end)}"
    return f"{event_datetime(start)} – {event_datetime(end)}"


@register.simple_tag(takes_context=True)
def session_hours(context, session, exchange_tz):
    """A programme session's hours in the exchange's zone (its day is the agenda's heading) and,
    where the viewer's own zone differs, in theirs beside them."""
    own = _zone(exchange_tz) or zoneinfo.ZoneInfo("UTC")
    main = _hours(session.starts_at, session.ends_at, own)
    viewer = _zone(_viewer_zone(context) or "")
    html = format_html('<time datetime="{}">{}</time>', session.starts_at.isoformat(), main)
    if (
        viewer is None
        or session.starts_at.astimezone(viewer).utcoffset() == session.starts_at.astimezone(own).utcoffset()
    ):
        return html
    # The hours alone when the viewer's day is the agenda's, else with the date.
    same_day = session.starts_at.astimezone(viewer).date() == session.starts_at.astimezone(own).date()
    span = _hours if same_day else _span
    local = span(session.starts_at, session.ends_at, viewer)
    return format_html('{} <span class="meta local-time">{}: {} ({})</span>', html, _("your time"), local, viewer.key)


@register.simple_tag(takes_context=True)
def upcoming_exchanges(context, limit=3):
    """The next published exchanges with their place counts and titles in the active language:
    one query; for a signed-in viewer one more, for their own state on each."""
    from exchanges.models import Exchange, Registration

    exchanges = list(
        Exchange.objects.published()
        .upcoming()
        .with_place_counts()
        .with_translation()
        .order_by("starts_at", "pk")[: int(limit)]
    )
    request = context.get("request")
    viewer = getattr(request, "viewer", None) if request is not None else None
    own = {}
    if exchanges and viewer is not None and viewer.is_authenticated:
        own = dict(
            Registration.objects.filter(user_id=viewer.user_id, exchange__in=exchanges)
            .exclude(state=Registration.State.CANCELLED)
            .values_list("exchange_id", "state")
        )
    for exchange in exchanges:
        state = own.get(exchange.pk)
        exchange.own_state = Registration.State(state) if state else None
    return exchanges


def _conditional_escape(text) -> str:
    """``django.utils.html.conditional_escape`` with the standard library's ``html.escape``
    (which Django's ``escape`` wraps): the same text, at a fraction of the cost per call."""
    if isinstance(text, Promise):
        text = str(text)
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


@register.simple_tag
def filter_fields(form):
    """Render the list's filter fields directly: Django's per-option widget templates cost more
    than the rest of the page together, and this page is the most visited one."""
    from django import forms
    from django.utils.safestring import mark_safe

    parts = []
    for bf in form:
        widget = bf.field.widget
        errors = ""
        described = ""
        if bf.errors:
            error_id = f"{bf.auto_id}_error"
            described = format_html(' aria-describedby="{}"', error_id)
            errors = format_html('<p class="message error" id="{}">{}</p>', error_id, " ".join(bf.errors))
        if isinstance(widget, forms.CheckboxInput):
            checked = " checked" if bf.value() not in (None, False, "", "false", "False", "0") else ""
            control = format_html(
                '<label for="{}"><input type="checkbox" name="{}" id="{}"{}{}> {}</label>',
                bf.auto_id,
                bf.html_name,
                bf.auto_id,
                mark_safe(checked),  # noqa: S308 — a constant.
                described,
                bf.label,
            )
        elif isinstance(widget, forms.Select):
            current = "" if bf.value() is None else str(bf.value())
            choices = widget.choices
            if isinstance(bf.field, forms.ModelChoiceField):
                # The same choices as the field's own iterator, read in one query: that iterator
                # reads through a server-side cursor (declare, fetch, close: four round trips).
                field = bf.field
                choices = [("", field.empty_label)] if field.empty_label is not None else []
                choices += [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in field.queryset]
            # What format_html_join would write, escaping as it does (``_conditional_escape``) but
            # without its per-call overhead: the country and month lists are a hundred options.
            options = mark_safe(  # noqa: S308 — every value and label escaped.
                "".join(
                    f'<option value="{_conditional_escape(str(value))}"'
                    f"{' selected' if str(value) == current else ''}>{_conditional_escape(label)}</option>"
                    for value, label in choices
                )
            )
            control = format_html(
                '<label for="{}">{}</label><select name="{}" id="{}"{}>{}</select>',
                bf.auto_id,
                bf.label,
                bf.html_name,
                bf.auto_id,
                described,
                options,
            )
        else:
            control = format_html(
                '<label for="{}">{}</label><input type="{}" name="{}" id="{}" value="{}" placeholder="{}"{}>',
                bf.auto_id,
                bf.label,
                widget.attrs.get("type", getattr(widget, "input_type", "text")),
                bf.html_name,
                bf.auto_id,
                "" if bf.value() is None else bf.value(),
                widget.attrs.get("placeholder", ""),
                described,
            )
        parts.append(format_html('<div class="field">{}{}</div>', control, errors))
    return mark_safe("".join(parts))  # noqa: S308 — every part is built with format_html.
