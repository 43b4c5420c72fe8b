"""My account: data download, deletion, language; roles in the admin; login protections."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.urls import reverse
from django.utils import translation

from evidence.models import EvidenceRecord
from network.models import Membership, User
from network.services import account_delete
from tests.conftest import ROLES
from tests.factories.network import PASSWORD, MembershipFactory, OrganisationFactory, ThemeFactory, member_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", ["network:account", "network:account_data", "network:account_delete"])
def test_account_pages_are_for_the_signed_in_person_only(client_as, role, url_name, request):
    response = client_as(role).get(reverse(url_name))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    assert response.status_code == 200
    user = request.getfixturevalue(role)
    if url_name == "network:account_data":
        assert json.loads(response.content)["network"]["user"]["email"] == user.email


def test_account_page_links_email_password_data_and_delete(client_as):
    html = client_as("organiser").get(reverse("network:account")).content.decode()
    for name in ("account_email", "account_change_password", "network:account_data", "network:account_delete"):
        assert f'href="{reverse(name)}"' in html


def test_data_download_holds_every_personal_field_and_nobody_elses(client, organiser, other_organiser):
    theme = ThemeFactory(slug="housing-y")
    org = OrganisationFactory(name="Tillsammans Hjällbo")
    member = member_for(
        organiser,
        display_name="Amina Warsame",
        country="SE",
        city="Göteborg",
        languages=["so", "sv"],
        bio="Organising in Hjällbo.",
        visibility="public",
        preferred_language="sv",
        time_zone="Europe/Stockholm",
    )
    member.themes.add(theme)
    MembershipFactory(member=member, organisation=org, role="leader")
    member_for(other_organiser, display_name="Somebody Else")
    MembershipFactory(member=other_organiser.member, organisation=OrganisationFactory(name="Other Org"))

    client.force_login(organiser)
    response = client.get(reverse("network:account_data"))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)["network"]
    assert data["user"]["email"] == "organiser@example.org"
    assert data["user"]["first_name"] == organiser.first_name
    assert data["user"]["last_name"] == organiser.last_name
    assert data["user"]["roles"] == ["organiser"]
    assert data["email_addresses"] == [{"email": "organiser@example.org", "verified": True, "primary": True}]
    profile = data["profile"]
    assert profile == {
        **profile,
        "display_name": "Amina Warsame",
        "country": "SE",
        "city": "Göteborg",
        "languages": ["so", "sv"],
        "themes": ["housing-y"],
        "bio": "Organising in Hjällbo.",
        "visibility": "public",
        "preferred_language": "sv",
        "time_zone": "Europe/Stockholm",
    }
    # Every editable profile field is in the export.
    from network.forms import MemberForm

    assert set(MemberForm.Meta.fields) <= set(profile)
    assert data["memberships"] == [
        {
            "organisation": "Tillsammans Hjällbo",
            "organisation_slug": org.slug,
            "role": "leader",
            "state": "approved",
            "since": None,
            "message": "",
            "requested_at": None,
            "decided_at": None,
        }
    ]
    text = response.content.decode()
    assert "other.organiser@example.org" not in text
    assert "Somebody Else" not in text and "Other Org" not in text


def test_account_deletion_needs_the_password_and_a_wrong_one_changes_nothing(client, organiser):
    client.force_login(organiser)
    response = client.post(reverse("network:account_delete"), {"password": "not-my-password"})
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    organiser.refresh_from_db()
    assert organiser.deleted_at is None and organiser.is_active
    assert organiser.email == "organiser@example.org"


def _rows_mentioning(needles: list[str]) -> list[str]:
    """Every table row (in any column) that contains one of ``needles``, case-insensitively."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 — table names from introspection
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row).lower()
                for needle in needles:
                    if needle.lower() in text:
                        found.append(f"{table}: {needle}")
    return found


