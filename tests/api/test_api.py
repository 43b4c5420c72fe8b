"""The read-only API under /api/v1/: lists, filters, errors, conditional requests, CORS, and
what each viewer reads (anonymous vs. a token's member)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.services import token_create
from core.licences import Licence
from evidence.models import EvidenceRecord
from tests.factories.evidence import EvidenceRecordFactory, story
from tests.factories.exchanges import ExchangeFactory, SessionFactory
from tests.factories.network import OrganisationFactory, ThemeFactory
from tests.factories.practice import JointActionFactory, make_guide

pytestmark = pytest.mark.django_db

LISTS = ["organisations", "exchanges", "guides", "joint-actions", "evidence", "indicators", "strategy"]


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='t', expires_in_days=30).raw}"}


@pytest.mark.parametrize("resource", LISTS)
def test_every_list_answers_json_with_a_cursor_envelope(client, resource):
    response = client.get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"data", "next_cursor", "next"}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.has_header("ETag")


@pytest.mark.parametrize("resource", LISTS)
def test_an_unknown_filter_is_a_400_with_a_stable_code(client, resource):
    response = client.get(f"/api/v1/{resource}/", {"colour": "blue"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_filter"


@pytest.mark.parametrize("cursor", ["zzz", "!!", "djE6LTE", "bm9wZQ", "x" * 300, ""])
def test_a_cursor_we_did_not_write_is_a_400(client, cursor):
    response = client.get("/api/v1/evidence/", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-5", "99999999999999999999"])
def test_a_bad_limit_is_a_400(client, limit):
    response = client.get("/api/v1/organisations/", {"limit": limit})
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid_parameter", "bad_request"}


def test_a_filter_value_the_pages_filterset_refuses_is_a_400(client):
    response = client.get("/api/v1/exchanges/", {"month": "13-2026"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_filter"
    assert client.get("/api/v1/evidence/", {"kind": "poem"}).json()["error"]["code"] == "invalid_filter"
    assert client.get("/api/v1/guides/", {"lang": "de"}).json()["error"]["code"] == "invalid_filter"


def test_unknown_addresses_and_control_characters_answer_json(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    response = client.get("/api/v1/evidence/", {"q": "a\x00b"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"
    assert client.get("/api/v1/evidence/123456/").json()["error"]["code"] == "not_found"


def test_cursor_pagination_walks_every_item_once(client):
    organisations = [OrganisationFactory() for _ in range(7)]
    seen, url = [], "/api/v1/organisations/?limit=3"
    while url:
        body = client.get(url).json()
        seen += [item["slug"] for item in body["data"]]
        url = body["next"]
    assert sorted(seen) == sorted(o.slug for o in organisations)


def test_filters_are_the_pages_filters(client):
    theme = ThemeFactory(slug="housing-api")
    inside = EvidenceRecordFactory(title="About housing", themes=[theme])
    EvidenceRecordFactory(title="Other")
    body = client.get("/api/v1/evidence/", {"theme": "housing-api"}).json()
    assert [item["id"] for item in body["data"]] == [inside.pk]
    assert [i["id"] for i in client.get("/api/v1/evidence/", {"q": "housing"}).json()["data"]] == [inside.pk]


def test_a_matching_etag_or_an_unchanged_date_answers_304(client):
    record = EvidenceRecordFactory()
    first = client.get(f"/api/v1/evidence/{record.pk}/")
    assert first.status_code == 200 and first.has_header("Last-Modified")
    again = client.get(f"/api/v1/evidence/{record.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get(f"/api/v1/evidence/{record.pk}/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    listed = client.get("/api/v1/evidence/")
    assert client.get("/api/v1/evidence/", HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304
    EvidenceRecord.objects.filter(pk=record.pk).update(title="Changed", updated_at=timezone.now() + dt.timedelta(1))
    assert client.get(f"/api/v1/evidence/{record.pk}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_cors_preflight_allows_get_with_a_token(client):
    response = client.options(
        "/api/v1/evidence/", HTTP_ORIGIN="https://elsewhere.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    assert "POST" not in response["Access-Control-Allow-Methods"]
    assert client.post("/api/v1/evidence/").status_code == 405


def test_visitors_read_only_open_licensed_records_with_public_consent(client, organiser):
    open_record = EvidenceRecordFactory(title="Open")
    EvidenceRecordFactory(title="Reserved", licence=Licence.ALL_RIGHTS)
    EvidenceRecordFactory(title="Network only", visibility=EvidenceRecord.Visibility.NETWORK)
    story(title="Private story", consent={"audience_public": False})
    ids = [item["id"] for item in client.get("/api/v1/evidence/").json()["data"]]
    assert ids == [open_record.pk]


def test_a_token_reads_as_its_member(client, organiser):
    EvidenceRecordFactory(title="Open")
    EvidenceRecordFactory(title="Reserved", licence=Licence.ALL_RIGHTS)
    EvidenceRecordFactory(title="Network only", visibility=EvidenceRecord.Visibility.NETWORK)
    draft = EvidenceRecordFactory(title="My draft", status=EvidenceRecord.Status.DRAFT, created_by=organiser)
    expected = set(
        EvidenceRecord.objects.visible_to(__import__("core.policy").policy.viewer_for(organiser)).values_list(
            "pk", flat=True
        )
    )
    fresh = Client()
    body = fresh.get("/api/v1/evidence/", **_bearer(organiser)).json()
    assert {item["id"] for item in body["data"]} == expected
    assert draft.pk in expected
    response = fresh.get("/api/v1/evidence/", **_bearer(organiser))
    assert "private" in response["Cache-Control"] and "Authorization" in response["Vary"]


def test_a_session_is_never_read_by_the_api(client, coordinator):
    ExchangeFactory(status="draft", title="Draft exchange")
    client.force_login(coordinator)
    assert client.get("/api/v1/exchanges/").json()["data"] == []


def test_storytellers_appear_as_their_identity_level_allows(client):
    record = story(title="A story", consent={"identity_level": "first_name", "person_name": "Amina Yusuf Hassan"})
    body = client.get(f"/api/v1/evidence/{record.pk}/").json()
    assert body["storyteller"] == "Amina"
    assert "Hassan" not in client.get("/api/v1/evidence/").content.decode()


def test_exchanges_carry_sessions_but_never_the_address_or_link(client):
    exchange = ExchangeFactory(address="Secret street 1", online_link="https://meet.example.org/secret-link")
    SessionFactory(exchange=exchange, title="Opening", room="https://meet.example.org/secret-room")
    body = client.get("/api/v1/exchanges/").content.decode()
    assert "Opening" in body
    assert "Secret street" not in body and "secret-link" not in body and "secret-room" not in body


def test_guides_and_joint_actions_follow_the_policy(client, organiser, coordinator):
    published = make_guide(
        author=organiser, coordinator=coordinator, title="Published guide", language="en", status="published"
    )
    make_guide(author=organiser, title="Draft guide", language="en")
    JointActionFactory(title="Draft action", status="draft")
    active = JointActionFactory(title="Active action", status="active")
    assert [g["id"] for g in client.get("/api/v1/guides/").json()["data"]] == [published.pk]
    assert [a["id"] for a in client.get("/api/v1/joint-actions/").json()["data"]] == [active.pk]
    assert client.get(f"/api/v1/guides/{published.slug}/").json()["licence_url"].startswith("https://creativecommons")


def test_joint_actions_take_the_pages_filters(client):
    swedish, dutch = OrganisationFactory(country="SE"), OrganisationFactory(country="NL")
    climate, housing = ThemeFactory(slug="climate"), ThemeFactory(slug="housing")
    in_sweden = JointActionFactory(title="In Sweden", status="active", issue=climate)
    in_sweden.participations.create(organisation=swedish)
    in_holland = JointActionFactory(title="In Holland", status="completed", issue=housing)
    in_holland.participations.create(organisation=dutch)

    def ids(**params):
        response = client.get("/api/v1/joint-actions/", params)
        assert response.status_code == 200, response.content
        return [a["id"] for a in response.json()["data"]]

    assert ids(country="se") == [in_sweden.pk]
    assert ids(issue="housing") == [in_holland.pk]
    assert ids(status="completed") == [in_holland.pk]
    assert ids(country="SE", status="completed") == []
    # The page answers the same filters with the same actions.
    page = client.get(reverse("practice:joint_action_list"), {"country": "SE"}).content.decode()
    assert "In Sweden" in page and "In Holland" not in page
    for bad in ({"status": "bogus"}, {"issue": "x" * 101}):
        response = client.get("/api/v1/joint-actions/", bad)
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_filter"


def test_lang_chooses_the_language_of_translated_fields(client):
    exchange = ExchangeFactory(title="In English")
    exchange.translations.create(language="sv", title="På svenska")
    assert client.get(f"/api/v1/exchanges/{exchange.slug}/", {"lang": "sv"}).json()["title"] == "På svenska"
    assert client.get(f"/api/v1/exchanges/{exchange.slug}/", HTTP_ACCEPT_LANGUAGE="sv").json()["title"] == "På svenska"
    assert client.get(f"/api/v1/exchanges/{exchange.slug}/").json()["title"] == "In English"


def test_the_schema_and_the_docs_are_served_from_our_own_files(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/evidence/", "/api/v1/exchanges/", "/api/v1/indicators/"} <= set(schema["paths"])
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    asset = client.get("/static/ninja/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()
