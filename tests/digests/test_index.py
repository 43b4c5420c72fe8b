"""The item index gives every member exactly what the one-item rule (``item_visible``) gives,
in the order the digest shows them, whatever the mix of filters."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

from core.policy import AUDIENCES, reach
from digests.models import NEWS_SECTIONS, Section
from digests.services import (
    SECTION_NEWEST_FIRST,
    ItemIndex,
    Reader,
    item_visible,
)

THEMES = ["housing", "climate", "digital", "care"]
COUNTRIES = ["SE", "NL", "BE", "DE"]
LANGUAGES = ["en", "sv", "nl"]
ORGANISATIONS = ["1", "2", "3", "4"]
SECTIONS = [s.value for s in NEWS_SECTIONS]


def _some(rng: random.Random, values: list[str]) -> list[str]:
    return rng.sample(values, rng.randint(0, len(values)))


def _items(rng: random.Random, count: int) -> list[dict]:
    items = []
    for n in range(count):
        items.append(
            {
                "section": rng.choice(SECTIONS),
                "key": f"item:{n}",
                "title": f"Item {n}",
                "urls": {"en": f"http://testserver/{n}/"},
                "summary": "",
                "language": rng.choice(LANGUAGES + [""]),
                "themes": sorted(_some(rng, THEMES)),
                "countries": sorted(_some(rng, COUNTRIES)),
                "audiences": sorted(_some(rng, list(AUDIENCES))),
                # Most items name no organisation; those that do reach their members regardless.
                "organisations": sorted(_some(rng, ORGANISATIONS)) if rng.random() < 0.4 else [],
                # Few distinct days, so that ties in the display order are common.
                "date": f"2026-11-{rng.randint(16, 19)}",
                "slot": rng.randint(0, 2),
            }
        )
    return sorted(items, key=lambda i: (i["slot"], i["date"], i["key"]))


def _narrowing(rng: random.Random, values: list[str]) -> frozenset[str] | None:
    return None if rng.random() < 0.3 else frozenset(_some(rng, values)) or None


def _reader(rng: random.Random) -> Reader:
    return Reader(
        user=None,
        preference=None,
        language="en",
        time_zone=zoneinfo.ZoneInfo("UTC"),
        sections=set(_some(rng, SECTIONS + [Section.REMINDERS.value])),
        audiences=frozenset({rng.choice(AUDIENCES)}),
        themes=_narrowing(rng, THEMES),
        countries=_narrowing(rng, COUNTRIES),
        languages=_narrowing(rng, LANGUAGES),
        since=dt.datetime(2026, 11, 16, tzinfo=dt.UTC),
        slot=rng.randint(0, 3),
        organisations=frozenset(_some(rng, ORGANISATIONS)) if rng.random() < 0.6 else frozenset(),
    )


def test_the_index_agrees_with_the_rule_for_every_member_and_keeps_the_display_order():
    rng = random.Random(20261123)
    items = _items(rng, 300)
    index = ItemIndex(items)
    nonempty = 0
    for _ in range(400):
        reader = _reader(rng)
        news = index.news_for(reader, limit=len(items))
        for section in SECTIONS:
            expected = [item for item in items if item["section"] == section and item_visible(reader, item)]
            expected.sort(key=lambda i: i["date"], reverse=section in SECTION_NEWEST_FIRST)
            assert news.first.get(section, []) == expected, (section, reader)
            assert news.counts.get(section, 0) == len(expected)
        nonempty += bool(news)
    # The random mix gives both members with news and members without.
    assert 0 < nonempty < 400


def test_the_index_gives_the_first_items_of_each_section_and_counts_the_rest():
    items = [
        {
            "section": "evidence",
            "key": f"e{n}",
            "title": "t",
            "urls": {"en": "u"},
            "summary": "",
            "language": "",
            "themes": [],
            "countries": [],
            "audiences": sorted(reach(["public"])),
            "date": f"2026-11-{10 + n:02d}",
            "slot": 0,
        }
        for n in range(15)
    ]
    reader = _reader(random.Random(1))
    reader.sections, reader.audiences, reader.slot = {"evidence"}, frozenset({"members"}), 0
    reader.themes = reader.countries = reader.languages = None
    news = ItemIndex(items).news_for(reader, limit=10)
    assert news.count == 15 and news.counts == {"evidence": 15}
    # Newest first.
    assert [item["key"] for item in news.first["evidence"]] == [f"e{n}" for n in range(14, 4, -1)]
    assert not ItemIndex([]).news_for(reader)
