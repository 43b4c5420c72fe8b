"""The exchange list's filters (django-filter)."""

from __future__ import annotations

import re
from datetime import date, datetime

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core import cache
from core.db import distinct_values, list_contains
from core.policy import Audience
from exchanges.models import WORKING_LANGUAGES, Exchange
from network.models import Theme

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _country_choices():
    """Only countries that have exchanges (a short list renders fast), with their names in
    the current language, cached until the next change to an exchange. The countries of the
    public list (``listed``): the same for every audience, so the public's fragment serves all."""

    def render():
        # From the country index, not from every exchange (90 ms at 20,000 exchanges: issue 16).
        codes = distinct_values(Exchange.objects.announced(), "country")
        return sorted(((code, str(countries.name(code))) for code in codes), key=lambda item: item[1])

    return cache.fragment("exchange_filter_countries", depends_on="exchanges", audience=Audience.PUBLIC, render=render)


def month_choices(chosen: str = "") -> list[tuple[str, str]]:
    """ "Any month", then the months from a year ago to a year and a half ahead ("December 2026"
    in the page's language), and the chosen month if it lies outside them."""
    today = timezone.localdate()
    months = []
    for offset in range(-12, 19):
        index = today.year * 12 + today.month - 1 + offset
        months.append(date(index // 12, index % 12 + 1, 1))
    choices = [("", _("Any month"))] + [(f"{m:%Y-%m}", date_format(m, "YEAR_MONTH_FORMAT")) for m in months]
    match = MONTH_RE.match(chosen)
    if match and chosen not in dict(choices) and 1 <= int(match.group(2)) <= 12 and int(match.group(1)) >= 1:
        choices.append((chosen, date_format(date(int(match.group(1)), int(match.group(2)), 1), "YEAR_MONTH_FORMAT")))
    return choices


class ExchangeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Exchange.Kind.choices, empty_label=_("Any kind"))
    country = django_filters.ChoiceFilter(label=_("Country"), choices=_country_choices, empty_label=_("Any country"))
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        empty_label=_("Any theme"),
    )
    language = django_filters.ChoiceFilter(
        label=_("Working language"), choices=WORKING_LANGUAGES, method="filter_language", empty_label=_("Any language")
    )
    format = django_filters.ChoiceFilter(
        label=_("Format"), choices=Exchange.Format.choices, empty_label=_("Any format")
    )
    # A list of months (see __init__), not <input type="month">: that is a bare text box in
    # some browsers and unstyled in others. Any YYYY-MM still filters (old links, typed URLs).
    month = django_filters.CharFilter(
        label=_("Month"),
        method="filter_month",
        widget=forms.Select,
        max_length=7,
        validators=[RegexValidator(MONTH_RE, _("Enter a month as YYYY-MM."))],
    )
    places = django_filters.BooleanFilter(
        label=_("Only with places left"), method="filter_places", widget=forms.CheckboxInput
    )

    class Meta:
        model = Exchange
        fields = ["kind", "country", "theme", "language", "format", "month", "places"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = (self.data or {}).get("month") or ""
        # Listed only when the widget is drawn (31 dates formatted in the page's language): the
        # API filters exchanges with this FilterSet and never draws it.
        self.filters["month"].extra["widget"] = forms.Select(choices=lambda: month_choices(chosen))

    def filter_language(self, queryset, name, value):
        return queryset.filter(list_contains("working_languages", value)) if value else queryset

    def filter_month(self, queryset, name, value):
        match = MONTH_RE.match(value or "")
        if not match:
            return queryset
        year, month = int(match.group(1)), int(match.group(2))
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            return queryset.none()
        start = datetime(year, month, 1, tzinfo=timezone.get_current_timezone())
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=start.tzinfo)
        # Any overlap with the month counts (a gathering across the turn of a month).
        return queryset.filter(starts_at__lt=end, ends_at__gte=start)

    def filter_places(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(capacity__isnull=True) | Q(places_left_db__gt=0))
