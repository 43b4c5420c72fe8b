"""My profile: only the member edits it; invalid input changes nothing; text is escaped."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from network.models import Member, Membership
from tests.conftest import ROLES
from tests.factories.network import MembershipFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

URL = "/me/profile/"


def _valid(_member, /, **changes):
    data = {
        "display_name": "Amina Warsame",
        "country": "SE",
        "city": "Göteborg",
        "languages": ["so", "sv"],
        "themes": [],
        "bio": "Organising in Hjällbo.",
        "visibility": "members",
        "preferred_language": "en",
        "time_zone": "Europe/Stockholm",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_member_edits_only_their_own_profile(client_as, role, request):
    client = client_as(role)
    response = client.get(URL)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert client.post(URL, _valid(None)).status_code == 302
        return
    user = request.getfixturevalue(role)
    assert response.context["form"].instance == user.member
    # Even a forged member id in the POST cannot reach another profile: the view takes request.user's.
    other = request.getfixturevalue("other_organiser" if role != "other_organiser" else "organiser")
    response = client.post(URL, _valid(user.member, display_name=f"New {role}", member=other.member.pk))
    assert response.status_code == 302
    user.member.refresh_from_db()
    other.member.refresh_from_db()
    assert user.member.display_name == f"New {role}"
    assert other.member.display_name != f"New {role}"


def test_profile_saves_every_field(client, organiser):
    client.force_login(organiser)
    theme = ThemeFactory(slug="housing-x")
    response = client.post(URL, _valid(organiser.member, themes=[str(theme.pk)], visibility="public"))
    assert response.status_code == 302
    member = Member.objects.get(pk=organiser.member.pk)
    assert (member.display_name, member.country.code, member.city) == ("Amina Warsame", "SE", "Göteborg")
    assert member.languages == ["so", "sv"]
    assert list(member.themes.all()) == [theme]
    assert member.visibility == "public" and member.time_zone == "Europe/Stockholm"


def test_the_profile_form_cannot_add_or_remove_memberships(client, organiser):
    """Memberships are asked for and approved (``test_memberships.py``), never typed in."""
    client.force_login(organiser)
    kept = MembershipFactory(member=organiser.member)
    org = OrganisationFactory()
    forged = {
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(kept.pk),
        "memberships-0-organisation": str(kept.organisation.pk),
        "memberships-0-DELETE": "on",
        "memberships-1-organisation": str(org.pk),
        "memberships-1-role": "admin",
    }
    assert client.post(URL, _valid(organiser.member, **forged)).status_code == 302
    assert list(Membership.objects.filter(member=organiser.member)) == [kept]


def test_saving_the_profile_never_changes_the_language_of_the_pages(client, organiser):
    """Before: choosing Swedish for emails switched the whole site to Swedish."""
    client.force_login(organiser)
    response = client.post(URL, _valid(organiser.member, preferred_language="sv"))
    assert response["Location"] == "/me/profile/"
    assert "django_language" not in response.cookies
    assert "Your profile is saved." in client.get(response["Location"]).content.decode()
    organiser.member.refresh_from_db()
    assert organiser.member.preferred_language == "sv"
    response = client.post("/nl" + URL, _valid(organiser.member, preferred_language="en"))
    assert response["Location"] == "/nl/me/profile/"


@pytest.mark.parametrize(
    "changes",
    [
        {"display_name": ""},
        {"display_name": "x" * 101},
        {"display_name": "Amina\x00"},
        {"bio": "b" * 1001},
        {"city": "Göte\x00borg"},
        {"country": "ZZ"},
        {"languages": ["xx"]},
        {"visibility": "everyone"},
        {"preferred_language": "de"},
        {"time_zone": "Mars/Olympus"},
    ],
)
def test_invalid_profile_re_renders_with_errors_and_changes_nothing(client, organiser, changes):
    client.force_login(organiser)
    before = Member.objects.filter(pk=organiser.member.pk).values().get()
    response = client.post(URL, _valid(organiser.member, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please correct the errors below. Nothing was saved." in html
    assert 'class="errorlist' in html
    assert Member.objects.filter(pk=organiser.member.pk).values().get() == before
    assert not Membership.objects.filter(member=organiser.member).exists()


def test_profile_text_renders_escaped(client, organiser, other_organiser):
    client.force_login(organiser)
    payload = '<script>alert("x")</script><b onmouseover=alert(1)>bold</b>'
    assert client.post(URL, _valid(organiser.member, display_name=payload[:100], bio=payload)).status_code == 302
    client.force_login(other_organiser)
    with translation.override("en"):
        for url in (organiser.member.get_absolute_url(), reverse("network:member_list")):
            html = client.get(url).content.decode()
            assert "<script>alert" not in html
            assert "<b onmouseover" not in html
            assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_language_choices_are_named_in_the_active_language(client, organiser):
    client.force_login(organiser)
    html = client.get("/nl/me/profile/").content.decode()
    assert ">Zweeds</label>" in html and ">Somalisch</label>" in html
