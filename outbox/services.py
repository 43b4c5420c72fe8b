"""Writing, handing over and sending outbox rows.

``email_queue`` is the one way any part of Learning Lab sends an email. Call it inside
the transaction of the action that causes the email; the row commits or rolls back with
that action, and it is handed to a worker only after commit.

Delivery guarantee, stated honestly: every row is sent *at least once* and, in all but one
narrow case, *exactly once*. A worker claims a row (queued → sending) with a conditional
update, so two workers never send the same row, and duplicate tasks for one row are
harmless. The database is the truth about each attempt: right before the SMTP transaction
the worker stamps the row ``handed_at`` (committed), and right after the server's answer it
records the outcome. A send in progress is never cut short by the broker: Celery is told not
to cancel running tasks when it loses Redis (``CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_
CONNECTION_LOSS = False``), so the email in flight finishes and is marked sent, and a task
redelivered afterwards finds the row sent and does nothing.

The one window that can produce a duplicate is an attempt whose answer is never recorded
after the row was handed to the SMTP server: the worker process dies (SIGKILL, the out-of-
memory killer, power loss, a hard time limit, a cold shutdown) or the conversation breaks off
(timeout, dropped connection) between handing the message over and recording the answer —
with a real server that answers about a second after storing a message, that second. The
message may have left, and nothing here can know. Policy: such a row is never put back as if
it had never started. A broken-off conversation is recorded at once as a failed attempt
(retrying, with the error); a row left "sending" with its stamp by a dead worker is taken back
by the sweeper after ``OUTBOX_RECLAIM_AFTER_SECONDS`` as a failed attempt whose error says it
may have left. Either way it goes again with the *same* ``Message-ID`` (derived from the
row), as mail servers themselves retry a transaction whose answer was lost (RFC 1047), so
receivers that deduplicate by Message-ID show it once; and the attempt counts, so an email
that kills workers ends failed. Rows claimed but not yet handed over (the rest of a batch)
have not left: they go back to the queue at once, or are taken back by the sweeper without
that warning.

Secrets: a sender whose email holds a credential (a link or code that signs someone in,
resets a password, confirms an address, accepts an invitation or changes someone's
settings without logging in) passes ``carries_secret=True``. Such a row's content is shown
to nobody in the admin, and is replaced by a redaction note the moment it is sent; a row
that is still queued, retrying or failed keeps its body, because it is needed to send it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from outbox.models import REDACTED_BODY, OutboxMessage
from outbox.signals import message_sent

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


def language_for(*, user=None, email: str | None = None, default: str | None = None) -> str:
    """The language to write to a person in: their member profile's preferred language, else
    ``default`` (e.g. the language of the current request), else the site's default."""
    supported = {code for code, _ in settings.LANGUAGES}
    if user is None and email:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(email__iexact=email).select_related("member").first()
    member = getattr(user, "member", None) if user is not None else None
    language = getattr(member, "preferred_language", None) or default or settings.LANGUAGE_CODE
    language = language.split("-")[0]
    return language if language in supported else settings.LANGUAGE_CODE


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
    return subject, text.strip() + "\n", html


def email_html_from_text(*, text: str, language: str) -> str:
    """An HTML body in the site's email layout for a message that only has a text body
    (allauth's emails): the text, escaped, with its links made clickable."""
    ctx = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, "language": language, "text": text}
    with translation.override(language):
        return render_to_string("emails/text_as_html.html", ctx)


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
    enqueue: bool = True,
    carries_secret: bool = False,
) -> OutboxMessage:
    """Write one email to the outbox and hand it to a worker after commit.

    ``carries_secret``: the email holds a credential (see the module docstring); it is then
    never shown in the admin and its content is dropped from the row once sent.

    Idempotent: a second call with the same ``idempotency_key`` returns the existing row
    and queues nothing (nothing is rendered either). Never raises because the broker is
    down: the sweeper hands over rows that were not handed over.

    Bulk senders (thousands of emails in one run) may pass ``enqueue=False`` and hand the
    rows over in batches after commit, ~4× cheaper per email for the worker:
    ``transaction.on_commit(lambda: outbox_handover(message_ids=ids))`` (or leave them to
    the sweeper, which picks them up within a minute).
    """
    existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    subject, text, html = email_render(template=template, context=context, language=language)
    return email_queue_rendered(
        to=to,
        kind=kind,
        subject=subject,
        text=text,
        html=html,
        language=language,
        idempotency_key=idempotency_key,
        user=user,
        headers=headers,
        attachments=attachments,
        enqueue=enqueue,
        carries_secret=carries_secret,
    )


