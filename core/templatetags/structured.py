"""``{{ data|json_ld }}``: schema.org data as a ``<script type="application/ld+json">`` block.

Browsers do not run such a block (the CSP's script-src is not involved); search engines and
other readers of the open web do. The JSON is escaped the way ``json_script`` escapes it, so no
value can close the element."""

from __future__ import annotations

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data) -> str:
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
