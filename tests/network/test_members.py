"""Member directory and member pages: signed-in only, hidden profiles never shown nor counted."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from core.policy import viewer_for
from network.models import Member
from tests.conftest import ROLES
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory, member_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _person(name, visibility=Member.Visibility.MEMBERS, **fields):
    user = UserFactory()
    return member_for(user, display_name=name, visibility=visibility, **fields)


@pytest.fixture
def people():
    return {
        "public": _person("Public Pia", Member.Visibility.PUBLIC, country="SE"),
        "members": _person("Members Mo", Member.Visibility.MEMBERS, country="NL"),
        "hidden": _person("Hidden Hanna", Member.Visibility.HIDDEN, country="DE"),
    }


@pytest.mark.parametrize("role", ROLES)
def test_member_directory_is_for_signed_in_members_and_never_lists_hidden_profiles(client_as, role, people):
    response = client_as(role).get(reverse("network:member_list"))
    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        return
    html = response.content.decode()
    assert "Public Pia" in html and "Members Mo" in html
    assert "Hidden Hanna" not in html
    # Not even counted: the count covers exactly the visible profiles (the viewer's own included).
    listed = Member.objects.listed(viewer_for(response.wsgi_request.user))
    assert response.context["page"].paginator.count == listed.count()
    assert not listed.filter(pk=people["hidden"].pk).exists()
    # Nor does the hidden member's country appear among the filter choices.
    assert '<option value="DE">' not in html


@pytest.mark.parametrize("role", ROLES)
def test_member_pages_respect_visibility(client_as, role, people):
    client = client_as(role)
    for key, member in people.items():
        response = client.get(member.get_absolute_url())
        if role == "anonymous":
            assert response.status_code == 302
        elif key == "hidden":
            assert response.status_code == 404
        else:
            assert response.status_code == 200
            assert member.display_name in response.content.decode()


def test_a_hidden_member_still_sees_their_own_page(client, organiser):
    member_for(organiser, display_name="Shy Organiser", visibility=Member.Visibility.HIDDEN)
    client.force_login(organiser)
    assert client.get(organiser.member.get_absolute_url()).status_code == 200


def test_member_pages_never_show_email_addresses(client_as, people):
    client = client_as("coordinator")
    for member in (people["public"], people["members"]):
        assert member.user.email not in client.get(member.get_absolute_url()).content.decode()
    assert people["public"].user.email not in client.get(reverse("network:member_list")).content.decode()


def test_member_directory_filters(client_as, people):
    people["public"].languages = ["so", "sv"]
    people["public"].save()
    client = client_as("organiser")
    url = reverse("network:member_list")

    def names(params):
        return [m.display_name for m in client.get(url, params).context["page"].object_list]

    assert names({"country": "NL"}) == ["Members Mo"]
    assert names({"language": "so"}) == ["Public Pia"]
    assert names({"q": "pia"}) == ["Public Pia"]
    assert names({"country": "DE"}) != ["Hidden Hanna"]


def test_member_directory_shows_language_names_in_the_active_language(client_as, people):
    people["public"].languages = ["so", "nl"]
    people["public"].save()
    html = client_as("organiser").get("/sv/members/").content.decode()
    assert "somaliska" in html.lower() and "nederländska" in html.lower()


@pytest.mark.parametrize(
    "params", [{"page": "abc"}, {"language": "xx"}, {"country": "ZZ"}, {"q": "\x00"}, {"theme": "nope"}]
)
def test_malformed_member_directory_parameters_never_fail(client_as, people, params):
    response = client_as("organiser").get(reverse("network:member_list"), params)
    assert response.status_code == 200
    assert "Public Pia" in response.content.decode()


def test_member_directory_query_count_does_not_grow_with_rows(client_as, django_assert_num_queries):
    client = client_as("organiser")
    org = OrganisationFactory()

    def add(n):
        for i in range(n):
            member = _person(f"Person {i}", languages=["sv"])
            MembershipFactory(member=member, organisation=org)

    add(5)
    url = reverse("network:member_list")
    client.get(url)
    cache.clear()  # measure the directory itself, not its cached fragment
    with django_assert_num_queries(8) as few:
        client.get(url)
    add(55)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 30


def test_unknown_member_is_404(client_as):
    assert client_as("organiser").get("/members/999999/").status_code == 404


def test_the_cached_directory_follows_profile_changes_at_once(client_as, people):
    client = client_as("organiser")
    url = reverse("network:member_list")
    assert "Members Mo" in client.get(url).content.decode()
    people["members"].visibility = Member.Visibility.HIDDEN
    people["members"].save()
    assert "Members Mo" not in client.get(url).content.decode()
    people["public"].display_name = "Renamed Pia"
    people["public"].save()
    assert "Renamed Pia" in client.get(url).content.decode()
    people["public"].user.is_active = False
    people["public"].user.save()
    assert "Renamed Pia" not in client.get(url).content.decode()


def test_a_hidden_members_own_profile_is_not_listed_in_the_directory(client, organiser):
    member_for(organiser, display_name="Shy Organiser", visibility=Member.Visibility.HIDDEN)
    client.force_login(organiser)
    assert "Shy Organiser" not in client.get(reverse("network:member_list")).content.decode()


@pytest.mark.parametrize("pk", ["99999999999999999999999", "0"])
def test_out_of_range_member_ids_are_404(client_as, pk):
    assert client_as("organiser").get(f"/members/{pk}/").status_code == 404