def email_queue_rendered(
    *,
    to: str,
    kind: str,
    subject: str,
    text: str,
    html: str,
    language: str,
    idempotency_key: str,
    user=None,
    headers: dict | None = None,
    attachments: list[Attachment] | None = None,
    from_email: str | None = None,
    enqueue: bool = True,
    carries_secret: bool = False,
) -> OutboxMessage:
    """Like ``email_queue`` for a message rendered elsewhere (allauth's emails)."""
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            idempotency_key=idempotency_key[:255],
            defaults={
                "kind": kind[:64],
                "to": to,
                "user": user,
                "language": language,
                "subject": " ".join(subject.split())[:300],
                "body_text": text,
                "body_html": html,
                "from_email": from_email or settings.DEFAULT_FROM_EMAIL,
                "headers": headers or {},
                "attachments": [a.as_json() for a in attachments or []],
                "carries_secret": carries_secret,
            },
        )
        if created and enqueue:
            message_id = message.pk
            transaction.on_commit(lambda: outbox_enqueue(message_id=message_id))
    return message


@dataclass(frozen=True)
class RenderedEmail:
    """One rendered email for ``email_queue_many``."""

    to: str
    kind: str
    subject: str
    text: str
    html: str
    language: str
    idempotency_key: str
    user_id: int | None = None
    headers: dict | None = None
    carries_secret: bool = False


def email_queue_many(*, emails: list[RenderedEmail]) -> dict[str, int]:
    """Write many rendered emails to the outbox in a constant number of queries.

    For bulk senders (the digest job writes hundreds per batch). Same contract as
    ``email_queue_rendered``, per email: a key that already has a row keeps that row (it
    is neither rewritten nor handed over again); the new rows commit or roll back with the
    caller's transaction and are handed to the broker after commit, in batches
    (``outbox_handover``; if the broker is down, the sweeper does it later). Returns the
    row id of every email by its idempotency key.
    """
    if not emails:
        return {}
    keys = [email.idempotency_key[:255] for email in emails]
    with transaction.atomic():
        existing = set(OutboxMessage.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
        from_email = settings.DEFAULT_FROM_EMAIL
        # A row written meanwhile by someone else is skipped on conflict, not overwritten.
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    idempotency_key=key,
                    kind=email.kind[:64],
                    to=email.to,
                    user_id=email.user_id,
                    language=email.language,
                    subject=" ".join(email.subject.split())[:300],
                    body_text=email.text,
                    body_html=email.html,
                    from_email=from_email,
                    headers=email.headers or {},
                    attachments=[],
                    carries_secret=email.carries_secret,
                )
                for key, email in zip(keys, emails, strict=True)
                if key not in existing
            ],
            ignore_conflicts=True,
        )
        ids = dict(OutboxMessage.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "pk"))
        new_ids = [pk for key, pk in ids.items() if key not in existing]
        if new_ids:
            transaction.on_commit(lambda: outbox_handover(message_ids=new_ids))
    return ids


# After the broker failed, enqueueing is not even tried for a few seconds: a hung Redis
# costs one request the socket timeout, not every request. The sweeper hands the rows over.
BROKER_PAUSE_SECONDS = 5.0
_broker_paused_until = 0.0


def broker_pause_reset() -> None:
    global _broker_paused_until
    _broker_paused_until = 0.0


def outbox_enqueue(*, message_id: int) -> bool:
    """Hand a row to the broker. Returns False (and logs) if the broker can't be reached;
    the periodic sweeper picks the row up later, so a request never fails here. Bounded by
    the broker's socket timeouts (2 s) and skipped entirely right after a failure."""
    global _broker_paused_until
    from outbox.tasks import outbox_send as outbox_send_task

    if time.monotonic() < _broker_paused_until:
        return False
    try:
        outbox_send_task.apply_async(args=[message_id], retry=False)
    except Exception:  # noqa: BLE001 — any broker failure must stay out of the request.
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("Could not enqueue outbox message %s; the sweeper will retry.", message_id, exc_info=True)
        return False
    # A hint for the sweeper only (losing it means at worst one duplicate task, which the
    # claim makes harmless), so its commit need not wait for the disk. In eager mode the
    # task already ran and the row is sent: then this updates nothing.
    with _quick_commit():
        OutboxMessage.objects.filter(pk=message_id, state__in=["queued", "retrying"]).update(enqueued_at=timezone.now())
    return True


