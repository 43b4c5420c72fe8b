"""The contract with the other apps' ``digest.py`` modules, and what the real ones report."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests import providers
from exchanges.models import Exchange, Registration
from tests.factories.digests import LAST_WEEK, NOW, evidence, exchange, member, registration

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_the_digest_draws_on_exchanges_evidence_practice_programmes_and_strategy_in_that_order():
    names = [module.__name__ for module in providers.provider_modules()]
    assert names == ["exchanges.digest", "evidence.digest", "practice.digest", "programmes.digest", "strategy.digest"]


def test_items_breaking_the_contract_are_dropped_and_the_rest_normalised():
    good = {
        "section": "guides",
        "key": "guide:1",
        "title": "Lerende Gemeenschap",
        "url": "/practice/",
        "summary": "word " * 200,
        "language": "NL",
        "themes": ["housing", "housing"],
        "countries": ["nl", "be"],
        "audiences": {"public", "everyone"},
        "date": dt.date(2026, 11, 18),
    }
    item = providers.item_normalise(good)
    assert item["urls"] == {
        "en": "http://testserver/practice/",
        "sv": "http://testserver/sv/practice/",
        "nl": "http://testserver/nl/practice/",
    }
    assert len(item["summary"]) == providers.SUMMARY_MAX and item["summary"].endswith("…")
    assert (item["language"], item["themes"], item["countries"], item["audiences"]) == (
        "nl",
        ["housing"],
        ["BE", "NL"],
        # "public" reaches everyone, in the policy's vocabulary; unknown audiences are dropped.
        ["coordinators", "funders", "members", "public"],
    )
    assert item["date"] == "2026-11-18"
    for broken in ({**good, "section": "gossip"}, {**good, "url": ""}, {**good, "key": None}):
        assert providers.item_normalise(broken) is None


def test_an_item_reported_in_two_windows_keeps_the_latest(monkeypatch):
    boundaries = [LAST_WEEK - 7 * DAY, LAST_WEEK]

    def digest_items(*, since, until):
        return [{"section": "evidence", "key": "same", "title": "T", "url": "/evidence/", "audiences": ["public"]}]

    monkeypatch.setattr(providers, "provider_modules", lambda: [SimpleNamespace(digest_items=digest_items)])
    items = providers.items_collect(boundaries=boundaries, until=NOW)
    assert [(i["key"], i["slot"]) for i in items] == [("same", 1)]


def test_exchanges_report_published_or_opened_exchanges_with_their_audiences():
    exchange(title="Open now", themes=("housing",), country="SE", languages=("sv", "en"))
    exchange(title="Opened before", opens_at=LAST_WEEK - 30 * DAY, starts_at=NOW + 10 * DAY)
    exchange(
        title="Published now, opened before",
        opens_at=LAST_WEEK - 30 * DAY,
        published_at=LAST_WEEK,
        starts_at=NOW + 10 * DAY,
    )
    exchange(title="Already over", opens_at=LAST_WEEK, starts_at=LAST_WEEK - 3 * DAY)
    exchange(title="Draft", status=Exchange.Status.DRAFT)
    exchange(title="Guests welcome", audience=Exchange.Audience.MEMBERS_AND_GUESTS)
    exchange(title="Convening", kind=Exchange.Kind.CONVENING)
    from exchanges.digest import digest_items

    raw = digest_items(since=LAST_WEEK - 2 * DAY, until=NOW)
    items = {i["title"]: i for i in raw}

    assert set(items) == {"Open now", "Published now, opened before", "Guests welcome", "Convening"}
    assert (items["Open now"]["themes"], items["Open now"]["countries"], items["Open now"]["language"]) == (
        ["housing"],
        ["SE"],
        "sv",
    )
    # Exchanges for members alone are not for funders; guests and convenings are.
    assert set(items["Open now"]["audiences"]) == {"members", "coordinators"}
    assert set(items["Guests welcome"]["audiences"]) == {"members", "funders", "coordinators"}
    assert set(items["Convening"]["audiences"]) == {"members", "funders", "coordinators"}
    # Every item keeps the contract.
    assert all(providers.item_normalise(item) is not None for item in raw)


def test_reminders_are_own_confirmed_exchanges_of_the_next_30_days_in_constant_queries():
    from exchanges.digest import digest_member_items

    soon = exchange(title="Soon", opens_at=NOW - 40 * DAY, starts_at=NOW + 5 * DAY)
    later = exchange(title="Later", opens_at=NOW - 40 * DAY, starts_at=NOW + 45 * DAY)

    def readers(n):
        users = [member() for _ in range(n)]
        for user in users:
            registration(user, soon)
            registration(user, later)
        return [u.pk for u in users]

    few = readers(5)
    waitlisted = member()
    registration(waitlisted, soon, state=Registration.State.WAITLISTED)
    with CaptureQueriesContext(connection) as small:
        result = digest_member_items(user_ids=[*few, waitlisted.pk], now=NOW)
    titles = {uid: [i["title"] for i in items] for uid, items in result.items()}
    assert {uid: found for uid, found in titles.items() if found} == {uid: ["Soon"] for uid in few}
    assert titles.get(waitlisted.pk, []) == []
    assert all(item["section"] == "reminders" for items in result.values() for item in items)
    many = readers(60)
    with CaptureQueriesContext(connection) as large:
        assert len(digest_member_items(user_ids=many, now=NOW)) == 60
    assert len(small) == len(large)


def test_evidence_reports_published_records_with_audiences_from_visibility_and_consent():
    from evidence.digest import digest_items
    from evidence.models import Consent, EvidenceRecord

    evidence(title="Public", visibility=EvidenceRecord.Visibility.PUBLIC, language="sv", countries=("SE", "NL"))
    evidence(title="Funders", visibility=EvidenceRecord.Visibility.FUNDERS)
    evidence(title="Network", visibility=EvidenceRecord.Visibility.NETWORK)
    evidence(title="Draft", status=EvidenceRecord.Status.DRAFT)
    evidence(title="Older", published_at=LAST_WEEK - 30 * DAY)
    evidence(
        title="Story, not for the public",
        kind=EvidenceRecord.Kind.STORY,
        visibility=EvidenceRecord.Visibility.PUBLIC,
        consent=("network", "funders"),
    )
    withdrawn = evidence(title="Story, consent withdrawn", kind=EvidenceRecord.Kind.STORY)
    Consent.objects.filter(record=withdrawn).update(withdrawn_at=LAST_WEEK)

    raw = digest_items(since=LAST_WEEK - DAY, until=NOW)
    items = {i["title"]: i for i in raw}

    assert set(items) == {"Public", "Funders", "Network", "Story, not for the public"}
    assert (set(items["Public"]["audiences"]), items["Public"]["language"], items["Public"]["countries"]) == (
        {"members", "funders", "public", "coordinators"},
        "sv",
        ["NL", "SE"],
    )
    # Visibility is a ladder (network within funders within public); consent narrows it.
    assert set(items["Funders"]["audiences"]) == {"members", "funders", "coordinators"}
    assert set(items["Network"]["audiences"]) == {"members", "coordinators"}
    assert set(items["Story, not for the public"]["audiences"]) == {"members", "funders", "coordinators"}
    assert all(providers.item_normalise(item) is not None for item in raw)
