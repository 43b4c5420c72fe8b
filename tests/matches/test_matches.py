"""Matchmaking: organisations an organiser could learn from (scored in SQL, with reasons,
never their own, their country's or ones they met) and the coordinators' visit pairs."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import cache
from exchanges.models import Exchange, HostOffer
from tests.conftest import ROLES
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory
from tests.factories.network import MembershipFactory, OrganisationFactory, ThemeFactory, member_for

pytestmark = pytest.mark.django_db
SUGGESTIONS = reverse("matches:suggestions")
PAIRS = reverse("matches:pairs")


@pytest.fixture
def housing():
    return ThemeFactory(slug="housing", name="Housing")


@pytest.fixture
def world(organiser, housing):
    member = member_for(organiser, country="SE", languages=["sv", "en"])
    member.themes.add(housing)
    home = OrganisationFactory(name="Tillsammans Hjällbo", country="SE")
    MembershipFactory(member=member, organisation=home)
    tenants = OrganisationFactory(name="Tenants Union Leeds", country="GB")
    tenants.themes.add(housing)
    speaker = MembershipFactory(organisation=tenants).member
    speaker.languages = ["en"]
    speaker.save()
    visit = ExchangeFactory(title="Tenant organising visit", kind=Exchange.Kind.VISIT)
    visit.hosts.add(tenants)
    visit.themes.add(housing)
    swedish = OrganisationFactory(name="Hyresgäster Malmö", country="SE")
    swedish.themes.add(housing)
    unrelated = OrganisationFactory(name="Chess club", country="NL")
    return {"home": home, "tenants": tenants, "swedish": swedish, "unrelated": unrelated}


def _offer(organisation, status=HostOffer.Status.APPROVED, themes=()):
    offer = HostOffer.objects.create(
        organisation=organisation,
        title="Offer",
        description="x",
        format="in_person",
        months=["2030-01"],
        status=status,
    )
    offer.themes.set(themes)
    return offer


@pytest.mark.parametrize("role", ROLES)
def test_who_reaches_suggestions_and_pairs(client_as, role):
    client = client_as(role)
    expected = {"anonymous": 302, "funder": 403}.get(role, 200)
    assert client.get(SUGGESTIONS).status_code == expected
    assert client.get(PAIRS).status_code == {"anonymous": 302, "coordinator": 200}.get(role, 403)


def test_suggestions_cross_borders_with_reasons_in_words(client_as, world):
    body = client_as("organiser").get(SUGGESTIONS).content.decode()
    assert "Tenants Union Leeds" in body
    assert "Both work on Housing; you both speak English; they hosted “Tenant organising visit”" in body
    # Never one's own organisation, one's own country's, or one sharing nothing.
    assert "Tillsammans Hjällbo" not in body and "Hyresgäster Malmö" not in body and "Chess club" not in body


def test_organisers_beside_a_suggestion_are_listed_profiles_that_did_not_opt_out(client_as, world):
    from network.models import Member

    for name, visibility, suggestable in [
        ("Open Olu", Member.Visibility.MEMBERS, True),
        ("Hidden Hal", Member.Visibility.HIDDEN, True),
        ("Shy Sam", Member.Visibility.MEMBERS, False),
    ]:
        member = MembershipFactory(organisation=world["tenants"]).member
        member.display_name, member.visibility, member.suggestable = name, visibility, suggestable
        member.save()
    body = client_as("organiser").get(SUGGESTIONS).content.decode()
    assert "Open Olu" in body and "Hidden Hal" not in body and "Shy Sam" not in body
    assert "Open Olu" not in client_as("anonymous").get(SUGGESTIONS).content.decode()


def test_organisations_met_on_a_recent_exchange_are_not_suggested(client_as, organiser, world):
    together = ExchangeFactory()
    RegistrationFactory(exchange=together, user=organiser)
    colleague = MembershipFactory(organisation=world["tenants"]).member
    RegistrationFactory(exchange=together, user=colleague.user)
    assert "Tenants Union Leeds" not in client_as("organiser").get(SUGGESTIONS).content.decode()


def test_suggestions_ask_the_same_number_of_queries_whatever_the_network(client_as, world, housing):
    client = client_as("organiser")

    def queries(*, cold: bool) -> int:
        # The organisations' facts and practice counts are cached for the members' audience
        # (core.cache): count both as the next organiser meets the page (cached) and right
        # after a change (read afresh).
        client.get(SUGGESTIONS)
        if cold:
            cache.changed("network")
            cache.changed("practice")
        with CaptureQueriesContext(connection) as captured:
            client.get(SUGGESTIONS)
        return len(captured)

    few_cached, few_cold = queries(cold=False), queries(cold=True)
    for _ in range(8):
        organisation = OrganisationFactory(country="NL")
        organisation.themes.add(housing)
        MembershipFactory(organisation=organisation)
    assert queries(cold=False) == few_cached
    assert queries(cold=True) == few_cold
    assert few_cached < few_cold


def test_pairs_put_hosts_with_a_visitor_from_another_country_who_has_not_met_them(client_as, world, housing):
    _offer(world["swedish"])
    response = client_as("coordinator").get(PAIRS, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    pairs = {(row[0], row[2]) for row in rows[1:]}
    assert ("Hyresgäster Malmö", "Tenants Union Leeds") in pairs
    assert all(row[1] != row[3] for row in rows[1:])


def _pairs(client_as) -> set[tuple[str, str]]:
    response = client_as("coordinator").get(PAIRS, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    return {(row[0], row[2]) for row in rows[1:]}


def test_pairs_leave_out_organisations_whose_members_took_part_in_one_exchange(client_as, world, housing):
    _offer(world["swedish"])
    # Another visitor on the theme, from another country, for when Leeds is left out.
    woonbond = OrganisationFactory(name="Woonbond", country="NL")
    woonbond.themes.add(housing)
    assert ("Hyresgäster Malmö", "Tenants Union Leeds") in _pairs(client_as)
    # A member of each organisation took part in the same convening: they have met.
    convening = ExchangeFactory(title="Housing convening", kind=Exchange.Kind.CONVENING)
    malmo_member = MembershipFactory(organisation=world["swedish"]).member
    leeds_member = world["tenants"].memberships.get().member
    RegistrationFactory(exchange=convening, user=malmo_member.user, state="attended")
    RegistrationFactory(exchange=convening, user=leeds_member.user, state="confirmed")
    pairs = _pairs(client_as)
    assert ("Hyresgäster Malmö", "Tenants Union Leeds") not in pairs
    assert ("Hyresgäster Malmö", "Woonbond") in pairs


def test_a_no_show_or_a_pending_membership_is_no_meeting(client_as, world, housing):
    _offer(world["swedish"])
    convening = ExchangeFactory(title="Housing convening", kind=Exchange.Kind.CONVENING)
    no_show = MembershipFactory(organisation=world["swedish"]).member
    applicant = MembershipFactory(organisation=world["swedish"], state="requested").member
    leeds_member = world["tenants"].memberships.get().member
    RegistrationFactory(exchange=convening, user=no_show.user, state="no_show")
    RegistrationFactory(exchange=convening, user=applicant.user, state="attended")
    RegistrationFactory(exchange=convening, user=leeds_member.user, state="attended")
    assert ("Hyresgäster Malmö", "Tenants Union Leeds") in _pairs(client_as)


@pytest.mark.parametrize(
    "status", [HostOffer.Status.SUBMITTED, HostOffer.Status.CHANGES_REQUESTED, HostOffer.Status.DECLINED]
)
def test_only_approved_offers_to_host_count_for_suggestions_and_pairs(client_as, world, housing, status):
    # An organisation whose only claim is an offer on the theme (no shared theme of its own).
    offering = OrganisationFactory(name="Offering Org", country="NL")
    offer = _offer(offering, status=status, themes=[housing])
    # Under review (or declined), the offer is a member's words the policy shows no one else.
    assert "Offering Org" not in client_as("organiser").get(SUGGESTIONS).content.decode()
    assert not any(host == "Offering Org" for host, _visitor in _pairs(client_as))
    # Approved, it is the organisation's public offer: a reason to suggest it, and a host to pair.
    offer.status = HostOffer.Status.APPROVED
    offer.save()
    assert "offer to host on it" in client_as("organiser").get(SUGGESTIONS).content.decode()
    assert any(host == "Offering Org" for host, _visitor in _pairs(client_as))


def test_cached_suggestions_follow_the_network_and_each_organisers_own_meetings(
    client_as, organiser, other_organiser, world, housing
):
    """The organisations' facts are shared by every organiser with the same themes and
    languages (cached for the members' audience); whom one has met is one's own, asked each
    time."""
    client = client_as("organiser")
    assert "Woonbond" not in client.get(SUGGESTIONS).content.decode()
    woonbond = OrganisationFactory(name="Woonbond", country="NL")
    woonbond.themes.add(housing)
    assert "Woonbond" in client.get(SUGGESTIONS).content.decode()
    together = ExchangeFactory(title="Housing convening")
    RegistrationFactory(exchange=together, user=organiser)
    RegistrationFactory(exchange=together, user=MembershipFactory(organisation=woonbond).member.user)
    assert "Woonbond" not in client.get(SUGGESTIONS).content.decode()
    # Another organiser with the same themes and languages, from elsewhere, who met no one there.
    other = member_for(other_organiser, country="DE", languages=["sv", "en"])
    other.themes.add(housing)
    assert "Woonbond" in client_as("other_organiser").get(SUGGESTIONS).content.decode()
