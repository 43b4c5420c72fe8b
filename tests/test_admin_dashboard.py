"""The coordinators' dashboard on the admin index (config/admin.py): what starts within the
month with its places and waiting lists, and what waits for a decision."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from evidence.models import EvidenceRecord
from exchanges.models import Exchange, Registration
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
State = Registration.State


def _index(client):
    client.get(reverse("admin:index"))  # warm-up: session, permissions
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response, len(queries)


def test_coordinators_see_exchanges_starting_this_month_with_places_and_waiting_lists(client_as):
    soon = ExchangeFactory(title="Starts soon", capacity=2, starts_at=timezone.now() + timedelta(days=10))
    RegistrationFactory(exchange=soon)
    RegistrationFactory(exchange=soon)
    RegistrationFactory(exchange=soon, state=State.WAITLISTED, waitlist_position=1)
    RegistrationFactory(exchange=soon, state=State.APPLIED)
    ExchangeFactory(title="Starts later", starts_at=timezone.now() + timedelta(days=45))
    ExchangeFactory(title="Already over", starts_at=timezone.now() - timedelta(days=3))
    ExchangeFactory(title="Called off", status=Exchange.Status.CANCELLED, starts_at=timezone.now() + timedelta(days=5))

    response, _queries = _index(client_as("coordinator"))
    body = response.content.decode()
    dashboard = response.context["dashboard"]
    assert [e.title for e in dashboard["upcoming"]] == ["Starts soon"]
    row = dashboard["upcoming"][0]
    assert (row.confirmed_count, row.capacity, row.waitlisted_count, row.applied_count) == (2, 2, 1, 1)
    assert "Starts soon" in body and "Starts later" not in body and "Called off" not in body
    assert "2&nbsp;/&nbsp;2" in body
    assert f"exchange__id__exact={soon.pk}&amp;state__in=waitlisted" in body
    # One application waits for a decision, linked to those registrations.
    waiting = {str(item.label): item.count for item in dashboard["waiting"]}
    assert waiting["applications waiting for a decision"] == 1
    assert "state__exact=applied" in body


def test_records_waiting_for_review_are_counted(client_as):
    from tests.factories.evidence import EvidenceRecordFactory

    EvidenceRecordFactory(status=EvidenceRecord.Status.SUBMITTED)
    EvidenceRecordFactory(status=EvidenceRecord.Status.SUBMITTED)
    EvidenceRecordFactory(status=EvidenceRecord.Status.IN_REVIEW)
    EvidenceRecordFactory(status=EvidenceRecord.Status.PUBLISHED)
    response, _queries = _index(client_as("coordinator"))
    waiting = {str(item.label): item.count for item in response.context["dashboard"]["waiting"]}
    assert waiting["evidence records submitted for review"] == 2
    assert waiting["evidence records in review"] == 1


def test_the_dashboard_takes_the_same_queries_however_much_is_waiting(client_as):
    client = client_as("coordinator")
    ExchangeFactory(starts_at=timezone.now() + timedelta(days=3))
    _response, few = _index(client)
    for n in range(15):
        exchange = ExchangeFactory(starts_at=timezone.now() + timedelta(days=4 + n), capacity=3)
        RegistrationFactory(exchange=exchange)
        RegistrationFactory(exchange=exchange, state=State.APPLIED)
    response, many = _index(client)
    assert few == many
    assert response.context["dashboard"]["upcoming_more"]
    assert len(response.context["dashboard"]["upcoming"]) == 12
    # "All exchanges starting in this period" opens the change list filtered to them.
    listed = client.get(response.context["dashboard"]["upcoming_url"])
    assert listed.status_code == 200 and listed.context["cl"].result_count == 16


@pytest.mark.parametrize("role", ["anonymous", "organiser", "funder"])
def test_no_one_else_reaches_the_dashboard(client_as, role):
    response = client_as(role).get(reverse("admin:index"))
    assert response.status_code == 302


def test_the_dashboard_is_translated_with_the_admin(client_as):
    try:
        response = client_as("coordinator").get("/sv/admin/")
    finally:
        # The locale middleware leaves the page's language active in the thread.
        translation.activate(settings.LANGUAGE_CODE)
    assert response.status_code == 200 and "dashboard" in response.context
    assert response.context["LANGUAGE_CODE"] == "sv"