def message_id_header(message: OutboxMessage) -> str:
    """The ``Message-ID`` of a row's email, the same on every attempt (derived from the row)."""
    domain = (message.from_email or settings.DEFAULT_FROM_EMAIL).rsplit("@", 1)[-1].strip("> ") or "localhost"
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16]
    return f"<outbox.{message.pk}.{digest}@{domain}>"


def message_build(message: OutboxMessage, *, connection=None) -> EmailMultiAlternatives:
    """The multipart email of a row: plain text, an HTML alternative, attachments."""
    headers = {"Message-ID": message_id_header(message), **message.headers, "X-Learning-Lab-Kind": message.kind}
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers=headers,
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for item in message.attachments:
        email.attach(item["filename"], base64.b64decode(item["content_b64"]), item["mimetype"])
    return email


def backoff_seconds(attempts: int) -> int:
    """Capped exponential backoff: base, 2×base, 4×base, … up to the cap (30 s … 1 h)."""
    base = settings.OUTBOX_BACKOFF_BASE_SECONDS
    return min(settings.OUTBOX_BACKOFF_CAP_SECONDS, base * 2 ** max(0, attempts - 1))


def is_permanent_failure(exc: Exception) -> bool:
    """SMTP 5xx answers are permanent (no such mailbox, rejected); everything else (4xx,
    refused or dropped connections, timeouts) is worth another try."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


# One SMTP connection per worker thread, reused across tasks: opening a connection for
# every email would cap throughput far below what one worker can do.
SMTP_IDLE_REOPEN_SECONDS = 20.0
_local = threading.local()


def _connection():
    conn = getattr(_local, "connection", None)
    if conn is not None and time.monotonic() - _local.used_at > SMTP_IDLE_REOPEN_SECONDS:
        connection_drop()
        conn = None
    if conn is None:
        conn = get_connection(fail_silently=False)
        conn.open()
        _local.connection = conn
    _local.used_at = time.monotonic()
    return conn


def connection_drop() -> None:
    conn = getattr(_local, "connection", None)
    _local.connection = None
    if conn is not None:
        # A broken connection is dropped either way.
        with contextlib.suppress(Exception):
            conn.close()


@contextlib.contextmanager
def _quick_commit():
    """A transaction whose commit does not wait for the disk (PostgreSQL's
    ``synchronous_commit = off`` for this transaction only).

    Used for the worker's claim and "sent" marks: waiting for an fsync twice per email
    capped one worker at ~25 emails/s on a busy machine. The cost: if PostgreSQL itself
    crashes (not the worker), marks from its last fraction of a second may be lost, and
    those emails are sent again — within the at-least-once window described above. Row
    creation (the caller's transaction) is unaffected and stays fully durable.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def outbox_send(*, message_id: int) -> str:
    """Claim the row and send it. Returns the resulting state, or "skipped".

    The claim is a conditional update (due → sending, stamped with the claim time), so a row
    already claimed by another worker, or already sent, is skipped. The SMTP call happens
    outside any database transaction. The outcome is written only if the row still carries
    our claim, so a row taken back by the sweeper is never overwritten by a late worker.
    """
    results = outbox_send_many(message_ids=[message_id])
    return results.get(message_id, "skipped")


def outbox_send_many(*, message_ids: list[int]) -> dict[int, str]:
    """Claim the due rows among ``message_ids`` in one statement and send them one by one
    over the worker's SMTP connection; returns {id: resulting state} for the claimed rows.

    Each row's outcome is recorded right after its own SMTP transaction, and each row is
    stamped ``handed_at`` right before it (see the module docstring). A batch starts new
    rows only for the first half of the soft time limit (``_batch_budget_seconds``), so the
    email in flight is not cut short by the limit; the rows it did not start go back to the
    queue and are handed over again as a new task. If the task is stopped early (soft time
    limit, cold shutdown), the rows not yet handed to the SMTP server are released at once;
    the one in flight is not (it may have left).
    """
    now = timezone.now()
    with _quick_commit():
        OutboxMessage.objects.due(now).filter(pk__in=message_ids).update(
            state=OutboxMessage.State.SENDING, claimed_at=now, handed_at=None
        )
        messages = list(
            OutboxMessage.objects.filter(
                pk__in=message_ids, state=OutboxMessage.State.SENDING, claimed_at=now
            ).order_by("pk")
        )
    results: dict[int, str] = {}
    stop_starting_at = time.monotonic() + _batch_budget_seconds()
    try:
        for message in messages:
            if results and time.monotonic() >= stop_starting_at:
                break
            results[message.pk] = _deliver(message, claimed_at=now)
    finally:
        released = _release_unstarted([m.pk for m in messages if m.pk not in results], claimed_at=now)
    if released:
        outbox_handover(message_ids=released)
    return results


def _batch_budget_seconds() -> float:
    """How long a batch keeps starting new emails: half the task's soft time limit, leaving
    the other half for the email in flight (bounded by ``EMAIL_TIMEOUT`` per SMTP command)."""
    soft_limit = getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None)
    return (60 if soft_limit is None else soft_limit) / 2


