"""The email when a consultation opens: only to members who opted in, in their language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from digests.models import DigestPreference
from outbox.models import OutboxMessage
from strategy import services
from tests.factories.network import UserFactory, member_for
from tests.factories.strategy import strategy_make

pytestmark = pytest.mark.django_db


def test_a_consultation_opening_emails_only_the_members_who_opted_in(coordinator, django_capture_on_commit_callbacks):
    swedish, quiet, gone = UserFactory(), UserFactory(), UserFactory()
    member_for(swedish, preferred_language="sv")
    DigestPreference.objects.create(user=swedish, send_consultations=True)
    DigestPreference.objects.create(user=quiet)
    DigestPreference.objects.create(user=gone, send_consultations=True, unsubscribed_at=timezone.now())
    document, _v1, v2, _round = strategy_make(coordinator=coordinator, open_round=False)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        consultation = services.round_open(
            version=v2, opens_at=now, closes_at=now + timedelta(days=10), questions={}, by=coordinator
        )
    emails = list(OutboxMessage.objects.filter(kind="digests_consultation_opened"))
    assert [(e.to, e.language) for e in emails] == [(swedish.email, "sv")]
    assert "Att hålla Learning Lab vid liv" in emails[0].subject
    assert f"/sv/strategy/{document.slug}/" in emails[0].body_text
    assert consultation.pk
