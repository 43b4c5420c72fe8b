"""Learning exchanges: online exchanges, exchange visits, the European gathering, funder
convenings; their programme sessions, registrations and participants' reflections."""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext
from django_countries.fields import CountryField

from core.db import ChoiceDisplayMixin
from core.pictures import COVER_WIDTHS, PictureField
from core.policy import Viewer
from core.validators import validate_single_line
from network.models import Member, Organisation, Theme
from network.models import _timezone_choices as network_timezone_choices

# The same list as a member's time zone (migrations refer to it by this module's name).
_timezone_choices = network_timezone_choices


# Languages an exchange may be held in (ISO 639-1), offered in filters and the admin.
WORKING_LANGUAGES = [
    ("en", _("English")),
    ("sv", _("Swedish")),
    ("nl", _("Dutch")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("pl", _("Polish")),
]

# Registrations in these states hold a place (capacity counts them).
PLACE_STATES = ("confirmed", "accepted", "offered", "attended", "no_show")
# Registrations in these states are participants: they see the address and the joining link.
PARTICIPANT_STATES = ("confirmed", "accepted", "attended", "no_show")
# Registrations still "in" the exchange in any way (used for change and cancellation emails).
ACTIVE_STATES = ("confirmed", "accepted", "offered", "waitlisted", "applied")


class ExchangeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Exchange.Status.PUBLISHED)

    def announced(self):
        """What the public list shows: published and cancelled (announced) exchanges."""
        return self.filter(status__in=[Exchange.Status.PUBLISHED, Exchange.Status.CANCELLED])

    def visible_to(self, viewer: Viewer):
        """Drafts are seen only by coordinators; everything else by everyone."""
        if viewer.is_coordinator:
            return self.all()
        return self.announced()

    def managed_by(self, viewer: Viewer):
        """Exchanges ``viewer`` may manage outside the admin (edit, see registrations, check
        people in): coordinators every one; a member those that name them as a manager *and*
        are hosted by an organisation of one of their approved memberships (a manager who left
        the host organisation manages nothing). Funders manage nothing."""
        if viewer.is_coordinator:
            return self.all()
        if not viewer.is_member or viewer.member_id is None or not viewer.organisation_ids:
            return self.none()
        named = Exchange.managers.through.objects.filter(exchange_id=OuterRef("pk"), member_id=viewer.member_id)
        hosted = Exchange.hosts.through.objects.filter(
            exchange_id=OuterRef("pk"), organisation_id__in=viewer.organisation_ids
        )
        return self.filter(Exists(named), Exists(hosted))

    def with_private_details_for(self, viewer: Viewer):
        """Exchanges whose address and joining link ``viewer`` may see: coordinators every one
        they may see; anyone else those they take part in (a participant's registration)."""
        if viewer.is_coordinator:
            return self.visible_to(viewer)
        if not viewer.is_authenticated:
            return self.none()
        return self.visible_to(viewer).filter(
            pk__in=Registration.objects.filter(user_id=viewer.user_id, state__in=PARTICIPANT_STATES).values(
                "exchange_id"
            )
        )

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now())

    def open_for_signup(self, now=None):
        now = now or timezone.now()
        return (
            self.published()
            .filter(starts_at__gt=now)
            .filter(Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now))
            .filter(Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now))
        )

    def with_place_counts(self):
        """Annotate per-state counts and ``places_left_db`` (0 when full; meaningless without a
        capacity), computed in SQL as correlated subqueries: PostgreSQL evaluates them only
        for the rows fetched (a page), and ``count()`` leaves them out entirely."""

        def count(states):
            return Coalesce(
                Subquery(
                    Registration.objects.filter(exchange_id=OuterRef("pk"), state__in=states)
                    .order_by()
                    .values("exchange_id")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=models.IntegerField(),
                ),
                Value(0),
            )

        return self.annotate(
            confirmed_count=count(PARTICIPANT_STATES),
            offered_count=count(["offered"]),
            waitlisted_count=count(["waitlisted"]),
            applied_count=count(["applied"]),
            taken_count=count(PLACE_STATES),
        ).annotate(places_left_db=Greatest(F("capacity") - F("taken_count"), Value(0)))

    def with_places_taken(self):
        """Only ``taken_count`` and ``places_left_db`` (what a list card shows): one correlated
        subquery per row instead of five."""
        taken = Coalesce(
            Subquery(
                Registration.objects.filter(exchange_id=OuterRef("pk"), state__in=PLACE_STATES)
                .order_by()
                .values("exchange_id")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=models.IntegerField(),
            ),
            Value(0),
        )
        return self.annotate(taken_count=taken).annotate(
            places_left_db=Greatest(F("capacity") - F("taken_count"), Value(0))
        )

    def with_translation(self, language: str | None = None, *, description: bool = False):
        """Annotate the title and summary (and the description if asked) of the translation into
        ``language`` (the active one by default), in the same query: ``Exchange.text()`` reads
        them instead of asking again, so list pages stay at a constant number of queries."""
        return self.annotate(**self.translation_annotations(language, description=description))

    def translation_annotations(self, language: str | None = None, *, description: bool = False, outer: str = "pk"):
        """The annotations of ``with_translation``, for a query of exchanges (``outer="pk"``) or
        of rows that point at one (e.g. registrations: ``outer="exchange_id"``, then
        ``translation_from``)."""
        language = _text_language(language)
        translated = ExchangeTranslation.objects.filter(exchange_id=OuterRef(outer), language=language).order_by()
        fields = ["title", "summary"] + (["description"] if description else [])
        return {
            "text_language": Value(language),
            **{f"translated_{name}": Subquery(translated.values(name)[:1]) for name in fields},
        }

    @staticmethod
    def translation_from(row, exchange) -> None:
        """Hand the translation annotated on ``row`` (``translation_annotations``) to its
        ``exchange``, where ``Exchange.text`` reads it without a query."""
        for name in ("text_language", "translated_title", "translated_summary", "translated_description"):
            if hasattr(row, name):
                setattr(exchange, name, getattr(row, name))

    def with_places_left(self):
        """Only exchanges with a free place (no limit counts as free)."""
        return self.with_place_counts().filter(Q(capacity__isnull=True) | Q(places_left_db__gt=0))


