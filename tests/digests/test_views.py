"""Preference pages, signed links, and the one-click unsubscribe endpoint."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digests.models import DigestPreference, Frequency, Scope
from digests.services import digest_run, preference_update
from digests.tokens import MAX_AGE, Purpose, token_make
from tests.conftest import ROLES
from tests.factories.digests import NOW, evidence, member, theme

pytestmark = pytest.mark.django_db


def prefs_url(user, purpose=Purpose.PREFERENCES) -> str:
    return reverse("digests:preferences_token", kwargs={"token": token_make(user_id=user.pk, purpose=purpose)})


def unsubscribe_url(user, purpose=Purpose.UNSUBSCRIBE) -> str:
    return reverse("digests:unsubscribe", kwargs={"token": token_make(user_id=user.pk, purpose=purpose)})


def form_data(**overrides) -> dict:
    data = {
        "frequency": "monthly",
        "send_exchanges": "on",
        "send_evidence": "on",
        "send_reminders": "on",
        "themes_scope": "profile",
        "countries_scope": "all",
        "languages_scope": "profile",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- The signed-in page ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_preferences_page_shows_each_member_their_own(client_as, role, request):
    if role == "organiser":
        DigestPreference.objects.create(user=request.getfixturevalue("organiser"), frequency=Frequency.MONTHLY)
    client = client_as(role)

    response = client.get(reverse("digests:preferences"))

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        return
    assert response.status_code == 200
    checked = re.search(r'<input type="radio" name="frequency" value="(\w+)"[^>]*checked', response.content.decode())
    assert checked.group(1) == ("monthly" if role == "organiser" else "weekly")


def test_member_saves_preferences_on_the_site(client, organiser):
    client.force_login(organiser)
    housing = theme("housing")

    response = client.post(
        reverse("digests:preferences"),
        form_data(themes_scope="chosen", themes=[housing.pk], countries_scope="chosen", countries=["SE", "NL"]),
    )

    assert response.status_code == 302
    preference = DigestPreference.objects.get(user=organiser)
    assert preference.frequency == "monthly"
    assert (preference.send_exchanges, preference.send_guides, preference.send_evidence) == (True, False, True)
    assert list(preference.themes.values_list("slug", flat=True)) == ["housing"]
    assert sorted(c.code for c in preference.countries) == ["NL", "SE"]
    page = client.get(response["Location"])
    assert "Your digest preferences are saved." in page.content.decode()


def test_choosing_only_some_without_choosing_any_is_refused(client, organiser):
    client.force_login(organiser)

    response = client.post(reverse("digests:preferences"), form_data(themes_scope="chosen", languages_scope="chosen"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose at least one theme, or another option." in html
    assert "Choose at least one language, or another option." in html
    assert not DigestPreference.objects.exists()


def test_nonsense_input_is_refused_without_errors(client, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("digests:preferences"),
        {
            "frequency": "daily\x00",
            "themes_scope": "x" * 5000,
            "themes": ["abc", "999999"],
            "countries": ["ZZ"],
            "languages": ["xx"],
        },
    )

    assert response.status_code == 200
    assert not DigestPreference.objects.exists()


def test_preferences_form_needs_a_csrf_token(organiser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    assert client.post(reverse("digests:preferences"), form_data()).status_code == 403
    assert client.post(prefs_url(organiser), form_data()).status_code == 403
    assert not DigestPreference.objects.exists()


def test_turning_digests_back_on_starts_from_today(organiser):
    DigestPreference.objects.create(
        user=organiser, frequency=Frequency.OFF, covered_until=dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    )
    arguments = {
        "send_exchanges": True,
        "send_guides": True,
        "send_evidence": True,
        "send_joint_actions": True,
        "send_reminders": True,
        "themes_scope": Scope.PROFILE,
        "themes": [],
        "countries_scope": Scope.ALL,
        "countries": [],
        "languages_scope": Scope.PROFILE,
        "languages": [],
    }

    preference_update(user=organiser, frequency=Frequency.WEEKLY, **arguments)

    today = timezone.now().astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert DigestPreference.objects.get(user=organiser).covered_until == today
    # Saving again while on leaves the window alone.
    DigestPreference.objects.filter(user=organiser).update(covered_until=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    preference_update(user=organiser, frequency=Frequency.MONTHLY, **arguments)
    assert DigestPreference.objects.get(user=organiser).covered_until == dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


# --- The signed link in a digest ------------------------------------------------------------


def test_preferences_link_changes_frequency_without_logging_in(client):
    reader = member()

    page = client.get(prefs_url(reader))
    assert page.status_code == 200
    assert reader.email in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in page.content.decode()

    response = client.post(prefs_url(reader), form_data(frequency="monthly"))

    assert response.status_code == 302
    assert DigestPreference.objects.get(user=reader).frequency == "monthly"
    assert "_auth_user_id" not in client.session


def test_the_links_in_a_sent_digest_work(client, django_capture_on_commit_callbacks):
    reader = member()
    evidence()
    with django_capture_on_commit_callbacks(execute=True):
        digest_run(frequency=Frequency.WEEKLY, now=NOW)
    (message,) = mail.outbox
    links = re.findall(r"http://testserver(/digests/\S+/)", message.body)
    preferences = next(link for link in links if "/preferences/" in link)
    unsubscribe = next(link for link in links if "/unsubscribe/" in link)

    assert client.get(preferences).status_code == 200
    assert client.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert DigestPreference.objects.get(user=reader).frequency == Frequency.OFF


class _OldSigner(signing.TimestampSigner):
    """Signs as if it were 91 days ago."""

    def timestamp(self):
        return signing.b62_encode(int(time.time() - MAX_AGE.total_seconds() - 86400))


def _bad_tokens(user) -> dict[str, tuple[str, str]]:
    """(preferences token, unsubscribe token) pairs that must both be refused."""
    good_prefs = token_make(user_id=user.pk, purpose=Purpose.PREFERENCES)
    good_unsub = token_make(user_id=user.pk, purpose=Purpose.UNSUBSCRIBE)
    flip = {"a": "b"}

    def tamper(token: str) -> str:
        return token[:-1] + flip.get(token[-1], "a")

    return {
        "tampered": (tamper(good_prefs), tamper(good_unsub)),
        "payload swapped": (
            signing.dumps({"u": user.pk + 1}, salt="x").split(":")[0] + good_prefs[good_prefs.index(":") :],
            signing.dumps({"u": user.pk + 1}, salt="x").split(":")[0] + good_unsub[good_unsub.index(":") :],
        ),
        "expired": (
            _OldSigner(salt="digests.preferences").sign_object({"u": user.pk}),
            _OldSigner(salt="digests.unsubscribe").sign_object({"u": user.pk}),
        ),
        "other purpose": (good_unsub, good_prefs),
        "other salt": (signing.dumps({"u": user.pk}, salt="accounts"), signing.dumps({"u": user.pk}, salt="accounts")),
        "other key": (
            signing.dumps({"u": user.pk}, salt="digests.preferences", key="another-secret-key-0123456789"),
            signing.dumps({"u": user.pk}, salt="digests.unsubscribe", key="another-secret-key-0123456789"),
        ),
        "not a user id": (
            signing.dumps({"u": str(user.pk)}, salt="digests.preferences"),
            signing.dumps({"u": str(user.pk)}, salt="digests.unsubscribe"),
        ),
        "garbage": ("not-a-token", "::::"),
        "over-long": ("a" * 5000, "b" * 5000),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "tampered",
        "payload swapped",
        "expired",
        "other purpose",
        "other salt",
        "other key",
        "not a user id",
        "garbage",
        "over-long",
    ],
)
def test_bad_tokens_get_a_clear_page_and_change_nothing(client, kind):
    reader = member()
    preferences_token, unsubscribe_token = _bad_tokens(reader)[kind]
    pages = [
        ("get", reverse("digests:preferences_token", kwargs={"token": preferences_token}), {}),
        ("post", reverse("digests:preferences_token", kwargs={"token": preferences_token}), form_data(frequency="off")),
        ("get", reverse("digests:unsubscribe", kwargs={"token": unsubscribe_token}), {}),
        (
            "post",
            reverse("digests:unsubscribe", kwargs={"token": unsubscribe_token}),
            {"List-Unsubscribe": "One-Click"},
        ),
    ]
    for method, url, data in pages:
        response = getattr(client, method)(url, data)
        assert response.status_code == 400, (method, url)
        html = response.content.decode()
        assert "This link does not work" in html
        assert "Nothing has been changed." in html
        if kind == "expired":
            assert "The link has expired" in html
    assert not DigestPreference.objects.exists()


def test_a_token_for_a_deleted_member_changes_nothing(client):
    reader = member()
    url = unsubscribe_url(reader)
    reader.deleted_at = NOW
    reader.save()

    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 400
    assert not DigestPreference.objects.exists()


def test_nul_character_in_a_token_is_refused(client):
    response = client.get("/digests/preferences/abc%00def/")
    assert response.status_code in (400, 404)


# --- One-click unsubscribe (RFC 8058) -------------------------------------------------------


def test_one_click_unsubscribe_works_twice_without_login_or_csrf():
    reader = member()
    client = Client(enforce_csrf_checks=True)
    url = unsubscribe_url(reader)

    first = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    preference = DigestPreference.objects.get(user=reader)
    second = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert (first.status_code, second.status_code) == (200, 200)
    assert "You are unsubscribed" in second.content.decode()
    again = DigestPreference.objects.get(user=reader)
    assert again.frequency == Frequency.OFF
    assert again.unsubscribed_at == preference.unsubscribed_at is not None


def test_one_click_answers_with_and_without_a_language_prefix_and_never_redirects():
    reader = member()
    token = token_make(user_id=reader.pk, purpose=Purpose.UNSUBSCRIBE)
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="sv")
    client.cookies["django_language"] = "sv"

    unprefixed = client.post(f"/digests/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    swedish = client.post(f"/sv/digests/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    dutch = client.post(f"/nl/digests/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})

    assert (unprefixed.status_code, swedish.status_code, dutch.status_code) == (200, 200, 200)
    assert "Du har avslutat prenumerationen" in swedish.content.decode()
    assert "Je bent afgemeld" in dutch.content.decode()
    assert DigestPreference.objects.get(user=reader).frequency == Frequency.OFF


def test_opening_the_unsubscribe_link_only_asks(client):
    reader = member()

    response = client.get(unsubscribe_url(reader))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Stop sending the Learning Lab digest to {reader.email}?" in html
    assert '<form method="post">' in html
    assert not DigestPreference.objects.exists()


def test_after_unsubscribing_no_digest_comes_and_the_page_says_so(client, django_capture_on_commit_callbacks):
    reader = member()
    evidence()
    client.post(unsubscribe_url(reader))

    with django_capture_on_commit_callbacks(execute=True):
        result = digest_run(frequency=Frequency.WEEKLY, now=NOW)

    assert result.considered == 0
    assert mail.outbox == []
    assert "no longer receives the digest" in client.get(unsubscribe_url(reader)).content.decode()
