"""The cross-site search index: one row per searchable item of any app (see ``search/index.py``).

The model lived in practice until the search became its own app; its rows and table were
carried over by the migrations (see ``search/migrations``).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One searchable item of any app, kept current by signals (see ``search/index.py``)."""

    kind = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    language = models.CharField(max_length=8, blank=True)
    # The PostgreSQL text-search configuration the vector was built with (english, swedish, ...).
    config = models.CharField(max_length=20, default="simple")
    title = models.CharField(max_length=300)
    # The title without case or accents ("hjallbo" for "Hjällbo"): what trigram widening and the
    # SQLite demo compare a query's words with (``search.index.fold``).
    folded_title = models.CharField(max_length=300, blank=True, default="")
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    themes = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True)
    vector = SearchVectorField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="searchentry_unique_object")]
        indexes = [models.Index(fields=["kind", "object_id"], name="searchentry_kind_obj_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"
