"""Shared fixtures: the role cast every permission-sensitive view is tested with."""

from __future__ import annotations

import pkgutil
from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from network.models import Role
from tests.factories.network import PASSWORD, UserFactory


def reference_data_ensure() -> None:
    """Put back the reference rows our data migrations seed (themes, evidence dimensions and
    indicators, guide characteristics) and the role groups, if a transactional test's flush
    removed them.

    Every data migration of ours exposes an idempotent module-level ``seed(apps, schema_editor)``.
    """
    from django.apps import apps

    from evidence.models import Indicator
    from network.models import Theme
    from network.roles import roles_sync
    from practice.models import Characteristic

    # One row of each seeded table: a flush empties them all, a test that migrates some apps
    # backwards and forwards (tests/test_app_moves.py) only some.
    if Theme.objects.exists() and Indicator.objects.exists() and Characteristic.objects.exists():
        return
    # The role groups and their permissions are made after migrate; a flush removes them too.
    roles_sync()
    for app in settings.LEARNINGLAB_APPS:
        package = import_module(f"{app}.migrations")
        for info in pkgutil.iter_modules(package.__path__):
            module = import_module(f"{app}.migrations.{info.name}")
            if callable(getattr(module, "seed", None)):
                module.seed(apps, None)


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(scope="session", autouse=True)
def _reference_data(request, django_db_blocker):
    # A session of database-free tests only has no test database to fill.
    if not any(
        item.get_closest_marker("django_db") or DB_FIXTURES & set(item.fixturenames) for item in request.session.items
    ):
        return
    request.getfixturevalue("django_db_setup")
    # With --reuse-db the previous run's last flush may have emptied the reference tables.
    with django_db_blocker.unblock():
        reference_data_ensure()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Every database test starts with the reference rows, even right after a flush."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        reference_data_ensure()
    elif marker is not None or {"db", "django_db_reset_sequences"} & set(request.fixturenames):
        # A transactional test the collection order could not recognise may have run (and
        # flushed) before this one; inside this test's transaction the restore is rolled back.
        request.getfixturevalue("db")
        reference_data_ensure()
    yield


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise():
    # A test that activates a language and forgets to deactivate it would otherwise leave it
    # to the next test in the same process (reverse() then answers "/sv/…").
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters and cached fragments live in Redis: start every test clean.
    cache.clear()
    yield


@pytest.fixture
def organiser(db):
    return UserFactory(email="organiser@example.org", role=Role.ORGANISER)


@pytest.fixture
def other_organiser(db):
    return UserFactory(email="other.organiser@example.org", role=Role.ORGANISER)


@pytest.fixture
def coordinator(db):
    return UserFactory(email="coordinator@example.org", role=Role.COORDINATOR)


@pytest.fixture
def funder(db):
    return UserFactory(email="funder@example.org", role=Role.FUNDER)


@pytest.fixture
def password():
    return PASSWORD


ROLES = ["anonymous", "organiser", "other_organiser", "coordinator", "funder"]


@pytest.fixture
def client_as(client, request):
    """``client_as("coordinator")`` → a test client logged in as that role's user (or anonymous)."""

    def _login(role: str):
        if role == "anonymous":
            client.logout()
            return client
        user = request.getfixturevalue(role)
        client.force_login(user)
        return client

    return _login
