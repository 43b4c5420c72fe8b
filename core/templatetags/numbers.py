"""``{% load numbers %}``: ``value|number`` and ``value|number:decimals`` in the active language
(see ``core.formats.number``). For text only: attributes that hold geometry take ``unlocalize``."""

from django import template

from core import formats

register = template.Library()


@register.filter
def number(value, decimals=None) -> str:
    return formats.number(value, None if decimals is None or decimals == "" else int(decimals))
