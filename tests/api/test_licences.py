"""Licences chosen by authors within what consent allows, and citations on the pages."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from core.licences import Licence
from evidence.models import EvidenceRecord
from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.network import MembershipFactory, OrganisationFactory
from tests.factories.practice import make_guide

pytestmark = pytest.mark.django_db


def _story_post(**overrides) -> dict:
    data = {
        "title": "A story",
        "summary": "It changed.",
        "body": "Body",
        "layer": "process",
        "why_it_matters": "Because.",
        "original_language": "en",
        "visibility": "public",
        "licence": Licence.CC_BY,
        "consent-person_name": "Amina Yusuf",
        "consent-identity_level": "first_name",
        "consent-audience_network": "on",
        "consent-obtained_on": "2025-01-10",
        "consent-method": "written",
    }
    data.update(overrides)
    return data


def test_a_new_record_is_cc_by_unless_the_author_chooses(client, organiser):
    client.force_login(organiser)
    organisation = OrganisationFactory()
    MembershipFactory(member=organiser.member, organisation=organisation)
    data = {"title": "An outcome", "summary": "s", "body": "b", "layer": "outcome", "original_language": "en",
            "visibility": "public"}  # fmt: skip
    assert client.post("/evidence/new/outcome/", data).status_code == 302
    assert EvidenceRecord.objects.get(title="An outcome").licence == Licence.CC_BY
    assert client.post("/evidence/new/outcome/", {**data, "title": "Zero", "licence": Licence.CC0}).status_code == 302
    assert EvidenceRecord.objects.get(title="Zero").licence == Licence.CC0


def test_a_story_without_consent_to_public_use_stays_all_rights_reserved(client, organiser):
    client.force_login(organiser)
    assert client.post("/evidence/new/story/", _story_post()).status_code == 302
    record = EvidenceRecord.objects.get(title="A story")
    assert record.licence == Licence.ALL_RIGHTS
    assert record.revisions.filter(action="consent", changes__has_key="licence").exists()
    client.post("/evidence/new/story/", _story_post(title="Public story", **{"consent-audience_public": "on"}))
    assert EvidenceRecord.objects.get(title="Public story").licence == Licence.CC_BY


def test_a_published_record_names_its_licence_and_offers_a_citation(client):
    organisation = OrganisationFactory(name="Tenants & Co")
    record = EvidenceRecordFactory(title="Rent {strike} won", organisations=[organisation], licence=Licence.CC_BY_SA)
    html = client.get(record.get_absolute_url()).content.decode()
    assert 'rel="license"' in html and "https://creativecommons.org/licenses/by-sa/4.0/" in html
    assert f"http://testserver/evidence/{record.pk}/" in html
    assert "Tenants &amp; Co" in html and "Rent {strike} won" in html
    bibtex = unescape(re.search(r"<pre><code>(@misc.*?)</code></pre>", html, re.S).group(1))
    assert bibtex.startswith(f"@misc{{learninglab-evidence-{record.pk},")
    assert r"{Rent \{strike\} won}" in bibtex and r"Tenants \& Co" in bibtex
    csl = json.loads(unescape(re.search(r"<pre><code>(\[.*?\])</code></pre>", html, re.S).group(1)))
    assert csl[0]["title"] == "Rent {strike} won" and csl[0]["type"] == "report"
    assert csl[0]["author"] == [{"literal": "Tenants & Co"}] and csl[0]["URL"].endswith(f"/evidence/{record.pk}/")
    sv = client.get(f"/sv/evidence/{record.pk}/").content.decode()
    assert f"http://testserver/evidence/{record.pk}/" in sv


def test_a_guide_page_offers_a_citation_once_published(client, organiser, coordinator):
    guide = make_guide(
        author=organiser, coordinator=coordinator, title="Door knocking", language="en", status="published"
    )
    html = client.get(guide.get_absolute_url()).content.decode()
    assert "Cite this" in html and f"learninglab-guide-{guide.pk}" in html
    draft = make_guide(author=organiser, title="Draft", language="en")
    client.force_login(organiser)
    assert "Cite this" not in client.get(draft.get_absolute_url()).content.decode()
