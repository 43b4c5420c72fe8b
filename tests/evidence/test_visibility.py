"""visible_to(viewer) is the one rule for who reads what: status, visibility, consent and role."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core.policy import viewer_for
from evidence.models import EvidenceRecord
from tests.factories.evidence import ConsentFactory, EvidenceRecordFactory, story

pytestmark = pytest.mark.django_db
Status, Visibility = EvidenceRecord.Status, EvidenceRecord.Visibility


def visible(user):
    return set(EvidenceRecord.objects.visible_to(viewer_for(user)).values_list("pk", flat=True))


def test_anonymous_sees_only_published_public_records():
    public = EvidenceRecordFactory()
    EvidenceRecordFactory(visibility=Visibility.FUNDERS)
    EvidenceRecordFactory(visibility=Visibility.NETWORK)
    EvidenceRecordFactory(status=Status.DRAFT)
    assert visible(AnonymousUser()) == {public.pk}


def test_funder_sees_funders_and_public_never_drafts_or_network_only(funder):
    public = EvidenceRecordFactory()
    for_funders = EvidenceRecordFactory(visibility=Visibility.FUNDERS)
    EvidenceRecordFactory(visibility=Visibility.NETWORK)
    EvidenceRecordFactory(status=Status.DRAFT, visibility=Visibility.PUBLIC)
    EvidenceRecordFactory(status=Status.SUBMITTED, visibility=Visibility.PUBLIC)
    assert visible(funder) == {public.pk, for_funders.pk}


def test_funder_never_sees_a_story_whose_consent_excludes_funders(funder, organiser):
    network_only = story(consent={"audience_funders": False, "audience_public": False})
    allowed = story(consent={"audience_funders": True, "audience_public": False})
    assert visible(funder) == {allowed.pk}
    assert network_only.pk in visible(organiser)


def test_stricter_of_visibility_and_consent_wins_for_the_public(funder):
    record = story(visibility=Visibility.PUBLIC, consent={"audience_public": False, "audience_funders": True})
    assert visible(AnonymousUser()) == set()
    assert visible(funder) == {record.pk}
    narrow = story(visibility=Visibility.NETWORK, consent={"audience_public": True})
    assert narrow.pk not in visible(AnonymousUser())
    assert narrow.pk not in visible(funder)


def test_story_without_consent_is_shown_to_no_one(organiser, coordinator):
    record = EvidenceRecordFactory(kind=EvidenceRecord.Kind.STORY)
    assert record.pk not in visible(organiser)
    assert record.pk not in visible(coordinator)
    assert record.pk not in visible(AnonymousUser())


def test_withdrawn_or_expired_consent_hides_the_record_from_everyone(organiser, coordinator, funder):
    withdrawn = story()
    withdrawn.consent.withdrawn_at = timezone.now()
    withdrawn.consent.save()
    expired = story(consent={"expires_on": timezone.localdate() - datetime.timedelta(days=1)})
    still_valid = story(consent={"expires_on": timezone.localdate()})
    for user in (organiser, coordinator, funder, AnonymousUser()):
        assert withdrawn.pk not in visible(user)
        assert expired.pk not in visible(user)
        assert still_valid.pk in visible(user)


def test_coordinators_see_every_status_and_visibility(coordinator):
    draft = EvidenceRecordFactory(status=Status.DRAFT, visibility=Visibility.NETWORK)
    submitted = EvidenceRecordFactory(status=Status.SUBMITTED)
    assert {draft.pk, submitted.pk} <= visible(coordinator)


def test_network_members_see_all_published_but_only_their_own_drafts(organiser_member, other_member, org, other_org):
    network = EvidenceRecordFactory(visibility=Visibility.NETWORK)
    own_draft = EvidenceRecordFactory(status=Status.DRAFT, created_by=organiser_member)
    org_draft = EvidenceRecordFactory(status=Status.RETURNED, organisations=[org])
    other_draft = EvidenceRecordFactory(status=Status.DRAFT, organisations=[other_org], created_by=other_member)
    seen = visible(organiser_member)
    assert {network.pk, own_draft.pk, org_draft.pk} <= seen
    assert other_draft.pk not in seen
    assert other_draft.pk in visible(other_member)


def test_funder_who_belongs_to_an_organisation_never_sees_its_drafts(funder, org):
    from tests.factories.network import MembershipFactory

    MembershipFactory(member=funder.member, organisation=org)
    draft = EvidenceRecordFactory(status=Status.DRAFT, organisations=[org], created_by=funder)
    assert draft.pk not in visible(funder)


def test_display_follows_identity_level():
    record = story(consent={"person_name": "Amina Yusuf Hassan", "identity_level": "named"})
    assert record.storyteller_display == "Amina Yusuf Hassan"
    record.consent.identity_level = "first_name"
    assert record.consent.display_name == "Amina"
    record.consent.identity_level = "pseudonym"
    record.consent.pseudonym = "Rosa"
    assert record.consent.display_name == "Rosa"
    record.consent.identity_level = "anonymous"
    assert "Amina" not in record.consent.display_name


def test_consent_record_is_required_only_for_people_kinds(organiser):
    outcome = EvidenceRecordFactory(kind=EvidenceRecord.Kind.OUTCOME)
    media = EvidenceRecordFactory(kind=EvidenceRecord.Kind.MEDIA)
    ConsentFactory(record=media, audience_public=False, audience_funders=False)
    assert outcome.pk in visible(AnonymousUser())
    assert media.pk not in visible(AnonymousUser())
    assert media.pk in visible(organiser)
