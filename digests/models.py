"""Digest preferences, the runs of the digest job and one delivery record per member and period.

A member's digest covers a window of time ``[since, until)``. ``DigestPreference.covered_until``
stores the end of the last window the member's digests covered, so that the next window
starts exactly there: nothing is missed and nothing is sent twice, even when the member
switches between weekly and monthly. ``DigestDelivery`` is unique per member, frequency and
period; the job claims it by inserting it, so a second run or a retried batch sends nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from network.models import Theme


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    OFF = "off", _("never (no digest)")


SENDING_FREQUENCIES = (Frequency.WEEKLY, Frequency.MONTHLY)


class Section(models.TextChoices):
    """The kinds of news a digest can carry, in the order the email shows them."""

    EXCHANGES = "exchanges", _("Exchanges open for sign-up")
    GUIDES = "guides", _("New practice guides and translations")
    EVIDENCE = "evidence", _("Newly published evidence")
    JOINT_ACTIONS = "joint_actions", _("Joint-action updates")
    HOST_OFFERS = "host_offers", _("New offers to host")
    PROGRAMMES = "programmes", _("New and updated programmes")
    COMMITMENTS = "commitments", _("Progress on your organisations' commitments")
    STRATEGY = "strategy", _("The strategy: new versions and consultations")
    REMINDERS = "reminders", _("Your upcoming exchanges")


# Sections that count as news: a digest is only sent when one of these has something.
NEWS_SECTIONS = (
    Section.EXCHANGES,
    Section.GUIDES,
    Section.EVIDENCE,
    Section.JOINT_ACTIONS,
    Section.HOST_OFFERS,
    Section.PROGRAMMES,
    Section.COMMITMENTS,
    Section.STRATEGY,
)
# Sections of news about organisations (items name them in ``organisations``) that only the
# members of those organisations (approved memberships) receive.
OWN_ORGANISATION_SECTIONS = frozenset({Section.COMMITMENTS})


class Scope(models.TextChoices):
    PROFILE = "profile", _("as on my profile")
    ALL = "all", _("all")
    CHOSEN = "chosen", _("only the ones I choose")


@dataclass(frozen=True)
class Period:
    """One period of a frequency: the digests of ``key`` cover up to ``until`` (exclusive).

    ``start`` is where the window of a member's first digest begins.
    """

    frequency: str
    key: str
    start: dt.datetime
    until: dt.datetime


def period_for(frequency: str, now: dt.datetime | None = None) -> Period:
    """The latest complete period of ``frequency`` at ``now`` (UTC boundaries).

    Weekly periods are ISO weeks (Monday 00:00 UTC to the next Monday); monthly periods are
    calendar months. The key names the period covered: ``2026-W47`` or ``2026-10``.
    """
    now = (now or timezone.now()).astimezone(dt.UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if frequency == Frequency.WEEKLY:
        until = midnight - dt.timedelta(days=midnight.weekday())
        start = until - dt.timedelta(days=7)
        year, week, _weekday = start.isocalendar()
        return Period(frequency, f"{year}-W{week:02d}", start, until)
    if frequency == Frequency.MONTHLY:
        until = midnight.replace(day=1)
        start = (until - dt.timedelta(days=1)).replace(day=1)
        return Period(frequency, f"{start:%Y-%m}", start, until)
    raise ValueError(f"No digest period for frequency {frequency!r}")


class DigestPreferenceQuerySet(models.QuerySet):
    def for_batch(self):
        """Everything the digest of a batch of members needs, in a constant number of queries."""
        return self.select_related("user__member").prefetch_related("themes", "user__member__themes")


class DigestPreference(models.Model):
    """What a member wants in their digest and how often. Absent row = the defaults below."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="digest_preference",
        verbose_name=_("member"),
    )
    frequency = models.CharField(
        _("how often"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY, db_index=True
    )
    send_exchanges = models.BooleanField(Section.EXCHANGES.label, default=True)
    send_guides = models.BooleanField(Section.GUIDES.label, default=True)
    send_evidence = models.BooleanField(Section.EVIDENCE.label, default=True)
    send_joint_actions = models.BooleanField(Section.JOINT_ACTIONS.label, default=True)
    send_host_offers = models.BooleanField(Section.HOST_OFFERS.label, default=True)
    send_programmes = models.BooleanField(Section.PROGRAMMES.label, default=True)
    send_reminders = models.BooleanField(_("Reminders of my own upcoming exchanges"), default=True)
    # Not a digest section: an email of its own, sent when a round opens or a new version of the
    # strategy is published, to those who opt in (``digests.consultations``).
    send_consultations = models.BooleanField(
        _("An email when a consultation on the strategy opens or a new version is published"), default=False
    )
    themes_scope = models.CharField(_("themes"), max_length=8, choices=Scope.choices, default=Scope.PROFILE)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="digest_preferences", verbose_name=_("chosen themes")
    )
    # Countries default to all: exchanges across borders are what the network is for.
    countries_scope = models.CharField(_("countries"), max_length=8, choices=Scope.choices, default=Scope.ALL)
    countries = CountryField(_("chosen countries"), multiple=True, blank=True)
    languages_scope = models.CharField(_("languages"), max_length=8, choices=Scope.choices, default=Scope.PROFILE)
    # ISO 639-1 codes, like ``Member.languages``.
    languages = models.JSONField(_("chosen languages"), default=list, blank=True)
    # The end of the window the member's last digest covered (sent or empty).
    covered_until = models.DateTimeField(_("digests cover news up to"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DigestPreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")
        indexes = [models.Index(fields=["frequency", "covered_until"], name="digestpref_freq_covered_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_frequency_display()})"

    def wanted_sections(self) -> set[str]:
        return {
            section
            for section, wanted in (
                (Section.EXCHANGES, self.send_exchanges),
                (Section.GUIDES, self.send_guides),
                (Section.EVIDENCE, self.send_evidence),
                (Section.JOINT_ACTIONS, self.send_joint_actions),
                (Section.HOST_OFFERS, self.send_host_offers),
                (Section.PROGRAMMES, self.send_programmes),
                # The progress of what one's own organisations committed to is always news.
                (Section.COMMITMENTS, True),
                # Strategy news goes to those who asked to hear about the strategy.
                (Section.STRATEGY, self.send_consultations),
                (Section.REMINDERS, self.send_reminders),
            )
            if wanted
        }


class DigestRun(models.Model):
    """One run of the digest job for one frequency and period.

    The candidate items are fetched once per run and stored here, so that every batch
    filters the same items in memory instead of asking the other apps again.
    ``boundaries`` are the distinct window starts of the members due (ISO timestamps,
    ascending); item ``slot`` *i* became visible in ``[boundaries[i], boundaries[i+1])``
    (the last slot ends at ``period_until``).
    """

    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    period = models.CharField(_("period"), max_length=10, db_index=True)
    period_until = models.DateTimeField(_("covers news up to"))
    boundaries = models.JSONField(default=list)
    items = models.JSONField(default=list)
    member_count = models.PositiveIntegerField(_("members due"), default=0)
    batch_count = models.PositiveIntegerField(_("batches"), default=0)
    queued_count = models.PositiveIntegerField(_("digests queued"), default=0)
    empty_count = models.PositiveIntegerField(_("skipped: nothing new"), default=0)
    already_count = models.PositiveIntegerField(_("skipped: already delivered"), default=0)
    deferred_count = models.PositiveIntegerField(_("deferred to the next run"), default=0)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} {self.period} ({self.started_at:%Y-%m-%d %H:%M})"


class DigestDeliveryQuerySet(models.QuerySet):
    def summary(self):
        """Counts per frequency and period, computed in SQL."""
        from outbox.models import OutboxMessage

        return (
            self.values("frequency", "period")
            .annotate(
                total=models.Count("pk"),
                queued=models.Count("pk", filter=models.Q(state=DigestDelivery.State.QUEUED)),
                empty=models.Count("pk", filter=models.Q(state=DigestDelivery.State.EMPTY)),
                sent=models.Count("pk", filter=models.Q(message__state=OutboxMessage.State.SENT)),
                failed=models.Count("pk", filter=models.Q(message__state=OutboxMessage.State.FAILED)),
                items=models.Sum("item_count"),
            )
            .order_by("-period", "frequency")
        )


class DigestDelivery(models.Model):
    """The one digest of a member for one period: queued to the outbox, or empty (nothing new)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        EMPTY = "empty", _("nothing new: not sent")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries", verbose_name=_("member")
    )
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    period = models.CharField(_("period"), max_length=10)
    run = models.ForeignKey(
        DigestRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries", verbose_name=_("run")
    )
    window_since = models.DateTimeField(_("news from"))
    window_until = models.DateTimeField(_("news until"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    message = models.ForeignKey(
        "outbox.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("email"),
    )
    # Written by the batch that inserted the row: how a batch tells the rows it claimed
    # from rows an earlier run (or a duplicate delivery of the same batch) already holds.
    claim = models.UUIDField(editable=False, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DigestDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        constraints = [
            models.UniqueConstraint(fields=["user", "frequency", "period"], name="digestdelivery_one_per_period"),
        ]
        indexes = [models.Index(fields=["frequency", "period", "state"], name="digestdelivery_period_idx")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_frequency_display()} {self.period} ({self.get_state_display()})"
