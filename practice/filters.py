"""The guide library's and the joint actions' filters. Invalid values are dropped by the form, never a 500."""

from __future__ import annotations

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries as all_countries

from network.models import Theme
from practice.models import Characteristic, JointAction, Kind, Participation


class FacetChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CharacteristicFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = FacetChoiceField


class GuideFilter(django_filters.FilterSet):
    """Filters guide *works*; the view then picks the version to show in the reader's language."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="kind", choices=Kind.choices, empty_label=_("All kinds")
    )
    characteristic = CharacteristicFilter(
        label=_("Characteristics"),
        field_name="characteristics__slug",
        to_field_name="slug",
        queryset=Characteristic.objects.all(),
        conjoined=True,
        widget=forms.CheckboxSelectMultiple,
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        empty_label=_("All themes"),
    )
    # A plain code (validated in the method) rather than a 250-choice field that every
    # request would deep-copy.
    country = django_filters.CharFilter(label=_("Country"), method="filter_country", max_length=2)
    # Applied by the view (choosing the version to show), declared here for the form.
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=settings.LANGUAGES, method="filter_noop", empty_label=_("Your language")
    )

    def filter_country(self, queryset, name, value):
        # Country codes are two letters stored comma-separated, so a substring is a whole code.
        value = (value or "").upper()
        if value not in all_countries:
            return queryset.none() if value else queryset
        return queryset.filter(countries__contains=value)

    def filter_noop(self, queryset, name, value):
        return queryset


class JointActionFilter(django_filters.FilterSet):
    """Joint actions by issue (a theme's slug), a participating organisation's country and
    status: the page's filters and the API's (``/api/v1/joint-actions/``) alike. The page drops
    a value the form refuses; the API answers it with a 400."""

    issue = django_filters.CharFilter(label=_("Issue"), field_name="issue__slug", max_length=100)
    # A plain code validated in the method, like the guide library's.
    country = django_filters.CharFilter(label=_("Country"), method="filter_country", max_length=2)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=JointAction.Status.choices, empty_label=_("Any status")
    )

    def filter_country(self, queryset, name, value):
        value = (value or "").upper()
        if value not in all_countries:
            return queryset.none() if value else queryset
        # A semi-join: no DISTINCT over whole rows, and the page's count stays every participant.
        return queryset.filter(pk__in=Participation.objects.filter(organisation__country=value).values("joint_action"))
