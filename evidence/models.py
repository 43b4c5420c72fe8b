"""The evidence base: records of organising's process and outcomes.

This is the core record other apps link to; the evidence issue extends it (dimensions,
consent, indicators, revisions, attachments) through further migrations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from network.models import Organisation, Theme


class EvidenceRecord(models.Model):
    class Kind(models.TextChoices):
        STORY = "story", _("story (most significant change)")
        TESTIMONY = "testimony", _("testimony or quote")
        OUTCOME = "outcome", _("outcome statement")
        METRIC = "metric", _("metric update")
        DOCUMENT = "document", _("document or report")
        MEDIA = "media", _("media")

    class Layer(models.TextChoices):
        PROCESS = "process", _("process")
        OUTCOME = "outcome", _("outcome")
        BOTH = "both", _("process and outcome")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        IN_REVIEW = "in_review", _("in review")
        RETURNED = "returned", _("returned for revision")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("rejected")

    class Visibility(models.TextChoices):
        NETWORK = "network", _("network")
        FUNDERS = "funders", _("funders")
        PUBLIC = "public", _("public")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.STORY)
    layer = models.CharField(_("layer"), max_length=10, choices=Layer.choices, default=Layer.PROCESS)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.NETWORK, db_index=True
    )
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="evidence_records")
    themes = models.ManyToManyField(Theme, blank=True, related_name="evidence_records")
    original_language = models.CharField(_("original language"), max_length=8, default="en")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="evidence_records"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("evidence record")
        verbose_name_plural = _("evidence records")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evidence:detail", kwargs={"pk": self.pk})
