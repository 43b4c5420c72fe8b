"""Library and dashboard filters. Invalid parameters are dropped by django-filter (only valid
fields reach the query) and reported on the page: never a 500."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.validators import validate_no_nul
from evidence.models import EvidenceRecord


def _country_choices():
    return list(countries)


class SearchField(forms.CharField):
    default_validators = [validate_no_nul]


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class SlugFilter(django_filters.CharFilter):
    """A list's slug, validated by shape only: a slug that names nothing simply matches nothing,
    and no query is spent on checking it (the selects are drawn from lists the page has anyway)."""

    field_class = forms.SlugField


class DashboardFilter(django_filters.FilterSet):
    """Filters shared by the dashboard, its exports and the library."""

    period_from = django_filters.DateFilter(
        label=_("Period from"), method="filter_period_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = django_filters.DateFilter(
        label=_("Period until"), method="filter_period_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=_country_choices, field_name="record_countries__country"
    )
    theme = SlugFilter(label=_("Theme"), field_name="themes__slug")
    organisation = SlugFilter(label=_("Organisation"), field_name="organisations__slug")
    dimension = SlugFilter(label=_("Process dimension"), field_name="dimensions__slug")

    class Meta:
        model = EvidenceRecord
        fields: list[str] = []

    def filter_period_from(self, queryset, name, value):
        # A record observed over a period overlaps [from, …) when it ends on or after ``from``.
        return queryset.filter(Q(period_end__gte=value) | Q(period_end__isnull=True, period_start__gte=value))

    def filter_period_to(self, queryset, name, value):
        return queryset.filter(Q(period_start__lte=value) | Q(period_start__isnull=True, period_end__lte=value))

    @property
    def qs(self):
        # Filtering across M2M joins may repeat a record: keep each once, as a subquery so that
        # later annotations and aggregations stay correct.
        if not hasattr(self, "_qs"):
            base = super().qs
            if self.is_bound and any(
                self.form.cleaned_data.get(k) for k in ("country", "theme", "organisation", "dimension", "outcome_type")
            ):
                base = self.queryset.filter(pk__in=base.values("pk"))
            self._qs = base
        return self._qs


class LibraryFilter(DashboardFilter):
    q = SearchFilter(label=_("Search"), method="filter_text", max_length=200)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EvidenceRecord.Kind.choices)
    layer = django_filters.ChoiceFilter(label=_("Layer"), choices=EvidenceRecord.Layer.choices)
    outcome_type = SlugFilter(label=_("Outcome type"), field_name="outcome_types__slug")
    verification = django_filters.ChoiceFilter(label=_("Verification"), choices=EvidenceRecord.Verification.choices)

    class Meta:
        model = EvidenceRecord
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value) | Q(body__icontains=value))
