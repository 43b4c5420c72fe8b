"""What each app's erasure keeps and how its pages show it afterwards: stories told about
oneself, anonymous self-assessment answers, guides and exchanges of a former member."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.policy import viewer_for
from evidence.models import Answer, Consent, EvidenceRecord, Question, Response, Revision
from evidence.services import record_changed
from exchanges.models import Registration
from network.services import account_delete
from practice.models import Guide
from tests.factories.evidence import CommunityFactory, RoundFactory
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory, SessionFactory
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.practice import make_guide

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Navet i Bergsjön", slug="navet")


def story_post(org, **extra):
    data = {
        "title": "How I found my voice",
        "summary": "From silent neighbour to spokesperson.",
        "body": "I spoke at the housing meeting.",
        "why_it_matters": "Nobody had asked me before.",
        "layer": "process",
        "organisations": [org.pk],
        "countries": ["SE"],
        "original_language": "en",
        "visibility": "public",
        "consent-person_name": "Fatima Ali",
        "consent-identity_level": "named",
        "consent-audience_network": "on",
        "consent-audience_public": "on",
        "consent-obtained_on": "2025-03-01",
        "consent-method": "digital",
    }
    data.update(extra)
    return data


# --- Stories told about oneself --------------------------------------------------------------


def test_the_author_marks_a_story_as_their_own_on_the_form(client, organiser, org):
    MembershipFactory(member=organiser.member, organisation=org)
    client.force_login(organiser)
    form = client.get(reverse("evidence:create", args=["story"])).content.decode()
    assert 'name="consent-own_story"' in form
    response = client.post(reverse("evidence:create", args=["story"]), story_post(org, **{"consent-own_story": "on"}))
    assert response.status_code == 302
    consent = EvidenceRecord.objects.get().consent
    assert consent.storyteller == organiser
    assert Revision.objects.get(action="consent").changes["consent"]["own_story"] == [None, True]


def test_a_story_about_someone_else_names_no_storyteller(client, organiser, org):
    MembershipFactory(member=organiser.member, organisation=org)
    client.force_login(organiser)
    client.post(reverse("evidence:create", args=["story"]), story_post(org))
    assert EvidenceRecord.objects.get().consent.storyteller is None


def test_editing_someone_elses_own_story_keeps_its_storyteller(client, organiser, coordinator, org):
    MembershipFactory(member=organiser.member, organisation=org)
    client.force_login(organiser)
    client.post(reverse("evidence:create", args=["story"]), story_post(org, **{"consent-own_story": "on"}))
    record = EvidenceRecord.objects.get()
    client.force_login(coordinator)
    form = client.get(reverse("evidence:edit", args=[record.pk])).context["consent_form"]
    assert form["own_story"].value() is True
    response = client.post(
        reverse("evidence:edit", args=[record.pk]), story_post(org, **{"consent-own_story": "on", "title": "Edited"})
    )
    assert response.status_code == 302
    assert Consent.objects.get(record=record).storyteller == organiser
    # Unticked, the story is nobody's own any more.
    client.post(reverse("evidence:edit", args=[record.pk]), story_post(org, title="Edited again"))
    assert Consent.objects.get(record=record).storyteller is None


def test_coordinators_name_the_storyteller_in_the_admin(client, coordinator, organiser, org):
    from tests.factories.evidence import story

    record = story(organisations=[org])
    client.force_login(coordinator)
    assert client.get(f"/admin/evidence/consent/{record.consent.pk}/change/").status_code == 200
    html = client.get(f"/admin/evidence/evidencerecord/{record.pk}/change/").content.decode()
    assert "consent-0-storyteller" in html


def test_deleting_the_account_takes_ones_own_story_offline_everywhere(client, organiser, org):
    MembershipFactory(member=organiser.member, organisation=org)
    client.force_login(organiser)
    client.post(reverse("evidence:create", args=["story"]), story_post(org, **{"consent-own_story": "on"}))
    record = EvidenceRecord.objects.get()
    EvidenceRecord.objects.filter(pk=record.pk).update(
        status=EvidenceRecord.Status.PUBLISHED, published_at=timezone.now()
    )
    # What the publishing service says after its own update(): caches, the search index and
    # the rollups (which the library's unfiltered count reads) follow.
    record_changed(record)
    client.logout()
    assert client.get(record.get_absolute_url()).status_code == 200
    assert "How I found my voice" in client.get(reverse("evidence:index")).content.decode()

    account_delete(user=organiser)

    assert client.get(record.get_absolute_url()).status_code == 404
    assert "How I found my voice" not in client.get(reverse("evidence:index")).content.decode()
    assert not EvidenceRecord.objects.visible_to(viewer_for(UserFactory())).filter(pk=record.pk).exists()
    consent = Consent.objects.get(record=record)
    assert consent.person_name == "" and consent.identity_level == Consent.IdentityLevel.ANONYMOUS
    # The name is gone from the consent's history too.
    assert "Fatima Ali" not in str(list(Revision.objects.filter(record=record).values_list("changes", flat=True)))


# --- Self-assessment --------------------------------------------------------------------------


def _respond(round_obj, user, score, comment):
    questions = Question.objects.filter(dimension__framework=round_obj.framework)
    response = Response.objects.create(round=round_obj, respondent=user, group="organiser")
    Answer.objects.bulk_create([Answer(response=response, question=q, score=score, comment=comment) for q in questions])


def test_self_assessment_answers_stay_as_anonymous_aggregates(client_as, org):
    round_obj = RoundFactory(community=CommunityFactory(organisations=[org]))
    leavers = [UserFactory() for _ in range(2)]
    for n, user in enumerate(leavers):
        _respond(round_obj, user, 4, f"Leaver comment {n}")
    stayer = UserFactory()
    _respond(round_obj, stayer, 1, "Stayer comment")
    url = reverse("evidence:round_results", args=[round_obj.pk])
    before = client_as("coordinator").get(url).context["results"]

    # Two respondents of one round leave: both responses lose their respondent (the unique
    # constraint allows several anonymous responses per round).
    for user in leavers:
        account_delete(user=user)

    response = client_as("coordinator").get(url)
    after = response.context["results"]
    assert after["table"] == before["table"] and after["respondents"] == 3
    html = response.content.decode()
    assert "Stayer comment" in html and "Leaver comment" not in html
    assert Response.objects.filter(round=round_obj, respondent__isnull=True).count() == 2
    assert client_as("coordinator").get("/admin/evidence/response/").status_code == 200
    # The one who stays can still change their answers.
    stayer_client = client_as("anonymous")
    stayer_client.force_login(stayer)
    round_obj.invited.add(stayer)
    assert stayer_client.get(reverse("evidence:round_answer", args=[round_obj.pk])).status_code == 200


# --- Guides ------------------------------------------------------------------------------------


def test_a_guide_credits_an_author_who_left_as_a_former_member(client, organiser, other_organiser):
    for user, name in ((organiser, "Amina Writer"), (other_organiser, "Bo Cowriter")):
        user.member.display_name, user.member.visibility = name, "public"
        user.member.save()
    guide = make_guide(author=organiser, title="Door knocking", language="en", status=Guide.Status.PUBLISHED)
    guide.authors.add(other_organiser.member)
    url = guide.get_absolute_url()
    assert "Amina Writer, Bo Cowriter" in client.get(url).content.decode()

    account_delete(user=organiser)

    html = client.get(url).content.decode()
    assert "Amina Writer" not in html
    assert "Bo Cowriter, a former member" in html

    account_delete(user=other_organiser)
    assert "2 former members" in client.get(url).content.decode()


# --- Exchanges ---------------------------------------------------------------------------------


def test_a_former_member_is_not_listed_as_going_nor_as_facilitator(client, organiser, other_organiser):
    organiser.member.display_name = "Amina Facilitator"
    organiser.member.save()
    exchange = ExchangeFactory(title="Going PD", starts_at=timezone.now() - dt.timedelta(hours=1))
    RegistrationFactory(exchange=exchange, user=organiser, consent_show_name=True, access_needs="Ramp")
    SessionFactory(exchange=exchange).facilitators.add(organiser.member)
    client.force_login(other_organiser)
    assert "Amina Facilitator" in client.get(exchange.get_absolute_url()).content.decode()

    account_delete(user=organiser)

    html = client.get(exchange.get_absolute_url()).content.decode()
    assert "Amina Facilitator" not in html and "former member" not in html
    # The exchange is under way: the participant stays counted, without their answers.
    registration = Registration.objects.get(exchange=exchange, user=organiser)
    assert registration.state == Registration.State.CONFIRMED
    assert registration.access_needs == "" and not registration.consent_show_name


@pytest.mark.django_db(transaction=True)
def test_deletion_during_a_sign_up_rush_changes_nothing_and_asks_to_try_again(client, organiser):
    """An exchange the person holds a place in is locked (a sign-up rush): after the lock
    timeout the deletion gives up as a whole, with a message, never a 500."""
    import threading

    from allauth.account.models import EmailAddress
    from django.db import connection, transaction

    from exchanges.models import Exchange
    from tests.factories.network import PASSWORD

    exchange = ExchangeFactory()
    RegistrationFactory(exchange=exchange, user=organiser, access_needs="Ramp")
    locked, release = threading.Event(), threading.Event()

    def hold_the_exchange():
        try:
            with transaction.atomic():
                Exchange.objects.select_for_update().get(pk=exchange.pk)
                locked.set()
                release.wait(20)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_exchange)
    holder.start()
    assert locked.wait(10)
    client.force_login(organiser)
    try:
        response = client.post(reverse("network:account_delete"), {"password": PASSWORD})
    finally:
        release.set()
        holder.join()
    assert response.status_code == 200
    assert "could not be deleted just now" in response.content.decode()
    organiser.refresh_from_db()
    assert organiser.deleted_at is None and organiser.is_active
    assert EmailAddress.objects.filter(user=organiser).exists()
    registration = Registration.objects.get(exchange=exchange, user=organiser)
    assert registration.state == Registration.State.CONFIRMED and registration.access_needs == "Ramp"
