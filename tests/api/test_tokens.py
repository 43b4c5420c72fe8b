"""Personal access tokens: made, named, shown once, hashed at rest, used, revoked, expired;
never in logs or the outbox; rate limits per token and per address."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re

import pytest
from django.test import Client
from django.utils import timezone

from api.models import AccessToken
from api.services import token_create
from outbox.models import OutboxMessage
from tests.factories.evidence import EvidenceRecordFactory

pytestmark = pytest.mark.django_db


def _create_through_the_page(client, name="Report script", expires_in="30"):
    response = client.post("/me/tokens/new/", {"name": name, "expires_in": expires_in})
    assert response.status_code == 200
    raw = re.search(r'value="(llpat_[^"]+)"', response.content.decode()).group(1)
    return response, raw


def test_a_member_makes_a_token_that_is_shown_once_and_stored_hashed(client, organiser):
    client.force_login(organiser)
    response, raw = _create_through_the_page(client)
    assert response["Cache-Control"] == "private, no-store"
    token = AccessToken.objects.get(user=organiser)
    assert token.name == "Report script" and token.scope == "read"
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(AccessToken.objects.values_list())
    assert (token.expires_at - timezone.now()).days in (29, 30)
    listing = client.get("/me/tokens/").content.decode()
    assert "Report script" in listing and raw not in listing and token.prefix in listing


def test_with_a_token_the_api_answers_as_the_member_and_notes_its_use(organiser):
    EvidenceRecordFactory(title="Mine", status="draft", created_by=organiser)
    created = token_create(user=organiser, name="t", expires_in_days=None)
    response = Client().get("/api/v1/evidence/", HTTP_AUTHORIZATION=f"Bearer {created.raw}")
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["data"]] == ["Mine"]
    created.token.refresh_from_db()
    assert created.token.last_used_at is not None


def test_revoked_expired_and_unknown_tokens_get_401(client, organiser):
    client.force_login(organiser)
    _response, raw = _create_through_the_page(client)
    token = AccessToken.objects.get(user=organiser)
    api = Client()
    assert api.get("/api/v1/evidence/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert client.post(f"/me/tokens/{token.pk}/revoke/").status_code == 302
    revoked = api.get("/api/v1/evidence/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "invalid_token"

    expiring = token_create(user=organiser, name="old", expires_in_days=1)
    AccessToken.objects.filter(pk=expiring.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/api/v1/evidence/", HTTP_AUTHORIZATION=f"Bearer {expiring.raw}").status_code == 401
    assert api.get("/api/v1/evidence/", HTTP_AUTHORIZATION="Bearer llpat_nonsense").status_code == 401
    assert api.get("/api/v1/evidence/", HTTP_AUTHORIZATION="Basic abc").status_code == 401


def test_another_member_cannot_revoke_my_token(client, organiser, other_organiser):
    created = token_create(user=organiser, name="t", expires_in_days=None)
    client.force_login(other_organiser)
    client.post(f"/me/tokens/{created.token.pk}/revoke/")
    created.token.refresh_from_db()
    assert created.token.revoked_at is None
    assert "t" not in [t.name for t in AccessToken.objects.of_user(other_organiser.pk)]


def test_the_token_pages_are_for_signed_in_people(client):
    assert client.get("/me/tokens/").status_code == 302
    assert client.post("/me/tokens/new/", {"name": "x"}).status_code == 302


def test_a_token_never_reaches_the_logs_or_the_outbox(client, organiser, caplog):
    client.force_login(organiser)
    with caplog.at_level(logging.DEBUG):
        _response, raw = _create_through_the_page(client)
        Client().get("/api/v1/evidence/", HTTP_AUTHORIZATION=f"Bearer {raw}")
        Client().get("/api/v1/nope/", HTTP_AUTHORIZATION=f"Bearer {raw}")
        Client().get("/api/v1/evidence/", {"cursor": "bad"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert raw not in caplog.text
    assert not any(raw in str(row) for row in OutboxMessage.objects.values_list())


def test_anonymous_calls_are_limited_per_address_with_retry_after(settings):
    settings.API_RATE_LIMIT_ANONYMOUS = 3
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [client.get("/api/v1/organisations/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/organisations/")
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert Client(REMOTE_ADDR="203.0.113.10").get("/api/v1/organisations/").status_code == 200


def test_tokens_are_limited_per_token(settings, organiser):
    settings.API_RATE_LIMIT_TOKEN = 2
    first = token_create(user=organiser, name="a", expires_in_days=None).raw
    second = token_create(user=organiser, name="b", expires_in_days=None).raw
    client = Client()
    codes = [client.get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Bearer {first}").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200