def _text_language(language: str | None) -> str:
    return (language or translation.get_language() or settings.LANGUAGE_CODE)[:2].lower()


@dataclass(frozen=True)
class ExchangeText:
    """An exchange's title, summary and description in one language (``Exchange.text``); the
    description is read only when asked for (list pages never need it)."""

    title: str
    summary: str
    _description: Callable[[], str]
    # The translation's language, or "" where the original text is shown.
    language: str

    @property
    def description(self) -> str:
        return self._description()


@dataclass(frozen=True)
class PlaceStatus:
    """Where sign-up stands, worded once for every page (list, home, detail).

    ``state``: ``unlimited`` (no limit), ``open`` (places left), ``waitlist`` (full, waitlist
    open), ``apply`` (coordinators select), ``full`` (full, no waitlist), ``closed`` (not open
    for sign-up), ``over`` (started or taken place) or ``cancelled``.
    ``places``: places and waitlist ("3 places left", "Full – waitlist open").
    ``label``: what a card shows (``places``, or why sign-up is closed).
    ``action``: what the one button says (None when there is nothing to do); ``hint``: what
    will happen then; ``login_action``: the button for someone not signed in.
    """

    state: str
    places: str
    label: str
    action: str | None = None
    hint: str | None = None
    login_action: str | None = None


