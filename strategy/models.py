"""Co-developed strategy: documents in ordered sections, immutable published versions with
translations, and consultation rounds on a draft (comments, amendments, support).

A ``Document`` has ``Section``s that coordinators define (key, order, translated heading).
Each ``Version`` is numbered within its document; a draft may change, a published version
never does (``services`` refuse it and the admin shows it read-only). A version is written in
one original language (``VersionText`` in that language) and translated into the others; the
outdated-translation flag is the shared one of ``core.translations``: the version counts
changes to its original's content (``content_version``), a translation remembers the count it
was made from.

A consultation ``Round`` opens on a draft with dates and a ``Question`` per section. Members
comment (threaded), propose ``Amendment``s (replacement text for one section) and ``Support``
them, once each (a constraint). Coordinators accept (the text enters the draft, which becomes
the next published version), merge or decline amendments.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import ChoiceDisplayMixin
from core.licences import OPEN, Licence
from core.policy import Viewer
from core.translations import TranslationMixin, TranslationQuerySetMixin
from core.validators import validate_no_nul, validate_single_line

LANGUAGE_CHOICES = settings.LANGUAGES
# The fragment cache's namespace of strategy data.
NAMESPACE = "strategy"

COMMENT_MAX_LENGTH = 4000
AMENDMENT_MAX_LENGTH = 10000
REASON_MAX_LENGTH = 1000


class Document(models.Model):
    """A strategy, e.g. "Sustaining the Learning Lab 2027–2030"."""

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    original_language = models.CharField(
        _("original language"), max_length=5, choices=LANGUAGE_CHOICES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("strategy document")
        verbose_name_plural = _("strategy documents")

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("strategy:document_detail", kwargs={"slug": self.slug})


def documents_visible_to(viewer: Viewer):
    """Documents with a version the viewer may read: the versions' rule, not a second one."""
    return Document.objects.filter(pk__in=Version.objects.visible_to(viewer).values("document"))


class Section(models.Model):
    """One part of a document, in reading order. The heading is translated (modeltranslation)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(_("key"), max_length=60, help_text=_("A short name for addresses, e.g. vision."))
    heading = models.CharField(_("heading"), max_length=200, validators=[validate_single_line])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["document", "order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.UniqueConstraint(fields=["document", "key"], name="strategy_section_key_unique")]

    def __str__(self) -> str:
        return self.heading


class VersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Version.Status.PUBLISHED)

    def visible_to(self, viewer: Viewer):
        """Published versions for everyone; a draft for coordinators, and for signed-in members
        once a consultation round has been opened on it."""
        if viewer.is_coordinator:
            return self.all()
        if viewer.is_anonymous:
            return self.published()
        return self.filter(Q(status=Version.Status.PUBLISHED) | Q(pk__in=Round.objects.values("version")))

    def open_licensed(self):
        """Versions under an open licence: what open data (the API's answers to visitors, the
        nightly package) may carry."""
        return self.filter(licence__in=OPEN)


class Version(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    original_language = models.CharField(_("original language"), max_length=5, choices=LANGUAGE_CHOICES)
    # Bumped whenever the original's title or sections change while the version is a draft.
    content_version = models.PositiveIntegerField(default=1, editable=False)
    note = models.CharField(
        _("what changed"),
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Shown in the list of versions."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Chosen by coordinators when publishing; "all rights reserved" keeps the version out of
    # open data (the API for visitors, the nightly package), not off its page.
    licence = models.CharField(
        _("licence"),
        max_length=30,
        choices=Licence.choices,
        default=Licence.CC_BY,
        help_text=_("How others may reuse this version. All rights reserved keeps it out of open data."),
    )

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="strategy_version_number_unique"),
            # One draft at a time: the next version is written in one place.
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="draft"), name="strategy_version_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="strategy_version_published_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("strategy:version_detail", kwargs={"slug": self.document.slug, "number": self.number})

    @property
    def is_published(self) -> bool:
        return self.status == Version.Status.PUBLISHED


class VersionTextQuerySet(TranslationQuerySetMixin, models.QuerySet):
    original_language_path = "version__original_language"
    content_version_path = "version__content_version"


class VersionText(TranslationMixin, models.Model):
    """A version in one language: its title, summary and the Markdown of each section by key."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    summary = models.CharField(_("summary"), max_length=500, blank=True, validators=[validate_no_nul])
    sections = models.JSONField(_("sections"), default=dict, blank=True)
    # The version's content_version this text was translated from (or brought up to date with).
    source_version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionTextQuerySet.as_manager()
    translation_parent = "version"

    class Meta:
        ordering = ["version", "language"]
        verbose_name = _("version text")
        verbose_name_plural = _("version texts")
        constraints = [models.UniqueConstraint(fields=["version", "language"], name="strategy_text_one_per_language")]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def section_text(self, key: str) -> str:
        return str((self.sections or {}).get(key, "") or "")


