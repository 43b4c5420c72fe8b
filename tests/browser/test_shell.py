"""The site's shell in a real browser: on a phone the header is one short bar whose menu opens
from the keyboard (no JavaScript) and lists the role's links; on a desktop every role link is in
view. The style guide and the home page pass axe at both widths in English, Swedish and Dutch,
and are photographed for people to look at."""

from __future__ import annotations

import pytest

from network.models import Role
from tests.browser.conftest import assert_accessible, screenshots, signed_in_page
from tests.factories.network import UserFactory, member_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
ROLE_LINKS = {
    None: ["Exchanges", "Practice", "Evidence", "Organisations"],
    Role.ORGANISER: ["Exchanges", "My exchanges", "Practice"],
    Role.FUNDER: ["Dashboard", "Exchanges", "Evidence"],
    Role.COORDINATOR: ["Guides to review", "Evidence to review", "Invitations", "Admin"],
}


def _page(browser, live_server, role, viewport):
    user = None
    if role is not None:
        user = UserFactory(email=f"{role}@example.org", role=role)
        member_for(user, display_name=f"A {role}")
    return signed_in_page(browser, live_server, user, viewport=viewport)


def _header_height(page) -> float:
    return page.evaluate("document.querySelector('header.site-header').getBoundingClientRect().height")


def _nav(page):
    return page.get_by_role("navigation", name="Main")


@pytest.mark.parametrize("role", list(ROLE_LINKS), ids=lambda r: r or "anonymous")
def test_on_a_phone_the_header_is_one_bar_and_the_menu_opens_from_the_keyboard(browser, live_server, role):
    page = _page(browser, live_server, role, PHONE)
    for language in ("", "/sv", "/nl"):
        page.goto(f"{live_server.url}{language}/exchanges/")
        assert _header_height(page) <= 72, language
        assert not _nav(page).is_visible()
        no_overflow = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert no_overflow, language
    page.goto(live_server.url + "/exchanges/")
    # Skip link, the site's name, then the menu button.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    menu_button = page.locator("summary.menu-button")
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    assert menu_button.get_attribute("aria-expanded") in (None, "false")
    page.keyboard.press("Enter")
    nav = _nav(page)
    assert nav.is_visible()
    for name in ROLE_LINKS[role]:
        assert nav.get_by_role("link", name=name, exact=True).is_visible(), name
    assert nav.get_by_role("link", name="Exchanges", exact=True).get_attribute("aria-current") == "page"
    if role is None:
        assert page.get_by_role("link", name="Log in").is_visible()
    else:
        page.get_by_text("Account", exact=True).click()
        assert page.get_by_role("link", name="My profile").is_visible()
        assert page.get_by_role("button", name="Log out").is_visible()
    assert_accessible(page)
    name = role or "anonymous"
    page.screenshot(path=str(screenshots_dir() / f"shell-menu-open-{name}-390.png"), full_page=False)
    # Closing it again from the keyboard.
    menu_button.focus()
    page.keyboard.press("Enter")
    assert not nav.is_visible()


@pytest.mark.parametrize("role", list(ROLE_LINKS), ids=lambda r: r or "anonymous")
def test_on_a_desktop_every_role_link_is_in_view(browser, live_server, role):
    page = _page(browser, live_server, role, DESKTOP)
    page.goto(live_server.url + "/")
    assert not page.locator("summary.menu-button").is_visible()
    nav = _nav(page)
    for name in ROLE_LINKS[role]:
        assert nav.get_by_role("link", name=name, exact=True).is_visible(), name
    if role is not None:
        assert not page.get_by_role("link", name="My profile").is_visible()
        page.get_by_text("Account", exact=True).click()
        assert page.get_by_role("link", name="My profile").is_visible()
        assert page.get_by_role("link", name="My exchanges").last.is_visible()
    assert_accessible(page)
    screenshots(page, f"shell-home-{role or 'anonymous'}")
    # Just above the phone layout (64rem), in the language with the longest words, nothing
    # overflows.
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(live_server.url + "/nl/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshots_dir() / f"shell-home-{role or 'anonymous'}-nl-1024.png"))


def test_the_style_guide_and_home_are_accessible_in_every_language_and_width(browser, live_server):
    page = _page(browser, live_server, Role.COORDINATOR, DESKTOP)
    for language in ("", "/sv", "/nl"):
        for path in ("/styleguide/", "/"):
            page.goto(f"{live_server.url}{language}{path}")
            for viewport in (PHONE, DESKTOP):
                page.set_viewport_size(viewport)
                assert_accessible(page)
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (language, path)
            slug = "styleguide" if path != "/" else "home"
            screenshots(page, f"shell-{slug}-{language.strip('/') or 'en'}")


def screenshots_dir():
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


def test_the_login_page_and_a_reflection_without_a_rating(browser, live_server):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories.exchanges import ExchangeFactory, RegistrationFactory

    page = _page(browser, live_server, None, PHONE)
    page.goto(live_server.url + "/accounts/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    assert page.get_by_label("Remember me").is_visible()
    assert page.get_by_role("button", name="Log in").is_visible()

    page = _page(browser, live_server, Role.ORGANISER, PHONE)
    past = ExchangeFactory(title="Visit to Hjällbo", starts_at=timezone.now() - timedelta(days=2))
    RegistrationFactory(exchange=past, user=UserFactory._meta.model.objects.get(email="organiser@example.org"))
    page.goto(f"{live_server.url}/exchanges/{past.slug}/reflection/")
    page.get_by_label("what I learned", exact=False).fill("Listening first")
    page.get_by_role("button", name="Save my reflection").click()
    # The browser let the form through (no tooltip of its own); the server's message is on the page.
    page.wait_for_load_state()
    message = page.get_by_text("Choose how useful the exchange was for you, from 1 to 5.")
    assert message.is_visible()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("what I learned", exact=False).input_value() == "Listening first"
    assert_accessible(page)
    screenshots(page, "shell-reflection-error")
