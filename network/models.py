"""People and organisations of the network.

``User`` is the login (email only); ``Member`` is the person's profile in the network.
A deleted account keeps its ``User`` row, anonymised, so that contributions stay
attributed to a "former member" (see ``services.member_delete``).
"""

from __future__ import annotations

import functools
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.pictures import PictureField
from core.policy import Role  # noqa: F401 — the role group names, defined once in the policy
from core.validators import validate_single_line


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A login. Email is the identifier; there is no username."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True, validators=[validate_single_line])
    last_name = models.CharField(_("last name"), max_length=150, blank=True, validators=[validate_single_line])
    # Set when the person deleted their account: their data is erased, the row stays so
    # their contributions remain, shown as "former member".
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.public_name

    @property
    def is_former(self) -> bool:
        return self.deleted_at is not None

    @property
    def public_name(self) -> str:
        """The name to show beside this person's contributions."""
        if self.is_former:
            return str(_("former member"))
        member = getattr(self, "member", None)
        if member is not None and member.display_name:
            return member.display_name
        full = self.get_full_name()
        return full or self.email.split("@")[0]


class Theme(models.Model):
    """An issue the network works on. Name and description are translated."""

    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(models.QuerySet):
    def with_member_counts(self):
        return self.annotate(member_count=Count("memberships", distinct=True))

    def networks(self):
        return self.filter(kind=Organisation.Kind.NETWORK)

    def per_country(self):
        """Organisation counts per country, computed in SQL."""
        return self.values("country").annotate(count=Count("id")).order_by("-count", "country")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        GRASSROOTS = "grassroots", _("grassroots group")
        COMMUNITY_ORGANISING = "community_organising", _("community organising organisation")
        NETWORK = "network", _("network")
        FUNDER = "funder", _("funder")
        PUBLIC_BODY = "public_body", _("public body")
        RESEARCH = "research", _("university or research")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.GRASSROOTS)
    country = CountryField(_("country"), db_index=True)
    city = models.CharField(_("city"), max_length=100, blank=True, validators=[validate_single_line])
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="organisations", verbose_name=_("themes"))
    networks = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        related_name="network_members",
        limit_choices_to={"kind": "network"},
        verbose_name=_("networks it belongs to"),
    )
    founded_year = models.PositiveSmallIntegerField(_("founded"), null=True, blank=True)
    logo = PictureField(
        _("logo"), folder="network/logos", url_name="network_files:logo", help_text=_("PNG, JPEG, GIF or WebP.")
    )
    logo_alt = models.CharField(
        _("logo description"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text=_("What the logo shows, if more than the organisation's name. Leave empty otherwise."),
    )
    # Visible to coordinators only (admin); never rendered on public pages.
    contact_email = models.EmailField(_("contact email"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind", "country"]), models.Index(fields=["name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True) | Q(founded_year__gte=1800, founded_year__lte=2100),
                name="organisation_founded_year_plausible",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:organisation_detail", kwargs={"slug": self.slug})


@functools.cache
def _timezone_names() -> tuple[tuple[str, str], ...]:
    # Reading the time zone database walks a directory tree (tens of milliseconds); its
    # contents change only with the installed tzdata, so once per process is enough.
    return tuple((tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz and not tz.startswith("Etc/"))


def _timezone_choices():
    return list(_timezone_names())


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(user__is_active=True, user__deleted_at__isnull=True)

    def visible_to(self, viewer):
        """Profiles ``viewer`` (a ``core.policy.Viewer``) may see: visitors public ones, signed-in
        people public and members-only ones, and everyone their own. A hidden profile is seen by
        its owner alone (coordinators use the admin)."""
        qs = self.active()
        if not viewer.is_authenticated:
            return qs.filter(visibility=Member.Visibility.PUBLIC)
        return qs.filter(
            Q(visibility__in=[Member.Visibility.PUBLIC, Member.Visibility.MEMBERS]) | Q(user_id=viewer.user_id)
        )

    def listed(self, viewer):
        """Profiles shown in directories, on organisation pages and beside contributions: what
        ``visible_to`` allows, but never a hidden one, not even one's own."""
        return self.visible_to(viewer).exclude(visibility=Member.Visibility.HIDDEN)

    def photos_visible_to(self, viewer):
        """Profiles whose photo ``viewer`` may see: the profiles ``visible_to`` them, and every
        profile for coordinators, who see every profile (photo included) in the admin."""
        if viewer.is_coordinator:
            return self.all()
        return self.visible_to(viewer)


class Member(models.Model):
    """A person's profile in the network."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public")
        MEMBERS = "members", _("network members only")
        HIDDEN = "hidden", _("hidden")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    display_name = models.CharField(_("display name"), max_length=100, validators=[validate_single_line])
    country = CountryField(_("country"), blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=100, blank=True, validators=[validate_single_line])
    # ISO 639-1 codes; shown by name in the current UI language.
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    organisations = models.ManyToManyField(
        Organisation, through="Membership", related_name="members", blank=True, verbose_name=_("organisations")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="members", verbose_name=_("themes of interest"))
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    photo = PictureField(
        _("photo"), folder="network/photos", url_name="network_files:photo", help_text=_("PNG, JPEG, GIF or WebP.")
    )
    photo_alt = models.CharField(
        _("photo description"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text=_("What the photo shows, for people who cannot see it. Your name is always shown beside it."),
    )
    visibility = models.CharField(
        _("profile visibility"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    # Matchmaking (/matches/) may show this person beside their organisation to organisers in
    # other countries; a hidden profile is never shown, whatever this says.
    suggestable = models.BooleanField(_("suggest me to organisers in other countries"), default=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Brussels", choices=_timezone_choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            models.Index(fields=["visibility", "display_name"]),
            # The member directory's order: lets PostgreSQL read the first page off the index.
            models.Index(fields=["display_name", "id"], name="member_directory_order"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("network:member_detail", kwargs={"pk": self.pk})


class MembershipQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(state=Membership.State.APPROVED)

    def requested(self):
        return self.filter(state=Membership.State.REQUESTED)

    def pending_for(self, viewer):
        """Requests to join that ``viewer`` may decide: every one for coordinators, those of the
        organisations the viewer administers for everyone else."""
        requests = self.requested()
        if viewer.is_coordinator:
            return requests
        return requests.filter(organisation_id__in=viewer.admin_organisation_ids)


class Membership(models.Model):
    """A member's role in an organisation, since a date.

    A membership is a *fact* only once it is approved: a member may ask to join
    (``requested``), and the request grants nothing (``core.policy.Viewer`` reads approved
    memberships only) until an administrator of the organisation or a coordinator approves it.
    """

    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        ORGANISER = "organiser", _("organiser")
        LEADER = "leader", _("leader")
        STAFF = "staff", _("staff")
        VOLUNTEER = "volunteer", _("volunteer")
        BOARD = "board", _("board member")
        CONTACT = "contact", _("contact person")
        ADMIN = "admin", _("administrator")

    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField(_("since"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.APPROVED, db_index=True)
    message = models.CharField(_("message to the organisation"), max_length=500, blank=True)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["member", "organisation"], name="membership_unique")]
        indexes = [models.Index(fields=["organisation", "state"], name="membership_org_state_idx")]

    def __str__(self) -> str:
        return f"{self.member} – {self.organisation} ({self.get_role_display()})"

    @property
    def is_approved(self) -> bool:
        return self.state == self.State.APPROVED
