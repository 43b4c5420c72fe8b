"""A coordinator's invitation to join the network (services in ``invitations/services.py``).

The model lived in network until the invitations became their own app; its rows, table and
permissions were carried over by the migrations (see ``invitations/migrations``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import Membership, Organisation


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Invitations whose link still works: pending or sent, and not past their expiry."""
        return self.filter(state__in=Invitation.OPEN_STATES, expires_at__gt=timezone.now())

    def expire_due(self) -> int:
        """Mark open invitations past their expiry as expired (a cheap conditional update,
        run before invitations are listed or created)."""
        return self.filter(state__in=Invitation.OPEN_STATES, expires_at__lte=timezone.now()).update(
            state=Invitation.State.EXPIRED
        )


class Invitation(models.Model):
    """A coordinator's invitation to join the network, optionally into an organisation.

    The link's secret is never stored: only its SHA-256 (``token_hash``). At most one open
    (pending or sent) invitation exists per address, enforced by the database.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    OPEN_STATES = ("pending", "sent")

    email = models.EmailField(_("email address"), db_index=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="en")
    message = models.TextField(_("personal message"), max_length=2000, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    outbox_message = models.ForeignKey(
        "outbox.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last email"),
    )
    send_count = models.PositiveSmallIntegerField(_("emails sent"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["state", "expires_at"], name="invitation_state_expires_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=Q(state__in=["pending", "sent"]), name="invitation_one_open_per_email"
            ),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="invitation_email_lower"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES and self.expires_at > timezone.now()
