"""Practice guides and joint actions.

A guide *work* (``GuideWork``) holds what all its languages share: the kind, the
characteristics, themes, countries, organisations, licence and links. Each language
version (``Guide``) is its own document with its own review state and revisions. The
work counts changes to the original's content (``content_version``); a translation
remembers the count it was translated from, so a stale translation is a plain SQL
comparison (``Guide.objects.outdated()``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core import cache
from core.licences import OPEN, Licence
from core.pictures import COVER_WIDTHS, PictureField
from core.policy import Viewer
from core.translations import TranslationMixin, TranslationQuerySetMixin
from core.uploads import IMAGE_EXTENSIONS, CheckedFileField, check_upload
from core.validators import validate_no_nul, validate_single_line
from network.models import Member, Organisation, Theme

LANGUAGE_CHOICES = settings.LANGUAGES
# The fragment cache's namespace of practice data (``practice/signals.py`` says what bumps it).
NAMESPACE = "practice"


class Kind(models.TextChoices):
    METHOD = "method", _("method")
    CASE_STUDY = "case_study", _("case study")
    HOW_TO = "how_to", _("how-to guidance")
    TOOL = "tool", _("tool or template")


# The structured sections of each kind, in reading order: (key, heading, help text).
SECTIONS: dict[str, list[tuple[str, str, str]]] = {
    Kind.METHOD: [
        ("what", _("What it is"), _("The method in two or three sentences.")),
        (
            "how",
            _("How it works"),
            _("Steps, roles, group size, duration and the facilitation it needs."),
        ),
        ("results", _("Results"), _("What the method achieves, for whom.")),
        ("in_practice", _("In practice"), _("Where it has been used; link the case studies.")),
        ("when", _("When to use it and when not"), _("The situations it suits, and those it does not.")),
        ("origins", _("Origins"), _("Where the method comes from.")),
        ("lessons", _("Lessons"), _("What practitioners learned.")),
    ],
    Kind.CASE_STUDY: [
        ("problem", _("Problem and purpose"), _("What the people involved wanted to change.")),
        ("context", _("Context"), _("The place, the people and the situation.")),
        (
            "organisers",
            _("Who organised, supported and funded it"),
            _("Organisers, partners and funders, and what each did."),
        ),
        ("involvement", _("How people were involved"), _("Who took part, how they were reached and heard.")),
        ("what_happened", _("What happened"), _("The story, step by step.")),
        ("outcomes", _("Outcomes"), _("What changed; link the evidence records that show it.")),
        ("lessons", _("Lessons"), _("What others can take from it.")),
        (
            "cross_border",
            _("How coordination across borders worked"),
            _("Where groups in several countries worked together: how. Leave empty otherwise."),
        ),
    ],
    Kind.HOW_TO: [
        ("goal", _("What you will achieve"), _("The outcome of following this guidance.")),
        ("before", _("Before you start"), _("What you need: people, time, materials.")),
        ("steps", _("Steps"), _("A numbered list of steps.")),
        ("pitfalls", _("Pitfalls"), _("What often goes wrong and how to avoid it.")),
        ("further", _("Further reading"), _("Links and related guides.")),
    ],
    Kind.TOOL: [
        ("purpose", _("Purpose"), _("What the tool or template is for.")),
        ("how_to_use", _("How to use it"), _("Instructions, step by step.")),
        ("template", _("The tool or template"), _("The content itself, or a description of the attachment.")),
        ("adapting", _("Adapting it"), _("How to adapt it to your context and language.")),
    ],
}


def sections_for(kind: str) -> list[tuple[str, str, str]]:
    return SECTIONS.get(kind, [])


class Characteristic(models.Model):
    """A facet value that describes guides, e.g. "co-production" (purpose). Translated."""

    class Facet(models.TextChoices):
        POLICY_CYCLE = "policy_cycle", _("role in the policy cycle")
        PURPOSE = "purpose", _("purpose")
        PARTICIPATION = "participation", _("participation level")
        SUITABLE_FOR = "suitable_for", _("suitable for")

    facet = models.CharField(_("facet"), max_length=20, choices=Facet.choices)
    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["facet", "order", "slug"]
        verbose_name = _("characteristic")
        verbose_name_plural = _("characteristics")

    def __str__(self) -> str:
        return f"{self.get_facet_display()}: {self.name}"


class GuideWorkQuerySet(models.QuerySet):
    def published(self):
        """Works with at least one published language version."""
        return self.exclude(published_languages="")


class GuideWork(models.Model):
    """What every language version of a guide shares."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.METHOD, db_index=True)
    original_language = models.CharField(_("original language"), max_length=5, choices=LANGUAGE_CHOICES)
    characteristics = models.ManyToManyField(
        Characteristic, blank=True, related_name="works", verbose_name=_("characteristics")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="guide_works", verbose_name=_("themes"))
    countries = CountryField(_("countries where practised"), multiple=True, blank=True)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="guide_works", verbose_name=_("organisations")
    )
    licence = models.CharField(_("licence"), max_length=30, choices=Licence.choices, default=Licence.CC_BY)
    related_guides = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        related_name="referenced_by",
        verbose_name=_("informed by guides"),
    )
    evidence_records = models.ManyToManyField(
        "evidence.EvidenceRecord", blank=True, related_name="guide_works", verbose_name=_("informed by evidence")
    )
    exchanges = models.ManyToManyField(
        "exchanges.Exchange", blank=True, related_name="guide_works", verbose_name=_("used in exchanges")
    )
    # Bumped whenever the original's title, summary or sections change (see services).
    content_version = models.PositiveIntegerField(default=1, editable=False)
    # Kept by ``refresh_published`` whenever a version is saved or deleted, so that the library
    # lists works from this narrow table: the languages with a published version ("en,nl")
    # and the latest publication date among them.
    published_languages = models.CharField(max_length=50, blank=True, default="", editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuideWorkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("guide (all languages)")
        verbose_name_plural = _("guides (all languages)")
        indexes = [
            models.Index(fields=["-published_at"], condition=~Q(published_languages=""), name="guidework_published_idx")
        ]

    def __str__(self) -> str:
        original = self.versions.filter(language=self.original_language).first()
        return original.title if original else f"#{self.pk}"

    def refresh_published(self) -> None:
        """Recompute the published languages and date from the versions (one query, one update)."""
        rows = list(
            self.versions.filter(status="published").order_by("language").values_list("language", "published_at")
        )
        self.published_languages = ",".join(language for language, _at in rows)
        self.published_at = max((at for _language, at in rows if at), default=None)
        GuideWork.objects.filter(pk=self.pk).update(
            published_languages=self.published_languages, published_at=self.published_at
        )
        cache.changed(NAMESPACE)  # .update() sends no signal; the library lists works by these fields

    def published_in(self) -> list[str]:
        return [code for code in self.published_languages.split(",") if code]


class GuideQuerySet(TranslationQuerySetMixin, models.QuerySet):
    # The outdated-translation flag (``originals``, ``translations``, ``outdated``,
    # ``with_outdated``) is the shared one of ``core.translations``.
    original_language_path = "work__original_language"
    content_version_path = "work__content_version"

    def published(self):
        return self.filter(status=Guide.Status.PUBLISHED)

    def open_licensed(self):
        """Versions of works under an open licence: what open data may carry."""
        return self.filter(work__licence__in=OPEN)

    def visible_to(self, viewer: Viewer):
        """Published guides for everyone; authors also see their own; coordinators see all."""
        if viewer.is_anonymous:
            return self.published()
        if viewer.is_coordinator:
            return self.all()
        own = Q(created_by_id=viewer.user_id) | Q(
            pk__in=Guide.authors.through.objects.filter(member_id=viewer.member_id).values("guide")
        )
        return self.filter(Q(status=Guide.Status.PUBLISHED) | own)


class Guide(TranslationMixin, models.Model):
    """One language version of a guide: its own text, review state and revisions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    work = models.ForeignKey(GuideWork, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES, db_index=True)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True, validators=[validate_no_nul])
    # Named sections of the work's kind ({"what": "...", ...}), Markdown each.
    sections = models.JSONField(_("sections"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    authors = models.ManyToManyField(Member, blank=True, related_name="guides", verbose_name=_("authors"))
    # Authors who deleted their account (their profile went, and with it their place in
    # ``authors``): the guide still credits them, as "former member".
    former_author_count = models.PositiveSmallIntegerField(
        _("former members among the authors"), default=0, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="practice_guides"
    )
    # The work's content_version this text was translated from (or last brought up to date with).
    source_version = models.PositiveIntegerField(default=1)
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuideQuerySet.as_manager()
    translation_parent = "work"

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        constraints = [models.UniqueConstraint(fields=["work", "language"], name="guide_one_version_per_language")]
        indexes = [
            models.Index(fields=["status", "language", "-published_at"], name="guide_status_lang_pub_idx"),
            # The search's visibility subquery reads published ids from this index alone.
            models.Index(fields=["status", "id"], name="guide_status_id_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practice:guide_detail", kwargs={"slug": self.slug})

    def section_list(self) -> list[tuple[str, str, str]]:
        """(key, heading, text) of the kind's sections that have text, in order."""
        return [(key, heading, self.sections.get(key, "")) for key, heading, _help in sections_for(self.work.kind)]

    def plain_text(self) -> str:
        return "\n\n".join(str(v) for v in (self.sections or {}).values() if v)

    def can_edit(self, viewer: Viewer) -> bool:
        """Coordinators always; authors while the version is a draft."""
        if viewer.is_coordinator:
            return True
        return self.status == Guide.Status.DRAFT and self.is_author(viewer)

    def is_author(self, viewer: Viewer) -> bool:
        """The viewer created this version or is one of its authors (uses prefetched authors)."""
        if not viewer.is_authenticated:
            return False
        if viewer.is_user(self.created_by_id):
            return True
        return any(viewer.is_user(m.user_id) for m in self.authors.all())


class GuideRevision(models.Model):
    """A snapshot of a guide version's content at each save."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    sections = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Guide.Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="practice_guide_revisions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("guide revision")
        verbose_name_plural = _("guide revisions")
        constraints = [models.UniqueConstraint(fields=["guide", "number"], name="guide_revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.guide} r{self.number}"

    def as_text(self, kind: str) -> str:
        """The content as plain lines, for the diff."""
        parts = [f"# {self.title}", "", self.summary, ""]
        for key, heading, _help in sections_for(kind):
            parts += [f"## {heading}", "", *(self.sections.get(key, "") or "").splitlines(), ""]
        return "\n".join(str(p) for p in parts)


def validate_image_file(upload) -> None:
    """The image check (kept importable for migration 0001; the field itself calls
    ``core.uploads.check_upload``, which also re-encodes)."""
    check_upload(upload, IMAGE_EXTENSIONS)


class GuideImage(models.Model):
    """An image attached to a guide version. Alt text is required."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="images")
    # Re-encoded and stored as practice/images/<random><ext>, served only by practice.views_files.
    file = CheckedFileField(
        _("image"),
        folder="practice/images",
        allowed=IMAGE_EXTENSIONS,
        url_name="practice_files:image",
        help_text=_(
            "PNG, JPEG, GIF or WebP. The image is stored again without its metadata (such as the place it was "
            "taken); an animated GIF keeps its first frame."
        ),
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        validators=[validate_no_nul],
        help_text=_("Describe the image for people who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True, validators=[validate_no_nul])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("guide image")
        verbose_name_plural = _("guide images")
        constraints = [models.CheckConstraint(condition=~Q(alt_text=""), name="guide_image_alt_text_required")]

    def __str__(self) -> str:
        return self.alt_text


class JointActionQuerySet(models.QuerySet):
    def published(self):
        """Announced joint actions (everything but drafts): what news, such as digests, carries."""
        return self.exclude(status=JointAction.Status.DRAFT)

    def visible_to(self, viewer: Viewer):
        """Drafts are for coordinators; every other joint action is public."""
        if viewer.is_coordinator:
            return self.all()
        return self.published()

    def updatable_by(self, viewer: Viewer):
        """Joint actions ``viewer`` may add timeline updates to: coordinators any; approved
        members of a participating organisation the ones they may see."""
        if viewer.is_coordinator:
            return self.all()
        if not viewer.organisation_ids:
            return self.none()
        return self.visible_to(viewer).filter(
            pk__in=Participation.objects.filter(organisation_id__in=viewer.organisation_ids).values("joint_action")
        )


class JointAction(models.Model):
    """Groups in several countries acting together on one issue."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PLANNED = "planned", _("planned")
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        COMPLETED = "completed", _("completed")

    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    issue = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="joint_actions", verbose_name=_("issue"))
    summary = models.CharField(_("summary"), max_length=500, blank=True, validators=[validate_no_nul])
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."), validators=[validate_no_nul])
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES, default="en")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    started_on = models.DateField(_("started"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    countries = CountryField(_("countries"), multiple=True, blank=True)
    organisations = models.ManyToManyField(
        Organisation, through="Participation", related_name="joint_actions", verbose_name=_("organisations")
    )
    guides = models.ManyToManyField(GuideWork, blank=True, related_name="joint_actions", verbose_name=_("guides"))
    exchanges = models.ManyToManyField(
        "exchanges.Exchange", blank=True, related_name="joint_actions", verbose_name=_("exchanges")
    )
    evidence_records = models.ManyToManyField(
        "evidence.EvidenceRecord", blank=True, related_name="joint_actions", verbose_name=_("evidence records")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JointActionQuerySet.as_manager()

    class Meta:
        ordering = ["issue__slug", "title"]
        verbose_name = _("joint action")
        verbose_name_plural = _("joint actions")
        indexes = [
            models.Index(fields=["status", "issue"], name="jointaction_status_issue_idx"),
            # The search's visibility subquery reads the ids of non-draft actions from this index alone.
            models.Index(fields=["status", "id"], name="jointaction_status_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(started_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="jointaction_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practice:joint_action_detail", kwargs={"slug": self.slug})


class Participation(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("lead")
        PARTNER = "partner", _("partner")
        ALLY = "ally", _("ally")

    joint_action = models.ForeignKey(JointAction, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        ordering = ["role", "organisation__name"]
        verbose_name = _("participating organisation")
        verbose_name_plural = _("participating organisations")
        constraints = [
            models.UniqueConstraint(fields=["joint_action", "organisation"], name="participation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class PartnerInvitation(models.Model):
    """A joint action's invitation to a partner organisation. The organisation takes part only
    once one of its administrators accepts (``services.partner_invitation_accept`` then writes
    its ``Participation``); until then it is named nowhere on the joint action."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    joint_action = models.ForeignKey(JointAction, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="joint_action_invitations")
    role = models.CharField(
        _("role"), max_length=10, choices=Participation.Role.choices, default=Participation.Role.PARTNER
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner invitation")
        verbose_name_plural = _("partner invitations")
        constraints = [models.UniqueConstraint(fields=["joint_action", "organisation"], name="partner_invitation_once")]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.joint_action} ({self.get_state_display()})"


class JointActionUpdate(models.Model):
    """A short entry on a joint action's timeline."""

    joint_action = models.ForeignKey(JointAction, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    text = models.CharField(_("update"), max_length=500, validators=[validate_no_nul])
    picture = PictureField(
        _("picture"),
        folder="practice/updates",
        widths=COVER_WIDTHS,
        url_name="practice_files:update_picture",
        help_text=_("PNG, JPEG, GIF or WebP: a photo of the action, for example."),
    )
    picture_alt = models.CharField(
        _("picture description"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    # What the update is about, if anything: shown to readers who may read it.
    guide = models.ForeignKey(
        GuideWork, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("guide")
    )
    record = models.ForeignKey(
        "evidence.EvidenceRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("evidence record"),
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = _("joint action update")
        verbose_name_plural = _("joint action updates")

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:50]}"
