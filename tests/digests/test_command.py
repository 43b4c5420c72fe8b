"""``manage.py send_digests`` runs the job by hand and says what it did."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from digests.models import DigestDelivery, DigestPreference, DigestRun, Frequency, period_for
from outbox.models import OutboxMessage
from tests.factories.digests import evidence, member

pytestmark = pytest.mark.django_db


def _send(*args) -> str:
    out = StringIO()
    call_command("send_digests", *args, stdout=out)
    return out.getvalue()


def test_send_digests_runs_and_reports(last_week, django_capture_on_commit_callbacks):
    member()
    member()
    member(themes=("housing",))
    member(frequency=Frequency.MONTHLY)
    evidence(published_at=last_week, themes=("climate-change",))

    with django_capture_on_commit_callbacks(execute=True):
        output = _send("--frequency", "weekly")

    assert f"weekly digests for {period_for('weekly', timezone.now()).key}" in output
    assert "members considered:             3" in output
    assert "digests queued:                 2" in output
    assert "skipped, nothing new:           1" in output
    assert "already delivered:              0" in output
    assert len(mail.outbox) == 2

    again = _send("--frequency", "weekly")
    assert "digests queued:                 0" in again
    assert "already delivered:              3" in again
    assert len(mail.outbox) == 2


def test_send_digests_dry_run_writes_nothing(last_week):
    member()
    evidence(published_at=last_week)

    output = _send("--dry-run")

    assert "[dry run] weekly digests" in output and "[dry run] monthly digests" in output
    assert "digests would be queued:        1" in output
    assert "Dry run: nothing was written or sent." in output
    assert not (DigestDelivery.objects.exists() or DigestRun.objects.exists() or DigestPreference.objects.exists())
    assert not OutboxMessage.objects.exists()


def test_send_digests_refuses_bad_arguments():
    with pytest.raises(CommandError):
        call_command("send_digests", "--frequency", "daily")
    with pytest.raises(CommandError):
        call_command("send_digests", "--batch-size", "0")
