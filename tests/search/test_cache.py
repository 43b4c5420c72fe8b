"""Cached anonymous searches (``core.cache``): every change to state, visibility or consent of
anything searchable leaves the results on the very next search, through every path (services,
admin actions, plain saves, time passing); what a signed-in person finds is never shared."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence import services as evidence_services
from evidence.models import EvidenceRecord
from exchanges.models import Exchange
from practice import services as practice_services
from practice.models import Guide, JointAction
from tests.factories.evidence import EvidenceRecordFactory, story
from tests.factories.exchanges import ExchangeFactory
from tests.factories.practice import JointActionFactory, make_guide

pytestmark = pytest.mark.django_db
SEARCH = reverse("search:index")


def found(client, q: str) -> list[str]:
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == 200
    results = response.context["results"]
    return [hit.title.replace("<mark>", "").replace("</mark>", "") for hit in results.hits] if results else []


def _cached(client, q: str, title: str) -> None:
    """Search twice: the second answer comes from the cache."""
    assert found(client, q) == [title]
    assert found(client, q) == [title]


def test_consent_that_expires_leaves_the_search_when_the_day_changes(client, monkeypatch):
    expires_on = timezone.localdate()
    story(title="Laundry cooperative story", consent={"expires_on": expires_on})
    _cached(client, "laundry", "Laundry cooperative story")
    # Noon (UTC) of the next day: the day has changed in every European time zone, whatever the
    # hour the test runs at (an hour before midnight UTC, "now + 1 day" could be two days on).
    later = datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time(12), tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert found(client, "laundry") == []


def test_consent_withdrawn_by_an_admin_action_leaves_the_search_at_once(client, coordinator):
    record = story(title="Homework club story")
    _cached(client, "homework", "Homework club story")
    client.force_login(coordinator)
    client.post(
        reverse("admin:evidence_consent_changelist"), {"action": "withdraw", "_selected_action": [record.consent.pk]}
    )
    client.logout()
    assert found(client, "homework") == []


def test_evidence_narrowed_by_an_admin_action_leaves_the_search_at_once(client, coordinator):
    record = EvidenceRecordFactory(title="Tenants repair outcome")
    _cached(client, "repair", "Tenants repair outcome")
    client.force_login(coordinator)
    client.post(
        reverse("admin:evidence_evidencerecord_changelist"),
        {"action": "visibility_network", "_selected_action": [record.pk]},
    )
    assert EvidenceRecord.objects.get(pk=record.pk).visibility == EvidenceRecord.Visibility.NETWORK
    client.logout()
    assert found(client, "repair") == []


def test_an_archived_guide_leaves_the_search_at_once(client, organiser, coordinator):
    guide = make_guide(
        author=organiser, coordinator=coordinator, title="Doorstep conversations", status=Guide.Status.PUBLISHED
    )
    _cached(client, "doorstep", "Doorstep conversations")
    practice_services.guide_archive(guide=guide, user=coordinator)
    assert found(client, "doorstep") == []


def test_an_exchange_taken_back_to_draft_leaves_the_search_at_once(client):
    exchange = ExchangeFactory(title="Allotment gardens visit")
    _cached(client, "allotment", "Allotment gardens visit")
    exchange.status = Exchange.Status.DRAFT
    exchange.save()
    assert found(client, "allotment") == []


def test_a_joint_action_taken_back_to_draft_leaves_the_search_at_once(client):
    action = JointActionFactory(title="Warm homes campaign")
    _cached(client, "warm", "Warm homes campaign")
    action.status = JointAction.Status.DRAFT
    action.save()  # as the admin's change form does
    assert found(client, "warm") == []


def test_what_a_member_finds_is_never_served_to_anyone_else(client, organiser):
    EvidenceRecordFactory(title="Network bicycle outcome", visibility=EvidenceRecord.Visibility.NETWORK)
    client.force_login(organiser)
    assert found(client, "bicycle") == ["Network bicycle outcome"]
    client.logout()
    assert found(client, "bicycle") == []
    assert found(client, "bicycle") == []
    client.force_login(organiser)
    assert found(client, "bicycle") == ["Network bicycle outcome"]


def test_a_story_published_by_the_workflow_is_found_on_the_next_search(client, coordinator):
    record = story(title="Community kitchen story", status=EvidenceRecord.Status.IN_REVIEW)
    assert found(client, "kitchen") == []
    assert found(client, "kitchen") == []
    evidence_services.record_transition(record=record, user=coordinator, step="publish")
    assert found(client, "kitchen") == ["Community kitchen story"]
