"""Personal data the outbox holds: every email written to the person (by account or address).

Erasure: an email to the person that has not left yet (queued, retrying, failed, or being sent
right now) is cancelled — the sender claims queued and retrying rows only, so it is never sent
(one already in a worker's hands may still leave; its row stays cancelled). Every email to
the person, sent or not, keeps its kind, language, state and times, but its recipient becomes
a placeholder address and its subject, bodies, headers, attachments, last error and
idempotency key (which for allauth's emails is derived from the address) are dropped.
"""

from __future__ import annotations

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

from core import personal_data
from core.personal_data import ERASED_ADDRESS, iso
from outbox.models import OutboxMessage

UNSENT_STATES = (
    OutboxMessage.State.QUEUED,
    OutboxMessage.State.RETRYING,
    OutboxMessage.State.SENDING,
    OutboxMessage.State.FAILED,
)


def _messages_of(user):
    """The person's emails: by account, or to any of their addresses (emails written before
    the account existed, or without one, such as an invitation)."""
    to_any = Q()
    for address in personal_data.person_addresses(user):
        to_any |= Q(to__iexact=address)
    return OutboxMessage.objects.filter(Q(user=user) | to_any)


def export(user) -> dict:
    # Bodies are left out: they are our templates around what the other sections hold, and a
    # body may carry a live secret (a reset or login link) that should not sit in a download.
    return {
        "emails": [
            {
                "to": message.to,
                "kind": message.kind,
                "subject": message.subject,
                "language": message.language,
                "state": message.state,
                "created_at": iso(message.created_at),
                "sent_at": iso(message.sent_at),
            }
            for message in _messages_of(user).order_by("created_at", "pk")
        ]
    }


def erase(user) -> None:
    messages = _messages_of(user)
    messages.filter(state__in=UNSENT_STATES).update(
        state=OutboxMessage.State.CANCELLED, next_attempt_at=None, enqueued_at=None, claimed_at=None
    )
    messages.update(
        to=ERASED_ADDRESS,
        subject="",
        body_text="",
        body_html="",
        headers={},
        attachments=[],
        last_error="",
        idempotency_key=Concat(Value("erased:"), Cast("pk", output_field=CharField())),
    )


personal_data.register(app="outbox", export=export, erase=erase, models=[OutboxMessage])
