"""Feeds, schema.org JSON-LD, sitemap.xml and robots.txt."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from evidence.models import EvidenceRecord
from exchanges.models import Exchange
from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.exchanges import ExchangeFactory
from tests.factories.practice import make_guide

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _entries(client, url, **params) -> list[str]:
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    assert root.tag == f"{ATOM}feed" and root.find(f"{ATOM}title").text
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


def test_feeds_parse_as_atom_and_carry_only_public_items(client, organiser, coordinator):
    EvidenceRecordFactory(title="Public record")
    EvidenceRecordFactory(title="Network record", visibility=EvidenceRecord.Visibility.NETWORK)
    ExchangeFactory(title="Announced exchange")
    ExchangeFactory(title="Draft exchange", status=Exchange.Status.DRAFT)
    make_guide(author=organiser, coordinator=coordinator, title="Public guide", language="en", status="published")
    make_guide(author=organiser, title="Draft guide", language="en")
    assert _entries(client, "/feeds/evidence/") == ["Public record"]
    assert _entries(client, "/feeds/exchanges/") == ["Announced exchange"]
    assert _entries(client, "/feeds/guides/") == ["Public guide"]
    assert _entries(client, "/feeds/guides/", lang="sv") == []
    client.force_login(coordinator)
    assert _entries(client, "/feeds/exchanges/") == ["Announced exchange"]


def test_feeds_read_the_language_of_translated_titles(client):
    exchange = ExchangeFactory(title="In English")
    exchange.translations.create(language="nl", title="In het Nederlands")
    assert _entries(client, "/feeds/exchanges/", lang="nl") == ["In het Nederlands"]
    assert _entries(client, "/feeds/exchanges/", lang="xx") == ["In English"]


def _json_ld(html: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1, found
    return json.loads(found[0])


def test_an_exchange_page_describes_its_event_without_private_details(client):
    exchange = ExchangeFactory(
        title="Hybrid </script> gathering",
        format=Exchange.Format.HYBRID,
        kind=Exchange.Kind.GATHERING,
        city="Malmö",
        country="SE",
        address="Secret street 1",
        online_link="https://meet.example.org/secret",
    )
    html = client.get(exchange.get_absolute_url()).content.decode()
    data = _json_ld(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    for field in ("name", "startDate", "endDate", "eventStatus", "eventAttendanceMode", "location", "url"):
        assert data[field], field
    assert data["name"] == "Hybrid </script> gathering"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert {place["@type"] for place in data["location"]} == {"Place", "VirtualLocation"}
    ld_text = json.dumps(data)
    assert "Secret street" not in ld_text and "meet.example.org" not in ld_text


def test_an_online_exchange_is_a_virtual_location(client):
    exchange = ExchangeFactory(format=Exchange.Format.ONLINE)
    data = _json_ld(client.get(exchange.get_absolute_url()).content.decode())
    assert data["location"]["@type"] == "VirtualLocation"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"


def test_guides_are_articles_or_how_tos(client, organiser, coordinator):
    article = make_guide(author=organiser, coordinator=coordinator, title="A method", language="en", status="published")
    data = _json_ld(client.get(article.get_absolute_url()).content.decode())
    assert data["@type"] == "Article"
    for field in ("headline", "datePublished", "author", "publisher", "url", "inLanguage", "license"):
        assert data[field], field
    how_to = make_guide(
        author=organiser,
        coordinator=coordinator,
        title="How to hold a meeting",
        language="en",
        kind="how_to",
        status="published",
        sections={"steps": "Book a room. Invite people."},
    )
    data = _json_ld(client.get(how_to.get_absolute_url()).content.decode())
    assert data["@type"] == "HowTo" and data["name"] == "How to hold a meeting"
    draft = make_guide(author=organiser, title="Draft", language="en")
    client.force_login(organiser)
    assert "application/ld+json" not in client.get(draft.get_absolute_url()).content.decode()


def test_the_sitemap_lists_public_pages_in_three_languages_with_alternates(client):
    public = EvidenceRecordFactory()
    hidden = EvidenceRecordFactory(visibility=EvidenceRecord.Visibility.NETWORK)
    exchange = ExchangeFactory()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    locations = [url.find(f"{SITEMAP}loc").text for url in root.findall(f"{SITEMAP}url")]
    assert f"http://testserver/evidence/{public.pk}/" in locations
    assert f"http://testserver/sv/evidence/{public.pk}/" in locations
    assert f"http://testserver/nl/evidence/{public.pk}/" in locations
    assert not any(f"/evidence/{hidden.pk}/" in loc for loc in locations)
    first = next(
        url
        for url in root.findall(f"{SITEMAP}url")
        if url.find(f"{SITEMAP}loc").text.endswith(exchange.get_absolute_url())
    )
    alternates = {link.get("hreflang") for link in first.findall(f"{XHTML}link")}
    assert {"en", "sv", "nl", "x-default"} <= alternates


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "User-agent: *" in text and "Disallow: /admin/" in text and "Sitemap: " in text and "/sitemap.xml" in text
