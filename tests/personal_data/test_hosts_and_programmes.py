"""What the hosts-and-programmes features hold about a person is in their data download and
goes with their account: offers to host they made, their answers to an exchange's own
questions, their check-in time, their programme enrolments and cohort applications, and
their choice not to be suggested to organisers in other countries."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exchanges import services as exchange_services
from exchanges import tasks as exchange_tasks
from exchanges.models import Answer, Exchange, HostOffer, Question, Registration, host_offer_months
from network.models import Member, Role
from programmes import services as programme_services
from programmes.models import Enrolment, Programme
from tests.factories.exchanges import ExchangeFactory
from tests.factories.network import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, member_for

pytestmark = pytest.mark.django_db


def _programme(slug: str, cohort: str) -> Programme:
    return Programme.objects.create(
        title=f"Programme {slug}",
        slug=slug,
        starts_on=date(2030, 1, 1),
        ends_on=date(2030, 6, 30),
        status=Programme.Status.PUBLISHED,
        cohort=cohort,
    )


@pytest.fixture
def person(coordinator):
    user = UserFactory(email="hosting.person@example.org", role=Role.ORGANISER)
    member_for(user, suggestable=False)
    organisation = OrganisationFactory(name="Hosting organisation", country="SE")
    MembershipFactory(member=user.member, organisation=organisation)
    client = Client()
    client.force_login(user)

    def offer(title: str) -> HostOffer:
        return exchange_services.host_offer_submit(
            user=user,
            data={
                "kind": "offer",
                "organisation": organisation,
                "title": title,
                "description": f"Description of {title}",
                "working_languages": ["sv"],
                "months": [host_offer_months()[1][0]],
                "format": "in_person",
                "city": "Hjällbo",
            },
        )

    pending = offer("Pending offer QX")
    approved = offer("Approved offer QX")
    approved.review_comment = "Welcome aboard"
    approved.save()
    exchange_services.host_offer_approve(offer=approved, user=coordinator, comment="Welcome aboard")

    # An exchange under way with two questions of its own, one sensitive; the person checks in.
    exchange = ExchangeFactory(title="Exchange QX")
    plain = Question.objects.create(exchange=exchange, label="What do you organise on?", position=1)
    sensitive = Question.objects.create(exchange=exchange, label="Medication?", position=2, sensitive=True)
    registration = exchange_services.registration_create(
        exchange=exchange,
        user=user,
        question_answers={plain.pk: "Rent strikes QX", sensitive.pk: "Insulin QX"},
    ).registration
    now = timezone.now()
    Exchange.objects.filter(pk=exchange.pk).update(
        starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=3)
    )
    manager = Client()
    manager.force_login(coordinator)
    check_in = reverse("exchanges:check_in_do", args=[exchange.slug, registration.pk])
    assert manager.post(check_in).status_code == 302

    # Enrolled in one cohort, applying to another, declined by a third.
    client.post(reverse("programmes:enrol", args=[_programme("open-qx", Programme.Cohort.OPEN).slug]))
    client.post(reverse("programmes:enrol", args=[_programme("apply-qx", Programme.Cohort.APPLICATION).slug]))
    declined = _programme("declined-qx", Programme.Cohort.APPLICATION)
    client.post(reverse("programmes:enrol", args=[declined.slug]))
    programme_services.enrolment_decline(enrolment=Enrolment.objects.get(user=user, programme=declined))
    return {"user": user, "client": client, "pending": pending, "approved": approved, "registration": registration}


def _download(person) -> dict:
    response = person["client"].get(reverse("network:account_data"))
    assert response.status_code == 200
    return json.loads(response.content)


def _delete(person) -> None:
    assert person["client"].post(reverse("network:account_delete"), {"password": PASSWORD}).status_code == 302


def test_the_download_holds_the_host_offers_the_person_made(person):
    offers = {o["title"]: o for o in _download(person)["exchanges"]["host_offers"]}
    assert set(offers) == {"Pending offer QX", "Approved offer QX"}
    assert offers["Pending offer QX"]["status"] == "submitted" and offers["Pending offer QX"]["city"] == "Hjällbo"
    approved = offers["Approved offer QX"]
    assert approved["status"] == "approved" and approved["review_comment"] == "Welcome aboard"
    assert approved["exchange_slug"] == HostOffer.objects.get(pk=person["approved"].pk).exchange.slug


def test_erasure_deletes_offers_under_review_and_keeps_approved_ones_anonymised(person):
    _delete(person)
    assert not HostOffer.objects.filter(pk=person["pending"].pk).exists()
    kept = HostOffer.objects.select_related("created_by").get(pk=person["approved"].pk)
    assert kept.created_by_id == person["user"].pk and kept.created_by.email != "hosting.person@example.org"


def test_the_download_holds_the_answers_and_the_check_in_time(person):
    registration = next(r for r in _download(person)["exchanges"]["registrations"] if r["exchange"] == "Exchange QX")
    assert sorted((a["question"], a["answer"]) for a in registration["answers"]) == [
        ("Medication?", "Insulin QX"),
        ("What do you organise on?", "Rent strikes QX"),
    ]
    assert registration["checked_in_at"] is not None and registration["state"] == "attended"


def test_erasure_deletes_every_answer_and_keeps_the_check_in_as_attendance(person):
    _delete(person)
    assert not Answer.objects.filter(registration=person["registration"]).exists()
    registration = Registration.objects.get(pk=person["registration"].pk)
    assert registration.state == Registration.State.ATTENDED and registration.checked_in_at is not None


def test_sensitive_answers_go_with_the_other_sensitive_answers_after_the_exchange(person, settings):
    ended = timezone.now() - timedelta(days=settings.EXCHANGE_SENSITIVE_RETENTION_DAYS + 1)
    Exchange.objects.filter(pk=person["registration"].exchange_id).update(
        starts_at=ended - timedelta(hours=3), ends_at=ended
    )
    exchange_tasks.sensitive_answers_erase.delay().get()
    assert list(Answer.objects.filter(registration=person["registration"]).values_list("value", flat=True)) == [
        "Rent strikes QX"
    ]


def test_the_download_holds_enrolments_and_cohort_applications_and_erasure_deletes_them(person):
    enrolments = {e["programme_slug"]: e["state"] for e in _download(person)["programmes"]["enrolments"]}
    assert enrolments == {"open-qx": "enrolled", "apply-qx": "applied", "declined-qx": "declined"}
    _delete(person)
    assert not Enrolment.objects.filter(user=person["user"]).exists()


def test_the_download_holds_the_match_opt_out_and_erasure_removes_the_profile(person):
    assert _download(person)["network"]["profile"]["suggestable"] is False
    _delete(person)
    assert not Member.objects.filter(user=person["user"]).exists()
