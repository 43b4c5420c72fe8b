"""Organisations and member profiles in the search: the one access policy decides who finds
whom (hidden profiles never, members-only profiles only for signed-in people, contact emails
never), the facets count only what the viewer may see, and the index follows saves, deletes,
visibility changes and accounts leaving."""

import pytest
from django.urls import reverse

from network.models import Member
from search.models import SearchEntry
from tests.factories.network import OrganisationFactory, ThemeFactory, UserFactory, member_for

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:index")


def hits(response):
    results = response.context["results"]
    return [(hit.kind, str(hit.title).replace("<mark>", "").replace("</mark>", "")) for hit in results.hits]


@pytest.fixture
def people(db):
    theme = ThemeFactory(slug="housing", name="Housing")
    public = member_for(
        UserFactory(email="astrid@example.org"),
        display_name="Astrid Bergkvist",
        city="Göteborg",
        country="SE",
        bio="Organisatör i Hjällbo.",
        visibility=Member.Visibility.PUBLIC,
    )
    public.themes.set([theme])
    members_only = member_for(
        UserFactory(email="bertil@example.org"),
        display_name="Bertil Bergkvist",
        city="Göteborg",
        country="SE",
        visibility=Member.Visibility.MEMBERS,
    )
    hidden = member_for(
        UserFactory(email="cecilia@example.org"),
        display_name="Cecilia Bergkvist",
        city="Göteborg",
        country="SE",
        visibility=Member.Visibility.HIDDEN,
    )
    return {"public": public, "members": members_only, "hidden": hidden}


EXPECTED = {
    "anonymous": ["Astrid Bergkvist"],
    "organiser": ["Astrid Bergkvist", "Bertil Bergkvist"],
    "other_organiser": ["Astrid Bergkvist", "Bertil Bergkvist"],
    "coordinator": ["Astrid Bergkvist", "Bertil Bergkvist"],
    "funder": ["Astrid Bergkvist", "Bertil Bergkvist"],
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_finds_exactly_the_profiles_the_policy_lists(client_as, people, role):
    response = client_as(role).get(SEARCH, {"q": "Bergkvist"})
    assert sorted(title for kind, title in hits(response) if kind == "member") == EXPECTED[role]
    # The facet counts obey the same policy.
    kinds = dict(response.context["results"].facets["kind"])
    assert kinds.get("member") == len(EXPECTED[role])


def test_a_hidden_profile_is_never_in_the_index_not_even_for_its_owner(client, people):
    hidden = people["hidden"]
    assert not SearchEntry.objects.filter(kind="member", object_id=hidden.pk).exists()
    client.force_login(hidden.user)
    assert "Cecilia Bergkvist" not in [title for _kind, title in hits(client.get(SEARCH, {"q": "Cecilia"}))]


def test_a_visibility_change_takes_effect_on_the_next_search(client, people):
    assert [t for _k, t in hits(client.get(SEARCH, {"q": "Astrid"}))] == ["Astrid Bergkvist"]
    member = people["public"]
    member.visibility = Member.Visibility.HIDDEN
    member.save()
    assert hits(client.get(SEARCH, {"q": "Astrid"})) == []
    assert not SearchEntry.objects.filter(kind="member", object_id=member.pk).exists()
    member.visibility = Member.Visibility.PUBLIC
    member.save()
    assert [t for _k, t in hits(client.get(SEARCH, {"q": "Astrid"}))] == ["Astrid Bergkvist"]


def test_a_profile_edited_on_its_page_is_searchable_by_its_new_words(client, people):
    member = people["public"]
    client.force_login(member.user)
    response = client.post(
        reverse("network:profile_edit"),
        {
            "display_name": "Astrid Bergkvist",
            "country": "SE",
            "city": "Göteborg",
            "bio": "Jag organiserar läxhjälp.",
            "visibility": Member.Visibility.PUBLIC,
            "preferred_language": "sv",
            "time_zone": "Europe/Stockholm",
        },
    )
    assert response.status_code in (200, 302)
    client.logout()
    assert [t for _k, t in hits(client.get(SEARCH, {"q": "läxhjälp"}))] == ["Astrid Bergkvist"]


def test_a_deactivated_account_leaves_the_search(client, people):
    user = people["public"].user
    user.is_active = False
    user.save()
    assert hits(client.get(SEARCH, {"q": "Astrid"})) == []


def test_a_deleted_profile_leaves_the_index(client, people):
    member = people["public"]
    member.user.delete()
    assert not SearchEntry.objects.filter(kind="member", object_id=member.pk).exists()


def test_organisations_are_found_by_name_city_country_and_description_but_never_by_contact_email(client):
    theme = ThemeFactory(slug="climate", name="Climate")
    organisation = OrganisationFactory(
        name="Buurtkracht Nijverdal",
        country="NL",
        city="Nijverdal",
        description="Kleine initiatieven met buurtbewoners.",
        contact_email="geheim@buurtkracht.example.org",
    )
    organisation.themes.set([theme])
    for query in ("Buurtkracht", "Nijverdal", "Netherlands", "buurtbewoner", "initiatief"):
        assert hits(client.get(SEARCH, {"q": query})) == [("organisation", "Buurtkracht Nijverdal")], query
    assert hits(client.get(SEARCH, {"q": "geheim"})) == []
    entry = SearchEntry.objects.get(kind="organisation", object_id=organisation.pk)
    assert "geheim" not in f"{entry.title} {entry.summary} {entry.body}"
    facets = client.get(SEARCH, {"q": "Nijverdal"}).context["results"].facets
    assert facets["kind"] == [("organisation", 1)]
    assert facets["country"] == [("NL", 1)]
    assert facets["theme"] == [("climate", 1)]
    assert facets["language"] == [("nl", 1)]


def test_facets_filter_people_and_organisations_by_kind_theme_and_country(client, people):
    OrganisationFactory(name="Bergkvist Föreningen", country="SE")
    response = client.get(SEARCH, {"q": "Bergkvist", "type": "organisation"})
    assert hits(response) == [("organisation", "Bergkvist Föreningen")]
    response = client.get(SEARCH, {"q": "Bergkvist", "theme": "housing"})
    assert hits(response) == [("member", "Astrid Bergkvist")]
    response = client.get(SEARCH, {"q": "Bergkvist", "country": "SE"})
    assert sorted(hits(response)) == [("member", "Astrid Bergkvist"), ("organisation", "Bergkvist Föreningen")]


def test_a_renamed_or_deleted_organisation_follows_in_the_index(client):
    organisation = OrganisationFactory(name="Grannskap Nu")
    organisation.name = "Grannskap Idag"
    organisation.save()
    assert hits(client.get(SEARCH, {"q": "Idag"})) == [("organisation", "Grannskap Idag")]
    organisation.delete()
    assert hits(client.get(SEARCH, {"q": "Grannskap"})) == []


def test_an_erased_account_leaves_nothing_of_the_profile_in_the_index(client, people):
    from network import services

    member = people["public"]
    services.account_delete(user=member.user)
    assert not SearchEntry.objects.filter(kind="member", object_id=member.pk).exists()
    assert not SearchEntry.objects.filter(title__contains="Astrid").exists()
    assert hits(client.get(SEARCH, {"q": "Astrid"})) == []
