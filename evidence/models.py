"""The evidence base: records of organising's process and outcomes.

Who may read what is decided in ONE place, ``EvidenceRecordQuerySet.visible_to(viewer)``
(a ``core.policy.Viewer``); every page, dashboard count, chart, export, search document,
digest, cached fragment and file download goes through it, and ``mine``, ``editable_by`` and
``consent_manageable_by`` narrow it.

Visibility rules (documented here because every other module relies on them):

* A record's *visibility* is a ladder: ``network`` (network members only) ⊂ ``funders``
  (network members and funders) ⊂ ``public`` (everyone, also logged out).
* Stories, testimony and media are about identifiable people and need a consent record.
  Consent *audiences* (network, funders, public) are a set; ``public`` includes everyone.
  A record of such a kind without a consent, with withdrawn consent or with expired consent
  is never shown outside the admin, not even to coordinators.
* What a viewer sees is the stricter of both:
  - anonymous: published, visibility public, consent allows public;
  - funders (the stricter role wins for someone who is also an organiser): published,
    visibility funders or public, consent allows funders or public;
  - other network members (organisers, members): published, any visibility, consent allows
    network or public;
  - coordinators: every status and visibility (they review), consent still valid;
  - authors and *approved* members of a record's organisations additionally see their
    *unpublished* records (drafts, submitted, returned, rejected) so they can follow them,
    unless the consent was withdrawn or has expired; a published record always follows the
    rules above. A request to join an organisation that nobody approved grants nothing.
* Library, dashboard, exports and search narrow further with ``.published()``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.db import ChoiceDisplayMixin
from core.licences import OPEN, Licence
from core.policy import Viewer, audiences_of
from core.uploads import FILE_TYPES, CheckedFileField, check_upload, display_name, file_kind, suffix
from core.validators import validate_no_nul, validate_single_line
from network.models import Organisation, Theme

CONSENT_KINDS = ("story", "testimony", "media")


class OrderedTranslatedList(models.Model):
    """A short editable, translatable list (name translated with modeltranslation)."""

    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name


class ProcessDimension(OrderedTranslatedList):
    class Meta(OrderedTranslatedList.Meta):
        verbose_name = _("process dimension")
        verbose_name_plural = _("process dimensions")


class OutcomeType(OrderedTranslatedList):
    class Meta(OrderedTranslatedList.Meta):
        verbose_name = _("outcome type")
        verbose_name_plural = _("outcome types")


class EvidenceRecordQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=EvidenceRecord.Status.PUBLISHED)

    def open_licensed(self):
        """Records whose author chose an open licence: what open data (the API's answers to
        visitors, the nightly packages) may carry. Narrows ``visible_to``, never replaces it."""
        return self.filter(licence__in=OPEN)

    @staticmethod
    def _consent_ok(*audiences: str) -> Q:
        """Kinds without consent pass; the others need a live consent allowing one of ``audiences``."""
        today = timezone.localdate()
        live = Q(
            consent__isnull=False,
            consent__withdrawn_at__isnull=True,
        ) & (Q(consent__expires_on__isnull=True) | Q(consent__expires_on__gte=today))
        if audiences:
            allowed = Q(pk__in=[])
            for audience in audiences:
                allowed |= Q(**{f"consent__audience_{audience}": True})
            live &= allowed
        return ~Q(kind__in=CONSENT_KINDS) | live

    @staticmethod
    def _consent_not_revoked() -> Q:
        """Kinds without consent, records whose consent is not yet recorded (a draft being
        written) and records with a live consent: never a withdrawn or expired one."""
        today = timezone.localdate()
        live = Q(consent__withdrawn_at__isnull=True) & (
            Q(consent__expires_on__isnull=True) | Q(consent__expires_on__gte=today)
        )
        return ~Q(kind__in=CONSENT_KINDS) | Q(consent__isnull=True) | live

    @staticmethod
    def _own(viewer: Viewer) -> Q:
        """Written by the viewer or belonging to one of the viewer's approved organisations."""
        return Q(created_by_id=viewer.user_id) | Q(
            pk__in=EvidenceRecord.organisations.through.objects.filter(
                organisation_id__in=viewer.organisation_ids
            ).values("evidencerecord_id")
        )

    def visible_to(self, viewer: Viewer):
        """The records ``viewer`` may read. THE single rule (see module docstring)."""
        Status, Visibility = EvidenceRecord.Status, EvidenceRecord.Visibility
        if viewer.is_anonymous:
            return self.filter(Q(status=Status.PUBLISHED, visibility=Visibility.PUBLIC) & self._consent_ok("public"))
        if viewer.is_coordinator:
            return self.filter(self._consent_ok())
        if viewer.is_funder:
            # Funders never see unpublished work, not even of an organisation they belong to.
            return self.filter(
                Q(status=Status.PUBLISHED, visibility__in=[Visibility.FUNDERS, Visibility.PUBLIC])
                & self._consent_ok("funders", "public")
            )
        published = Q(status=Status.PUBLISHED) & self._consent_ok("network", "public")
        own = ~Q(status=Status.PUBLISHED) & self._own(viewer) & self._consent_not_revoked()
        return self.filter(published | own)

    def audience_classes(self, pks) -> dict[int, frozenset[str]]:
        """Which audiences see each of ``pks`` among *published* records, asked of ``visible_to``
        itself for each audience's representative (``core.policy.audiences_of``): the class the
        dashboard's rollups (``evidence.rollups``) sum a record under. A representative has no
        organisations and wrote nothing, which changes nothing for published records."""
        return audiences_of(lambda viewer: self.visible_to(viewer).published(), pks)

    def mine(self, viewer: Viewer):
        """ "My evidence": what the viewer may read of the records they wrote or that belong to
        their approved organisations, any status. Withdrawn and expired stories are not shown."""
        if not viewer.is_authenticated or viewer.is_funder:
            return self.none()
        return self.visible_to(viewer).filter(self._own(viewer))

    def editable_by(self, viewer: Viewer):
        """Records ``viewer`` may change outside the admin: coordinators any they may read;
        organisers their own drafts and returned records and those of their organisations."""
        if viewer.is_coordinator:
            return self.visible_to(viewer)
        if not viewer.is_organiser:
            return self.none()
        Status = EvidenceRecord.Status
        return self.mine(viewer).filter(status__in=[Status.DRAFT, Status.RETURNED])

    def consent_manageable_by(self, viewer: Viewer):
        """Records whose consent ``viewer`` may withdraw: coordinators any; organisers those of
        "my evidence" (the storyteller asks the organiser who recorded the story)."""
        if viewer.is_coordinator:
            return self.all()
        if not viewer.is_organiser:
            return self.none()
        return self.mine(viewer)


