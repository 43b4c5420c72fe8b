"""Programmes: exchanges and their sessions grouped over a period (the Learning Lab 2022–23,
the Gothenburg training), with an optional cohort of enrolled members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.policy import Viewer
from core.validators import validate_single_line
from exchanges.models import Exchange


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, viewer: Viewer):
        """Published programmes for everyone; drafts for coordinators."""
        if viewer.is_coordinator:
            return self.all()
        return self.filter(status=Programme.Status.PUBLISHED)


class Programme(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    class Cohort(models.TextChoices):
        NONE = "none", _("no cohort")
        OPEN = "open", _("members enrol")
        APPLICATION = "application", _("members apply; coordinators accept")

    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    cohort = models.CharField(_("cohort"), max_length=12, choices=Cohort.choices, default=Cohort.NONE)
    exchanges = models.ManyToManyField(Exchange, blank=True, related_name="programmes", verbose_name=_("exchanges"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When coordinators last changed what readers see (CONTENT_FIELDS): what the digests call an
    # updated programme. ``updated_at`` moves on any save, an unchanged admin form included.
    content_changed_at = models.DateTimeField(_("content changed"), default=timezone.now, editable=False)

    objects = ProgrammeQuerySet.as_manager()

    # The fields whose change a reader notices: its words, dates, cohort, exchanges, and being
    # published. The slug is an address, not content.
    CONTENT_FIELDS = ("title", "summary", "description", "starts_on", "ends_on", "status", "cohort", "exchanges")

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="programme_ends_after_start"),
        ]
        indexes = [models.Index(fields=["status", "content_changed_at"], name="programme_status_changed")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", kwargs={"slug": self.slug})

    @property
    def has_cohort(self) -> bool:
        return self.cohort != self.Cohort.NONE


class Enrolment(models.Model):
    """A member in a programme's cohort."""

    class State(models.TextChoices):
        ENROLLED = "enrolled", _("enrolled")
        APPLIED = "applied", _("applied")
        DECLINED = "declined", _("declined")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["programme", "user"], name="enrolment_one_per_member")]

    def __str__(self) -> str:
        return f"{self.user} – {self.programme}"
