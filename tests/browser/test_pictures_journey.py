"""Pictures in a real browser: a member uploads a photo on their profile page and sees it on
their profile and in the directory beside others' initials; an organisation's administrator
sets its logo; an exchange shows its cover. Every page is checked with axe-core, for
horizontal overflow at a phone's width, and photographed (English, Swedish, Dutch)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exchanges.models import Exchange
from network.models import Member, Membership, Role
from tests.browser.conftest import assert_accessible, screenshots, signed_in_page
from tests.factories.exchanges import ExchangeFactory
from tests.factories.files import image_bytes
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory, member_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page_as(browser, live_server, user):
    return signed_in_page(browser, live_server, user)


def _check(page, name: str) -> None:
    """Accessible, no horizontal overflow at 390 px, every picture loaded; photographed."""
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    page.evaluate("Promise.all([...document.images].map(i => i.decode().catch(() => null)))")
    broken = page.evaluate("[...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)")
    assert not broken, broken
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshots(page, name)


def test_a_member_uploads_a_photo_and_an_administrator_sets_a_logo(browser, live_server, tmp_path):
    hjallbo = OrganisationFactory(name="Tillsammans Hjällbo", slug="tillsammans-hjallbo")
    amina = UserFactory(email="amina@example.org", role=Role.ORGANISER)
    member_for(amina, display_name="Amina Warsame", visibility="members")
    MembershipFactory(member=amina.member, organisation=hjallbo, role=Membership.Role.ADMIN)
    for name in ("Hodan Ali", "Yusuf Mohamed", "Erik Lindqvist"):
        other = member_for(UserFactory(role=Role.ORGANISER), display_name=name, visibility="members")
        MembershipFactory(member=other, organisation=hjallbo)
    ExchangeFactory(
        title="Visit to Navet",
        status=Exchange.Status.PUBLISHED,
        cover=SimpleUploadedFile("cover.png", image_bytes(size=(1800, 900), color=(40, 120, 90))),
        cover_alt="Green hills",
    )
    photo = tmp_path / "amina.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(800, 1000), color=(180, 120, 90)))
    logo = tmp_path / "logo.png"
    logo.write_bytes(image_bytes("PNG", size=(600, 300), color=(11, 92, 90)))
    base = live_server.url

    page = _page_as(browser, live_server, amina)
    page.goto(base + "/me/profile/")
    _check(page, "pictures-profile-empty-en")
    page.get_by_label("Photo", exact=True).set_input_files(str(photo))
    page.get_by_label("Photo description").fill("Amina smiling at the Hjällbo meeting")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url(re.compile(r"/me/profile/$"))
    assert "Your profile is saved." in page.content()
    member = Member.objects.get(user=amina)
    assert member.photo and member.photo_alt == "Amina smiling at the Hjällbo meeting"
    _check(page, "pictures-profile-photo-en")

    page.goto(base + member.get_absolute_url())
    image = page.get_by_role("img", name="Amina smiling at the Hjällbo meeting")
    assert image.get_attribute("width") == "384" and "w," in image.get_attribute("srcset")
    _check(page, "pictures-member-en")
    for prefix in ("", "/sv", "/nl"):
        page.goto(f"{base}{prefix}/members/")
        assert page.locator(".avatar-initials").count() == 3
        _check(page, f"pictures-directory{prefix.replace('/', '-') or '-en'}")

    page.goto(base + hjallbo.get_absolute_url())
    page.get_by_role("link", name="Change the organisation's logo").click()
    _check(page, "pictures-logo-form-en")
    page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    page.get_by_role("button", name="Save the logo").click()
    page.wait_for_url(re.compile(r"/organisations/tillsammans-hjallbo/$"))
    assert "The logo is saved." in page.content()
    _check(page, "pictures-organisation-en")
    page.goto(base + "/organisations/")
    _check(page, "pictures-organisations-en")

    page.goto(base + "/exchanges/")
    assert page.get_by_role("img", name="Green hills").count() == 1
    _check(page, "pictures-exchanges-en")
    page.get_by_role("link", name="Visit to Navet").click()
    _check(page, "pictures-exchange-en")
