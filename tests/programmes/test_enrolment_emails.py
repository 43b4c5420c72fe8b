"""A member who applies to a programme's cohort is emailed that the application arrived, and
again when a coordinator accepts or declines it (Admin → Enrolments), through the outbox and
in their preferred language; each decision is taken, and emailed, once."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from network.models import Role
from outbox.models import OutboxMessage
from programmes.models import Enrolment, Programme
from tests.factories.network import UserFactory, member_for

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:programmes_enrolment_changelist")


@pytest.fixture
def programme():
    return Programme.objects.create(
        title="Göteborg training",
        slug="goteborg-training",
        starts_on=date(2030, 1, 1),
        ends_on=date(2030, 6, 30),
        status=Programme.Status.PUBLISHED,
        cohort=Programme.Cohort.APPLICATION,
    )


def _apply(client, user, programme, capture) -> Enrolment:
    client.force_login(user)
    with capture(execute=True):
        assert client.post(reverse("programmes:enrol", args=[programme.slug])).status_code == 302
    return Enrolment.objects.get(programme=programme, user=user)


def _act(client, coordinator, action: str, enrolments, capture):
    client.force_login(coordinator)
    with capture(execute=True):
        response = client.post(
            CHANGELIST, {"action": action, "_selected_action": [e.pk for e in enrolments]}, follow=True
        )
    assert response.status_code == 200


def test_an_applicant_is_emailed_on_applying_and_on_acceptance_in_their_language(
    client, programme, coordinator, django_capture_on_commit_callbacks
):
    applicant = UserFactory(email="ansokan@example.org", role=Role.ORGANISER)
    member_for(applicant, preferred_language="sv")
    enrolment = _apply(client, applicant, programme, django_capture_on_commit_callbacks)
    assert enrolment.state == Enrolment.State.APPLIED
    received = mail.outbox[-1]
    assert received.to == ["ansokan@example.org"] and "Göteborg training" in received.subject
    assert OutboxMessage.objects.get(kind="programme_enrolment_applied").language == "sv"

    _act(client, coordinator, "accept", [enrolment], django_capture_on_commit_callbacks)
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.ENROLLED
    accepted = mail.outbox[-1]
    assert accepted.to == ["ansokan@example.org"] and len(mail.outbox) == 2
    assert accepted.subject == "Du är med: Göteborg training"
    html = accepted.alternatives[0][0]
    assert programme.get_absolute_url().split("/", 2)[-1] in accepted.body and "Göteborg training" in html
    # Accepting again is no decision, and no second email.
    _act(client, coordinator, "accept", [enrolment], django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_a_declined_applicant_is_emailed_and_another_applicant_is_not(
    client, programme, coordinator, django_capture_on_commit_callbacks
):
    declined = UserFactory(email="declined@example.org", role=Role.ORGANISER)
    member_for(declined, preferred_language="nl")
    waiting = UserFactory(email="waiting@example.org", role=Role.ORGANISER)
    first = _apply(client, declined, programme, django_capture_on_commit_callbacks)
    _apply(client, waiting, programme, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    _act(client, coordinator, "decline", [first], django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.state == Enrolment.State.DECLINED
    assert [m.to for m in mail.outbox] == [["declined@example.org"]]
    message = mail.outbox[0]
    assert message.subject == "Deze keer niet: Göteborg training"
    assert OutboxMessage.objects.get(kind="programme_enrolment_declined").to == "declined@example.org"
    # A declined application cannot be accepted afterwards by the action (it decides once).
    _act(client, coordinator, "accept", [first], django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.state == Enrolment.State.DECLINED and len(mail.outbox) == 1
    # The member sees the decision on the programme's page.
    client.force_login(declined)
    assert (
        "not accepted this time" in client.get(programme.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_enrolling_in_an_open_cohort_sends_no_email(client, programme, django_capture_on_commit_callbacks):
    programme.cohort = Programme.Cohort.OPEN
    programme.save()
    member = UserFactory(email="open@example.org", role=Role.ORGANISER)
    assert _apply(client, member, programme, django_capture_on_commit_callbacks).state == Enrolment.State.ENROLLED
    assert mail.outbox == [] and not OutboxMessage.objects.filter(to="open@example.org").exists()
