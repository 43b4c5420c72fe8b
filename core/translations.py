"""The outdated-translation flag, shared by every kind of text that is written in one original
language and translated into the others (practice guides, strategy versions).

The original counts changes to its content (a ``content_version`` on the thing all languages
share); each translation remembers the count it was translated from (``source_version``). A
translation is outdated when it was made from an older count: a plain SQL comparison, so lists
can flag stale translations without reading the texts.

A QuerySet gets ``originals()``, ``translations()``, ``outdated()`` and ``with_outdated()`` by
mixing in ``TranslationQuerySetMixin`` and naming the paths to the shared fields; a model the
``outdated`` property with ``TranslationMixin``; the admin a list filter with
``OutdatedListFilter``.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _


class TranslationQuerySetMixin:
    """For a QuerySet of language versions. Subclasses name the lookups to the shared fields."""

    # The version's own fields, and the paths to what all its languages share.
    language_field = "language"
    source_version_field = "source_version"
    original_language_path: str = ""  # e.g. "work__original_language"
    content_version_path: str = ""  # e.g. "work__content_version"

    def _original_q(self) -> Q:
        return Q(**{self.language_field: F(self.original_language_path)})

    def _stale_q(self) -> Q:
        return Q(**{f"{self.source_version_field}__lt": F(self.content_version_path)}) & ~self._original_q()

    def originals(self):
        return self.filter(self._original_q())

    def translations(self):
        return self.exclude(self._original_q())

    def outdated(self):
        """Translations made from an older state of the original."""
        return self.filter(self._stale_q())

    def up_to_date(self):
        return self.exclude(self._stale_q())

    def with_outdated(self):
        """Annotate ``is_outdated``, which the model's ``outdated`` property then reads."""
        return self.annotate(
            is_outdated=Case(
                When(self._stale_q(), then=Value(True)), default=Value(False), output_field=models.BooleanField()
            )
        )


class TranslationMixin:
    """For a language version model: ``is_original`` and ``outdated`` from the shared object
    (``translation_parent``, e.g. ``work`` or ``version``), or from ``with_outdated()``."""

    translation_parent = ""

    def _parent(self):
        return getattr(self, self.translation_parent)

    @property
    def is_original(self) -> bool:
        return self.language == self._parent().original_language

    @property
    def outdated(self) -> bool:
        if hasattr(self, "is_outdated"):
            return self.is_outdated
        return not self.is_original and self.source_version < self._parent().content_version


class OutdatedListFilter(admin.SimpleListFilter):
    """The admin's "translation state" filter, for any model whose QuerySet has the mixin."""

    title = _("translation state")
    parameter_name = "outdated"

    def lookups(self, request, model_admin):
        return [("yes", _("may be outdated")), ("no", _("up to date"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.outdated()
        if self.value() == "no":
            return queryset.up_to_date()
        return queryset