class Exchange(ChoiceDisplayMixin, models.Model):
    class Kind(models.TextChoices):
        ONLINE = "online_exchange", _("online exchange")
        VISIT = "exchange_visit", _("exchange visit")
        GATHERING = "gathering", _("European gathering")
        CONVENING = "funder_convening", _("funder convening")

    class Format(models.TextChoices):
        ONLINE = "online", _("online")
        IN_PERSON = "in_person", _("in person")
        HYBRID = "hybrid", _("hybrid")

    class SignupMode(models.TextChoices):
        OPEN = "open", _("open: first come, first served")
        APPLICATION = "application", _("application: coordinators select")

    class Audience(models.TextChoices):
        MEMBERS = "members", _("members")
        MEMBERS_AND_GUESTS = "members_and_guests", _("members and invited guests")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ONLINE)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    cover = PictureField(
        _("cover image"),
        folder="exchanges/covers",
        widths=COVER_WIDTHS,
        url_name="exchanges_files:cover",
        help_text=_("PNG, JPEG, GIF or WebP, wider than high."),
    )
    cover_alt = models.CharField(
        _("cover image description"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text=_("What the image shows, for people who cannot see it. Leave empty if it is only decoration."),
    )
    hosts = models.ManyToManyField(Organisation, blank=True, related_name="hosted_exchanges", verbose_name=_("hosts"))
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_exchanges", verbose_name=_("partners")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="exchanges", verbose_name=_("themes"))
    # An exchange visit's return visit (the hosts visit their visitors): programmes show pairs.
    return_visit = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="return_of",
        verbose_name=_("return visit"),
        help_text=_("The visit back: the hosts of this visit visit their visitors."),
    )
    # Members of a host organisation who run the exchange outside the admin
    # (``ExchangeQuerySet.managed_by`` says when the naming counts).
    managers = models.ManyToManyField(
        Member,
        blank=True,
        related_name="managed_exchanges",
        verbose_name=_("managers"),
        help_text=_("Members of a host organisation who manage this exchange: registrations, check-in, messages."),
    )
    working_languages = models.JSONField(_("working languages"), default=list, blank=True)
    interpretation = models.BooleanField(_("interpretation offered"), default=False)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.ONLINE)
    city = models.CharField(_("city"), max_length=100, blank=True, validators=[validate_single_line])
    country = CountryField(_("country"), blank=True, db_index=True)
    address = models.TextField(_("full address"), blank=True, help_text=_("Shown only to confirmed participants."))
    online_link = models.URLField(
        _("online joining link"), blank=True, help_text=_("Shown only to confirmed participants.")
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Brussels", choices=_timezone_choices)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Empty: no limit."))
    signup_mode = models.CharField(
        _("sign-up mode"), max_length=12, choices=SignupMode.choices, default=SignupMode.OPEN
    )
    waitlist_enabled = models.BooleanField(_("waitlist"), default=True)
    audience = models.CharField(_("who may join"), max_length=20, choices=Audience.choices, default=Audience.MEMBERS)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Bumped on every change to time or place, for calendar clients (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)

    objects = ExchangeQuerySet.as_manager()

    # Changing any of these changes "when or where": participants are told, SEQUENCE bumps.
    TIME_PLACE_FIELDS = ("starts_at", "ends_at", "time_zone", "format", "city", "country", "address", "online_link")

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        indexes = [
            models.Index(fields=["status", "starts_at"], name="exchange_status_start_idx"),
            # The search's visibility subquery reads the ids of visible exchanges from this index alone.
            models.Index(fields=["status", "id"], name="exchange_status_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="exchange_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exchanges:detail", kwargs={"slug": self.slug})

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def is_in_person(self) -> bool:
        return self.format in (self.Format.IN_PERSON, self.Format.HYBRID)

    @property
    def is_online(self) -> bool:
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)

    @property
    def is_application(self) -> bool:
        return self.signup_mode == self.SignupMode.APPLICATION

    @property
    def places_left(self) -> int | None:
        """Free places; None when there is no limit. Uses ``with_place_counts`` when present."""
        if self.capacity is None:
            return None
        taken = getattr(self, "taken_count", None)
        if taken is None:
            taken = self.registrations.filter(state__in=PLACE_STATES).count()
        return max(0, self.capacity - taken)

    def text(self, language: str | None = None) -> ExchangeText:
        """The title, summary and description in ``language`` (the active one by default), each
        falling back to the original where the translation has none. Reads the annotations of
        ``with_translation`` when they are for that language (no query), otherwise asks once
        per language and remembers."""
        language = _text_language(language)
        if getattr(self, "text_language", None) == language:
            # A translation always has a title: without one there is no translation.
            found = None
            if self.translated_title:
                found = {"title": self.translated_title, "summary": self.translated_summary}
                if hasattr(self, "translated_description"):
                    found["description"] = self.translated_description
        else:
            found = self._translation(language)
        if not found:
            return ExchangeText(self.title, self.summary, lambda: self.description, "")

        def description() -> str:
            text = found["description"] if "description" in found else self._translation(language)["description"]
            return text or self.description

        return ExchangeText(found["title"] or self.title, found["summary"] or self.summary, description, language)

    @staticmethod
    def text_of_values(row: Mapping) -> ExchangeText:
        """``text()`` for a row of ``values()`` that holds the annotations of
        ``with_translation(description=True)`` and the original texts (the API's lists build no
        instances): the same fallbacks, field by field, to the original."""
        if not row["translated_title"]:
            return ExchangeText(row["title"], row["summary"], lambda: row["description"], "")
        return ExchangeText(
            row["translated_title"],
            row["translated_summary"] or row["summary"],
            lambda: row["translated_description"] or row["description"],
            row["text_language"],
        )

    def _translation(self, language: str) -> dict | None:
        memo = self.__dict__.setdefault("_translations_by_language", {})
        if language not in memo:
            memo[language] = (
                ExchangeTranslation.objects.filter(exchange_id=self.pk, language=language)
                .values("title", "summary", "description")
                .first()
                if self.pk
                else None
            )
        return memo[language]

    def place_status(self, now=None) -> PlaceStatus:
        """The one wording of places, waitlist and the sign-up action (list cards, the home
        page, the exchange page). Uses the place counts of ``with_place_counts`` or
        ``with_places_taken`` when present (no query then)."""
        left = None
        if self.capacity is not None:
            left = getattr(self, "places_left_db", None)
            left = self.places_left if left is None else left
        if self.capacity is None:
            places = str(_("Places available"))
        elif left > 0:
            places = ngettext("%(counter)s place left", "%(counter)s places left", left) % {"counter": left}
        elif self.waitlist_enabled:
            places = str(_("Full – waitlist open"))
        else:
            places = str(_("Full"))
        if self.status == self.Status.CANCELLED:
            return PlaceStatus("cancelled", places, str(_("Cancelled")))
        reason = self.signup_closed_reason(now)
        if reason and self.status == self.Status.PUBLISHED and self.starts_at <= (now or timezone.now()):
            # Under way or over: a card has nothing to say about sign-up any more.
            return PlaceStatus("over", places, str(reason))
        if reason:
            return PlaceStatus("closed", places, str(reason))
        if self.capacity is not None and left == 0 and not self.waitlist_enabled:
            return PlaceStatus("full", places, places)
        if self.is_application:
            return PlaceStatus(
                "apply",
                places,
                places,
                str(_("Apply")),
                str(_("The coordinators select the participants and tell you their decision by email.")),
                str(_("Log in to apply")),
            )
        if self.capacity is not None and left == 0:
            return PlaceStatus(
                "waitlist",
                places,
                places,
                str(_("Join the waitlist")),
                str(_("When a place frees up it is offered to the first on the waitlist, by email.")),
                str(_("Log in to join the waitlist")),
            )
        return PlaceStatus(
            "unlimited" if self.capacity is None else "open",
            places,
            places,
            pgettext("exchange", "Sign up"),
            str(_("Your place is confirmed at once, by email.")),
            str(_("Log in to sign up")),
        )

    def is_past(self, now=None) -> bool:
        return self.ends_at < (now or timezone.now())

    def signup_closed_reason(self, now=None):
        """None when sign-up is open, otherwise the reason, ready to show."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return _("This exchange has been cancelled.")
        if self.status != self.Status.PUBLISHED:
            return _("This exchange is not open for sign-up.")
        if self.starts_at <= now:
            return _("This exchange has already started or taken place.")
        if self.registration_opens_at and self.registration_opens_at > now:
            return _("Registration has not opened yet.")
        if self.registration_closes_at and self.registration_closes_at <= now:
            return _("Registration is closed.")
        return None

    def check_in_opens(self):
        """The first moment people may be checked in: the start of the exchange's first day,
        in its own time zone."""
        local = self.starts_at.astimezone(self.tz)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)

    def joinable_by(self, viewer: Viewer) -> bool:
        """Members may join every exchange; funders (invited guests) only where guests are
        welcome, and every funder convening."""
        if not viewer.is_authenticated:
            return False
        guests_welcome = self.audience == self.Audience.MEMBERS_AND_GUESTS or self.kind == self.Kind.CONVENING
        if guests_welcome or viewer.is_coordinator:
            return True
        # Funders are invited guests (every account is also an organiser by default).
        return not viewer.is_funder


class ExchangeTranslation(models.Model):
    """An exchange's title, summary and description in one of the site's languages; what is
    left empty falls back to the original (``Exchange.text``)."""

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))

    class Meta:
        ordering = ["language"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(fields=["exchange", "language"], name="exchange_translation_one_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class Session(models.Model):
    """One item of a multi-day programme."""

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.CharField(_("room or link"), max_length=300, blank=True)
    facilitators = models.ManyToManyField(Member, blank=True, related_name="facilitated_sessions")

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    class State(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("waitlisted")
        OFFERED = "offered", _("place offered")
        APPLIED = "applied", _("applied")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")
        ATTENDED = "attended", _("attended")
        NO_SHOW = "no_show", _("no-show")

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Questions asked on signing up. Access, dietary and interpretation needs are seen only
    # by coordinators and erased automatically (``registrations_erase_sensitive``).
    access_needs = models.TextField(_("access needs"), blank=True, max_length=2000)
    dietary_needs = models.TextField(_("dietary needs"), blank=True, max_length=2000)
    interpretation_needs = models.TextField(_("interpretation needs"), blank=True, max_length=2000)
    travel_support_requested = models.BooleanField(_("travel support requested"), default=False)
    travel_cost_estimate = models.DecimalField(
        _("estimated travel cost (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    hope_to_learn = models.TextField(_("what I hope to learn"), blank=True, max_length=4000)
    will_bring = models.TextField(_("what I bring"), blank=True, max_length=4000)
    consent_show_name = models.BooleanField(_("show my name and organisation to other participants"), default=False)
    sensitive_erased_at = models.DateTimeField(_("sensitive answers erased"), null=True, blank=True)
    # Set by the check-in on the day (``services.check_in``), which also makes the state "attended".
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    # Waitlist: a number that only grows per exchange; the position shown is the rank.
    waitlist_position = models.PositiveIntegerField(_("waitlist number"), null=True, blank=True)
    offered_at = models.DateTimeField(_("place offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)

    # Exactly-once claims for periodic emails.
    reminded_7d_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_1d_at = models.DateTimeField(null=True, blank=True, editable=False)
    reflection_invited_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["exchange", "user"], name="registration_one_per_member"),
            models.UniqueConstraint(
                fields=["exchange", "waitlist_position"],
                condition=Q(waitlist_position__isnull=False),
                name="registration_distinct_waitlist_numbers",
            ),
            models.CheckConstraint(
                condition=Q(travel_cost_estimate__isnull=True) | Q(travel_cost_estimate__gte=0),
                name="registration_travel_cost_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["exchange", "state"], name="registration_exchange_state"),
            models.Index(fields=["user", "state"], name="registration_user_state"),
            models.Index(fields=["state", "offer_expires_at"], name="registration_offer_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.exchange} ({self.state})"

    @property
    def is_participant(self) -> bool:
        return self.state in PARTICIPANT_STATES

    @property
    def check_in_code(self) -> str:
        """The participant's personal check-in code: the registration's number and a keyed hash
        of it and its exchange (80 bits), so it cannot be guessed and opens only this
        registration, on this exchange's check-in page (``registration_for_code``)."""
        return f"{self.pk}-{_check_in_mac(self.pk, self.exchange_id)}"

    def waitlist_rank(self) -> int | None:
        """1 for the first in line. One query."""
        if self.state != self.State.WAITLISTED or self.waitlist_position is None:
            return None
        ahead = Registration.objects.filter(
            exchange_id=self.exchange_id, state=self.State.WAITLISTED, waitlist_position__lt=self.waitlist_position
        ).count()
        return ahead + 1


def _check_in_mac(registration_id: int, exchange_id: int) -> str:
    return salted_hmac("exchanges.check-in", f"{registration_id}:{exchange_id}").hexdigest()[:20]


def registration_id_for_code(code: str, *, exchange_id: int) -> int | None:
    """The registration a check-in code opens on ``exchange_id``, or None for any other code."""
    number, _sep, mac = (code or "").strip().partition("-")
    if not number.isdigit() or len(number) > 12 or not mac:
        return None
    if not constant_time_compare(mac.lower(), _check_in_mac(int(number), exchange_id)):
        return None
    return int(number)


class Question(models.Model):
    """A question of an exchange's own, asked on signing up beside the fixed ones.

    A question may be shown only when an earlier question was answered with a given value;
    the server decides that from the answers sent (``RegistrationForm``), so a required
    question is required whenever its condition holds, whatever the browser hid. Answers to
    sensitive questions are seen only by coordinators and managers, and erased with the
    access and dietary needs."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("short text")
        LONG_TEXT = "long_text", _("long text")
        SINGLE = "single_choice", _("single choice")
        MULTIPLE = "multiple_choice", _("multiple choice")
        YES_NO = "yes_no", _("yes or no")
        NUMBER = "number", _("number")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)
    YES, NO = "yes", "no"

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("question"), max_length=300, validators=[validate_single_line])
    help_text = models.CharField(_("help text"), max_length=500, blank=True, validators=[validate_single_line])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SHORT_TEXT)
    choices = models.TextField(
        _("choices"), blank=True, max_length=4000, help_text=_("For single and multiple choice: one choice per line.")
    )
    required = models.BooleanField(_("required"), default=False)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Seen only by coordinators and the exchange's managers; erased with the access and dietary needs."),
    )
    show_if_question = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("show only if the answer to"),
    )
    show_if_value = models.CharField(
        _("is"), max_length=200, blank=True, help_text=_("A choice of that question, or yes or no.")
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(show_if_question__isnull=True) | ~Q(show_if_value=""),
                name="exchange_question_condition_has_value",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def values(self) -> list[str]:
        """The answers a condition on this question may name."""
        if self.kind == self.Kind.YES_NO:
            return [self.YES, self.NO]
        return self.choice_list

    def clean(self):
        errors = {}
        choices = self.choice_list
        if self.kind in self.CHOICE_KINDS:
            if len(choices) < 2:
                errors["choices"] = _("Give at least two choices, one per line.")
            elif len(set(choices)) != len(choices):
                errors["choices"] = _("Each choice must be different.")
            elif any(len(choice) > 200 for choice in choices):
                errors["choices"] = _("A choice may be at most 200 characters long.")
        parent = self.show_if_question
        if parent is not None:
            if self.pk is not None and parent.pk == self.pk:
                errors["show_if_question"] = _("A question can't depend on itself.")
            elif parent.exchange_id != self.exchange_id:
                errors["show_if_question"] = _("Choose a question of the same exchange.")
            elif (parent.position, parent.pk or 0) >= (self.position, self.pk or 1 << 62):
                errors["show_if_question"] = _("Choose a question asked before this one.")
            elif parent.kind not in (*self.CHOICE_KINDS, self.Kind.YES_NO):
                errors["show_if_question"] = _("Only a choice or yes-or-no question can show another question.")
            elif self.show_if_value not in parent.values():
                errors["show_if_value"] = _("Choose one of: %(values)s.") % {"values": ", ".join(parent.values())}
        elif self.show_if_value:
            errors["show_if_value"] = _("Choose the question this value belongs to, or leave it empty.")
        if errors:
            raise ValidationError(errors)

    def shown_for(self, values: dict[int, object]) -> bool:
        """Whether this question is asked, given the answers so far (question pk → cleaned
        value; hidden questions are absent). Conditions on a hidden question hide too."""
        if self.show_if_question_id is None:
            return True
        if self.show_if_question_id not in values:
            return False
        answer = values[self.show_if_question_id]
        if isinstance(answer, list | tuple):
            return self.show_if_value in answer
        return answer == self.show_if_value


class Answer(models.Model):
    """One member's answer to one question. Stored as text: a multiple choice as one choice
    per line, yes or no as ``yes``/``no``, a number as its decimal text."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(_("answer"), max_length=4000)

    class Meta:
        ordering = ["question__position", "question_id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["registration", "question"], name="exchange_answer_one_per_question"),
        ]

    def __str__(self) -> str:
        return self.display()

    def display(self) -> str:
        """The answer as people read it (choices joined, yes and no translated)."""
        if self.question.kind == Question.Kind.YES_NO:
            return str(_("yes")) if self.value == Question.YES else str(_("no"))
        if self.question.kind == Question.Kind.MULTIPLE:
            return ", ".join(self.value.splitlines())
        return self.value


class TravelSupportRequest(Registration):
    """Registrations that asked for travel support, for coordinators' budgeting (admin)."""

    class Meta:
        proxy = True
        verbose_name = _("travel-support request")
        verbose_name_plural = _("travel-support requests")


def _feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A member's private calendar feed of confirmed exchanges; the token is the secret."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_feed")
    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}"

    # Deliberately not ``get_absolute_url``: Django hands an object's absolute URL to
    # anyone with admin access (the admin's "view on site" redirect, /admin/r/…), and
    # this one is a credential.
    def private_url(self) -> str:
        return reverse("exchanges:feed", kwargs={"token": self.token})