class EvidenceRecord(ChoiceDisplayMixin, models.Model):
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

    class Level(models.TextChoices):
        INDIVIDUAL = "individual", _("individual")
        GROUP = "group", _("group")
        COMMUNITY = "community", _("community")
        ORGANISATION = "organisation", _("organisation")
        INSTITUTION = "institution", _("institution")

    class Expectedness(models.TextChoices):
        EXPECTED = "expected", _("expected")
        UNEXPECTED = "unexpected", _("unexpected")

    class Verification(models.TextChoices):
        SELF_REPORTED = "self_reported", _("self-reported")
        PEER_REVIEWED = "peer_reviewed", _("peer-reviewed")
        SUBSTANTIATED = "substantiated", _("independently substantiated")
        EVALUATED = "evaluated", _("formally evaluated")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.STORY)
    layer = models.CharField(_("layer"), max_length=10, choices=Layer.choices, default=Layer.PROCESS)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
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

    # Story ("most significant change").
    why_it_matters = models.TextField(
        _("why it matters"), blank=True, help_text=_("Why this change matters to the storyteller, in their words.")
    )
    # Outcome statement (outcome harvesting).
    outcome_who = models.CharField(_("who changed"), max_length=300, blank=True)
    outcome_what = models.TextField(_("what changed"), blank=True)
    outcome_when = models.CharField(_("when"), max_length=200, blank=True)
    outcome_where = models.CharField(_("where"), max_length=200, blank=True)
    significance = models.TextField(_("significance"), blank=True)
    contribution = models.TextField(_("the network's contribution"), blank=True)

    dimensions = models.ManyToManyField(
        ProcessDimension, blank=True, related_name="evidence_records", verbose_name=_("process dimensions")
    )
    outcome_types = models.ManyToManyField(
        OutcomeType, blank=True, related_name="evidence_records", verbose_name=_("outcome types")
    )
    level_of_change = models.CharField(_("level of change"), max_length=14, choices=Level.choices, blank=True)
    expectedness = models.CharField(
        _("expected or unexpected"), max_length=10, choices=Expectedness.choices, blank=True
    )
    exchanges = models.ManyToManyField(
        "exchanges.Exchange", blank=True, related_name="evidence_records", verbose_name=_("related exchanges")
    )
    reflections = models.ManyToManyField(
        "exchanges.Reflection", blank=True, related_name="evidence_records", verbose_name=_("related reflections")
    )
    period_start = models.DateField(_("period observed: from"), null=True, blank=True, db_index=True)
    period_end = models.DateField(_("period observed: until"), null=True, blank=True)
    verification = models.CharField(
        _("verification level"), max_length=14, choices=Verification.choices, default=Verification.SELF_REPORTED
    )
    # The author's choice within what the consent allows (``evidence.forms``): "all rights
    # reserved" keeps the record out of open data while the pages still show it.
    licence = models.CharField(_("licence"), max_length=30, choices=Licence.choices, default=Licence.CC_BY)
    featured = models.BooleanField(
        _("selected story"), default=False, help_text=_("Shown beside the dashboard numbers.")
    )
    review_note = models.TextField(_("note from the reviewer"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EvidenceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("evidence record")
        verbose_name_plural = _("evidence records")
        permissions = [("view_dashboard", "Can view the funder dashboard")]
        indexes = [
            # With the id: the library's filtered lists find their records' ids in the index
            # alone (an index-only scan) instead of visiting thousands of table pages.
            models.Index(fields=["status", "visibility", "kind"], name="evidence_status_vis_kind_id", include=["id"]),
            models.Index(fields=["status", "-published_at"], name="evidence_status_published"),
            # The dashboard's selected stories: walked in order, stopping at the first few
            # (a sort of every visible story otherwise).
            models.Index(
                fields=["-featured", "-published_at"],
                condition=Q(kind="story", status="published"),
                name="evidence_selected_stories",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="evidence_period_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evidence:detail", kwargs={"pk": self.pk})

    @property
    def needs_consent(self) -> bool:
        return self.kind in CONSENT_KINDS

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})

    def consent_or_none(self):
        try:
            return self.consent
        except Consent.DoesNotExist:
            return None

    @property
    def storyteller_display(self) -> str:
        consent = self.consent_or_none() if self.needs_consent else None
        return consent.display_name if consent else ""

    @staticmethod
    def storyteller_display_of(kind: str, identity_level: str | None, person_name: str, pseudonym: str) -> str:
        """``storyteller_display`` from a record's kind and its consent's fields (``identity_level``
        None without a consent), for rows read with ``values()`` (the API's lists)."""
        if kind not in CONSENT_KINDS or identity_level is None:
            return ""
        return Consent.name_for(identity_level, person_name, pseudonym)


class RecordCountry(models.Model):
    """A country a record is about; several per record (cross-border evidence is normal)."""

    record = models.ForeignKey(EvidenceRecord, on_delete=models.CASCADE, related_name="record_countries")
    country = CountryField(_("country"), db_index=True)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [models.UniqueConstraint(fields=["record", "country"], name="record_country_unique")]
        # A country's records from the index alone (the library's and the dashboard's country
        # filter), not from the table's pages.
        indexes = [models.Index(fields=["country", "record"], name="record_country_by_country")]

    def __str__(self) -> str:
        return str(self.country.name)


class Consent(models.Model):
    class IdentityLevel(models.TextChoices):
        NAMED = "named", _("full name")
        FIRST_NAME = "first_name", _("first name only")
        PSEUDONYM = "pseudonym", _("pseudonym")
        ANONYMOUS = "anonymous", _("anonymous")

    class Method(models.TextChoices):
        WRITTEN = "written", _("signed form")
        DIGITAL = "digital", _("digital form or email")
        VERBAL = "verbal", _("verbal, noted by the organiser")
        RECORDED = "recorded", _("recorded on audio or video")

    record = models.OneToOneField(EvidenceRecord, on_delete=models.CASCADE, related_name="consent")
    person_name = models.CharField(
        _("storyteller's name"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_("Kept for the record; shown only as the identity level allows."),
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=100, blank=True, validators=[validate_single_line])
    identity_level = models.CharField(
        _("identity level"), max_length=12, choices=IdentityLevel.choices, default=IdentityLevel.ANONYMOUS
    )
    audience_network = models.BooleanField(_("the network may see it"), default=True)
    audience_funders = models.BooleanField(_("funders may see it"), default=False)
    audience_public = models.BooleanField(_("the public may see it"), default=False)
    obtained_on = models.DateField(_("obtained on"))
    obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("obtained by"),
    )
    method = models.CharField(_("how it was obtained"), max_length=10, choices=Method.choices)
    # Set when the story is the account holder's own ("this is my own story"). When they
    # delete their account the consent is withdrawn and the name blanked (``personal_data``).
    storyteller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("storyteller's account"),
        help_text=_("The member whose own story this is, if it is one. Empty for a story told by someone else."),
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_note = models.CharField(_("note on the withdrawal"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("obtained_on")),
                name="consent_expires_after_obtained",
            ),
            models.CheckConstraint(
                condition=~Q(identity_level="pseudonym") | ~Q(pseudonym=""), name="consent_pseudonym_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} – {self.get_identity_level_display()}"

    def clean(self):
        if self.expires_on and self.obtained_on and self.expires_on < self.obtained_on:
            raise ValidationError({"expires_on": _("Consent cannot expire before it was obtained.")})
        if self.identity_level == self.IdentityLevel.PSEUDONYM and not self.pseudonym:
            raise ValidationError({"pseudonym": _("Give the pseudonym to show.")})

    @property
    def audiences(self) -> set[str]:
        return {a for a in ("network", "funders", "public") if getattr(self, f"audience_{a}")}

    @property
    def display_name(self) -> str:
        """The storyteller as the identity level allows them to be shown."""
        return self.name_for(self.identity_level, self.person_name, self.pseudonym)

    @classmethod
    def name_for(cls, level: str, person_name: str, pseudonym: str) -> str:
        """The one rule for showing a storyteller, also for exports that read columns, not
        instances."""
        if level == cls.IdentityLevel.NAMED:
            return person_name
        if level == cls.IdentityLevel.FIRST_NAME:
            return (person_name.split() or [""])[0]
        if level == cls.IdentityLevel.PSEUDONYM:
            return pseudonym
        return str(_("an anonymous storyteller"))


# What may be attached to a record (extension → kind); each is checked by name *and* content
# and images are re-encoded (core/uploads.py). SVG and HTML are never allowed.
ALLOWED_ATTACHMENT_TYPES = {
    ext: FILE_TYPES[ext].kind
    for ext in (
        ".pdf", ".odt", ".docx", ".xlsx", ".ods", ".csv", ".txt",
        ".jpg", ".jpeg", ".png", ".gif", ".webp",
        ".mp3", ".ogg", ".mp4", ".webm",
    )
}  # fmt: skip


def validate_attachment_type(upload) -> None:
    """The attachment check by name and content (kept importable for migration 0002; the
    field itself calls ``core.uploads.check_upload``)."""
    check_upload(upload, ALLOWED_ATTACHMENT_TYPES)


def attachment_kind(name: str) -> str:
    return file_kind(name) if suffix(name) in ALLOWED_ATTACHMENT_TYPES else "document"


class Attachment(models.Model):
    record = models.ForeignKey(EvidenceRecord, on_delete=models.CASCADE, related_name="attachments")
    # Stored as evidence/attachments/<random><ext>, served only by evidence.views_files.
    file = CheckedFileField(
        _("file"),
        folder="evidence/attachments",
        allowed=tuple(ALLOWED_ATTACHMENT_TYPES),
        url_name="evidence_files:attachment",
        display_name_field="original_name",
        help_text=_("PDF, ODT, ODS, DOCX, XLSX, CSV, TXT, an image (PNG, JPEG, GIF, WebP), MP3, OGG, MP4 or WebM."),
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        blank=True,
        validators=[validate_no_nul],
        help_text=_("Required for images: describe what the image shows for people who cannot see it."),
    )
    # The uploader's file name, sanitised: only shown, and offered as the download's name.
    # Declared after ``file``, which fills it in when it is saved.
    original_name = models.CharField(_("original file name"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title

    @property
    def kind(self) -> str:
        return attachment_kind(self.file.name)

    @property
    def download_name(self) -> str:
        """The name a download is saved under: the uploader's, sanitised (files stored before
        names were ours carry it in their stored name)."""
        return self.original_name or display_name(self.file.name, suffix(self.file.name))

    def clean(self):
        if self.file and attachment_kind(self.file.name) == "image" and not self.alt_text.strip():
            raise ValidationError({"alt_text": _("Images need an alternative text.")})


class Indicator(models.Model):
    class Aggregation(models.TextChoices):
        SUM = "sum", _("sum")
        AVERAGE = "average", _("average")
        LATEST = "latest", _("latest value")

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    dimension = models.ForeignKey(
        ProcessDimension,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
        verbose_name=_("process dimension"),
    )
    outcome_type = models.ForeignKey(
        OutcomeType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
        verbose_name=_("outcome type"),
    )
    aggregation = models.CharField(_("aggregation"), max_length=8, choices=Aggregation.choices, default=Aggregation.SUM)
    split_categories = models.JSONField(
        _("split categories"),
        default=list,
        blank=True,
        help_text=_("Optional categories a value may be split into, e.g. age bands."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class MetricUpdate(models.Model):
    """A value of an indicator for an organisation and a period, carried by a record of kind
    *metric update* so that it follows that record's workflow and visibility."""

    record = models.ForeignKey(EvidenceRecord, on_delete=models.CASCADE, related_name="metric_updates")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="updates")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="metric_updates")
    period_start = models.DateField(_("period: from"))
    period_end = models.DateField(_("period: until"))
    value = models.DecimalField(
        _("value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("metric update")
        verbose_name_plural = _("metric updates")
        indexes = [models.Index(fields=["indicator", "period_start"], name="metric_indicator_period")]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="metric_value_not_negative"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="metric_period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.organisation}, {self.period_start})"


class MetricSplit(models.Model):
    """A part of a metric update's value for one of the indicator's split categories."""

    update = models.ForeignKey(MetricUpdate, on_delete=models.CASCADE, related_name="splits")
    category = models.CharField(_("category"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["category"]
        verbose_name = _("split value")
        verbose_name_plural = _("split values")
        constraints = [
            models.UniqueConstraint(fields=["update", "category"], name="metric_split_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="metric_split_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.value}"


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="evidence_targets")
    period_start = models.DateField(_("period: from"))
    period_end = models.DateField(_("period: until"))
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["period_start"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "organisation", "period_start"], name="target_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="target_period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.organisation} {self.period_start}: {self.value}"


# --- Dashboard rollups ----------------------------------------------------------------------
#
# The funder dashboard's unfiltered figures, summed per audience class and kept up to date in
# the transaction of every write (``evidence.rollups``). A record's *audience class* is which of
# the four audiences' representatives ``visible_to(...).published()`` shows it to (asked of the
# policy itself: ``EvidenceRecordQuerySet.audience_classes``), and the day its consent expires:
# expiry passes without a write, so the dashboard keeps only rows whose consent has not expired.


class AudienceClass(models.Model):
    """Which audiences a published record reaches, as of its last write, and until when."""

    reaches_public = models.BooleanField(default=False)
    reaches_members = models.BooleanField(default=False)
    reaches_funders = models.BooleanField(default=False)
    reaches_coordinators = models.BooleanField(default=False)
    # The consent's expiry for kinds that need consent (None: no expiry, or no consent needed).
    consent_expires_on = models.DateField(null=True, blank=True)

    CLASS_FIELDS = (
        "reaches_public",
        "reaches_members",
        "reaches_funders",
        "reaches_coordinators",
        "consent_expires_on",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        audiences = [f.removeprefix("reaches_") for f in self.CLASS_FIELDS[:4] if getattr(self, f)]
        return ", ".join(audiences) + (f" until {self.consent_expires_on}" if self.consent_expires_on else "")


class RecordRollupState(AudienceClass):
    """What one record adds to the rollups now (its class, and its rows in ``contribution``),
    so that the next write to it can take exactly that away before adding the new figures.
    Keyed by the record's id without a foreign key: the state outlives the record's deletion
    until the deletion's own refresh takes its figures away."""

    record_id = models.IntegerField(primary_key=True)
    contribution = models.JSONField(default=dict)


def _rollup_unique(model_name: str, *fields: str):
    return models.UniqueConstraint(
        fields=[*AudienceClass.CLASS_FIELDS, *fields], name=f"{model_name}_key", nulls_distinct=False
    )


class RecordRollup(AudienceClass):
    """Published records per class and day (``dashboard.RECORD_DAY``), with the key figures'
    counts side by side (one row per class and day, not per combination of facts)."""

    day = models.DateField(null=True)
    process = models.IntegerField(default=0)
    outcome = models.IntegerField(default=0)
    both = models.IntegerField(default=0)
    stories = models.IntegerField(default=0)
    outcomes = models.IntegerField(default=0)
    cross_border = models.IntegerField(default=0)
    needs_consent = models.IntegerField(default=0)
    self_reported = models.IntegerField(default=0)
    peer_reviewed = models.IntegerField(default=0)
    substantiated = models.IntegerField(default=0)
    evaluated = models.IntegerField(default=0)
    records = models.IntegerField(default=0)

    class Meta:
        constraints = [_rollup_unique("evidence_recordrollup", "day")]


class FacetRollup(AudienceClass):
    """Published records per class and value of a listed facet (a country code, or the id of a
    theme, process dimension or outcome type): a record counts once under each of its values."""

    facet = models.CharField(max_length=12)
    value = models.CharField(max_length=20)
    records = models.IntegerField()

    class Meta:
        constraints = [_rollup_unique("evidence_facetrollup", "facet", "value")]


class MetricRollup(AudienceClass):
    """Metric values of published records per class, indicator and first day of their period:
    their sum and their number (for sums and averages per quarter)."""

    indicator_id = models.IntegerField()
    period_start = models.DateField()
    total = models.DecimalField(max_digits=20, decimal_places=2)
    updates = models.IntegerField()

    class Meta:
        constraints = [_rollup_unique("evidence_metricrollup", "indicator_id", "period_start")]


class LatestRollup(AudienceClass):
    """Per class, indicator, organisation and quarter (of the period's first day): the value
    with the latest period end, then the newest (highest id), for indicators aggregated as
    "latest". Not a sum: recomputed for the rows a write touches."""

    indicator_id = models.IntegerField()
    organisation_id = models.IntegerField()
    quarter = models.DateField()
    period_end = models.DateField()
    update_id = models.IntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [_rollup_unique("evidence_latestrollup", "indicator_id", "organisation_id", "quarter")]
        # The dashboard reads the rows of the few "latest" indicators only.
        indexes = [
            models.Index(fields=["indicator_id", "quarter", "organisation_id"], name="evidence_latest_indicator")
        ]


class SplitRollup(AudienceClass):
    """Split values of published records' metric values per class, indicator and category."""

    indicator_id = models.IntegerField()
    category = models.CharField(max_length=100)
    total = models.DecimalField(max_digits=20, decimal_places=2)
    parts = models.IntegerField()

    class Meta:
        constraints = [_rollup_unique("evidence_splitrollup", "indicator_id", "category")]


class Revision(models.Model):
    """Who changed what and when. Written by every service that changes a record."""

    record = models.ForeignKey(EvidenceRecord, on_delete=models.CASCADE, related_name="revisions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.record_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


class ReviewQueueItem(EvidenceRecord):
    """The admin's review queue: submitted records and records in review."""

    class Meta:
        proxy = True
        verbose_name = _("record to review")
        verbose_name_plural = _("review queue")


# --- Learning-community self-assessment ---------------------------------------------------


class Framework(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("self-assessment framework")
        verbose_name_plural = _("self-assessment frameworks")

    def __str__(self) -> str:
        return self.name


class AssessmentDimension(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["framework", "order", "pk"]
        verbose_name = _("self-assessment dimension")
        verbose_name_plural = _("self-assessment dimensions")

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    dimension = models.ForeignKey(AssessmentDimension, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["dimension__order", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text


class Community(models.Model):
    """A learning community: one organisation or a group of them."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), unique=True)
    organisations = models.ManyToManyField(
        Organisation, related_name="learning_communities", verbose_name=_("organisations")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("learning community")
        verbose_name_plural = _("learning communities")

    def __str__(self) -> str:
        return self.name


class RoundQuerySet(models.QuerySet):
    def open_on(self, day: datetime.date):
        return self.filter(opens_on__lte=day, closes_on__gte=day)

    def answerable_by(self, viewer: Viewer):
        """Rounds ``viewer`` may answer: invited respondents, and approved members of the
        community's organisations. Never funders (they read aggregates)."""
        if not viewer.is_authenticated or viewer.is_funder:
            return self.none()
        return self.filter(
            Q(invited=viewer.user_id) | Q(community__organisations__in=viewer.organisation_ids)
        ).distinct()


class Round(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="rounds")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="rounds")
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assessment_rounds", verbose_name=_("invited respondents")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on"]
        verbose_name = _("self-assessment round")
        verbose_name_plural = _("self-assessment rounds")
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="round_closes_after_opening")
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("A round cannot close before it opens.")})

    def is_open(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.opens_on <= day <= self.closes_on

    def previous(self):
        return (
            Round.objects.filter(community=self.community, framework=self.framework, opens_on__lt=self.opens_on)
            .order_by("-opens_on")
            .first()
        )


class Response(models.Model):
    class Group(models.TextChoices):
        ORGANISER = "organiser", _("organiser")
        RESIDENT = "resident", _("resident")
        PARTNER = "partner", _("partner")
        OFFICIAL = "official", _("public official")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    # Empty once the respondent deleted their account: the scores stay as part of the
    # anonymous aggregates, the comments are erased (``evidence/personal_data.py``).
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessment_responses",
    )
    group = models.CharField(_("I answer as"), max_length=10, choices=Group.choices)
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("self-assessment response")
        verbose_name_plural = _("self-assessment responses")
        constraints = [models.UniqueConstraint(fields=["round", "respondent"], name="response_one_per_respondent")]

    def __str__(self) -> str:
        return f"{self.round} – {self.get_group_display()}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True, max_length=2000, validators=[validate_no_nul])
    evidence = models.ForeignKey(
        EvidenceRecord,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessment_answers",
        verbose_name=_("linked evidence"),
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="answer_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.score}"
