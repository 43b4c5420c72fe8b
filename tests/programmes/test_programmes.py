"""Programmes: the list and the page (timeline, exchanges past and upcoming, who takes part by
country and organisation, reciprocal visits, evidence and guides), the cohort (enrol, apply,
progress) and the coordinators' attendance across the programme."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import cache
from evidence.models import EvidenceRecord
from exchanges.models import Exchange, Registration
from programmes.models import Enrolment, Programme
from tests.conftest import ROLES
from tests.factories.evidence import EvidenceRecordFactory, story
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory, SessionFactory
from tests.factories.network import MembershipFactory, OrganisationFactory, member_for

pytestmark = pytest.mark.django_db
State = Registration.State


def _programme(**fields):
    defaults = {
        "title": "Learning Lab 2022–23",
        "slug": "learning-lab",
        "starts_on": date(2022, 4, 1),
        "ends_on": date(2023, 9, 30),
        "status": Programme.Status.PUBLISHED,
    }
    return Programme.objects.create(**{**defaults, **fields})


@pytest.mark.parametrize("role", ROLES)
def test_drafts_are_for_coordinators_and_published_programmes_for_everyone(client_as, role):
    _programme()
    draft = _programme(title="Secret plan", slug="secret", status=Programme.Status.DRAFT)
    client = client_as(role)
    listing = client.get(reverse("programmes:index")).content.decode()
    assert "Learning Lab 2022–23" in listing
    assert ("Secret plan" in listing) is (role == "coordinator")
    assert client.get(draft.get_absolute_url()).status_code == (200 if role == "coordinator" else 404)


def test_the_page_shows_timeline_pairs_and_who_takes_part(client):
    programme = _programme()
    there = ExchangeFactory(
        title="Visit to Bergsjön", kind=Exchange.Kind.VISIT, starts_at=timezone.now() - timedelta(days=40)
    )
    back = ExchangeFactory(title="Visit to Hellendoorn", kind=Exchange.Kind.VISIT)
    there.return_visit = back
    there.save()
    draft = ExchangeFactory(title="Hidden draft", status=Exchange.Status.DRAFT)
    programme.exchanges.add(there, back, draft)
    SessionFactory(exchange=back, title="Walk through the village")
    organisation = OrganisationFactory(name="Navet i Bergsjön")
    for _ in range(2):
        registration = RegistrationFactory(exchange=there, state=State.ATTENDED)
        member_for(registration.user, country="SE")
        MembershipFactory(member=registration.user.member, organisation=organisation)
    body = client.get(programme.get_absolute_url()).content.decode()
    assert "Walk through the village" in body and "Hidden draft" not in body
    assert "Visit to Bergsjön</a> ⇄ <a" in body
    assert "Sweden: 2" in body and "Navet i Bergsjön</a>: 2" in body


def test_the_page_asks_the_same_number_of_queries_whatever_its_size(client):
    programme = _programme()

    def grow(n):
        for _ in range(n):
            exchange = ExchangeFactory()
            programme.exchanges.add(exchange)
            SessionFactory(exchange=exchange)
            RegistrationFactory(exchange=exchange)

    def queries(*, cold: bool) -> int:
        # "Who takes part" is cached for the audience (core.cache): count both as the next
        # visitor meets the page (cached) and right after a change (rendered afresh).
        client.get(programme.get_absolute_url())
        if cold:
            cache.changed("exchanges")
        with CaptureQueriesContext(connection) as captured:
            client.get(programme.get_absolute_url())
        return len(captured)

    grow(1)
    few_cached, few_cold = queries(cold=False), queries(cold=True)
    grow(6)
    assert queries(cold=False) == few_cached
    assert queries(cold=True) == few_cold


def test_members_enrol_once_and_see_their_progress(client_as, organiser):
    programme = _programme(cohort=Programme.Cohort.OPEN)
    workshop = ExchangeFactory(title="Workshop one")
    programme.exchanges.add(workshop)
    RegistrationFactory(exchange=workshop, user=organiser, state=State.ATTENDED)
    client = client_as("organiser")
    url = reverse("programmes:enrol", args=[programme.slug])
    client.post(url)
    client.post(url)
    assert Enrolment.objects.get().state == Enrolment.State.ENROLLED
    body = client.get(programme.get_absolute_url()).content.decode()
    assert "Your progress" in body and "attended" in body


def test_an_application_cohort_takes_applications_and_funders_do_not_enrol(client_as):
    programme = _programme(cohort=Programme.Cohort.APPLICATION)
    client_as("organiser").post(reverse("programmes:enrol", args=[programme.slug]))
    assert Enrolment.objects.get().state == Enrolment.State.APPLIED
    assert client_as("funder").post(reverse("programmes:enrol", args=[programme.slug])).status_code == 403
    assert client_as("anonymous").post(reverse("programmes:enrol", args=[programme.slug])).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_see_attendance_across_the_programme(client_as, role, organiser):
    programme = _programme(cohort=Programme.Cohort.OPEN)
    workshop = ExchangeFactory(title="Workshop one")
    programme.exchanges.add(workshop)
    Enrolment.objects.create(programme=programme, user=organiser, state=Enrolment.State.ENROLLED)
    RegistrationFactory(exchange=workshop, user=organiser, state=State.ATTENDED)
    response = client_as(role).get(reverse("programmes:attendance", args=[programme.slug]))
    expected = {"anonymous": 302, "coordinator": 200}.get(role, 403)
    assert response.status_code == expected
    if role == "coordinator":
        assert "attended" in response.content.decode()


def test_attendance_queries_do_not_grow_with_the_cohort(client_as, coordinator):
    programme = _programme(cohort=Programme.Cohort.OPEN)
    programme.exchanges.add(ExchangeFactory(), ExchangeFactory())
    client = client_as("coordinator")
    url = reverse("programmes:attendance", args=[programme.slug])

    def enrol(n):
        for registration in RegistrationFactory.create_batch(n, exchange=programme.exchanges.first()):
            Enrolment.objects.create(programme=programme, user=registration.user, state=Enrolment.State.ENROLLED)

    enrol(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    enrol(8)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_list_shows_a_page_of_programmes_in_a_constant_number_of_queries(client):
    from programmes.views import PER_PAGE

    counts = []
    for n in (3, PER_PAGE + 5):
        Programme.objects.all().delete()
        for i in range(n):
            _programme(title=f"Programme {i}", slug=f"programme-{i}", starts_on=date(2022, 4, 1) + timedelta(days=i))
        client.get(reverse("programmes:index"))
        with CaptureQueriesContext(connection) as captured:
            listing = client.get(reverse("programmes:index")).content.decode()
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    # Newest first, a page at a time.
    assert f"Programme {PER_PAGE + 4}<" in listing and "Programme 0<" not in listing
    second = client.get(reverse("programmes:index"), {"page": 2}).content.decode()
    assert "Programme 0<" in second and f"Programme {PER_PAGE + 4}<" not in second


def _admin_save(client, programme, **changes):
    url = reverse("admin:programmes_programme_change", args=[programme.pk])
    data = {
        "title": programme.title,
        "slug": programme.slug,
        "summary": programme.summary,
        "description": programme.description,
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "status": programme.status,
        "cohort": programme.cohort,
        "exchanges": [e.pk for e in programme.exchanges.all()],
        "enrolments-TOTAL_FORMS": "0",
        "enrolments-INITIAL_FORMS": "0",
        "enrolments-MIN_NUM_FORMS": "0",
        "enrolments-MAX_NUM_FORMS": "1000",
        **changes,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    programme.refresh_from_db()
    return programme.content_changed_at


def test_only_a_content_change_by_the_coordinators_makes_a_programme_updated_for_digests(client_as):
    programme = _programme()
    long_ago = timezone.now() - timedelta(days=90)
    Programme.objects.filter(pk=programme.pk).update(content_changed_at=long_ago)
    programme.refresh_from_db()
    client = client_as("coordinator")
    # Saving the form unchanged, or changing only the address, is no news to readers.
    assert _admin_save(client, programme) == long_ago
    assert _admin_save(client, programme, slug="learning-lab-2022") == long_ago
    # A new summary, or another exchange in the programme, is.
    assert _admin_save(client, programme, summary="Six visits across Europe") > long_ago
    Programme.objects.filter(pk=programme.pk).update(content_changed_at=long_ago)
    programme.refresh_from_db()
    assert _admin_save(client, programme, exchanges=[ExchangeFactory().pk]) > long_ago


def test_the_cached_page_follows_its_exchanges_sessions_and_evidence(client):
    """The shared sections are cached for the audience (``programmes.views._body``): every
    change they show is seen at the next visit."""
    programme = _programme()
    first = ExchangeFactory(title="First visit")
    programme.exchanges.add(first)
    assert "First visit" in client.get(programme.get_absolute_url()).content.decode()
    second = ExchangeFactory(title="Second visit")
    programme.exchanges.add(second)
    SessionFactory(exchange=first, title="Walk through the estate")
    Exchange.objects.filter(pk=first.pk).update(title="First visit, renamed")
    cache.changed("exchanges")  # QuerySet.update sends no signal; services bump it themselves
    record = EvidenceRecordFactory(title="Rents frozen for a year")
    record.exchanges.add(second)
    body = client.get(programme.get_absolute_url()).content.decode()
    assert "Second visit" in body and "Walk through the estate" in body and "First visit, renamed" in body
    assert "Rents frozen for a year" in body
    programme.exchanges.remove(second)
    assert "Second visit" not in client.get(programme.get_absolute_url()).content.decode()


def test_the_cached_page_is_shared_by_an_audience_only(client_as):
    programme = _programme()
    draft = ExchangeFactory(title="Hidden draft", status=Exchange.Status.DRAFT)
    shown = ExchangeFactory(title="Open day")
    programme.exchanges.add(draft, shown)
    EvidenceRecordFactory(title="Members only finding", visibility=EvidenceRecord.Visibility.NETWORK).exchanges.add(
        shown
    )
    seen = {role: client_as(role).get(programme.get_absolute_url()).content.decode() for role in ROLES}
    for role, body in seen.items():
        assert "Open day" in body
        assert ("Hidden draft" in body) is (role == "coordinator")
        # A record for the network: members and coordinators, not visitors or funders (the policy).
        assert ("Members only finding" in body) is (role not in ("anonymous", "funder")), role


def test_an_exchange_moves_from_upcoming_to_past_when_it_ends_even_if_cached(client, settings):
    programme = _programme()
    ending = ExchangeFactory(
        title="Ends soon", starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() + timedelta(seconds=1)
    )
    programme.exchanges.add(ending)
    body = client.get(programme.get_absolute_url()).content.decode()
    upcoming, past = body.split(">Past<", 1)
    assert "Ends soon" in upcoming.split(">Upcoming<", 1)[1]
    later = timezone.now() + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        body = client.get(programme.get_absolute_url()).content.decode()
    assert "Ends soon" in body.split(">Past<", 1)[1]


def test_a_story_whose_consent_expires_today_leaves_the_cached_page_at_midnight(client):
    programme = _programme()
    exchange = ExchangeFactory(title="Open day")
    programme.exchanges.add(exchange)
    story(title="Amina's story", consent={"expires_on": timezone.localdate()}).exchanges.add(exchange)
    assert "Amina&#x27;s story" in client.get(programme.get_absolute_url()).content.decode()
    tomorrow = timezone.now() + timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        assert "Amina&#x27;s story" not in client.get(programme.get_absolute_url()).content.decode()
