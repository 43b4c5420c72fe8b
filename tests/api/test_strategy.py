"""Strategy versions in the API and in open data: published versions only (never a draft, not
even for a coordinator's token), in the reader's language with the page's fallback, and a
licence that keeps "all rights reserved" out of open data; the version page names its licence
and offers a permalink and a suggested citation."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from html import unescape

import pytest
from django.utils import timezone, translation

from api import opendata
from api.services import token_create
from core.licences import Licence
from strategy.models import Version
from tests.factories.strategy import strategy_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.activate("en")


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='t', expires_in_days=30).raw}"}


def test_the_list_gives_every_published_version_with_its_sections_in_order(client, coordinator):
    document, v1, v2, _round = strategy_make(coordinator=coordinator)
    response = client.get("/api/v1/strategy/")
    assert response.status_code == 200 and response.has_header("ETag") and response.has_header("Last-Modified")
    body = response.json()
    assert set(body) == {"data", "next_cursor", "next"}
    [item] = body["data"]
    assert item["id"] == v1.pk and item["document"] == "sustaining" and item["number"] == 1
    assert item["language"] == "en" and item["languages"] == ["en", "sv"]
    assert item["title"] == "Sustaining the Learning Lab"
    assert [s["key"] for s in item["sections"]] == ["vision", "sustained", "learning"]
    assert item["sections"][1] == {
        "key": "sustained",
        "heading": "How the network is sustained",
        "text": "Members pay a small fee.",
    }
    assert item["licence"] == "CC-BY-4.0" and item["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert item["url"] == "http://testserver/strategy/sustaining/versions/1/"
    assert client.get("/api/v1/strategy/sustaining/1/").json() == item


def test_sections_come_in_the_requested_language_else_the_original(client, coordinator):
    strategy_make(coordinator=coordinator)
    swedish = client.get("/api/v1/strategy/sustaining/1/", {"lang": "sv"}).json()
    assert swedish["language"] == "sv" and swedish["title"] == "Att hålla Learning Lab vid liv"
    assert swedish["sections"][0] == {"key": "vision", "heading": "Vision", "text": "Organisatörer lär av varandra."}
    assert swedish["sections"][1]["heading"] == "Hur nätverket hålls vid liv"
    # No Dutch text: the English original, as on the page; the headings are translated.
    dutch = client.get("/api/v1/strategy/sustaining/1/", HTTP_ACCEPT_LANGUAGE="nl").json()
    assert dutch["language"] == "en" and dutch["title"] == "Sustaining the Learning Lab"
    assert dutch["sections"][1] == {
        "key": "sustained",
        "heading": "Hoe het netwerk blijft bestaan",
        "text": "Members pay a small fee.",
    }


@pytest.mark.parametrize("role", ["anonymous", "organiser", "funder", "coordinator"])
def test_drafts_never_appear_whoever_asks(client, request, coordinator, role):
    """A draft under consultation (members and coordinators read it on the pages), and a draft
    without a round (coordinators only): neither is in the API."""
    _document, _v1, v2, _round = strategy_make(coordinator=coordinator)
    strategy_make(slug="unconsulted", coordinator=coordinator, open_round=False)
    headers = {} if role == "anonymous" else _bearer(request.getfixturevalue(role))
    listed = client.get("/api/v1/strategy/?limit=100", **headers).json()["data"]
    assert {(item["document"], item["number"]) for item in listed} == {("sustaining", 1), ("unconsulted", 1)}
    assert v2.pk not in {item["id"] for item in listed}
    for path in ("/api/v1/strategy/sustaining/2/", "/api/v1/strategy/unconsulted/2/"):
        response = client.get(path, **headers)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_all_rights_reserved_keeps_a_version_from_visitors_but_not_from_members(client, coordinator, organiser):
    _document, v1, _v2, _round = strategy_make(coordinator=coordinator)
    Version.objects.filter(pk=v1.pk).update(licence=Licence.ALL_RIGHTS)
    assert client.get("/api/v1/strategy/").json()["data"] == []
    assert client.get("/api/v1/strategy/sustaining/1/").status_code == 404
    member = client.get("/api/v1/strategy/sustaining/1/", **_bearer(organiser)).json()
    assert member["licence"] == "all-rights-reserved" and member["licence_url"] == ""
    # The page still shows it to everyone, naming the licence without a link.
    html = client.get(v1.get_absolute_url()).content.decode()
    assert "Sustaining the Learning Lab" in html and "All rights reserved" in html and 'rel="license"' not in html


def test_the_document_filter_pagination_and_errors_are_those_of_every_list(client, coordinator):
    for slug in ("first", "second", "third"):
        strategy_make(slug=slug, coordinator=coordinator, open_round=False)
    assert [i["document"] for i in client.get("/api/v1/strategy/", {"document": "second"}).json()["data"]] == ["second"]
    seen, url = [], "/api/v1/strategy/?limit=2"
    while url:
        body = client.get(url).json()
        seen += [item["document"] for item in body["data"]]
        url = body["next"]
    assert seen == ["first", "second", "third"]
    assert client.get("/api/v1/strategy/", {"colour": "blue"}).json()["error"]["code"] == "unknown_filter"
    assert client.get("/api/v1/strategy/", {"cursor": "zzz"}).json()["error"]["code"] == "invalid_cursor"
    assert client.get("/api/v1/strategy/", {"lang": "fr"}).status_code == 400
    for path in ("/api/v1/strategy/nope/1/", "/api/v1/strategy/first/99999999999999999999/"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/strategy/first/x/").status_code == 404


def test_a_matching_etag_answers_304(client, coordinator):
    strategy_make(coordinator=coordinator)
    first = client.get("/api/v1/strategy/sustaining/1/")
    again = client.get("/api/v1/strategy/sustaining/1/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_schema_describes_strategy_versions(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/strategy/", "/api/v1/strategy/{slug}/{number}/"} <= set(schema["paths"])
    assert "StrategyVersion" in schema["components"]["schemas"]


def test_the_open_data_package_holds_the_open_published_versions(client, coordinator):
    strategy_make(coordinator=coordinator)
    _document, reserved, _draft, _round = strategy_make(slug="reserved", coordinator=coordinator)
    Version.objects.filter(pk=reserved.pk).update(licence=Licence.ALL_RIGHTS)
    package = opendata.package_write(now=timezone.now() - dt.timedelta(days=1))
    path = opendata.root() / package.name / "strategy-versions.jsonl.gz"
    rows = [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode().splitlines()]
    assert [(r["document"], r["number"]) for r in rows] == [("sustaining", 1)]
    api_ids = [item["id"] for item in client.get("/api/v1/strategy/").json()["data"]]
    assert [r["id"] for r in rows] == api_ids
    described = json.loads((opendata.root() / package.name / "datapackage.json").read_text())
    assert "strategy-versions.csv.gz" in {r["path"] for r in described["resources"]}
    # A licence changed to "all rights reserved" leaves with the next package.
    Version.objects.filter(document__slug="sustaining").update(licence=Licence.ALL_RIGHTS)
    manifest = json.loads((opendata.root() / opendata.package_write().name / "manifest.json").read_text())
    assert manifest["removed_since_previous"]["strategy-versions"] == [rows[0]["id"]]


def test_a_published_version_names_its_licence_and_offers_a_citation(client, coordinator):
    _document, v1, v2, _round = strategy_make(coordinator=coordinator)
    Version.objects.filter(pk=v1.pk).update(licence=Licence.CC0)
    html = client.get(v1.get_absolute_url()).content.decode()
    assert 'rel="license"' in html and "https://creativecommons.org/publicdomain/zero/1.0/" in html
    assert "http://testserver/strategy/sustaining/versions/1/" in html
    bibtex = unescape(re.search(r"<pre><code>(@misc.*?)</code></pre>", html, re.S).group(1))
    assert bibtex.startswith("@misc{learninglab-strategy-sustaining-v1,")
    assert "{Sustaining the Learning Lab}" in bibtex
    csl = json.loads(unescape(re.search(r"<pre><code>(\[.*?\])</code></pre>", html, re.S).group(1)))
    assert csl[0]["type"] == "report" and csl[0]["URL"] == "http://testserver/strategy/sustaining/versions/1/"
    # The permalink carries no language prefix, whatever the reader's language.
    swedish = client.get("/sv/strategy/sustaining/versions/1/").content.decode()
    assert "http://testserver/strategy/sustaining/versions/1/" in swedish
    # A draft is not yet something to cite.
    client.force_login(coordinator)
    draft = client.get(v2.get_absolute_url()).content.decode()
    assert "cite-heading" not in draft and 'rel="license"' not in draft


def test_coordinators_choose_the_licence_in_the_admin(client, coordinator):
    _document, v1, v2, _round = strategy_make(coordinator=coordinator)
    client.force_login(coordinator)
    for version in (v1, v2):
        html = client.get(f"/admin/strategy/version/{version.pk}/change/").content.decode()
        assert 'name="licence"' in html and 'value="CC-BY-4.0" selected' in html
    assert v2.licence == Licence.CC_BY  # the default for a new version
