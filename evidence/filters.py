"""Library and dashboard filters. Invalid parameters are dropped by django-filter (only valid
fields reach the query) and reported on the page: never a 500."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.constants import EMPTY_VALUES

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


class RelatedMixin:
    """A filter across a many-to-many relation, as ``EXISTS``: each record stays once, with no
    join to repeat it, and every other filter stays on the records themselves. (Before, the
    filtered records were wrapped as ``pk IN (…)`` with the kind, visibility and consent tests
    inside only, and the library's page walked its date order testing each published record:
    300 ms at issue 16's ten times the data.)"""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        # On the relation's own table (the link table of a many-to-many field), not through a
        # second copy of the records.
        first, rest = self.field_name.split("__", 1)
        relation = EvidenceRecord._meta.get_field(first)
        if relation.many_to_many:
            rows = relation.remote_field.through.objects.filter(
                **{
                    relation.m2m_column_name(): OuterRef("pk"),
                    f"{relation.m2m_reverse_field_name()}__{rest}__{self.lookup_expr}": value,
                }
            )
        else:
            rows = relation.related_model.objects.filter(
                **{relation.field.name: OuterRef("pk"), f"{rest}__{self.lookup_expr}": value}
            )
        return qs.filter(Exists(rows))


class RelatedSlugFilter(RelatedMixin, SlugFilter):
    pass


class RelatedChoiceFilter(RelatedMixin, django_filters.ChoiceFilter):
    pass


class DashboardFilter(django_filters.FilterSet):
    """Filters shared by the dashboard, its exports and the library."""

    period_from = django_filters.DateFilter(
        label=_("Period from"), method="filter_period_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = django_filters.DateFilter(
        label=_("Period until"), method="filter_period_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    country = RelatedChoiceFilter(label=_("Country"), choices=_country_choices, field_name="record_countries__country")
    theme = RelatedSlugFilter(label=_("Theme"), field_name="themes__slug")
    organisation = RelatedSlugFilter(label=_("Organisation"), field_name="organisations__slug")
    dimension = RelatedSlugFilter(label=_("Process dimension"), field_name="dimensions__slug")

    class Meta:
        model = EvidenceRecord
        fields: list[str] = []

    def filter_period_from(self, queryset, name, value):
        # A record observed over a period overlaps [from, …) when it ends on or after ``from``.
        return queryset.filter(Q(period_end__gte=value) | Q(period_end__isnull=True, period_start__gte=value))

    def filter_period_to(self, queryset, name, value):
        return queryset.filter(Q(period_start__lte=value) | Q(period_start__isnull=True, period_end__lte=value))


class LibraryFilter(DashboardFilter):
    q = SearchFilter(label=_("Search"), method="filter_text", max_length=200)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EvidenceRecord.Kind.choices)
    layer = django_filters.ChoiceFilter(label=_("Layer"), choices=EvidenceRecord.Layer.choices)
    outcome_type = RelatedSlugFilter(label=_("Outcome type"), field_name="outcome_types__slug")
    verification = django_filters.ChoiceFilter(label=_("Verification"), choices=EvidenceRecord.Verification.choices)

    class Meta:
        model = EvidenceRecord
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value) | Q(body__icontains=value))
