"""Error pages in the site's look, translated, saying what to do next, without server detail."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db

NOT_FOUND = {
    "en": "We could not find this page",
    "sv": "Vi kunde inte hitta sidan",
    "nl": "We konden deze pagina niet vinden",
}
FORBIDDEN = {
    "en": "This page is not open to you",
    "sv": "Den här sidan är inte öppen för dig",
    "nl": "Deze pagina is niet voor jou toegankelijk",
}


@pytest.mark.parametrize("language", ["en", "sv", "nl"])
def test_a_missing_page_has_the_site_header_a_search_and_a_way_home(client, language):
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(f"{prefix}/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'class="site-header"' in html and NOT_FOUND[language] in html
    assert 'role="search"' in html and f'lang="{language}"' in html


@pytest.mark.parametrize("language", ["en", "sv", "nl"])
def test_a_page_for_another_role_explains_itself(client_as, language):
    """Before: an organiser who opened the dashboard met an unstyled "403 Forbidden"."""
    prefix = "" if language == "en" else f"/{language}"
    response = client_as("organiser").get(f"{prefix}/evidence/dashboard/")
    html = response.content.decode()
    assert response.status_code == 403
    assert 'class="site-header"' in html and FORBIDDEN[language] in html
    assert "403 Forbidden" not in html


def test_the_server_error_page_says_what_to_do_and_nothing_about_the_server():
    request = RequestFactory().get("/evidence/")
    with translation.override("sv"):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Något gick fel" in html and 'class="site-header"' in html
    assert "Traceback" not in html and "Exception" not in html


def test_the_favicon_is_ours(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()


def test_an_unreachable_database_gets_a_503_that_says_to_try_again_in_a_moment():
    from django.db import OperationalError

    from config import urls
    from core.views import server_error as site_server_error

    assert urls.handler500 == "core.views.server_error"
    request = RequestFactory().get("/exchanges/")
    # Django calls the handler while it handles the exception; so does this test.
    try:
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    except OperationalError:
        response = site_server_error(request)
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert "Back in a moment" in html and "127.0.0.1" not in html
    try:
        raise ValueError("a bug")
    except ValueError:
        assert site_server_error(request).status_code == 500
