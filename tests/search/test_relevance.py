"""The relevance set (``search/relevance/queries.tsv``) against the demo network on PostgreSQL:
every query finds its expected result in the first three hits, as its audience."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import translation

from search import relevance, textsearch


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from tests.conftest import reference_data_ensure

    with django_db_blocker.unblock(), translation.override("en"), transaction.atomic():
        reference_data_ensure()
        call_command("seed_demo", force=True, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_the_relevance_set_is_big_enough_and_covers_every_language_and_case():
    cases = relevance.load()
    assert len(cases) >= 60
    assert {c.language for c in cases} >= {"en", "sv", "nl", "cross"}
    assert {c.case for c in cases} >= {"inflection", "compound", "typo", "name", "place", "cross-language"}
    queries = " ".join(c.query for c in cases)
    for place in ("Bergsjön", "Hjällbo", "Hellendoorn", "Tynnered"):
        assert place in queries


@pytest.mark.django_db
def test_every_query_of_the_relevance_set_finds_its_result_in_the_top_three(demo):
    # The Hunspell dictionaries are part of what this measures (``manage.py search_dictionaries``
    # before the test database is created, as .ci/run does).
    assert all(textsearch.uses_hunspell(connection).values()), "run manage.py search_dictionaries first"
    outcomes = relevance.evaluate()
    missed = [f"{o.case} (position {o.position}): {o.top}" for o in outcomes if not o.in_top3]
    assert not missed, "\n".join(missed)
