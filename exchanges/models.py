"""Learning exchanges: online exchanges, exchange visits, the European gathering, funder
convenings; their programme sessions, registrations and participants' reflections."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from network.models import Member, Organisation, Theme


def _timezone_choices():
    return [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz and not tz.startswith("Etc/")]


class Exchange(models.Model):
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
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    hosts = models.ManyToManyField(Organisation, blank=True, related_name="hosted_exchanges", verbose_name=_("hosts"))
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_exchanges", verbose_name=_("partners")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="exchanges", verbose_name=_("themes"))
    working_languages = models.JSONField(_("working languages"), default=list, blank=True)
    interpretation = models.BooleanField(_("interpretation offered"), default=False)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.ONLINE)
    city = models.CharField(_("city"), max_length=100, blank=True)
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

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        indexes = [models.Index(fields=["status", "starts_at"], name="exchange_status_start_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="exchange_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exchanges:detail", kwargs={"slug": self.slug})


class Session(models.Model):
    """One item of a multi-day programme."""

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
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

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["exchange", "user"], name="registration_one_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.exchange} ({self.state})"


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
