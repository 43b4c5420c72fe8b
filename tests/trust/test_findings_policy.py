"""The security review's findings about who sees what (6, 7 and 8), each written as the
attack that worked before: they fail on the code before the one access policy."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence import services as evidence_services
from evidence.models import Consent, EvidenceRecord
from exchanges.models import Session
from network.models import Member
from practice.models import Guide
from tests.factories.evidence import EvidenceRecordFactory, story
from tests.factories.exchanges import ExchangeFactory
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory, member_for
from tests.factories.practice import make_guide

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


def _titles(response) -> list[str]:
    results = response.context["results"]
    return [hit.title.replace("<mark>", "").replace("</mark>", "") for hit in results.hits] if results else []


# --- finding 6: withdrawn consent is withdrawn everywhere ------------------------------------


def test_my_evidence_never_lists_a_withdrawn_or_expired_story_to_the_organisations_members(client, coordinator):
    """Before: /evidence/mine/ listed withdrawn and expired records to every member of the
    record's organisations."""
    organisation = OrganisationFactory()
    colleague = UserFactory(role="organiser")
    MembershipFactory(member=colleague.member, organisation=organisation)
    withdrawn = story(organisations=[organisation], status=EvidenceRecord.Status.DRAFT, title="Withdrawn draft")
    expired = story(organisations=[organisation], status=EvidenceRecord.Status.SUBMITTED, title="Expired story")
    kept = story(organisations=[organisation], status=EvidenceRecord.Status.DRAFT, title="Live draft")
    evidence_services.consent_withdraw(consent=withdrawn.consent, user=coordinator)
    Consent.objects.filter(record=expired).update(
        obtained_on=datetime.date(2020, 1, 1), expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(colleague)
    html = client.get(reverse("evidence:mine")).content.decode()
    assert kept.title in html
    assert withdrawn.title not in html and expired.title not in html
    for record in (withdrawn, expired):
        assert client.get(record.get_absolute_url()).status_code == 404


def test_the_anonymous_search_cache_drops_a_withdrawn_story_at_once(client, coordinator):
    """Before: the anonymous search cache kept showing a withdrawn story with its snippet for
    up to five minutes."""
    record = story(title="Tenants of Hjällbo won repairs", summary="A story of repairs.")
    assert _titles(client.get(SEARCH, {"q": "repairs"})) == [record.title]  # now cached
    evidence_services.consent_withdraw(consent=record.consent, user=coordinator)
    response = client.get(SEARCH, {"q": "repairs"})
    assert _titles(response) == []
    assert "A story of repairs" not in response.content.decode()


def test_a_consent_changed_in_the_admin_leaves_the_anonymous_search_at_once(client, coordinator):
    record = story(title="Kitchen table organising", summary="Neighbours at the table.")
    assert _titles(client.get(SEARCH, {"q": "kitchen"})) == [record.title]
    client.force_login(coordinator)
    consent = record.consent
    Consent.objects.get(pk=consent.pk)  # the admin saves the model: signals run
    consent.audience_public = False
    consent.save()
    client.logout()
    assert _titles(client.get(SEARCH, {"q": "kitchen"})) == []


# --- finding 7: published evidence is found ----------------------------------------------------


def test_evidence_published_by_the_workflow_is_found_at_once(client, coordinator):
    """Before: the publish step changed the status with an update and never indexed the record;
    it appeared only after a plain save() or search_reindex."""
    record = EvidenceRecordFactory(status=EvidenceRecord.Status.IN_REVIEW, title="Cooperative laundry outcome")
    assert _titles(client.get(SEARCH, {"q": "laundry"})) == []
    evidence_services.record_transition(record=record, user=coordinator, step="publish")
    assert _titles(client.get(SEARCH, {"q": "laundry"})) == [record.title]
    # And unpublishing (rejecting after a return is not possible; withdrawing consent is) goes too.


def test_evidence_published_from_the_admin_review_queue_is_found(client, coordinator):
    record = EvidenceRecordFactory(status=EvidenceRecord.Status.IN_REVIEW, title="Bicycle repair cafe outcome")
    client.force_login(coordinator)
    changelist = reverse("admin:evidence_reviewqueueitem_changelist")
    actions = client.get(changelist).context["action_form"].fields["action"].choices
    publish = next(name for name, _label in actions if "publish" in name)
    client.post(changelist, {"action": publish, "_selected_action": [record.pk]}, follow=True)
    record.refresh_from_db()
    assert record.status == EvidenceRecord.Status.PUBLISHED
    client.logout()
    assert _titles(client.get(SEARCH, {"q": "bicycle"})) == [record.title]


# --- finding 8: hidden profiles are never named in public ------------------------------------


def test_a_hidden_author_is_never_named_on_a_guide(client, organiser, coordinator):
    """Before: guide pages named every author, hidden profiles included."""
    hidden = UserFactory(role="organiser")
    member_for(hidden, display_name="Hidden Hanna", visibility=Member.Visibility.HIDDEN)
    members_only = UserFactory(role="organiser")
    member_for(members_only, display_name="Members Mo", visibility=Member.Visibility.MEMBERS)
    member_for(organiser, display_name="Public Pia", visibility=Member.Visibility.PUBLIC)
    guide = make_guide(author=organiser, coordinator=coordinator, status=Guide.Status.PUBLISHED, language="en")
    guide.authors.add(hidden.member, members_only.member)
    html = client.get(guide.get_absolute_url()).content.decode()
    assert "Public Pia" in html
    assert "Hidden Hanna" not in html and "Members Mo" not in html
    assert "2 network members" in html
    client.force_login(UserFactory(role="organiser"))
    html = client.get(guide.get_absolute_url()).content.decode()
    assert "Members Mo" in html and "Hidden Hanna" not in html and "one network member" in html


def test_a_hidden_facilitator_is_never_named_on_an_exchange(client):
    """Before: exchange programmes named every session facilitator, hidden profiles included."""
    exchange = ExchangeFactory()
    session = Session.objects.create(
        exchange=exchange,
        title="Power mapping",
        starts_at=exchange.starts_at,
        ends_at=exchange.starts_at + datetime.timedelta(hours=1),
    )
    hidden = UserFactory(role="organiser")
    member_for(hidden, display_name="Hidden Hanna", visibility=Member.Visibility.HIDDEN)
    public = UserFactory(role="organiser")
    member_for(public, display_name="Public Pia", visibility=Member.Visibility.PUBLIC)
    session.facilitators.add(hidden.member, public.member)
    html = client.get(exchange.get_absolute_url()).content.decode()
    assert "Public Pia" in html and "Hidden Hanna" not in html and "one network member" in html
    client.force_login(UserFactory(role="organiser"))
    html = client.get(exchange.get_absolute_url()).content.decode()
    assert "Hidden Hanna" not in html
