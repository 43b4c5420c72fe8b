import datetime

import pytest
from django.utils import timezone

from core.policy import ANONYMOUS, viewer_for
from evidence import services
from evidence.digest import digest_items
from evidence.models import EvidenceRecord
from evidence.search import document, visible
from search.sources import sources
from tests.factories.evidence import EvidenceRecordFactory, story
from tests.factories.network import ThemeFactory

pytestmark = pytest.mark.django_db


def test_search_document_only_for_published_records():
    theme = ThemeFactory(slug="housing")
    record = EvidenceRecordFactory(countries=["SE"], themes=[theme], body="Tenants organised.")
    doc = document(record)
    assert doc["title"] == record.title and doc["themes"] == ["housing"] and doc["countries"] == ["SE"]
    assert doc["url"] == record.get_absolute_url() and "Tenants organised." in doc["body"]
    assert document(EvidenceRecordFactory(status=EvidenceRecord.Status.DRAFT)) is None
    source = sources()["evidence"]
    assert source.model is EvidenceRecord and source.document is document and source.visible is visible


def test_search_visibility_is_visible_to(funder, coordinator):
    hidden = story(consent={"audience_funders": False, "audience_public": False})
    network = EvidenceRecordFactory(visibility="network")
    shown = EvidenceRecordFactory()
    funder_ids = set(visible(viewer_for(funder)).values_list("pk", flat=True))
    assert shown.pk in funder_ids and hidden.pk not in funder_ids and network.pk not in funder_ids
    withdrawn = story()
    services.consent_withdraw(consent=withdrawn.consent, user=coordinator)
    assert withdrawn.pk not in set(visible(ANONYMOUS).values_list("pk", flat=True))


def test_digest_items_in_window_with_audiences_after_consent(coordinator):
    now = timezone.now()
    public = EvidenceRecordFactory(published_at=now - datetime.timedelta(hours=1), countries=["NL"])
    funders_only = story(published_at=now - datetime.timedelta(hours=2), consent={"audience_public": False})
    network_only = EvidenceRecordFactory(visibility="network", published_at=now - datetime.timedelta(hours=3))
    EvidenceRecordFactory(published_at=now - datetime.timedelta(days=10))
    withdrawn = story(published_at=now - datetime.timedelta(hours=1))
    services.consent_withdraw(consent=withdrawn.consent, user=coordinator)
    EvidenceRecordFactory(status="draft", published_at=now - datetime.timedelta(hours=1))
    items = {i["key"]: i for i in digest_items(since=now - datetime.timedelta(days=1), until=now)}
    assert set(items) == {f"evidence:{r.pk}" for r in (public, funders_only, network_only)}
    assert items[f"evidence:{public.pk}"]["audiences"] == {"public", "funders", "members", "coordinators"}
    assert items[f"evidence:{funders_only.pk}"]["audiences"] == {"funders", "members", "coordinators"}
    assert items[f"evidence:{network_only.pk}"]["audiences"] == {"members", "coordinators"}
    assert items[f"evidence:{public.pk}"]["countries"] == ["NL"]
    assert items[f"evidence:{public.pk}"]["section"] == "evidence"
