"""Directory filters. Invalid values (``?country=ZZ``, NUL characters, unknown themes) are
reported beside the field and ignored, never passed to the database."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.db import list_contains
from network.languages import language_choices
from network.models import Member, Organisation, Theme


def _country_choices(codes) -> list[tuple[str, str]]:
    """Only the countries that occur, by name in the active language."""
    return sorted(((code, countries.name(code)) for code in codes if code), key=lambda pair: pair[1].casefold())


class _DirectoryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_text", max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )

    def __init__(self, *args, country_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Set here, once per request; a callable would be re-run on each render and validation.
        self.filters["country"].extra["choices"] = _country_choices(country_codes)

    @property
    def active(self) -> bool:
        return self.is_bound and any(self.form.cleaned_data.get(name) for name in self.filters)


class OrganisationFilter(_DirectoryFilterSet):
    country = django_filters.ChoiceFilter(label=_("Country"), empty_label=_("All countries"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Organisation.Kind.choices, empty_label=_("All kinds"))
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        empty_label=_("All themes"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "country", "kind", "theme"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(city__icontains=value) | Q(description__icontains=value))


class MemberFilter(_DirectoryFilterSet):
    country = django_filters.ChoiceFilter(label=_("Country"), empty_label=_("All countries"))
    language = django_filters.ChoiceFilter(
        label=_("Speaks"), method="filter_language", choices=language_choices, empty_label=_("Any language")
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        empty_label=_("All themes"),
    )

    class Meta:
        model = Member
        fields = ["q", "country", "language", "theme"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["language"].extra["choices"] = language_choices()

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(display_name__icontains=value) | Q(city__icontains=value) | Q(organisations__name__icontains=value)
        ).distinct()

    def filter_language(self, queryset, name, value):
        return queryset.filter(list_contains("languages", value))