class Reflection(models.Model):
    """What a participant took home from an exchange."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="reflection")
    learned = models.TextField(_("what I learned"))
    will_try = models.TextField(_("what I will try at home"), blank=True)
    stay_in_touch = models.TextField(_("who I want to stay in touch with"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="reflection_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.registration}"


class HostOfferQuerySet(models.QuerySet):
    def visible_to(self, viewer: Viewer):
        """Coordinators see every offer; everyone the approved ones (an approved offer is the
        organisation's public offer to host, which the cross-site search finds); a member also
        the offers they made, whatever their state. Pending, changed and declined offers are
        never shown to anyone else: they are a member's words under review."""
        if viewer.is_coordinator:
            return self.all()
        approved = Q(status=HostOffer.Status.APPROVED)
        if not viewer.is_authenticated:
            return self.filter(approved)
        return self.filter(approved | Q(created_by_id=viewer.user_id))

    def approved(self):
        return self.filter(status=HostOffer.Status.APPROVED)

    def pending(self):
        return self.filter(status=HostOffer.Status.SUBMITTED)


def _month_label(first: dt.date) -> str:
    from django.utils import formats as django_formats

    return django_formats.date_format(first, "YEAR_MONTH_FORMAT")


def host_offer_months_all(values) -> list[tuple[str, str]]:
    """Each "YYYY-MM" of ``values`` with its label in the active language ("April 2027")."""
    labelled = []
    for value in values or []:
        try:
            year, month = (int(part) for part in str(value).split("-"))
            labelled.append((value, _month_label(dt.date(year, month, 1))))
        except (ValueError, TypeError):
            labelled.append((value, str(value)))
    return labelled


def host_offer_months(now=None, *, count: int = 18) -> list[tuple[str, str]]:
    """The months an offer may name: this one and the next ``count - 1``, as ("YYYY-MM", label)."""
    today = (now or timezone.now()).date().replace(day=1)
    months = []
    year, month = today.year, today.month
    for _step in range(count):
        first = today.replace(year=year, month=month)
        months.append((f"{year:04d}-{month:02d}", _month_label(first)))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return months


class HostOffer(models.Model):
    """A member's offer to host an exchange for their organisation, or a full exchange they
    propose. Coordinators approve it (a draft exchange is made, hosted by the organisation and
    managed by the member), ask for changes, or decline; the member is told by email each time."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("offer to host")
        PROPOSAL = "proposal", _("proposed exchange")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("waiting for the coordinators")
        CHANGES_REQUESTED = "changes_requested", _("changes asked for")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OFFER)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="host_offers", verbose_name=_("host organisation")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="host_offers",
        verbose_name=_("offered by"),
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    description = models.TextField(_("what you offer or propose"), max_length=5000)
    themes = models.ManyToManyField(Theme, blank=True, related_name="host_offers", verbose_name=_("themes"))
    working_languages = models.JSONField(_("languages"), default=list)
    months = models.JSONField(_("months"), default=list, help_text=_("Months that suit, as YYYY-MM."))
    capacity = models.PositiveIntegerField(_("how many visitors"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Exchange.Format.choices)
    city = models.CharField(_("city"), max_length=100, blank=True, validators=[validate_single_line])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    review_comment = models.TextField(_("comment to the member"), blank=True, max_length=4000)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exchange = models.OneToOneField(
        Exchange, on_delete=models.SET_NULL, null=True, blank=True, related_name="host_offer"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HostOfferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("host offer")
        verbose_name_plural = _("host offers")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="host_offer_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def editable(self) -> bool:
        return self.status == self.Status.CHANGES_REQUESTED
