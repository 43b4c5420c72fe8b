"""Approved offers to host are found by the cross-site search, by everyone; offers waiting for
the coordinators, sent back for changes or declined are found by no one."""

import pytest
from django.urls import reverse
from django.utils import translation

from exchanges import services
from exchanges.models import HostOffer, host_offer_months
from network.models import Role
from tests.factories.network import MembershipFactory, OrganisationFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.activate("en")


def _offer(user, organisation, title: str) -> HostOffer:
    offer = services.host_offer_submit(
        user=user,
        data={
            "kind": "offer",
            "organisation": organisation,
            "title": title,
            "description": "Three days of zqdoorknocking with tenants.",
            "working_languages": ["sv", "en"],
            "months": [host_offer_months()[2][0]],
            "format": "in_person",
            "city": "Göteborg",
        },
        themes=[ThemeFactory(slug="housing")],
    )
    return offer


def _titles(client, user) -> list[str]:
    client.logout()
    if user is not None:
        client.force_login(user)
    results = client.get(reverse("search:index"), {"q": "zqdoorknocking"}).context["results"]
    return sorted(hit.title for hit in results.hits if hit.kind == "host_offer") if results else []


def test_an_approved_offer_is_found_and_a_pending_one_is_not(client, organiser, coordinator):
    host = UserFactory(email="host@example.org", role=Role.ORGANISER)
    organisation = OrganisationFactory(name="Hyresgästföreningen Hjällbo", country="SE")
    MembershipFactory(member=host.member, organisation=organisation)
    approved = _offer(host, organisation, "Tenant organising in Hjällbo")
    pending = _offer(host, organisation, "Pending visit in Angered")
    declined = _offer(host, organisation, "Declined visit in Bergsjön")
    services.host_offer_approve(offer=approved, user=coordinator)
    services.host_offer_decline(offer=declined, user=coordinator, comment="Not this year")
    for who in (None, organiser, coordinator, host):
        assert _titles(client, who) == ["Tenant organising in Hjällbo"], who
    # The hit leads to the offer's own page, and says nothing of who offered.
    client.logout()
    hit = next(h for h in client.get(reverse("search:index"), {"q": "zqdoorknocking"}).context["results"].hits)
    assert hit.url.endswith(reverse("exchanges:host_offer_detail", args=[approved.pk]))
    assert "host@example.org" not in client.get(reverse("search:index"), {"q": "zqdoorknocking"}).content.decode()
    # Sent back for changes later is not possible once approved; a pending one approved now is found.
    services.host_offer_approve(offer=pending, user=coordinator)
    assert _titles(client, None) == ["Pending visit in Angered", "Tenant organising in Hjällbo"]


def test_an_offer_sent_back_for_changes_leaves_no_trace_in_the_search(client, coordinator):
    host = UserFactory(email="host2@example.org", role=Role.ORGANISER)
    organisation = OrganisationFactory(name="Woonbond", country="NL")
    MembershipFactory(member=host.member, organisation=organisation)
    offer = _offer(host, organisation, "Visit to Woonbond")
    services.host_offer_request_changes(offer=offer, user=coordinator, comment="Which month?")
    assert _titles(client, coordinator) == []
    assert _titles(client, host) == []


def test_an_offers_page_shows_what_the_network_may_read_to_whom_it_may(client, organiser, coordinator, funder):
    host = UserFactory(email="host3@example.org", role=Role.ORGANISER)
    organisation = OrganisationFactory(name="Hyresgästföreningen Hjällbo", country="SE")
    MembershipFactory(member=host.member, organisation=organisation)
    offer = _offer(host, organisation, "Tenant organising in Hjällbo")
    url = reverse("exchanges:host_offer_detail", args=[offer.pk])
    # Under review: its author and the coordinators only.
    for who, status in ((None, 404), (organiser, 404), (funder, 404), (host, 200), (coordinator, 200)):
        client.logout()
        if who is not None:
            client.force_login(who)
        assert client.get(url).status_code == status, who
    services.host_offer_approve(offer=offer, user=coordinator)
    for who in (None, organiser, funder, host, coordinator):
        client.logout()
        if who is not None:
            client.force_login(who)
        response = client.get(url)
        assert response.status_code == 200, who
        page = response.content.decode()
        assert "Tenant organising in Hjällbo" in page and "Hosted by Hyresgästföreningen Hjällbo" in page
        assert "zqdoorknocking" in page and "Swedish" in page and "housing" in page.lower()
        assert "host3@example.org" not in page
