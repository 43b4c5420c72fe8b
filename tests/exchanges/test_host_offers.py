"""Members of an organisation offer to host or propose an exchange at /exchanges/host/;
coordinators approve (a draft exchange the member manages), ask for changes or decline, and
the member is told by email each time."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from exchanges import services
from exchanges.models import Exchange, HostOffer, host_offer_months
from network.models import Role
from outbox.models import OutboxMessage
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
HOST = reverse("exchanges:host")


@pytest.fixture
def host_member(db):
    user = UserFactory(email="host.member@example.org", role=Role.ORGANISER)
    MembershipFactory(member=user.member, organisation=OrganisationFactory(name="Hyresgästföreningen Hjällbo"))
    return user


def _data(user, **changes):
    month = host_offer_months()[2][0]
    data = {
        "kind": "offer",
        "organisation": user.member.memberships.get().organisation_id,
        "title": "Tenant organising in Hjällbo",
        "description": "We host three days of door-knocking and meetings.",
        "working_languages": ["sv", "en"],
        "months": [month],
        "format": "in_person",
        "capacity": "8",
        "city": "Göteborg",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "role, status, form",
    [
        ("anonymous", 302, False),
        ("organiser", 200, False),
        ("host_member", 200, True),
        ("funder", 200, False),
        ("coordinator", 200, False),
    ],
)
def test_only_members_of_an_organisation_get_the_offer_form(client, request, role, status, form):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.get(HOST)
    assert response.status_code == status
    assert ('name="months"' in response.content.decode()) is form


@pytest.mark.parametrize("role", ["organiser", "funder", "coordinator"])
def test_those_without_an_organisation_cannot_post_an_offer(client, request, role, host_member):
    client.force_login(request.getfixturevalue(role))
    response = client.post(HOST, _data(host_member))
    assert response.status_code == 403
    assert not HostOffer.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [("months", ["1999-01"]), ("working_languages", ["xx"]), ("months", []), ("capacity", "0")],
)
def test_an_offer_outside_the_allowed_months_or_languages_is_refused_with_field_errors(
    client, host_member, field, value
):
    client.force_login(host_member)
    response = client.post(HOST, _data(host_member, **{field: value}))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not HostOffer.objects.exists()


def test_an_offer_for_someone_elses_organisation_is_refused(client, host_member):
    client.force_login(host_member)
    response = client.post(HOST, _data(host_member, organisation=OrganisationFactory().pk))
    assert response.status_code == 400 and response.context["form"].errors["organisation"]


def test_offer_review_approve_makes_a_draft_exchange_the_member_manages(
    client, host_member, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(host_member)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(HOST, _data(host_member)).status_code == 302
    offer = HostOffer.objects.get()
    assert offer.status == HostOffer.Status.SUBMITTED and offer.created_by == host_member
    assert [m.to for m in mail.outbox] == [[coordinator.email]]

    coordinator_client = client.__class__()
    coordinator_client.force_login(coordinator)
    offer.review_comment = "Which dates in the month?"
    offer.save()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            reverse("admin:exchanges_hostoffer_changelist"),
            {"action": "request_changes", "_selected_action": [offer.pk]},
        )
    offer.refresh_from_db()
    assert offer.status == HostOffer.Status.CHANGES_REQUESTED
    assert "Which dates in the month?" in mail.outbox[-1].body and mail.outbox[-1].to == [host_member.email]

    edit = reverse("exchanges:host_offer_edit", args=[offer.pk])
    assert "Which dates in the month?" in client.get(edit).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit, _data(host_member, description="The second week of the month."))
    offer.refresh_from_db()
    assert offer.status == HostOffer.Status.SUBMITTED and offer.description == "The second week of the month."
    assert mail.outbox[-1].to == [coordinator.email]

    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            reverse("admin:exchanges_hostoffer_changelist"), {"action": "approve", "_selected_action": [offer.pk]}
        )
    offer.refresh_from_db()
    exchange = offer.exchange
    assert offer.status == HostOffer.Status.APPROVED and exchange.status == Exchange.Status.DRAFT
    assert list(exchange.hosts.all()) == [offer.organisation]
    assert list(exchange.managers.all()) == [host_member.member]
    assert exchange.working_languages == ["sv", "en"] and exchange.capacity == 8
    assert mail.outbox[-1].to == [host_member.email] and "/manage/" in mail.outbox[-1].body
    # The member manages the draft at once; the public does not see it.
    assert client.get(reverse("exchanges:manage", args=[exchange.slug])).status_code == 200
    assert client.get(exchange.get_absolute_url()).status_code == 404


def test_an_offer_can_be_changed_only_by_its_member_and_only_when_changes_are_asked(
    client, host_member, other_organiser, coordinator
):
    offer = services.host_offer_submit(
        user=host_member,
        data={
            "kind": "proposal",
            "organisation": host_member.member.memberships.get().organisation,
            "title": "Proposal",
            "description": "A full exchange.",
            "working_languages": ["en"],
            "months": [host_offer_months()[1][0]],
            "format": "online",
        },
    )
    edit = reverse("exchanges:host_offer_edit", args=[offer.pk])
    client.force_login(host_member)
    assert client.get(edit).status_code == 302  # not while waiting for the coordinators
    services.host_offer_request_changes(offer=offer, user=coordinator, comment="More detail please.")
    assert client.get(edit).status_code == 200
    client.force_login(other_organiser)
    assert client.get(edit).status_code == 404
    assert client.post(edit, _data(host_member)).status_code == 404


def test_a_declined_offer_tells_the_member_and_cannot_be_approved_after(host_member, coordinator):
    offer = services.host_offer_submit(
        user=host_member,
        data={
            "kind": "offer",
            "organisation": host_member.member.memberships.get().organisation,
            "title": "Offer",
            "description": "Hosting.",
            "working_languages": ["en"],
            "months": [host_offer_months()[1][0]],
            "format": "in_person",
        },
    )
    services.host_offer_decline(offer=offer, user=coordinator, comment="Not this year.")
    assert OutboxMessage.objects.filter(kind="exchange_host_offer_decided", to=host_member.email).exists()
    with pytest.raises(services.HostOfferError):
        services.host_offer_approve(offer=offer, user=coordinator)
    assert not Exchange.objects.exists()


def test_only_coordinators_review_offers(host_member, other_organiser):
    offer = HostOffer.objects.create(
        organisation=host_member.member.memberships.get().organisation,
        created_by=host_member,
        title="Offer",
        description="Hosting.",
        format="online",
        months=[timezone.now().strftime("%Y-%m")],
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.host_offer_approve(offer=offer, user=other_organiser)
