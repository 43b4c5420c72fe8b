"""The cache is an optimisation: with Redis unreachable, writes succeed and pages render."""

import pytest

from tests.factories.network import OrganisationFactory

pytestmark = pytest.mark.django_db

DEAD_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_writes_and_pages_work_while_the_cache_is_unreachable(client, settings):
    settings.CACHES = DEAD_CACHE
    # Saving sends the invalidation signals of every app's fragment cache.
    OrganisationFactory(name="Navet i Bergsjön", slug="navet", country="SE")
    for url in ["/organisations/", "/organisations/navet/", "/exchanges/", "/practice/", "/evidence/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Navet i Bergsjön" in client.get("/organisations/").content.decode()
