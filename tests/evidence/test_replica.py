"""A read replica for the dashboard and its exports (README, "Capacity"): with
``REPLICA_READS`` on, their reads go to the ``replica`` alias (here a second connection to the
same test database) and every other page, and every write, stays on ``default``."""

import pytest
from django.core.cache import cache
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories.evidence import story

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
DASHBOARD = reverse("evidence:dashboard")
CSV = reverse("evidence:export_csv")
XLSX = reverse("evidence:export_xlsx")
LIBRARY = reverse("evidence:index")


READS = ("SELECT", "WITH", "DECLARE")  # DECLARE: the export's server-side cursor


def _evidence_reads(queries) -> int:
    return sum(1 for q in queries if "evidence_" in q["sql"] and q["sql"].lstrip().upper().startswith(READS))


@pytest.fixture
def replica_reads(settings):
    settings.REPLICA_READS = True
    cache.clear()


@pytest.mark.parametrize("url", [DASHBOARD, XLSX])
def test_the_dashboard_and_its_export_read_the_evidence_from_the_replica(client_as, replica_reads, url):
    story(title="Visible story", countries=["SE"])
    client = client_as("funder")
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url)
    assert response.status_code == 200
    assert _evidence_reads(replica.captured_queries) > 0
    assert _evidence_reads(primary.captured_queries) == 0, [q["sql"][:120] for q in primary.captured_queries]
    if url == DASHBOARD:
        assert response.context["headline"]["total"] == 1


def test_other_pages_read_the_primary(client_as, replica_reads):
    story(title="Visible story", countries=["SE"])
    client = client_as("funder")
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get(LIBRARY).status_code == 200
    assert replica.captured_queries == []


def test_without_replica_reads_the_dashboard_reads_the_primary(client_as, settings):
    settings.REPLICA_READS = False
    cache.clear()
    story(title="Visible story", countries=["SE"])
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client_as("funder").get(DASHBOARD).status_code == 200
    assert replica.captured_queries == []
