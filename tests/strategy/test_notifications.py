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


def test_publishing_a_new_version_emails_the_opted_in_members_in_their_language(
    coordinator, django_capture_on_commit_callbacks
):
    swedish, english, quiet = UserFactory(), UserFactory(), UserFactory()
    member_for(swedish, preferred_language="sv")
    member_for(english, preferred_language="en")
    document, _v1, v2, _round = strategy_make(coordinator=coordinator)
    # Opting in after v1 was published: only v2's publication concerns these members.
    DigestPreference.objects.create(user=swedish, send_consultations=True)
    DigestPreference.objects.create(user=english, send_consultations=True)
    DigestPreference.objects.create(user=quiet)
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=v2, note="Fees replaced by grants")
        # Publishing again changes nothing and sends nothing.
        services.version_publish(version=v2)
    emails = {e.to: e for e in OutboxMessage.objects.filter(kind="digests_version_published")}
    assert set(emails) == {swedish.email, english.email}
    sv, en = emails[swedish.email], emails[english.email]
    assert sv.language == "sv" and en.language == "en"
    assert sv.subject == "En ny version av strategin: Att hålla Learning Lab vid liv (version 2)"
    assert "Sustaining the Learning Lab" in en.subject
    assert f"/sv/strategy/{document.slug}/" in sv.body_text
    assert "Fees replaced by grants" in en.body_text and "Fees replaced by grants" in en.body_html
    assert "/strategy/sustaining/" in en.body_html


def test_publishing_the_first_version_emails_nobody_who_did_not_opt_in(coordinator, django_capture_on_commit_callbacks):
    DigestPreference.objects.create(user=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        strategy_make(coordinator=coordinator, open_round=False)
    assert not OutboxMessage.objects.filter(kind="digests_version_published").exists()
