"""The email outbox: every email is a row written in the transaction that caused it.

States: queued → sending → sent; a failed attempt goes to retrying (with a time for the
next attempt) and, after the last attempt or a permanent refusal, to failed. An email not
yet sent when its recipient deletes their account is cancelled. A worker
claims a row with a conditional update before sending, so two workers never send the
same row at the same time.

Some emails carry a secret: a link or code that works as a credential (password reset,
email confirmation, login code, invitation, the digest's signed preference links). Their
sender marks them ``carries_secret``; nobody reads their content in the admin, and once
sent their bodies are replaced by ``REDACTED_BODY`` (see ``outbox.services``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What a sent secret email's text body becomes (the HTML body and headers are emptied): a
# marker in the row, not a page text; the admin shows its own translated explanation.
REDACTED_BODY = "[Removed once sent: this email carried a secret link or code.]"


class OutboxQuerySet(models.QuerySet):
    def due(self, now=None):
        """Rows a worker may claim now."""
        now = now or timezone.now()
        return self.filter(
            Q(state=OutboxMessage.State.QUEUED) | Q(state=OutboxMessage.State.RETRYING, next_attempt_at__lte=now)
        )

    def needing_handover(self, *, now, grace_seconds: int, requeue_after_seconds: int):
        """Due rows the broker may not hold: never handed over (Redis was down when they were
        written, or a retry came due), or handed over so long ago that the task was lost."""
        never = Q(enqueued_at__isnull=True) & (
            Q(state=OutboxMessage.State.RETRYING) | Q(created_at__lt=now - timedelta(seconds=grace_seconds))
        )
        stale = Q(enqueued_at__lt=now - timedelta(seconds=requeue_after_seconds))
        return self.due(now).filter(never | stale)

    def stuck_sending(self, *, now, reclaim_after_seconds: int):
        """Rows claimed by a worker that has not finished them in time: it died mid-send."""
        return self.filter(
            state=OutboxMessage.State.SENDING, claimed_at__lt=now - timedelta(seconds=reclaim_after_seconds)
        )

    def state_counts(self) -> dict[str, int]:
        counts = dict(self.order_by().values_list("state").annotate(n=Count("id")))
        return {state: counts.get(state, 0) for state in OutboxMessage.State.values}


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        RETRYING = "retrying", _("retrying")
        FAILED = "failed", _("failed")
        # Never to be sent (its recipient deleted their account); the sender claims only
        # queued and retrying rows, so it skips these.
        CANCELLED = "cancelled", _("cancelled")

    # One row per logical message: writing the same key twice yields the first row.
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    to = models.EmailField(_("recipient"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    from_email = models.CharField(_("from"), max_length=254, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # [{"filename": ..., "mimetype": ..., "content_b64": ...}]
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # Set by the sender when the email holds a credential (a link or code that signs in,
    # resets a password, confirms an address, accepts an invitation or changes someone's
    # settings without logging in). Its subject and bodies are shown to nobody in the
    # admin, and are dropped from the row once the email is sent.
    carries_secret = models.BooleanField(_("carries a secret"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # Set when the row was handed to the broker; cleared when a retry is scheduled. The
    # sweeper hands over due rows without it (see ``needing_handover``).
    enqueued_at = models.DateTimeField(_("handed to the broker at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # Stamped (and committed) by the worker right before it opens the SMTP transaction of an
    # attempt, cleared by the next claim. A row still "sending" with this stamp was handed
    # to the SMTP server by a worker that never recorded the answer: it may have left (see
    # ``outbox.services`` for what happens to it).
    handed_at = models.DateTimeField(_("handed to the SMTP server at"), null=True, blank=True)
    # Set for good when an attempt ended without a recorded answer after the row was handed
    # to the SMTP server: the recipient may have received this email more than once.
    possibly_duplicated = models.BooleanField(_("possibly sent more than once"), default=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_state_next_idx"),
            models.Index(fields=["state", "claimed_at"], name="outbox_state_claimed_idx"),
            models.Index(fields=["state", "enqueued_at"], name="outbox_state_enqueued_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to} ({self.state})"
