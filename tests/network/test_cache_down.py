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


def test_every_cached_page_and_a_service_write_work_while_the_cache_is_unreachable(client_as, settings, coordinator):
    from evidence import services as evidence_services
    from practice.models import Guide
    from tests.factories.evidence import story
    from tests.factories.exchanges import ExchangeFactory
    from tests.factories.practice import make_guide

    exchange = ExchangeFactory(title="Offline exchange")
    guide = make_guide(title="Offline guide", language="en", status=Guide.Status.PUBLISHED, coordinator=coordinator)
    told = story(title="Offline story")
    settings.CACHES = DEAD_CACHE
    evidence_services.consent_withdraw(consent=told.consent, user=coordinator)
    for role in ("anonymous", "coordinator"):
        client = client_as(role)
        for url, text in [
            ("/exchanges/", "Offline exchange"),
            (exchange.get_absolute_url(), "Offline exchange"),
            (guide.get_absolute_url(), "Offline guide"),
            ("/practice/joint-actions/", ""),
            ("/evidence/dashboard/" if role == "coordinator" else "/evidence/", ""),
            ("/search/?q=offline", guide.get_absolute_url()),
        ]:
            response = client.get(url)
            assert response.status_code == 200, url
            assert text in response.content.decode(), url
            assert "Offline story" not in response.content.decode(), url
