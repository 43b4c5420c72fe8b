"""A property-based run against the API's own OpenAPI schema (the equivalent of a Schemathesis
run, with Hypothesis, which the suite already has): for every GET operation, generated values
for its declared parameters, plus unknown parameters and hostile strings, never get a 5xx;
every 200 validates against the operation's response schema and every 4xx is the JSON error.

The response check uses the pydantic models the schema is generated from (``api.schemas``),
so "matches the schema" is checked against the very definitions the document publishes."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import schemas
from api.main import api
from tests.factories.evidence import EvidenceRecordFactory, MetricUpdateFactory, story
from tests.factories.exchanges import ExchangeFactory, SessionFactory
from tests.factories.network import OrganisationFactory
from tests.factories.practice import JointActionFactory
from tests.factories.strategy import strategy_make

pytestmark = pytest.mark.django_db

RESPONSES = {
    "/api/v1/organisations/": schemas.OrganisationPage,
    "/api/v1/exchanges/": schemas.ExchangePage,
    "/api/v1/guides/": schemas.GuidePage,
    "/api/v1/joint-actions/": schemas.JointActionPage,
    "/api/v1/evidence/": schemas.EvidencePage,
    "/api/v1/indicators/": schemas.IndicatorPage,
    "/api/v1/strategy/": schemas.StrategyVersionPage,
    "/api/v1/organisations/{slug}/": schemas.Organisation,
    "/api/v1/exchanges/{slug}/": schemas.Exchange,
    "/api/v1/guides/{slug}/": schemas.Guide,
    "/api/v1/joint-actions/{slug}/": schemas.JointAction,
    "/api/v1/evidence/{record_id}/": schemas.EvidenceRecord,
    "/api/v1/strategy/{slug}/{number}/": schemas.StrategyVersion,
}

# Printable text without surrogates; control characters are in (the middleware answers 400).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
VALUES = st.one_of(
    TEXT,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "true", "false", "2025-01-01", "2025-13-45", "SE", "zz", "2026-12", "djE6MQ", "en", "sv"]),
)


def _operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        operation = methods.get("get")
        if operation is None:
            continue
        parameters = list(operation.get("parameters", []))
        yield path, parameters


OPERATIONS = list(_operations())


def _strategy_for(parameter):
    schema = parameter.get("schema", {})
    kinds = {t.get("type") for t in schema.get("anyOf", [schema])}
    if "integer" in kinds:
        return st.one_of(st.integers(min_value=-5, max_value=200).map(str), VALUES)
    if "boolean" in kinds:
        return st.one_of(st.sampled_from(["true", "false", "1", "0"]), VALUES)
    return VALUES


@pytest.fixture
def world(db):
    organisation = OrganisationFactory(slug="org-a")
    exchange = ExchangeFactory(slug="ex-a")
    SessionFactory(exchange=exchange)
    record = EvidenceRecordFactory(organisations=[organisation])
    story(title="Story")
    for _ in range(6):
        MetricUpdateFactory(organisation=organisation)
    JointActionFactory(slug="ja-a", status="active")
    strategy_make(slug="strategy-a")
    return {
        "slug": ["org-a", "ex-a", "ja-a", "strategy-a", "nothing"],
        "record_id": [record.pk, 0, 99999],
        "number": [1, 2, 0, 2**40],
    }


def _check(response, template):
    assert response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    if response.status_code == 200:
        RESPONSES[template].model_validate(body)
    else:
        assert response.status_code in (400, 401, 404, 429), response.status_code
        assert re.fullmatch(r"[a-z_]+", body["error"]["code"])


@pytest.mark.parametrize("template,parameters", OPERATIONS, ids=[path for path, _ in OPERATIONS])
def test_generated_requests_never_get_a_5xx_and_answers_match_the_schema(template, parameters, world, settings_):
    if template.endswith("openapi.json"):
        return
    query_parameters = [p for p in parameters if p["in"] == "query"]
    path_parameters = [p for p in parameters if p["in"] == "path"]
    client = Client()

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def run(data):
        path = template
        for parameter in path_parameters:
            value = data.draw(
                st.one_of(
                    st.sampled_from(world[parameter["name"]]).map(str),
                    TEXT.filter(lambda t: "/" not in t and "?" not in t and "#" not in t),
                )
            )
            path = path.replace("{" + parameter["name"] + "}", value or "x")
        query = {}
        for parameter in query_parameters:
            if data.draw(st.booleans()):
                query[parameter["name"]] = data.draw(_strategy_for(parameter))
        if data.draw(st.integers(0, 9)) == 0:
            query[data.draw(st.sampled_from(["colour", "page", "offset", "q2"]))] = "1"
        _check(client.get(path, query), template)

    run()


@pytest.fixture
def settings_(settings):
    # Generated runs make hundreds of calls from one address.
    settings.API_RATE_LIMIT_ANONYMOUS = 100_000
    return settings