def _release_unstarted(message_ids: list[int], *, claimed_at) -> list[int]:
    """Put back in the queue the rows of our claim that were never handed to the SMTP server:
    they have not left. Returns their ids."""
    if not message_ids:
        return []
    with _quick_commit():
        ours = OutboxMessage.objects.filter(
            pk__in=message_ids, state=OutboxMessage.State.SENDING, claimed_at=claimed_at, handed_at__isnull=True
        )
        released = list(ours.values_list("pk", flat=True))
        OutboxMessage.objects.filter(pk__in=released).update(
            state=OutboxMessage.State.QUEUED, claimed_at=None, enqueued_at=None
        )
    return released


def _deliver(message: OutboxMessage, *, claimed_at) -> str:
    ours = OutboxMessage.objects.filter(pk=message.pk, state=OutboxMessage.State.SENDING, claimed_at=claimed_at)
    handed = False
    try:
        email = message_build(message, connection=_connection())
        # The stamp commits before the first SMTP command of this email. It is conditional
        # on our claim, so a row the sweeper took back meanwhile is not sent by us too.
        with _quick_commit():
            if not ours.filter(handed_at__isnull=True).update(handed_at=timezone.now()):
                return "skipped"
        handed = True
        sent = email.send(fail_silently=False)
        if sent != 1:
            raise smtplib.SMTPException("The mail backend reported that nothing was sent.")
    except Exception as exc:  # noqa: BLE001 — every delivery failure is recorded and retried.
        connection_drop()
        attempts = message.attempts + 1
        failed = attempts >= settings.OUTBOX_MAX_ATTEMPTS or is_permanent_failure(exc)
        error = f"{type(exc).__name__}: {exc}"
        uncertain = handed and not isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)
        if uncertain:
            # No answer from the server: the email may have left (see the module docstring).
            error = f"{UNCERTAIN_NOTE} {error}"
        ours.update(
            possibly_duplicated=message.possibly_duplicated or uncertain,
            state=OutboxMessage.State.FAILED if failed else OutboxMessage.State.RETRYING,
            attempts=attempts,
            last_error=error[:2000],
            next_attempt_at=None if failed else timezone.now() + timedelta(seconds=backoff_seconds(attempts)),
            enqueued_at=None,
        )
        logger.warning("Sending outbox message %s failed (attempt %s): %s", message.pk, attempts, exc)
        if isinstance(exc, SoftTimeLimitExceeded):
            # The task ran out of time: stop the batch (the rest is released by the caller).
            raise
        return OutboxMessage.State.FAILED if failed else OutboxMessage.State.RETRYING
    sent_at = timezone.now()
    # A secret's content goes in the same statement that marks the row sent: there is no
    # moment at which a sent row still holds a working link.
    redaction = secret_redaction() if message.carries_secret else {}
    with _quick_commit():
        ours.update(
            state=OutboxMessage.State.SENT, attempts=message.attempts + 1, sent_at=sent_at, last_error="", **redaction
        )
    message.state, message.sent_at = OutboxMessage.State.SENT, sent_at
    try:
        message_sent.send(sender=OutboxMessage, message=message)
    except Exception:  # noqa: BLE001 — the email is out; a receiver's bug must not resend it.
        logger.exception("A message_sent receiver failed for outbox message %s.", message.pk)
    return OutboxMessage.State.SENT


# Written at the start of ``last_error`` when an attempt's answer was never recorded after the
# email was handed to the SMTP server (the row goes again with the same Message-ID).
UNCERTAIN_NOTE = (
    "Handed to the SMTP server without an answer: it may have left, and goes again with the same Message-ID."
)


