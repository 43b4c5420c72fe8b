"""Small-cell suppression of indicator figures (api/figures.py) on crafted data."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories.evidence import EvidenceRecordFactory, IndicatorFactory, MetricUpdateFactory
from tests.factories.network import OrganisationFactory

pytestmark = pytest.mark.django_db

Q1 = dt.date(2025, 1, 1)
Q2 = dt.date(2025, 4, 1)


def _updates(indicator, count, *, start=Q1, value=10, splits=None, **record_fields):
    organisation = OrganisationFactory()
    made = []
    for _ in range(count):
        record = EvidenceRecordFactory(kind="metric", layer="process", **record_fields)
        update = MetricUpdateFactory(
            record=record,
            indicator=indicator,
            organisation=organisation,
            period_start=start,
            period_end=start + dt.timedelta(days=80),
            value=value,
        )
        for category, part in (splits or {}).items():
            update.splits.create(category=category, value=part)
        made.append(update)
    return made


def _figures(client, indicator, **params):
    body = client.get("/api/v1/indicators/", {"limit": 100, **params}).json()
    return next(item for item in body["data"] if item["id"] == indicator.pk)["figures"]


def test_a_quarter_with_fewer_than_five_records_is_suppressed(client):
    indicator = IndicatorFactory(slug="people-reached", split_categories=["young", "old"])
    _updates(indicator, 5, start=Q1)
    _updates(indicator, 4, start=Q2)
    first, second = _figures(client, indicator)
    assert first["suppressed"] is False and first["value"] == "50.00" and first["contributors"] == 5
    assert second == {
        "period_start": "2025-04-01",
        "period_end": "2025-06-30",
        "value": None,
        "contributors": None,
        "suppressed": True,
        "splits": [],
    }


def test_one_small_split_merges_every_split_into_the_total(client):
    indicator = IndicatorFactory(slug="members", split_categories=["young", "old", "rare"])
    _updates(indicator, 5, splits={"young": 6, "old": 4})
    _updates(indicator, 1, splits={"young": 1, "rare": 9})
    (quarter,) = _figures(client, indicator)
    assert quarter["value"] == "60.00" and quarter["contributors"] == 6
    # "rare" has one record: showing young and old beside the total would reveal it.
    assert quarter["splits"] == []


def test_splits_with_enough_records_each_are_shown(client):
    indicator = IndicatorFactory(slug="volunteers", split_categories=["young", "old"])
    _updates(indicator, 5, splits={"young": 6, "old": 4})
    (quarter,) = _figures(client, indicator)
    assert [(s["category"], s["value"], s["contributors"]) for s in quarter["splits"]] == [
        ("old", "20.00", 5),
        ("young", "30.00", 5),
    ]


def test_the_threshold_is_a_setting(client, settings):
    settings.OPEN_DATA_MIN_CELL_SIZE = 2
    indicator = IndicatorFactory(slug="meetings")
    _updates(indicator, 2)
    assert _figures(client, indicator)[0]["value"] == "20.00"
    settings.OPEN_DATA_MIN_CELL_SIZE = 3
    assert _figures(client, indicator)[0]["suppressed"] is True


def test_figures_count_only_records_the_viewer_may_read(client):
    indicator = IndicatorFactory(slug="hidden-figures")
    _updates(indicator, 5, visibility="network")
    _updates(indicator, 5, licence="all-rights-reserved")
    assert _figures(client, indicator) == []
    _updates(indicator, 5)
    assert _figures(client, indicator)[0]["contributors"] == 5


def test_visitors_figures_are_shared_until_the_evidence_changes(client, django_capture_on_commit_callbacks):
    indicator = IndicatorFactory(slug="visits")
    with django_capture_on_commit_callbacks(execute=True):
        _updates(indicator, 5)
    assert _figures(client, indicator)[0]["value"] == "50.00"
    # A new metric update bumps the evidence namespace when its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        _updates(indicator, 1)
    assert _figures(client, indicator)[0]["value"] == "60.00"
