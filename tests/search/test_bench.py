"""The search bench (``devtools/bench/search.py``) runs and prints its figures, on a small index."""

import io

import pytest

from devtools.bench import search as search_bench
from devtools.benchlib import BenchContext
from tests.factories.network import OrganisationFactory, UserFactory, member_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_search_bench_reindexes_and_reports_every_figure(monkeypatch):
    monkeypatch.setattr(search_bench, "RUNS", 2)
    for n in range(3):
        member_for(UserFactory(email=f"member{n}@bench.example.org"), display_name=f"Bench Person {n}")
        OrganisationFactory(name=f"Community group {n}")
    out = io.StringIO()
    search_bench.measure(BenchContext(stdout=out, default_n=2))
    text = out.getvalue()
    assert "dictionaries" in text and "hunspell" in text
    assert "full reindex" in text and "items=" in text
    for label in search_bench.QUERIES:
        assert f"search engine, visitor: {label}" in text
        assert f"search engine, member: {label}" in text
        assert f"search page (anonymous, cached): {label}" in text
    assert "index update of one saved profile" in text
