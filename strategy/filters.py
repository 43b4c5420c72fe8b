"""The commitments list's filters. Invalid values are dropped by django-filter's form, never a 500."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange
from network.models import Organisation, Theme
from strategy.models import OPEN_STATUSES, Commitment, CommitmentStatus


class CommitmentFilter(django_filters.FilterSet):
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        field_name="organisations",
        to_field_name="slug",
        queryset=Organisation.objects.filter(commitments__isnull=False).distinct().order_by("name"),
        empty_label=_("All organisations"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="theme",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        empty_label=_("All themes"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), field_name="status", choices=CommitmentStatus.choices, empty_label=_("Any status")
    )
    convening = django_filters.ModelChoiceFilter(
        label=_("Convening"),
        field_name="exchange",
        to_field_name="slug",
        queryset=Exchange.objects.filter(kind=Exchange.Kind.CONVENING),
        empty_label=_("All convenings"),
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput)

    class Meta:
        model = Commitment
        fields = ["organisation", "theme", "status", "convening", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(due_on__lt=timezone.localdate(), status__in=OPEN_STATUSES)
        return queryset
