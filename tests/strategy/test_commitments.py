"""Convening commitments: who sees them, who posts progress, the overdue flag, the filters and
the list's constant queries."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import cache
from exchanges.models import Exchange
from network.models import Organisation
from strategy.models import Commitment, CommitmentStatus, CommitmentUpdate, Objective
from tests.factories.exchanges import ExchangeFactory
from tests.factories.network import OrganisationFactory, ThemeFactory
from tests.strategy.conftest import CAST

pytestmark = pytest.mark.django_db

LIST = reverse("commitments:list")


def _commitment(exchange, title, *, organisations=(), visibility="public", due_days=30, **fields):
    commitment = Commitment.objects.create(
        exchange=exchange,
        title=title,
        due_on=timezone.localdate() + dt.timedelta(days=due_days),
        visibility=visibility,
        **fields,
    )
    commitment.organisations.set(organisations)
    return commitment


@pytest.fixture
def convening(org_member):
    exchange = ExchangeFactory(kind=Exchange.Kind.CONVENING, title="London funder convening")
    Objective.objects.create(exchange=exchange, text="Fund the process of organising, not only projects")
    holder = org_member.member.memberships.get().organisation
    funder_org = OrganisationFactory(name="Postkodstiftelsen", kind=Organisation.Kind.FUNDER)
    public = _commitment(exchange, "Multi-year core funding pilot", organisations=[holder, funder_org])
    members = _commitment(exchange, "Share budgets openly", organisations=[funder_org], visibility="members")
    draft = ExchangeFactory(kind=Exchange.Kind.CONVENING, status=Exchange.Status.DRAFT, title="Draft convening")
    hidden = _commitment(draft, "Not yet announced", organisations=[holder])
    return {"public": public, "members": members, "draft": hidden, "holder": holder}


def _as(client, request, role):
    client.logout()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


@pytest.mark.parametrize("role", CAST)
def test_commitments_show_as_their_convening_and_visibility_allow(client, request, convening, role):
    c = _as(client, request, role)
    page = c.get(LIST).content.decode()
    expected = {
        "public": True,
        "members": role != "anonymous",
        "draft": role == "coordinator",
    }
    for name, visible in expected.items():
        commitment = convening[name]
        assert (commitment.title in page) is visible, (role, name)
        status = c.get(commitment.get_absolute_url()).status_code
        assert status == (200 if visible else 404), (role, name)


@pytest.mark.parametrize("role", CAST)
def test_only_holders_owners_and_coordinators_post_progress(client, request, convening, role):
    commitment = convening["public"]
    c = _as(client, request, role)
    response = c.post(
        reverse("commitments:update_add", kwargs={"pk": commitment.pk}),
        {"status": "under_way", "note": f"Started by {role}", "submission": uuid.uuid4()},
    )
    allowed = role in ("org_member", "coordinator")
    assert CommitmentUpdate.objects.filter(note=f"Started by {role}").exists() is allowed
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif not allowed:
        assert response.status_code == 403
    page = c.get(commitment.get_absolute_url()).content.decode()
    assert ("Post progress" in page) is allowed


def test_the_owner_may_post_progress_and_the_status_follows_the_latest_update(client, convening, funder):
    commitment = convening["members"]
    commitment.owner = funder
    commitment.save()
    client.force_login(funder)
    data = {"status": "done", "note": "Budgets published.", "submission": uuid.uuid4()}
    for _ in range(2):  # a double submit makes one update
        client.post(reverse("commitments:update_add", kwargs={"pk": commitment.pk}), data)
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DONE
    assert commitment.updates.count() == 1
    assert "Budgets published." in client.get(commitment.get_absolute_url()).content.decode()


def test_overdue_commitments_are_flagged_and_filtered(client, convening):
    late = _commitment(convening["public"].exchange, "Late report", due_days=-3)
    _commitment(convening["public"].exchange, "Done and late", due_days=-3, status=CommitmentStatus.DONE)
    page = client.get(LIST, {"overdue": "on"}).content.decode()
    assert "Late report" in page and "overdue" in page
    assert "Done and late" not in page and "Multi-year core funding pilot" not in page
    assert "overdue" in client.get(late.get_absolute_url()).content.decode()


def test_the_list_filters_by_organisation_theme_and_status(client, convening):
    theme = ThemeFactory(slug="cost-of-living-x", name="Cost of living")
    _commitment(convening["public"].exchange, "Themed", theme=theme, status=CommitmentStatus.UNDER_WAY)
    assert "Themed" in client.get(LIST, {"theme": theme.slug}).content.decode()
    assert "Multi-year" not in client.get(LIST, {"theme": theme.slug}).content.decode()
    assert "Themed" in client.get(LIST, {"status": "under_way"}).content.decode()
    by_org = client.get(LIST, {"organisation": convening["holder"].slug}).content.decode()
    assert "Multi-year core funding pilot" in by_org and "Themed" not in by_org
    # Unknown values are dropped by the filter form, never a 500.
    assert client.get(LIST, {"organisation": "nope", "status": "x", "theme": "\u2603"}).status_code == 200


def _queries(c, url) -> tuple[int, int]:
    """The queries of one request with the page's cached fragments retired (cold), then of the
    next one (served from the cache)."""
    c.get(url)  # warm the session and the viewer
    cache.changed("strategy")
    with CaptureQueriesContext(connection) as cold:
        assert c.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert c.get(url).status_code == 200
    return len(cold), len(warm)


@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
def test_the_list_runs_a_constant_number_of_queries(client, request, role, org_member):
    c = _as(client, request, role)
    counts = []
    # More than a page (50).
    for n in (3, 60):
        Commitment.objects.all().delete()
        for i in range(n):
            exchange = ExchangeFactory(kind=Exchange.Kind.CONVENING)
            _commitment(exchange, f"Commitment {i}", organisations=[OrganisationFactory(), OrganisationFactory()])
        counts.append(_queries(c, LIST))
    assert counts[0] == counts[1], counts
    cold, warm = counts[1]
    # Served from the cache, the list reads nothing of its own (the session and the viewer only).
    assert warm < cold and cold <= 10, counts


def test_the_owner_of_an_overdue_commitment_is_told_once_in_their_language(
    convening, funder, django_capture_on_commit_callbacks
):
    from outbox.models import OutboxMessage
    from strategy.tasks import commitments_overdue_notify
    from tests.factories.network import member_for

    member_for(funder, preferred_language="nl")
    late = _commitment(convening["public"].exchange, "Late report", due_days=-3, owner=funder)
    _commitment(convening["public"].exchange, "Done", due_days=-3, owner=funder, status=CommitmentStatus.DONE)
    _commitment(convening["public"].exchange, "Not yet due", due_days=3, owner=funder)
    with django_capture_on_commit_callbacks(execute=True):
        assert commitments_overdue_notify() == 1
        assert commitments_overdue_notify() == 0
    email = OutboxMessage.objects.get(kind="strategy_commitment_overdue")
    assert email.to == funder.email and email.language == "nl"
    assert f"/nl/commitments/{late.pk}/" in email.body_text


@pytest.mark.parametrize("role", CAST)
def test_the_convening_page_shows_its_objectives_and_what_the_viewer_may_see(client, request, convening, role):
    c = _as(client, request, role)
    exchange = convening["public"].exchange
    response = c.get(reverse("commitments:convening", args=[exchange.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Outcomes of London funder convening" in page
    assert "Fund the process of organising, not only projects" in page
    assert "Multi-year core funding pilot" in page and "Postkodstiftelsen" in page
    assert ("Share budgets openly" in page) is (role != "anonymous")
    # The draft convening's page exists for coordinators only.
    draft = convening["draft"].exchange
    status = c.get(reverse("commitments:convening", args=[draft.slug])).status_code
    assert status == (200 if role == "coordinator" else 404)


def test_only_convenings_have_an_outcomes_page(client):
    visit = ExchangeFactory(kind=Exchange.Kind.VISIT)
    assert client.get(reverse("commitments:convening", args=[visit.slug])).status_code == 404


def test_the_convening_page_counts_statuses_and_groups_by_objective(client, convening):
    exchange = convening["public"].exchange
    objective = exchange.objectives.get()
    convening["public"].objective = objective
    convening["public"].save(update_fields=["objective"])
    _commitment(exchange, "Late report", due_days=-3)
    page = client.get(reverse("commitments:convening", args=[exchange.slug])).content.decode()
    # Under the objective, then the rest under "Other commitments" (members-only ones hidden).
    objective_at, pilot_at = page.index("Fund the process"), page.index("Multi-year core funding pilot")
    assert objective_at < pilot_at < page.index("Other commitments")
    assert page.index("Other commitments") < page.index("Late report")
    assert "2 commitments made by funders and grassroots organisations." in page
    assert 'class="key-figure-label">Overdue</dt><dd class="key-figure-value">1<' in page


def test_the_convening_page_runs_a_constant_number_of_queries(client, convening):
    exchange = convening["public"].exchange
    url = reverse("commitments:convening", args=[exchange.slug])
    few = _queries(client, url)
    for n in range(12):
        extra = Objective.objects.create(exchange=exchange, text=f"Objective {n}")
        _commitment(exchange, f"Commitment {n}", organisations=[OrganisationFactory()], objective=extra)
    # A new commitment shows at once (its save retires the cached outcomes).
    assert "Commitment 11" in client.get(url).content.decode()
    many = _queries(client, url)
    assert many == few, (few, many)
    assert many[1] < many[0]
