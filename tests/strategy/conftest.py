import pytest
from django.utils import translation

from network.models import Membership, Organisation, Role
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.strategy import strategy_make


@pytest.fixture(autouse=True)
def _english_urls():
    # A request to /sv/ leaves its language active in this thread (see tests/practice).
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def org_member(db):
    """An organiser with an approved membership of a grassroots group in Sweden."""
    user = UserFactory(email="member@example.org", role=Role.ORGANISER)
    organisation = OrganisationFactory(kind=Organisation.Kind.GRASSROOTS, country="SE")
    MembershipFactory(member=user.member, organisation=organisation, state=Membership.State.APPROVED)
    return user


@pytest.fixture
def other_org_member(db):
    user = UserFactory(email="other.member@example.org", role=Role.ORGANISER)
    organisation = OrganisationFactory(kind=Organisation.Kind.FUNDER, country="NL")
    MembershipFactory(member=user.member, organisation=organisation, state=Membership.State.APPROVED)
    return user


@pytest.fixture
def strategy(db, coordinator):
    return strategy_make(coordinator=coordinator)


CAST = ["anonymous", "organiser", "org_member", "other_org_member", "funder", "coordinator"]