class Citation(models.Model):
    """What a section of a version rests on: one evidence record, indicator or guide. Readers
    see a citation only where the cited thing's own rule lets them (``strategy.citations``)."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="citations")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="citations")
    record = models.ForeignKey(
        "evidence.EvidenceRecord", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("evidence record"),
    )  # fmt: skip
    indicator = models.ForeignKey(
        "evidence.Indicator", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("indicator"),
    )  # fmt: skip
    guide = models.ForeignKey(
        "practice.GuideWork", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("guide"),
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["section__order", "order", "pk"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            # Exactly one of record, indicator and guide.
            models.CheckConstraint(
                condition=Q(record__isnull=False, indicator__isnull=True, guide__isnull=True)
                | Q(record__isnull=True, indicator__isnull=False, guide__isnull=True)
                | Q(record__isnull=True, indicator__isnull=True, guide__isnull=False),
                name="strategy_citation_cites_one_thing",
            ),
            models.UniqueConstraint(fields=["version", "section", "record"], name="strategy_citation_record_once"),
            models.UniqueConstraint(
                fields=["version", "section", "indicator"], name="strategy_citation_indicator_once"
            ),
            models.UniqueConstraint(fields=["version", "section", "guide"], name="strategy_citation_guide_once"),
        ]

    def __str__(self) -> str:
        return f"{self.section}: {self.record or self.indicator or self.guide}"


class RoundQuerySet(models.QuerySet):
    def open_at(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)


class Round(models.Model):
    """A consultation on a draft version, open between two moments."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="rounds")
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("consultation round")
        verbose_name_plural = _("consultation rounds")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="strategy_round_closes_after")
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.opens_at:%Y-%m-%d}–{self.closes_at:%Y-%m-%d})"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def has_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at


class Question(models.Model):
    """What coordinators ask about one section in a round. Translated (modeltranslation)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=500, validators=[validate_no_nul])

    class Meta:
        ordering = ["section__order"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["round", "section"], name="strategy_question_one_per_section")]

    def __str__(self) -> str:
        return self.text


class Comment(models.Model):
    """A member's comment on a section during a round, or a reply to one."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="comments")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategy_comments")
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, validators=[validate_no_nul])
    # The form's one-time key: a double submit finds the row the first one wrote.
    submission = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(fields=["author", "submission"], name="strategy_comment_submitted_once"),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="strategy_comment_hidden_with_reason"
            ),
        ]
        indexes = [models.Index(fields=["round", "section", "created_at"], name="strategy_comment_section_idx")]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True, validators=[validate_no_nul])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="strategy_report_once")]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.reason[:40]}"


class AmendmentQuerySet(models.QuerySet):
    def visible_to(self, viewer: Viewer):
        """The amendments the pages show ``viewer``: the versions' rule, not a second one.
        Signed-in members see every amendment of a round on a version they may read (the
        document's page while the round is on the draft, the synthesis once it has closed),
        whatever became of it; visitors see the amendments accepted or merged into a published
        version (its page credits them). Coordinators see every one."""
        versions = Version.objects.visible_to(viewer)
        credited = Q(
            status__in=(Amendment.Status.ACCEPTED, Amendment.Status.MERGED),
            applied_to__in=versions.filter(status=Version.Status.PUBLISHED),
        )
        if viewer.is_anonymous:
            return self.filter(credited)
        return self.filter(Q(round__version__in=versions) | credited)


class Amendment(ChoiceDisplayMixin, models.Model):
    """Replacement text for one section, proposed during a round."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        MERGED = "merged", _("merged with others")
        DECLINED = "declined", _("declined")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="amendments")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="amendments")
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategy_amendments")
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    text = models.TextField(_("proposed text"), max_length=AMENDMENT_MAX_LENGTH, validators=[validate_no_nul])
    explanation = models.TextField(_("why"), max_length=COMMENT_MAX_LENGTH, blank=True, validators=[validate_no_nul])
    # The section's text (in ``language``) the proposal was written against: the tracked change
    # is shown against it, and a later change to the section marks it "based on an earlier text".
    base_text = models.TextField(blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decision_reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The version the accepted (or merged) text entered, and the text that did.
    applied_to = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.SET_NULL, related_name="credited_amendments"
    )
    applied_text = models.TextField(blank=True)
    submission = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AmendmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.UniqueConstraint(fields=["proposer", "submission"], name="strategy_amendment_submitted_once"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""), name="strategy_amendment_declined_with_reason"
            ),
        ]
        indexes = [models.Index(fields=["round", "section", "created_at"], name="strategy_amendment_section_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.section} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == Amendment.Status.PROPOSED


class Support(models.Model):
    """A member supports an amendment: once (a constraint); withdrawing deletes the row."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategy_supports")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["amendment", "user"], name="strategy_support_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.amendment_id}"


