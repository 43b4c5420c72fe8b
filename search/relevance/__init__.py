"""The search's relevance set (``queries.tsv`` beside this file): queries in English, Swedish
and Dutch against the demo network, each with a result expected in the first three hits.

``evaluate()`` runs every query through ``search.index.search`` (uncached) as the audience the
line names (``core.policy.representative``) and tells where the expected result came. Used by
``tests/search/test_relevance.py`` (PostgreSQL, demo data: every query in the top 3) and by
``make bench`` (``devtools/bench/search.py``: the shares in the top 3 and the top 10).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils import translation

from core.policy import Audience, representative

QUERIES_FILE = Path(__file__).with_name("queries.tsv")
VIEWERS = {"anonymous": Audience.PUBLIC, "member": Audience.MEMBERS}
_TAGS = re.compile(r"</?mark>")


@dataclass(frozen=True)
class Case:
    viewer: str
    language: str
    case: str
    query: str
    expected: tuple[tuple[str, str], ...]  # (kind, title); any of them counts

    def __str__(self) -> str:
        return f"[{self.language} {self.case}] {self.query}"


@dataclass(frozen=True)
class Outcome:
    case: Case
    position: int | None  # 1-based position of the first expected result, None if not in the first 20
    top: list[str]  # "kind: title" of the first hits, for failure messages

    @property
    def in_top3(self) -> bool:
        return self.position is not None and self.position <= 3

    @property
    def in_top10(self) -> bool:
        return self.position is not None and self.position <= 10


def load(path: Path = QUERIES_FILE) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 5 or parts[0] not in VIEWERS:
            raise ValueError(f"{path.name}:{number}: expected 5 tab-separated columns and a known viewer")
        expected = tuple(tuple(part.strip() for part in item.split(":", 1)) for item in parts[4].split(" | "))
        cases.append(Case(parts[0], parts[1], parts[2], parts[3], expected))  # type: ignore[arg-type]
    return cases


def evaluate(cases: list[Case] | None = None) -> list[Outcome]:
    from search import index as searchindex

    outcomes = []
    for case in cases if cases is not None else load():
        viewer = representative(VIEWERS[case.viewer])
        # Read in the query's language, as its reader would (a cross-language query in English).
        reader = case.language if case.language in {"en", "sv", "nl"} else "en"
        with translation.override(reader):
            results = searchindex.search(viewer=viewer, query=case.query, use_cache=False)
        found = [(hit.kind, html.unescape(_TAGS.sub("", str(hit.title)))) for hit in results.hits]
        position = next((i for i, hit in enumerate(found, start=1) if hit in case.expected), None)
        outcomes.append(Outcome(case, position, [f"{kind}: {title}" for kind, title in found[:5]]))
    return outcomes


def shares(outcomes: list[Outcome]) -> dict[str, float]:
    total = len(outcomes) or 1
    return {
        "top3": sum(o.in_top3 for o in outcomes) / total,
        "top10": sum(o.in_top10 for o in outcomes) / total,
    }
