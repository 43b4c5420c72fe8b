import pytest

from tests.factories.network import MembershipFactory, OrganisationFactory


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Navet i Bergsjön", slug="navet", country="SE")


@pytest.fixture
def other_org(db):
    return OrganisationFactory(name="Gemeente Hellendoorn", slug="gemeente-hellendoorn", country="NL")


@pytest.fixture
def organiser_member(organiser, org):
    MembershipFactory(member=organiser.member, organisation=org)
    return organiser


@pytest.fixture
def other_member(other_organiser, other_org):
    MembershipFactory(member=other_organiser.member, organisation=other_org)
    return other_organiser
