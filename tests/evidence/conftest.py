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


@pytest.fixture(autouse=True)
def _english():
    # A request to /sv/ or /nl/ leaves that language active in the thread; reverse() in the
    # next test would then build prefixed URLs.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(scope="session", autouse=True)
def _seeded_lists(django_db_setup, django_db_blocker):
    """The lists seeded by migration 0003 (and the role groups' permissions), restored once per
    session: a transactional test of an earlier run (with --reuse-db) may have flushed them."""
    from importlib import import_module

    from django.apps import apps

    from network.roles import roles_sync

    seed = import_module("evidence.migrations.0003_seed_lists_indicators_framework").seed
    with django_db_blocker.unblock():
        seed(apps, None)
        roles_sync()
