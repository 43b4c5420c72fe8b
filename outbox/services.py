"""Writing and sending outbox rows.

``email_queue`` is the one way any part of Learning Lab sends an email. Call it inside
the transaction of the action that causes the email; the row commits or rolls back with
that action, and it is handed to a worker only after commit.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str

    def as_json(self) -> dict:
        return {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content_b64": base64.b64encode(self.content).decode("ascii"),
        }


def absolute_url(path: str) -> str:
    """An absolute link for emails, built from ``SITE_URL``."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + (path if path.startswith("/") else "/" + path)


def email_render(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Render the triplet ``<template>_subject.txt``, ``<template>.txt``, ``<template>.html``
    in ``language``. Returns (subject, text, html)."""
    ctx = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, "language": language, **context}
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", ctx)
        text = render_to_string(f"{template}.txt", ctx)
        html = render_to_string(f"{template}.html", ctx)
    # Subjects are one line; templates may end with a newline.
    subject = " ".join(subject.split())
    return subject, text, html


def email_queue(
    *,
    to: str,
    kind: str,
    template: str,
    context: dict,
    language: str,
    idempotency_key: str,
    user=None,
    headers: dict | None = None,
    attachments: list[Attachment] | None = None,
) -> OutboxMessage:
    """Write one email to the outbox and hand it to a worker after commit.

    Idempotent: a second call with the same ``idempotency_key`` returns the existing row
    and queues nothing. Never raises because the broker is down: the sweeper re-enqueues
    rows that were not handed over.
    """
    existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    subject, text, html = email_render(template=template, context=context, language=language)
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={
                "kind": kind,
                "to": to,
                "user": user,
                "language": language,
                "subject": subject,
                "body_text": text,
                "body_html": html,
                "from_email": settings.DEFAULT_FROM_EMAIL,
                "headers": headers or {},
                "attachments": [a.as_json() for a in attachments or []],
            },
        )
    if created:
        transaction.on_commit(lambda: outbox_enqueue(message_id=message.pk))
    return message


def outbox_enqueue(*, message_id: int) -> bool:
    """Hand a row to the broker. Returns False (and logs) if the broker can't be reached;
    the periodic sweeper picks the row up later, so a request never fails here."""
    from outbox.tasks import outbox_send

    try:
        outbox_send.apply_async(args=[message_id], retry=False)
    except Exception:  # noqa: BLE001 — any broker failure must stay out of the request.
        logger.warning("Could not enqueue outbox message %s; the sweeper will retry.", message_id, exc_info=True)
        return False
    return True


def _message_build(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={**message.headers, "X-Learning-Lab-Kind": message.kind},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for item in message.attachments:
        email.attach(item["filename"], base64.b64decode(item["content_b64"]), item["mimetype"])
    return email


MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 60 * 60


def backoff_seconds(attempts: int) -> int:
    """Capped exponential backoff: 30 s, 60 s, 120 s, … up to an hour."""
    return min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))


def outbox_send(*, message_id: int) -> str:
    """Claim the row and send it. Returns the resulting state.

    The claim is a conditional update, so a row already claimed by another worker, or
    already sent, is skipped. The SMTP call happens outside any database transaction.
    """
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.due(now).filter(pk=message_id).update(state=OutboxMessage.State.SENDING, claimed_at=now)
    )
    if claimed != 1:
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _message_build(message).send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 — every delivery failure is recorded and retried.
        attempts = message.attempts + 1
        failed = attempts >= MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.SENDING).update(
            state=OutboxMessage.State.FAILED if failed else OutboxMessage.State.RETRYING,
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=None if failed else timezone.now() + timezone.timedelta(seconds=backoff_seconds(attempts)),
        )
        logger.warning("Sending outbox message %s failed (attempt %s): %s", message_id, attempts, exc)
        return OutboxMessage.State.FAILED if failed else OutboxMessage.State.RETRYING
    OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.SENDING).update(
        state=OutboxMessage.State.SENT, attempts=message.attempts + 1, sent_at=timezone.now(), last_error=""
    )
    return OutboxMessage.State.SENT
