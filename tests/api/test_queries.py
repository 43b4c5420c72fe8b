"""API lists take a constant number of queries, however many items a page holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.services import token_create
from tests.factories.evidence import EvidenceRecordFactory, IndicatorFactory, MetricUpdateFactory, story
from tests.factories.exchanges import ExchangeFactory, SessionFactory
from tests.factories.network import OrganisationFactory, ThemeFactory
from tests.factories.practice import JointActionFactory, ParticipationFactory, make_guide
from tests.factories.strategy import strategy_make

pytestmark = pytest.mark.django_db


def _add(count: int, organiser, coordinator) -> None:
    theme = ThemeFactory()
    for i in range(count):
        organisation = OrganisationFactory()
        organisation.themes.add(theme)
        exchange = ExchangeFactory()
        exchange.themes.add(theme)
        exchange.hosts.add(organisation)
        SessionFactory(exchange=exchange)
        EvidenceRecordFactory(organisations=[organisation], themes=[theme], countries=["SE"])
        story(title=f"Story {i}")
        ParticipationFactory(joint_action=JointActionFactory(status="active"), organisation=organisation)
        make_guide(author=organiser, coordinator=coordinator, title=f"Guide {i}", language="en", status="published")
        MetricUpdateFactory(indicator=IndicatorFactory(slug=f"ind-{count}-{i}"), organisation=organisation)
        # A published version (two languages) and a draft under consultation, which stays out.
        strategy_make(slug=f"strategy-{count}-{i}", coordinator=coordinator)


def _queries(client, url, headers) -> int:
    client.get(url, headers=headers)  # warm (reference caches)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers=headers).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "resource", ["organisations", "exchanges", "guides", "joint-actions", "evidence", "indicators", "strategy"]
)
@pytest.mark.parametrize("with_token", [False, True], ids=["anonymous", "token"])
def test_a_list_page_costs_the_same_queries_for_2_or_12_items(client, resource, with_token, organiser, coordinator):
    headers = {"Authorization": f"Bearer {token_create(user=organiser, name='q', expires_in_days=1).raw}"}
    headers = headers if with_token else {}
    url = f"/api/v1/{resource}/?limit=50"
    _add(2, organiser, coordinator)
    few = _queries(client, url, headers)
    _add(10, organiser, coordinator)
    many = _queries(client, url, headers)
    assert few == many, (few, many)
    assert many <= 12