# --- convening commitments -------------------------------------------------------------------


class Objective(models.Model):
    """A shared objective a funder convening agreed on."""

    exchange = models.ForeignKey(
        "exchanges.Exchange",
        on_delete=models.CASCADE,
        related_name="objectives",
        limit_choices_to={"kind": "funder_convening"},
        verbose_name=_("convening"),
    )
    text = models.CharField(_("objective"), max_length=500, validators=[validate_no_nul])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["exchange", "order", "pk"]
        verbose_name = _("shared objective")
        verbose_name_plural = _("shared objectives")

    def __str__(self) -> str:
        return self.text


class CommitmentStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    UNDER_WAY = "under_way", _("under way")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


OPEN_STATUSES = (CommitmentStatus.PLANNED, CommitmentStatus.UNDER_WAY)


class CommitmentQuerySet(models.QuerySet):
    def visible_to(self, viewer: Viewer):
        """Commitments of convenings the viewer may see (``Exchange.objects.visible_to``):
        public ones for everyone, members-only ones for signed-in people."""
        from exchanges.models import Exchange

        qs = self.filter(exchange__in=Exchange.objects.visible_to(viewer))
        if viewer.is_anonymous:
            qs = qs.filter(visibility=Commitment.Visibility.PUBLIC)
        return qs

    def updatable_by(self, viewer: Viewer):
        """Commitments ``viewer`` may post progress on: coordinators any; otherwise those they
        may see and own, or that an organisation of theirs (an approved membership) holds."""
        if viewer.is_coordinator:
            return self.all()
        if viewer.is_anonymous:
            return self.none()
        holders = Commitment.organisations.through.objects.filter(organisation_id__in=viewer.organisation_ids)
        return self.visible_to(viewer).filter(Q(owner_id=viewer.user_id) | Q(pk__in=holders.values("commitment")))

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(due_on__lt=today, status__in=OPEN_STATUSES)


class Commitment(models.Model):
    """What one or more organisations committed to at a funder convening, by a date."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public")
        MEMBERS = "members", _("network members only")

    exchange = models.ForeignKey(
        "exchanges.Exchange",
        on_delete=models.CASCADE,
        related_name="commitments",
        limit_choices_to={"kind": "funder_convening"},
        verbose_name=_("convening"),
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments",
        verbose_name=_("shared objective"),
    )  # fmt: skip
    title = models.CharField(_("commitment"), max_length=300, validators=[validate_single_line])
    description = models.TextField(_("description"), blank=True, max_length=4000, validators=[validate_no_nul])
    theme = models.ForeignKey(
        "network.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("theme")
    )
    organisations = models.ManyToManyField(
        "network.Organisation", related_name="commitments", verbose_name=_("organisations")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="strategy_commitments",
        verbose_name=_("owner"),
    )  # fmt: skip
    due_on = models.DateField(_("due"))
    # The status of the latest progress update (kept by ``services.commitment_update_add``).
    status = models.CharField(
        _("status"), max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.PLANNED, db_index=True
    )
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [models.Index(fields=["status", "due_on"], name="strategy_commitment_due_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commitments:detail", kwargs={"pk": self.pk})

    def is_overdue(self, today=None) -> bool:
        return self.status in OPEN_STATUSES and self.due_on < (today or timezone.localdate())


class CommitmentUpdate(models.Model):
    """A holder's progress note: the status now, a note, and optionally the evidence."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=10, choices=CommitmentStatus.choices)
    note = models.TextField(_("note"), max_length=2000, validators=[validate_no_nul])
    record = models.ForeignKey(
        "evidence.EvidenceRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("evidence"),
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submission = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("commitment update")
        verbose_name_plural = _("commitment updates")
        constraints = [
            models.UniqueConstraint(fields=["created_by", "submission"], name="strategy_commitment_update_once")
        ]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.get_status_display()}"
