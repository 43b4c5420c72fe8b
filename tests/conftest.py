"""Shared fixtures: the role cast every permission-sensitive view is tested with."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from network.models import Role
from tests.factories.network import PASSWORD, UserFactory


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
