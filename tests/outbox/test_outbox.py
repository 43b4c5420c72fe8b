"""The outbox: rows written in the caller's transaction, sent once after commit, retried
with capped backoff, swept, resent; emails multipart with absolute links and no remote
images."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from outbox import services
from outbox.models import OutboxMessage
from outbox.services import Attachment, email_queue, email_queue_rendered, outbox_send, outbox_sweep
from tests.factories.network import UserFactory, member_for

pytestmark = pytest.mark.django_db

TEMPORARY = "tests.outbox.backends.TemporaryFailureBackend"
PERMANENT = "tests.outbox.backends.PermanentFailureBackend"
REFUSED = "tests.outbox.backends.ConnectionRefusedBackend"


def _queue(key="k1", to="anna@example.org", **extra):
    return email_queue_rendered(
        to=to,
        kind="test",
        subject="Hello",
        text="Hello there\n",
        html="<p>Hello there</p>",
        language="en",
        idempotency_key=key,
        **extra,
    )


def test_row_is_written_in_the_transaction_and_sent_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = _queue()
        assert OutboxMessage.objects.filter(pk=message.pk, state="queued").exists()
        assert mail.outbox == []
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.state == "sent" and message.attempts == 1 and message.sent_at is not None
    assert message.enqueued_at is None  # sent eagerly before the hand-over was recorded
    assert len(mail.outbox) == 1


def test_a_rolled_back_action_leaves_no_row_and_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("the action failed")
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_the_same_idempotency_key_writes_one_row_and_sends_one_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue(key="reminder:1")
        second = _queue(key="reminder:1")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_email_is_multipart_with_attachments_and_a_stable_message_id(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(attachments=[Attachment("event.ics", b"BEGIN:VCALENDAR", "text/calendar")])
    sent = mail.outbox[0]
    assert sent.body == "Hello there\n"
    assert sent.alternatives[0][1] == "text/html"
    assert sent.attachments[0][0] == "event.ics"
    assert sent.extra_headers["X-Learning-Lab-Kind"] == "test"
    assert re.fullmatch(rf"<outbox\.{message.pk}\.[0-9a-f]{{16}}@[\w.-]+>", sent.extra_headers["Message-ID"])
    raw = sent.message().as_string()
    assert "multipart/mixed" in raw and "multipart/alternative" in raw


def test_template_triplet_renders_in_the_recipients_language_with_absolute_links_and_inline_css(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="lars@example.org")
    member_for(user, preferred_language="sv")
    language = services.language_for(user=user)
    assert language == "sv"
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            to=user.email,
            kind="invitation",
            template="invitations/emails/invitation",
            context={"name": "Lars", "accept_url": services.absolute_url("/sv/x/"), "ttl_days": 14},
            language=language,
            idempotency_key="triplet",
            user=user,
        )
    sent = mail.outbox[0]
    html = sent.alternatives[0][0]
    assert "Du är inbjuden" in sent.subject
    assert 'lang="sv"' in html
    assert "http://testserver/sv/x/" in sent.body and 'href="http://testserver/sv/x/"' in html
    # No remote images, no stylesheets or style blocks a client might strip: inline CSS only.
    assert "<img" not in html and "<link" not in html and "<style" not in html
    assert 'style="' in html
    assert all(href.startswith(("http://testserver", "https://")) for href in re.findall(r'href="([^"]+)"', html))


def test_language_for_an_unknown_address_falls_back_to_the_request_language():
    assert services.language_for(email="nobody@example.org", default="nl") == "nl"
    assert services.language_for(email="nobody@example.org", default="de") == "en"
    assert services.language_for(email="nobody@example.org") == "en"


def _send_with(backend, message):
    with override_settings(EMAIL_BACKEND=backend):
        services.connection_drop()
        try:
            return outbox_send(message_id=message.pk)
        finally:
            services.connection_drop()


def _queued_row(**fields):
    with transaction.atomic():
        # Written without its after-commit hand-over, as if Redis had been down.
        message = OutboxMessage.objects.create(
            idempotency_key=fields.pop("idempotency_key", "row"),
            kind="test",
            to="anna@example.org",
            subject="Hi",
            body_text="Hi",
            **fields,
        )
    return message


def test_a_temporary_smtp_failure_is_retried_with_exponential_backoff_then_fails_after_the_last_attempt():
    message = _queued_row()
    before = timezone.now()
    assert _send_with(TEMPORARY, message) == "retrying"
    message.refresh_from_db()
    assert message.attempts == 1 and "451" in message.last_error
    assert timedelta(seconds=29) < message.next_attempt_at - before < timedelta(seconds=35)
    delays = [services.backoff_seconds(n) for n in range(1, 10)]
    assert delays[:4] == [30, 60, 120, 240] and max(delays) == 3600
    # Not due yet: a second worker skips it.
    assert _send_with(TEMPORARY, message) == "skipped"
    for attempt in range(2, 7):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        result = _send_with(TEMPORARY, message)
        assert result == ("failed" if attempt == 6 else "retrying")
    message.refresh_from_db()
    assert message.state == "failed" and message.attempts == 6 and message.next_attempt_at is None


def test_a_refused_connection_is_temporary():
    message = _queued_row()
    assert _send_with(REFUSED, message) == "retrying"


def test_a_permanent_refusal_fails_at_once_with_the_error_recorded():
    message = _queued_row()
    assert _send_with(PERMANENT, message) == "failed"
    message.refresh_from_db()
    assert message.state == "failed" and message.attempts == 1 and "550" in message.last_error


def test_a_row_is_sent_once_however_many_tasks_run_for_it():
    message = _queued_row()
    assert outbox_send(message_id=message.pk) == "sent"
    assert outbox_send(message_id=message.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_row_claimed_by_another_worker_is_skipped():
    message = _queued_row(state="sending", claimed_at=timezone.now())
    assert outbox_send(message_id=message.pk) == "skipped"
    assert mail.outbox == []


def test_the_sweeper_hands_over_rows_that_never_reached_the_broker(django_capture_on_commit_callbacks):
    old = _queued_row(idempotency_key="old")
    fresh = _queued_row(idempotency_key="fresh")
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    result = outbox_sweep()
    assert result["enqueued"] == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.state == "sent" and fresh.state == "queued"
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]


def test_the_sweeper_leaves_recently_handed_over_rows_to_the_broker_and_requeues_lost_ones():
    now = timezone.now()
    recent = _queued_row(idempotency_key="recent", enqueued_at=now - timedelta(seconds=30))
    lost = _queued_row(idempotency_key="lost", enqueued_at=now - timedelta(hours=1))
    OutboxMessage.objects.update(created_at=now - timedelta(hours=2))
    assert outbox_sweep()["enqueued"] == 1
    recent.refresh_from_db()
    lost.refresh_from_db()
    assert recent.state == "queued" and lost.state == "sent"


def test_the_sweeper_retries_due_rows_only():
    now = timezone.now()
    due = _queued_row(idempotency_key="due", state="retrying", attempts=1, next_attempt_at=now - timedelta(seconds=1))
    later = _queued_row(
        idempotency_key="later", state="retrying", attempts=1, next_attempt_at=now + timedelta(minutes=5)
    )
    outbox_sweep()
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.state == "sent" and due.attempts == 2
    assert later.state == "retrying"


def test_the_sweeper_reclaims_rows_stuck_in_sending_and_a_late_worker_cannot_overwrite_them(settings):
    now = timezone.now()
    stuck = _queued_row(
        idempotency_key="stuck",
        state="sending",
        claimed_at=now - timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS + 1),
    )
    busy = _queued_row(idempotency_key="busy", state="sending", claimed_at=now - timedelta(seconds=5))
    result = outbox_sweep()
    assert result["reclaimed"] == 1
    stuck.refresh_from_db()
    busy.refresh_from_db()
    # Taken back, counted as an attempt, and sent again by the same sweep.
    assert stuck.state == "sent" and stuck.attempts == 2
    assert busy.state == "sending"


def test_a_row_that_keeps_killing_workers_ends_failed(settings):
    old = timezone.now() - timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS + 1)
    message = _queued_row(state="sending", claimed_at=old, handed_at=old, attempts=settings.OUTBOX_MAX_ATTEMPTS - 1)
    outbox_sweep()
    message.refresh_from_db()
    assert message.state == "failed" and "may have left" in message.last_error


def test_a_row_whose_worker_died_after_handing_it_to_smtp_goes_again_with_the_same_message_id(settings):
    old = timezone.now() - timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS + 1)
    handed = _queued_row(idempotency_key="handed", state="sending", claimed_at=old, handed_at=old)
    unhanded = _queued_row(idempotency_key="unhanded", state="sending", claimed_at=old)
    outbox_sweep()
    handed.refresh_from_db()
    unhanded.refresh_from_db()
    assert (handed.state, handed.attempts, unhanded.state, unhanded.attempts) == ("sent", 2, "sent", 2)
    # The coordinators' record says which one may have reached its recipient twice...
    assert (handed.possibly_duplicated, unhanded.possibly_duplicated) == (True, False)
    # ...and both went with the Message-ID of their row, as every attempt does.
    sent_ids = sorted(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert sent_ids == sorted(services.message_build(m).extra_headers["Message-ID"] for m in (handed, unhanded))


def test_a_worker_terminated_during_an_smtp_transaction_leaves_that_row_to_the_sweeper_not_to_the_queue():
    from tests.outbox.backends import TerminatedOnSecondBackend

    TerminatedOnSecondBackend.calls = 0
    rows = [_queued_row(idempotency_key=f"term{n}") for n in range(4)]
    with override_settings(EMAIL_BACKEND="tests.outbox.backends.TerminatedOnSecondBackend"):
        services.connection_drop()
        with pytest.raises(SystemExit):
            services.outbox_send_many(message_ids=[r.pk for r in rows])
        services.connection_drop()
    found = [OutboxMessage.objects.get(pk=r.pk) for r in rows]
    # Sent; in flight when terminated (it may have left: never put back as unsent); and two
    # never handed over, back in the queue at once.
    assert [m.state for m in found] == ["sent", "sending", "queued", "queued"]
    assert found[1].handed_at is not None and [m.handed_at for m in found[2:]] == [None, None]
    # The sweeper takes it back later as an attempt that may have left (tested above).
    assert not any(m.possibly_duplicated for m in found)


def test_a_batch_stops_starting_emails_at_half_its_soft_time_limit_and_hands_the_rest_over(settings):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 0  # no time for a second email in any batch
    rows = [_queued_row(idempotency_key=f"budget{n}") for n in range(3)]
    results = services.outbox_send_many(message_ids=[r.pk for r in rows])
    # The first went in this task; the others were released and handed over as new tasks
    # (which the test settings run in-process, one email each).
    assert results == {rows[0].pk: "sent"}
    assert OutboxMessage.objects.filter(pk__in=[r.pk for r in rows], state="sent").count() == 3
    assert len(mail.outbox) == 3


def test_resend_puts_failed_rows_back_and_sends_them(django_capture_on_commit_callbacks):
    failed = _queued_row(idempotency_key="failed", state="failed", attempts=6, last_error="550")
    sent = _queued_row(idempotency_key="sent", state="sent", attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_resend(message_ids=[failed.pk, sent.pk]) == 1
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.state == "sent" and failed.attempts == 1
    assert len(mail.outbox) == 1


def test_a_batch_claims_only_due_rows_and_sends_them_in_order():
    rows = [_queued_row(idempotency_key=f"batch{n}") for n in range(4)]
    OutboxMessage.objects.filter(pk=rows[1].pk).update(state="sending", claimed_at=timezone.now())
    OutboxMessage.objects.filter(pk=rows[2].pk).update(state="sent")
    results = services.outbox_send_many(message_ids=[r.pk for r in rows])
    assert results == {rows[0].pk: "sent", rows[3].pk: "sent"}
    assert len(mail.outbox) == 2


def test_a_batch_stopped_by_its_time_limit_releases_the_rows_it_did_not_start():
    from celery.exceptions import SoftTimeLimitExceeded

    from tests.outbox.backends import SoftTimeLimitOnSecondBackend

    SoftTimeLimitOnSecondBackend.calls = 0
    rows = [_queued_row(idempotency_key=f"limit{n}") for n in range(4)]
    with override_settings(EMAIL_BACKEND="tests.outbox.backends.SoftTimeLimitOnSecondBackend"):
        services.connection_drop()
        with pytest.raises(SoftTimeLimitExceeded):
            services.outbox_send_many(message_ids=[r.pk for r in rows])
        services.connection_drop()
    states = [OutboxMessage.objects.get(pk=r.pk).state for r in rows]
    # Sent, interrupted (retried later), and two never started: back in the queue at once.
    assert states == ["sent", "retrying", "queued", "queued"]
    assert OutboxMessage.objects.filter(state="sending").count() == 0


def test_the_sweeper_hands_a_backlog_over_in_batches(settings):
    settings.OUTBOX_BATCH_SIZE = 2
    old = timezone.now() - timedelta(minutes=5)
    rows = [_queued_row(idempotency_key=f"backlog{n}") for n in range(5)]
    OutboxMessage.objects.update(created_at=old)
    assert outbox_sweep()["enqueued"] == 5
    assert OutboxMessage.objects.filter(pk__in=[r.pk for r in rows], state="sent").count() == 5


def test_a_bulk_sender_can_hand_its_rows_over_in_batches_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        rows = [
            email_queue_rendered(
                to=f"p{n}@example.org",
                kind="digest",
                subject="Digest",
                text="News\n",
                html="<p>News</p>",
                language="en",
                idempotency_key=f"digest:{n}",
                enqueue=False,
            )
            for n in range(3)
        ]
        ids = [r.pk for r in rows]
        transaction.on_commit(lambda: services.outbox_handover(message_ids=ids))
    assert len(callbacks) == 1
    assert OutboxMessage.objects.filter(pk__in=ids, state="sent").count() == 3
    assert len(mail.outbox) == 3


def _rendered(n: int, **extra) -> services.RenderedEmail:
    return services.RenderedEmail(
        to=f"p{n}@example.org",
        kind="digest",
        subject=f"Digest   {n}\n",
        text=f"News {n}\n",
        html=f"<p>News {n}</p>",
        language="sv",
        idempotency_key=f"digest:{n}",
        headers={"List-Unsubscribe": f"<https://example.org/u/{n}/>"},
        **extra,
    )


def test_many_emails_are_written_in_a_few_queries_and_handed_over_after_commit(
    django_capture_on_commit_callbacks, django_assert_max_num_queries, settings
):
    settings.OUTBOX_BATCH_SIZE = 10
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        # Savepoint, the existing keys, one insert, the ids, release: whatever the count.
        with django_assert_max_num_queries(5):
            ids = services.email_queue_many(emails=[_rendered(n) for n in range(25)])
        assert OutboxMessage.objects.filter(state="queued").count() == 25
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert sorted(ids) == sorted(f"digest:{n}" for n in range(25))
    assert OutboxMessage.objects.filter(pk__in=ids.values(), state="sent").count() == 25
    row = OutboxMessage.objects.get(pk=ids["digest:7"])
    assert (row.to, row.subject, row.language, row.body_text) == ("p7@example.org", "Digest 7", "sv", "News 7\n")
    sent = next(m for m in mail.outbox if m.to == ["p7@example.org"])
    assert sent.extra_headers["List-Unsubscribe"] == "<https://example.org/u/7/>"
    assert sent.alternatives[0][0] == "<p>News 7</p>"


def test_many_emails_keep_rows_that_already_exist_and_send_them_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.email_queue_many(emails=[_rendered(1), _rendered(2)])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = services.email_queue_many(
            emails=[_rendered(1, user_id=None), _rendered(3)]
            + [services.RenderedEmail(**{**_rendered(2).__dict__, "text": "Changed\n"})]
        )
    assert again["digest:1"] == first["digest:1"] and again["digest:2"] == first["digest:2"]
    assert OutboxMessage.objects.get(pk=first["digest:2"]).body_text == "News 2\n"
    assert OutboxMessage.objects.count() == 3
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["p1@example.org", "p2@example.org", "p3@example.org"]


def test_many_emails_rolled_back_with_the_caller_leave_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.email_queue_many(emails=[_rendered(n) for n in range(3)])
        raise RuntimeError("the batch failed")
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []
    assert services.email_queue_many(emails=[]) == {}
