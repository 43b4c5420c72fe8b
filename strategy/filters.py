"""The commitments list's filters. Invalid values are dropped by django-filter's form, never a 500."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import QuickSelect
from exchanges.models import Exchange
from network.models import Organisation, Theme
from strategy.models import OPEN_STATUSES, Commitment, CommitmentStatus


def _holders():
    """Organisations holding a commitment, as (slug, name): read as plain rows, since there
    are hundreds (no model instances, options written in Python)."""
    return list(
        Organisation.objects.filter(commitments__isnull=False)
        .order_by("name", "slug")
        .values_list("slug", "name")
        .distinct()
    )


class CommitmentFilter(django_filters.FilterSet):
    organisation = django_filters.ChoiceFilter(
        label=_("Organisation"),
        field_name="organisations__slug",
        choices=_holders,
        empty_label=_("All organisations"),
        widget=QuickSelect,
        distinct=True,
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="theme",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        empty_label=_("All themes"),
        widget=QuickSelect,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), field_name="status", choices=CommitmentStatus.choices, empty_label=_("Any status")
    )
    # Its choices are the convenings the viewer may see that hold commitments (``__init__``).
    convening = django_filters.ChoiceFilter(
        label=_("Convening"),
        field_name="exchange__slug",
        choices=[],
        empty_label=_("All convenings"),
        widget=QuickSelect,
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput)

    class Meta:
        model = Commitment
        fields = ["organisation", "theme", "status", "convening", "overdue"]

    def __init__(self, data=None, queryset=None, *, viewer, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["convening"].extra["choices"] = lambda: list(
            Exchange.objects.visible_to(viewer)
            .filter(kind=Exchange.Kind.CONVENING, commitments__isnull=False)
            .order_by("-starts_at", "pk")
            .values_list("slug", "title")
            .distinct()
        )

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(due_on__lt=timezone.localdate(), status__in=OPEN_STATUSES)
        return queryset
