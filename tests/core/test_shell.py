"""The site's shell: the header's links for each role, the style guide's access, the web app
manifest, allauth's pages in the site's words, one label on every filter button, breadcrumbs
on detail pages and the reflection form's message for a missing rating."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory
from tests.factories.network import OrganisationFactory, member_for
from tests.factories.practice import GuideFactory, JointActionFactory

pytestmark = pytest.mark.django_db

MAIN = {
    "Dashboard": "/evidence/dashboard/",
    "Exchanges": "/exchanges/",
    "My exchanges": "/exchanges/mine/",
    "Practice": "/practice/",
    "Evidence": "/evidence/",
    "Organisations": "/organisations/",
    "Members": "/members/",
    "Guides to review": "/practice/review/",
    "Evidence to review": "/admin/evidence/reviewqueueitem/",
    "Invitations": "/invitations/",
    "Admin": "/admin/",
}
MEMBER_MENU = {
    "My profile": "/me/profile/",
    "My account": "/me/account/",
    "My organisations": "/me/organisations/",
    "My exchanges": "/exchanges/mine/",
    "My evidence": "/evidence/mine/",
    "My guides": "/practice/mine/",
}
# What each role finds in the main navigation, and what it does not.
EXPECTED = {
    "anonymous": {"Exchanges", "Practice", "Evidence", "Organisations"},
    "organiser": {"Exchanges", "My exchanges", "Practice", "Evidence", "Organisations", "Members"},
    "funder": {"Dashboard", "Exchanges", "Practice", "Evidence", "Organisations", "Members"},
    "coordinator": {
        "Exchanges",
        "Practice",
        "Evidence",
        "Organisations",
        "Members",
        "Guides to review",
        "Evidence to review",
        "Invitations",
        "Admin",
    },
}
EXPECTED_MENU = {
    "anonymous": set(),
    "organiser": set(MEMBER_MENU),
    "funder": {"My profile", "My account", "My organisations", "My exchanges"},
    "coordinator": set(MEMBER_MENU),
}


def _region(html: str, css_class: str) -> str:
    match = re.search(rf'<nav[^>]*class="{css_class}"[^>]*>(.*?)</nav>', html, re.S)
    return match.group(1) if match else ""


def _links(fragment: str) -> dict[str, str]:
    """Link text → href of the links in an HTML fragment."""
    return {text.strip(): href for href, text in re.findall(r'<a\b[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', fragment)}


@pytest.mark.parametrize("role", EXPECTED)
def test_the_header_shows_each_role_what_it_came_for(client_as, role):
    html = client_as(role).get("/").content.decode()
    main = _links(_region(html, "main-nav"))
    assert set(main) == EXPECTED[role]
    for text, href in main.items():
        assert href == MAIN[text], text
    menu = _links(_region(html, "member-panel"))
    assert set(menu) == EXPECTED_MENU[role]
    for text, href in menu.items():
        assert href == MEMBER_MENU[text], text
    if role == "anonymous":
        guest = _links(_region(html, "guest-nav"))
        assert set(guest) == {"Log in", "Sign up"}
        assert "Log out" not in html
    else:
        assert "Log out" in html and "guest-nav" not in html
    # The language switcher is there for everyone.
    for code in ("en", "sv", "nl"):
        assert f'name="language" value="{code}"' in html


def test_the_menu_is_a_disclosure_that_works_without_javascript(client):
    html = client.get("/").content.decode()
    assert re.search(r'<details class="site-menu">\s*<summary class="menu-button">', html)
    assert "<script" not in html


@pytest.mark.parametrize(
    ("path", "text", "current"),
    [
        ("/exchanges/", "Exchanges", "page"),
        ("/exchanges/mine/", "My exchanges", "page"),
        ("/practice/joint-actions/", "Practice", "true"),
        ("/organisations/", "Organisations", "page"),
    ],
)
def test_the_current_section_is_marked(client_as, path, text, current):
    html = client_as("organiser").get(path).content.decode()
    nav = _region(html, "main-nav")
    marked = re.findall(r'aria-current="(\w+)">([^<]+)</a>', nav)
    assert marked == [(current, text)]


def test_the_member_menu_marks_the_current_page(client_as):
    html = client_as("organiser").get("/me/profile/").content.decode()
    assert re.findall(r'aria-current="(\w+)">([^<]+)</a>', _region(html, "member-panel")) == [("page", "My profile")]


# --- style guide ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 404), ("organiser", 404), ("funder", 404), ("coordinator", 200)]
)
def test_the_style_guide_is_for_coordinators(client_as, role, status):
    response = client_as(role).get("/styleguide/")
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        for css_class in ("card-media", "avatar", "tile-value", "facts", "empty-state", "breadcrumbs", "badge ok"):
            assert css_class in body
        assert "errorlist" in body  # the sample form is shown with its errors


def test_the_style_guide_is_open_to_everyone_in_debug(client, settings):
    settings.DEBUG = True
    assert client.get("/styleguide/").status_code == 200
    assert client.get("/sv/styleguide/").status_code == 200


# --- manifest ----------------------------------------------------------------------------------


def test_the_web_app_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == settings.SITE_NAME and data["start_url"] == "/"
    assert data["theme_color"] == "#0b5c5a"
    sizes = {icon["sizes"] for icon in data["icons"] if icon["purpose"] == "any"}
    assert sizes == {"192x192", "512x512"}
    for icon in data["icons"]:
        name = re.sub(r"^/static/", "", icon["src"])
        assert (Path(settings.BASE_DIR) / "static" / name).is_file()
    home = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in home
    assert '<meta name="theme-color" content="#0b5c5a">' in home


def test_the_icons_are_the_sizes_they_say():
    from PIL import Image

    for size in (192, 512):
        for name in (f"icon-{size}.png", f"icon-maskable-{size}.png"):
            with Image.open(Path(settings.BASE_DIR) / "static" / "icons" / name) as image:
                assert image.size == (size, size)


# --- wording -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["", "/sv", "/nl"])
def test_allauth_pages_use_the_sites_words(client, language):
    login = client.get(f"{language}/accounts/login/").content.decode()
    signup = client.get(f"{language}/accounts/signup/").content.decode()
    for body in (login, signup):
        assert "Sign In" not in body and "Sign Up" not in body and "Remember Me" not in body
    if not language:
        assert "<h1>Log in</h1>" in login and ">Log in</button>" in login
        assert "Remember me" in login
        assert "<h1>Sign up</h1>" in signup and ">Sign up</button>" in signup


def test_allauths_other_pages_speak_in_sentence_case(client_as):
    reset = client_as("anonymous").get("/accounts/password/reset/").content.decode()
    assert "Password Reset" not in reset and "Reset My Password" not in reset
    assert "Password reset" in reset and "Reset my password" in reset
    client = client_as("organiser")
    change = client.get("/accounts/password/change/").content.decode()
    assert "Change Password" not in change and "Change password" in change
    emails = client.get("/accounts/email/").content.decode()
    assert "Email Addresses" not in emails and "Make Primary" not in emails


def test_logging_in_still_works(client, organiser, password):
    response = client.post("/accounts/login/", {"login": organiser.email, "password": password, "remember": "on"})
    assert response.status_code == 302
    assert client.get("/me/profile/").status_code == 200


FILTER_PAGES = [
    ("anonymous", "/exchanges/"),
    ("anonymous", "/evidence/"),
    ("anonymous", "/practice/"),
    ("anonymous", "/practice/joint-actions/"),
    ("anonymous", "/organisations/"),
    ("organiser", "/members/"),
    ("funder", "/evidence/dashboard/"),
    ("coordinator", "/invitations/"),
]


def test_every_filter_form_has_one_label(client_as):
    labels = set()
    for role, path in FILTER_PAGES:
        html = client_as(role).get(path).content.decode()
        forms = re.findall(r'<form method="get"[^>]*class="filters[ "][^>]*>(.*?)</form>', html, re.S)
        assert forms, path
        for form in forms:
            labels |= set(re.findall(r'<button type="submit"[^>]*>([^<]+)</button>', form))
    assert labels == {"Apply filters"}


def test_the_month_filter_is_a_list_of_months(client):
    html = client.get("/exchanges/").content.decode()
    select = re.search(r'<select name="month" id="id_month"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the month filter is a <select>"
    today = timezone.localdate()
    assert f'<option value="{today:%Y-%m}">{today:%B %Y}</option>' in select.group(1)
    assert 'type="month"' not in html
    # A month outside the list (an old link) stays chosen.
    html = client.get("/exchanges/", {"month": "2001-01"}).content.decode()
    assert '<option value="2001-01" selected>January 2001</option>' in html


# --- breadcrumbs -------------------------------------------------------------------------------


def test_detail_pages_have_breadcrumbs(client_as, organiser):
    organisation = OrganisationFactory(name="Navet i Bergsjön")
    member = member_for(organiser, display_name="Amina Yusuf", visibility="members")
    pages = {
        ExchangeFactory(title="Visit to Hjällbo").get_absolute_url(): ("Exchanges", "Visit to Hjällbo"),
        EvidenceRecordFactory(title="Homework club").get_absolute_url(): ("Evidence", "Homework club"),
        GuideFactory(title="One-to-ones").get_absolute_url(): ("Practice", "One-to-ones"),
        JointActionFactory(title="Warm homes").get_absolute_url(): ("Joint actions", "Warm homes"),
        organisation.get_absolute_url(): ("Organisations", "Navet i Bergsjön"),
        reverse("network:member_detail", args=[member.pk]): ("Members", "Amina Yusuf"),
    }
    client = client_as("coordinator")
    for url, (parent, current) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        crumbs = _region(response.content.decode(), "breadcrumbs")
        assert '<a href="/">Home</a>' in crumbs, url
        assert f">{parent}</a>" in crumbs, url
        assert f'<span aria-current="page">{current}</span>' in crumbs, url


# --- reflection --------------------------------------------------------------------------------


def test_a_reflection_without_a_rating_says_so_next_to_the_field(client, organiser):
    past = ExchangeFactory(starts_at=timezone.now() - timedelta(days=2))
    RegistrationFactory(exchange=past, user=organiser)
    client.force_login(organiser)
    url = reverse("exchanges:reflection", kwargs={"slug": past.slug})
    form = client.get(url).content.decode()
    # No "required" attribute: the browser does not stop the form with a tooltip of its own.
    assert not re.search(r'<input type="radio"[^>]*required', form)
    response = client.post(url, {"learned": "Listening first", "will_try": "House meetings"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body
    fieldset = re.search(r"<fieldset>.*?How useful was the exchange.*?</fieldset>", body, re.S).group(0)
    assert "Choose how useful the exchange was for you, from 1 to 5." in fieldset
    # What was written is kept.
    assert "Listening first" in body
