"""Organisation directory, organisation page and "where we are"."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from network.models import Member, Organisation
from tests.conftest import ROLES
from tests.factories.network import MembershipFactory, OrganisationFactory, ThemeFactory, UserFactory, member_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # reverse() follows the active language, which a previous request may have changed.
    with translation.override("en"):
        yield


def _names(response) -> list[str]:
    return [org.name for org in response.context["page"].object_list]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_may_browse_the_organisation_directory(client_as, role):
    OrganisationFactory(name="Navet i Bergsjön")
    response = client_as(role).get(reverse("network:organisation_list"))
    assert response.status_code == 200
    assert "Navet i Bergsjön" in response.content.decode()


def test_directory_filters_by_country_kind_theme_and_text(client):
    housing = ThemeFactory(slug="housing-test", name="Housing test")
    hjallbo = OrganisationFactory(name="Tillsammans Hjällbo", country="SE", kind=Organisation.Kind.GRASSROOTS)
    hjallbo.themes.add(housing)
    OrganisationFactory(name="Gemeente Hellendoorn", country="NL", kind=Organisation.Kind.PUBLIC_BODY)
    OrganisationFactory(name="Postkodstiftelsen", country="SE", kind=Organisation.Kind.FUNDER, city="Stockholm")
    url = reverse("network:organisation_list")

    assert _names(client.get(url, {"country": "NL"})) == ["Gemeente Hellendoorn"]
    assert _names(client.get(url, {"kind": "funder"})) == ["Postkodstiftelsen"]
    assert _names(client.get(url, {"theme": "housing-test"})) == ["Tillsammans Hjällbo"]
    assert _names(client.get(url, {"q": "stockholm"})) == ["Postkodstiftelsen"]
    assert _names(client.get(url, {"country": "SE", "kind": "grassroots"})) == ["Tillsammans Hjällbo"]


def test_directory_country_choices_are_the_countries_present_named_in_the_active_language(client):
    OrganisationFactory(country="SE")
    OrganisationFactory(country="NL")
    html = client.get("/sv/organisations/").content.decode()
    assert '<option value="SE">Sverige</option>' in html
    assert '<option value="NL">Nederländerna</option>' in html
    assert '<option value="FR">' not in html


def test_directory_paginates(client):
    for n in range(30):
        OrganisationFactory(name=f"Org {n:02d}")
    url = reverse("network:organisation_list")
    first = client.get(url)
    second = client.get(url, {"page": 2})
    assert len(first.context["page"].object_list) == 24
    assert len(second.context["page"].object_list) == 6
    assert set(_names(first)).isdisjoint(_names(second))
    assert 'href="?page=2"' in first.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"country": "ZZ"},
        {"kind": "<script>"},
        {"theme": "no-such-theme"},
        {"q": "a\x00b"},
        {"q": "x" * 5000},
        {"country": "SE\x00"},
    ],
)
def test_malformed_directory_parameters_never_fail(client, params):
    OrganisationFactory(name="Digidem Lab")
    response = client.get(reverse("network:organisation_list"), params)
    if "\x00" in "".join(params.values()):
        # A NUL in the address gets the 400 page (core.http).
        assert response.status_code == 400
        return
    assert response.status_code == 200
    # The bad value is ignored: the directory still lists the organisation.
    assert "Digidem Lab" in response.content.decode()


def test_an_invalid_filter_is_explained(client):
    OrganisationFactory(country="SE")
    html = client.get(reverse("network:organisation_list"), {"country": "ZZ"}).content.decode()
    assert "Some filters were not understood and are ignored." in html


def test_organisation_directory_query_count_does_not_grow_with_rows(client, django_assert_num_queries):
    theme = ThemeFactory()
    for _ in range(5):
        OrganisationFactory().themes.add(theme)
    url = reverse("network:organisation_list")
    client.get(url)  # warm caches (content types, sessions) so both runs compare like with like
    cache.clear()
    with django_assert_num_queries(5) as few:
        client.get(url, {"country": "SE"})
    for _ in range(55):
        OrganisationFactory().themes.add(theme)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url, {"country": "SE"})
    assert len(response.context["page"].object_list) == 24


# --- organisation page ---------------------------------------------------------------------


@pytest.fixture
def hjallbo():
    return OrganisationFactory(
        name="Tillsammans Hjällbo", slug="tillsammans-hjallbo", contact_email="secret-contact@hjallbo.example.org"
    )


def _join(org, visibility, name):
    user = UserFactory()
    member_for(user, display_name=name, visibility=visibility)
    MembershipFactory(member=user.member, organisation=org)
    return user


@pytest.mark.parametrize("role", ROLES)
def test_organisation_page_shows_members_as_their_visibility_allows(client_as, role, hjallbo):
    _join(hjallbo, Member.Visibility.PUBLIC, "Public Person")
    _join(hjallbo, Member.Visibility.MEMBERS, "Members Only Person")
    _join(hjallbo, Member.Visibility.HIDDEN, "Hidden Person")
    html = client_as(role).get(hjallbo.get_absolute_url()).content.decode()
    assert "Public Person" in html
    assert ("Members Only Person" in html) == (role != "anonymous")
    assert "Hidden Person" not in html


@pytest.mark.parametrize("role", ROLES)
def test_contact_email_reaches_coordinators_only(client_as, role, hjallbo):
    html = client_as(role).get(hjallbo.get_absolute_url()).content.decode()
    assert ("secret-contact@hjallbo.example.org" in html) == (role == "coordinator")


def test_contact_email_never_in_the_directory(client_as, hjallbo):
    for role in ROLES:
        assert "secret-contact@" not in client_as(role).get(reverse("network:organisation_list")).content.decode()


def test_organisation_page_shows_its_networks_and_member_organisations(client, hjallbo):
    econ = OrganisationFactory(name="European Community Organisers Network", kind=Organisation.Kind.NETWORK)
    digidem = OrganisationFactory(name="Digidem Lab")
    hjallbo.networks.add(econ)
    digidem.networks.add(econ)
    html = client.get(hjallbo.get_absolute_url()).content.decode()
    assert "Networks it belongs to" in html and "European Community Organisers Network" in html
    econ_html = client.get(econ.get_absolute_url()).content.decode()
    assert "Member organisations" in econ_html
    assert "Digidem Lab" in econ_html and "Tillsammans Hjällbo" in econ_html


def test_unknown_organisation_is_404(client):
    assert client.get("/organisations/no-such-organisation/").status_code == 404
    assert client.get("/organisations/%00/").status_code == 400  # a NUL in the address (core.http)


def test_organisation_text_is_escaped(client):
    org = OrganisationFactory(name="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    html = client.get(org.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_organisation_page_query_count_does_not_grow_with_members(client_as, hjallbo, django_assert_num_queries):
    client = client_as("organiser")
    for n in range(5):
        _join(hjallbo, Member.Visibility.MEMBERS, f"Person {n}")
    client.get(hjallbo.get_absolute_url())
    cache.clear()  # measure the page itself, not its cached fragment
    with django_assert_num_queries(9) as few:
        client.get(hjallbo.get_absolute_url())
    for n in range(55):
        _join(hjallbo, Member.Visibility.MEMBERS, f"Later {n}")
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(hjallbo.get_absolute_url())
    assert len(re.findall(r'href="/members/\d+/"', response.content.decode())) == 60


# --- where we are ---------------------------------------------------------------------------


def test_where_lists_organisations_per_country_with_a_self_drawn_chart(client):
    for _ in range(3):
        OrganisationFactory(country="SE")
    OrganisationFactory(country="NL")
    response = client.get("/nl/where/")
    html = response.content.decode()
    assert [(row["code"], row["count"]) for row in response.context["rows"]] == [("SE", 3), ("NL", 1)]
    assert "<svg" in html and "Zweden" in html and "Nederland" in html
    assert "https://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_cached_pages_follow_changes_at_once(client_as, hjallbo):
    client = client_as("anonymous")
    url = reverse("network:organisation_list")
    assert "Tillsammans Hjällbo" in client.get(url).content.decode()
    OrganisationFactory(name="Agera Göteborg")
    assert "Agera Göteborg" in client.get(url).content.decode()
    hjallbo.description = "Residents organising in Hjällbo."
    hjallbo.save()
    assert "Residents organising in Hjällbo." in client.get(hjallbo.get_absolute_url()).content.decode()
    theme = ThemeFactory(name="Housing justice")
    hjallbo.themes.add(theme)
    assert "Housing justice" in client.get(hjallbo.get_absolute_url()).content.decode()


def test_visitors_and_members_never_share_a_cached_organisation_page(client, organiser, hjallbo):
    _join(hjallbo, Member.Visibility.MEMBERS, "Members Only Person")
    client.force_login(organiser)
    assert "Members Only Person" in client.get(hjallbo.get_absolute_url()).content.decode()
    client.logout()
    assert "Members Only Person" not in client.get(hjallbo.get_absolute_url()).content.decode()


def test_cached_directory_is_per_language(client):
    OrganisationFactory(country="SE")
    assert "Sweden" in client.get("/organisations/").content.decode()
    assert "Sverige" in client.get("/sv/organisations/").content.decode()


def test_an_over_long_organisation_slug_is_404(client):
    assert client.get("/organisations/" + "a" * 5000 + "/").status_code == 404