def secret_redaction() -> dict:
    """The field values that replace a secret email's content once it is sent: the text
    body becomes a short note; the HTML body, the headers (a digest's List-Unsubscribe
    carries a signed link) and any attachments are emptied. Recipient, kind, subject,
    state and times stay, as the record of what was sent."""
    return {"body_text": REDACTED_BODY, "body_html": "", "headers": {}, "attachments": []}


def outbox_handover(*, message_ids: list[int]) -> int:
    """Hand many rows to the broker in batches (``outbox.send_many``, ``OUTBOX_BATCH_SIZE``
    rows per task): one publish and one claim per batch instead of per email. Used for
    backlogs (the sweeper after an outage, bulk senders). Returns how many rows were handed
    over; stops at the first broker failure (the sweeper tries again next time)."""
    from outbox.tasks import outbox_send_many as outbox_send_many_task

    broker_pause_reset()
    size = max(1, settings.OUTBOX_BATCH_SIZE)
    handed = 0
    for start in range(0, len(message_ids), size):
        batch = list(message_ids[start : start + size])
        try:
            outbox_send_many_task.apply_async(args=[batch], retry=False)
        except Exception:  # noqa: BLE001 — the broker is down: leave the rows to the next sweep.
            logger.warning("Could not hand over %s outbox messages; the sweeper will retry.", len(batch), exc_info=True)
            break
        with _quick_commit():
            OutboxMessage.objects.filter(pk__in=batch, state__in=["queued", "retrying"]).update(
                enqueued_at=timezone.now()
            )
        handed += len(batch)
    return handed


def outbox_sweep(*, now=None, limit: int = 2000) -> dict[str, int]:
    """The periodic safety net (every minute, ``outbox.sweep`` in the beat schedule).

    1. Rows stuck in sending longer than ``OUTBOX_RECLAIM_AFTER_SECONDS`` (their worker died)
       go back to retrying, counting the attempt, so a message that kills workers ends failed;
       the error says whether the email may have left (it was stamped ``handed_at``) or not.
    2. Due rows the broker may not hold (never handed over because Redis was down, a retry
       that came due, or handed over so long ago that the task must be lost) are handed over.
    Returns counts, for logs and tests.
    """
    now = now or timezone.now()
    stuck = OutboxMessage.objects.stuck_sending(now=now, reclaim_after_seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS)
    reclaimed = 0
    for pk, attempts, handed_at in stuck.values_list("pk", "attempts", "handed_at")[:limit]:
        failed = attempts + 1 >= settings.OUTBOX_MAX_ATTEMPTS
        if handed_at is not None:
            error = f"{UNCERTAIN_NOTE} The worker was lost before it recorded the answer."
        else:
            error = "The worker was lost before it handed the email to the SMTP server: it has not left."
        # Conditional on the state, so a worker that finishes right now wins the race.
        reclaimed += stuck.filter(pk=pk).update(
            possibly_duplicated=True if handed_at is not None else F("possibly_duplicated"),
            state=OutboxMessage.State.FAILED if failed else OutboxMessage.State.RETRYING,
            attempts=F("attempts") + 1,
            next_attempt_at=None if failed else now,
            enqueued_at=None,
            last_error=error,
        )
    handover_ids = list(
        OutboxMessage.objects.needing_handover(
            now=now,
            grace_seconds=settings.OUTBOX_REQUEUE_GRACE_SECONDS,
            requeue_after_seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    enqueued = outbox_handover(message_ids=handover_ids)
    if reclaimed or handover_ids:
        logger.info("Outbox sweep: %s reclaimed, %s of %s handed over.", reclaimed, enqueued, len(handover_ids))
    return {"reclaimed": reclaimed, "enqueued": enqueued, "pending_handover": len(handover_ids)}


@transaction.atomic
def outbox_resend(*, message_ids: list[int]) -> int:
    """Put failed rows back in the queue (a coordinator's "resend"); returns how many.

    A row goes again exactly as it was written, to the same recipient: nothing about it can
    be changed on the way, so resending a secret email can never deliver it elsewhere."""
    ids = list(
        OutboxMessage.objects.filter(pk__in=message_ids, state=OutboxMessage.State.FAILED).values_list("pk", flat=True)
    )
    OutboxMessage.objects.filter(pk__in=ids, state=OutboxMessage.State.FAILED).update(
        state=OutboxMessage.State.QUEUED, attempts=0, next_attempt_at=None, enqueued_at=None, claimed_at=None
    )
    for pk in ids:
        transaction.on_commit(lambda pk=pk: outbox_enqueue(message_id=pk))
    return len(ids)
