"""A version's citations (evidence records, indicators, guides) shown to each reader as the
cited thing's own rule allows, on the version page, the document page and the case page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from core.policy import viewer_for
from evidence.models import EvidenceRecord, Indicator, MetricUpdate
from practice.models import Guide
from strategy import services
from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.network import OrganisationFactory
from tests.factories.practice import make_guide
from tests.strategy.conftest import CAST

pytestmark = pytest.mark.django_db

Visibility = EvidenceRecord.Visibility


@pytest.fixture
def cited(coordinator):
    """A published v2 citing a public, a funders-only, a network-only and a draft record, an
    indicator with a live figure, and a published guide."""
    from tests.factories.strategy import strategy_make

    document, _v1, v2, _round = strategy_make(slug="cited", coordinator=coordinator, open_round=False)
    section = document.sections.get(key="sustained")
    organisation = OrganisationFactory()
    records = {
        name: EvidenceRecordFactory(title=f"Record {name}", visibility=visibility, organisations=[organisation])
        for name, visibility in (
            ("public", Visibility.PUBLIC),
            ("funders", Visibility.FUNDERS),
            ("network", Visibility.NETWORK),
        )
    }
    records["draft"] = EvidenceRecordFactory(title="Record draft", status=EvidenceRecord.Status.DRAFT)
    indicator = Indicator.objects.order_by("pk").first()
    MetricUpdate.objects.create(
        record=records["public"],
        indicator=indicator,
        organisation=organisation,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        value=1234,
    )
    guide = make_guide(title="Buurtkracht", status=Guide.Status.PUBLISHED, coordinator=coordinator)
    for record in records.values():
        services.citation_add(version=v2, section=section, record=record)
    services.citation_add(version=v2, section=section, indicator=indicator)
    services.citation_add(version=v2, section=section, guide=guide.work)
    services.citation_add(version=v2, section=section, guide=guide.work)  # twice: one citation
    services.version_publish(version=v2)
    return document, v2, records, indicator


def _seen(user, records) -> set[str]:
    """What the evidence policy itself answers for this reader."""
    visible = EvidenceRecord.objects.visible_to(viewer_for(user))
    return {name for name, record in records.items() if visible.filter(pk=record.pk).exists()}


@pytest.mark.parametrize("role", CAST)
def test_each_reader_sees_the_citations_the_policy_allows(client, request, cited, role):
    document, v2, records, indicator = cited
    client.logout()
    user = None
    if role != "anonymous":
        user = request.getfixturevalue(role)
        client.force_login(user)
    expected = _seen(user, records)
    # The cast really differs: visitors see the public record only, coordinators the draft too.
    assert ("draft" in expected) is (role == "coordinator")
    assert ("public" in expected) and (role == "anonymous") is (expected == {"public"})
    for path in (
        reverse("strategy:case", kwargs={"slug": document.slug}),
        reverse("strategy:version_detail", kwargs={"slug": document.slug, "number": 2}),
        reverse("strategy:document_detail", kwargs={"slug": document.slug}),
    ):
        page = client.get(path).content.decode()
        shown = {name for name in records if f"Record {name}" in page}
        assert shown == expected, (path, shown)
        assert "Buurtkracht" in page
        assert indicator.name in page
        # The live figure, from the published public record's value.
        assert re.search(r'class="key-figure-value">1[ ,.\u202f\u00a0]?234', page), path


def test_a_published_version_refuses_new_citations_and_a_new_draft_keeps_them(cited, coordinator):
    document, v2, records, _indicator = cited
    section = document.sections.get(key="vision")
    with pytest.raises(services.StrategyError):
        services.citation_add(version=v2, section=section, record=records["public"])
    v3 = services.version_draft_create(document=document, by=coordinator)
    assert v3.citations.count() == v2.citations.count() == 6


def test_the_case_page_is_404_without_a_published_version(client, coordinator):
    from tests.factories.strategy import strategy_make

    document, v1, *_ = strategy_make(slug="unpublished", coordinator=coordinator, open_round=False)
    v1.delete()
    client.force_login(coordinator)
    assert client.get(reverse("strategy:case", kwargs={"slug": document.slug})).status_code == 404