def test_after_deletion_no_row_holds_the_persons_email_or_name(client, organiser):
    from tests.factories.network import UserFactory

    # (Not other.organiser@example.org: it contains the deleted address as a substring.)
    someone = UserFactory(email="someone.else@example.org")
    organiser.first_name, organiser.last_name = "Zlatana", "Qwertyson"
    organiser.save()
    member_for(organiser, display_name="Zlatana Q. the Organiser", city="Hjällbo", bio="Bio of Zlatana")
    MembershipFactory(member=organiser.member)
    record = EvidenceRecord.objects.create(title="What we learnt in Hjällbo", created_by=organiser)
    needles = ["organiser@example.org", "Zlatana", "Qwertyson"]
    assert _rows_mentioning(needles)  # the scan finds the person before deletion

    client.force_login(organiser)
    response = client.post(reverse("network:account_delete"), {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")

    assert _rows_mentioning(needles) == []
    user = User.objects.get(pk=organiser.pk)
    assert user.deleted_at is not None and not user.is_active and not user.has_usable_password()
    assert user.email.endswith("@deleted.invalid")
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Membership.objects.filter(member__user=user).exists()
    assert not hasattr(User.objects.get(pk=user.pk), "member") or User.objects.get(pk=user.pk).member is None
    # The contribution stays, attributed to a former member; the other member is untouched.
    record.refresh_from_db()
    assert record.created_by == user and record.created_by.public_name == "former member"
    assert User.objects.get(pk=someone.pk).email == "someone.else@example.org"
    # Signed out, and the old login no longer works.
    assert client.get(reverse("network:account")).status_code == 302
    assert not client.login(email="organiser@example.org", password=PASSWORD)


def test_two_deleted_accounts_get_distinct_placeholders(organiser, other_organiser):
    account_delete(user=organiser)
    account_delete(user=other_organiser)
    emails = set(User.objects.filter(pk__in=[organiser.pk, other_organiser.pk]).values_list("email", flat=True))
    assert len(emails) == 2


def test_the_email_language_is_saved_and_the_pages_keep_theirs(client, organiser):
    client.force_login(organiser)
    response = client.post(reverse("network:account_language"), {"language": "nl"})
    assert response["Location"] == "/me/account/"
    assert "django_language" not in response.cookies
    organiser.member.refresh_from_db()
    assert organiser.member.preferred_language == "nl"
    response = client.post("/sv/me/account/language/", {"language": "en"})
    assert response["Location"] == "/sv/me/account/"


def test_account_language_refuses_unknown_languages(client, organiser):
    client.force_login(organiser)
    response = client.post(reverse("network:account_language"), {"language": "xx\x00"})
    assert response.status_code == 302
    organiser.member.refresh_from_db()
    assert organiser.member.preferred_language == "en"


def test_account_language_needs_post(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("network:account_language")).status_code == 405


# --- logging in ------------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "home"), [("/accounts/login/", "/"), ("/nl/accounts/login/", "/nl/")])
def test_logging_in_stays_in_the_language_of_the_page(client, organiser, page, home):
    """Before: logging in on an English page landed on /sv/ for a member who prefers Swedish."""
    member_for(organiser, preferred_language="sv")
    response = client.post(page, {"login": organiser.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == home
    assert "django_language" not in response.cookies


def test_signing_up_on_swedish_pages_prefers_swedish(client):
    response = client.post(
        "/sv/accounts/signup/",
        {"email": "ny@example.org", "password1": "ett-langt-losenord-42", "password2": "ett-langt-losenord-42"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="ny@example.org").member.preferred_language == "sv"


def test_repeated_failed_logins_are_rate_limited(client, organiser):
    url = reverse("account_login")
    for _ in range(5):
        response = client.post(url, {"login": organiser.email, "password": "wrong-password"})
        assert "Too many failed login attempts" not in response.content.decode()
    response = client.post(url, {"login": organiser.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_email_must_be_verified_before_logging_in(client):
    from tests.factories.network import UserFactory

    user = UserFactory(email="unverified@example.org", verified=False)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


# --- admin -----------------------------------------------------------------------------------


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_reach_the_admin(client_as, role):
    response = client_as(role).get("/admin/network/organisation/")
    if role == "coordinator":
        assert response.status_code == 200
    else:
        assert response.status_code == 302


def test_coordinator_manages_organisations_but_not_passwords_or_superusers(client, coordinator, organiser):
    OrganisationFactory(name="Digidem Lab")
    client.force_login(coordinator)
    assert "Digidem Lab" in client.get("/admin/network/organisation/").content.decode()
    assert client.get("/admin/network/organisation/add/").status_code == 200
    assert client.get("/admin/network/member/").status_code == 200
    assert client.get("/admin/network/membership/").status_code == 200
    # Users: they may look, but not change a password nor grant powers.
    assert client.get(f"/admin/network/user/{organiser.pk}/password/").status_code == 403
    response = client.post(
        f"/admin/network/user/{organiser.pk}/change/",
        {"email": organiser.email, "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    assert response.status_code in (200, 403)
    organiser.refresh_from_db()
    assert not organiser.is_superuser and not organiser.is_staff
    assert client.get("/admin/auth/group/").status_code == 403


def test_admin_autocomplete_finds_organisations_for_coordinators(client, coordinator):
    OrganisationFactory(name="Navet i Bergsjön")
    client.force_login(coordinator)
    response = client.get(
        "/admin/autocomplete/",
        {"term": "Navet", "app_label": "network", "model_name": "membership", "field_name": "organisation"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Navet i Bergsjön"]


def test_admin_organisation_page_has_the_memberships_inline(client, coordinator):
    org = OrganisationFactory()
    MembershipFactory(organisation=org)
    client.force_login(coordinator)
    html = client.get(f"/admin/network/organisation/{org.pk}/change/").content.decode()
    assert "memberships-TOTAL_FORMS" in html


def test_coordinator_opens_every_network_admin_page(client, coordinator, organiser):
    org = OrganisationFactory()
    membership = MembershipFactory(organisation=org, member=organiser.member)
    client.force_login(coordinator)
    for url in (
        "/admin/",
        f"/admin/network/organisation/{org.pk}/change/",
        f"/admin/network/member/{organiser.member.pk}/change/",
        f"/admin/network/membership/{membership.pk}/change/",
        "/admin/network/theme/",
        "/admin/network/user/",
        f"/admin/network/user/{organiser.pk}/change/",
        "/admin/network/organisation/?country=SE&kind=grassroots",
        "/admin/network/member/?q=organiser",
    ):
        assert client.get(url).status_code == 200, url
