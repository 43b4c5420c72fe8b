"""``{% select_options options current %}``: the ``<option>`` elements of a long ``<select>``.

A filter form offers every organisation (thousands) and every country; drawn by a template
loop, each option costs a few variable lookups and escapes, and the list was most of a cold
dashboard's rendering. Built here in one pass, escaped the same way (with the standard library's
``html.escape``, which Django's ``escape`` wraps: without its lazy-text check and ``SafeString``
per call, thousands of options cost half as much)."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


class DrawnOptions:
    """A list of options already drawn, none selected (``draw``), for a list long enough to be
    kept in the cache as HTML: ``select_options`` marks the current one in the copy it returns."""

    def __init__(self, html: str):
        self.html = html

    def selecting(self, current: str) -> SafeString:
        html = self.html
        if current:
            value = escape(current)
            html = html.replace(f'<option value="{value}">', f'<option value="{value}" selected>', 1)
        return mark_safe(html)  # noqa: S308 — drawn by draw(), every part escaped there.


def draw(options) -> str:
    """The ``<option>`` elements of ``options``, none selected (to keep as ``DrawnOptions``)."""
    return str(select_options(options, ""))


@register.simple_tag
def select_options(options, current="") -> SafeString:
    """One ``<option>`` per ``(value, text)`` pair, the one equal to ``current`` selected. Each
    value and text escaped (``html.escape``: what autoescaping applies), the whole marked safe once.
    ``options`` may be ``DrawnOptions`` (drawn before, kept in the cache)."""
    current = "" if current is None else str(current)
    if isinstance(options, DrawnOptions):
        return options.selecting(current)
    parts = []
    for value, text in options:
        value = str(value)
        selected = " selected" if value == current else ""
        parts.append(f'<option value="{escape(value)}"{selected}>{escape(str(text))}</option>')
    return mark_safe("".join(parts))  # noqa: S308 — every part escaped above.
