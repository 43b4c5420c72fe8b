"""``{% load dates %}``: ``value|event_datetime`` and ``value|medium_date`` in the active language
(see ``core.formats``). Aware values are shown in the active time zone, as ``|date`` does."""

from django import template
from django.utils import timezone

from core import formats

register = template.Library()


def _local(value):
    if value is not None and hasattr(value, "tzinfo") and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def event_datetime(value) -> str:
    return formats.event_datetime(_local(value))


@register.filter
def medium_date(value) -> str:
    return formats.medium_date(_local(value))
