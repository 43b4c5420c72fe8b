"""``core.db.distinct_values``: the values that occur among a queryset's rows, read from the
field's index (issue 16: the directories' country filters at 100,000 members)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.db import distinct_values
from network.models import Organisation
from tests.factories.network import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_values_of_the_querysets_rows_sorted_without_the_empty_one_in_one_query():
    for country in ("SE", "SE", "NL", "", "DE"):
        OrganisationFactory(country=country, kind=Organisation.Kind.NETWORK if country == "DE" else "grassroots")
    with CaptureQueriesContext(connection) as captured:
        assert distinct_values(Organisation.objects.all(), "country") == ["DE", "NL", "SE"]
    assert len(captured.captured_queries) == 1
    # The queryset's filters hold: a country whose only rows it excludes is not listed.
    assert distinct_values(Organisation.objects.exclude(kind=Organisation.Kind.NETWORK), "country") == ["NL", "SE"]
    assert distinct_values(Organisation.objects.none(), "country") == []
