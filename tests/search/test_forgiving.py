"""Forgiving queries on PostgreSQL: Hunspell dictionaries before Snowball (inflections and
compounds), quoted phrases and ``-word`` exclusion, a prefix for the word being typed, and for
a query that finds little, trigram widening on titles and names and a "Did you mean …?"."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from core.policy import ANONYMOUS
from practice.models import Guide
from search import index as searchindex
from search import textsearch
from tests.factories.network import OrganisationFactory
from tests.factories.practice import make_guide

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:index")


def titles(results):
    return [str(hit.title).replace("<mark>", "").replace("</mark>", "") for hit in results.hits]


def find(query, viewer=ANONYMOUS):
    return searchindex.search(viewer=viewer, query=query, use_cache=False)


@pytest.fixture
def published(organiser, coordinator):
    def _make(**kwargs):
        return make_guide(author=organiser, coordinator=coordinator, status=Guide.Status.PUBLISHED, **kwargs)

    return _make


@pytest.fixture
def hunspell():
    if not all(textsearch.uses_hunspell(connection).values()):
        pytest.fail("The test database has no Hunspell dictionaries: run manage.py search_dictionaries first")


def test_dutch_plurals_that_snowball_misses_find_the_singular(hunspell, published):
    published(title="Lerende Gemeenschap", language="nl", sections={"what": "Een groep."})
    # Snowball stems "gemeenschappen" to "gemeenschapp"; the dictionary knows its singular.
    assert titles(find("lerende gemeenschappen")) == ["Lerende Gemeenschap"]


def test_swedish_definite_forms_find_the_base_form(hunspell, published):
    published(title="Community Organising för lokalt ledarskap", language="sv", sections={"what": "Text."})
    assert titles(find("ledarskapet")) == ["Community Organising för lokalt ledarskap"]


def test_compounds_are_split_in_swedish_and_dutch(hunspell, published):
    published(title="Grannskap", language="sv", sections={"what": "Om organisering i förorten."})
    published(title="Buurt", language="nl", sections={"what": "Een organisatie van bewoners."})
    # Swedish "grannskaps-" joins with a linking s; Dutch "buurt" + "organisatie".
    assert titles(find("grannskapsorganisering")) == ["Grannskap"]
    assert titles(find("buurtorganisatie")) == ["Buurt"]


def test_quoted_phrases_and_excluded_words(published):
    published(title="Climate assembly", language="en", sections={"what": "An assembly."})
    published(title="Assembly on the climate", language="en", sections={"what": "Other words."})
    assert titles(find('"climate assembly"')) == ["Climate assembly"]
    assert titles(find("assembly -words")) == ["Climate assembly"]


def test_the_last_word_matches_as_a_prefix_while_typing(published):
    published(title="Philanthropy and organising", language="en", sections={"what": "Funders."})
    assert titles(find("philanth")) == ["Philanthropy and organising"]
    assert titles(find("organising philanth")) == ["Philanthropy and organising"]
    # A stop word at the end is no prefix ("the" would otherwise ask for "theme", "theory", …).
    results = find("philanthropy and the")
    assert titles(results) == ["Philanthropy and organising"] and results.similar == 0
    # Only the last word: an earlier fragment must be a word (the title is found by trigrams).
    results = find("philanth organising")
    assert results.similar == results.total == 1


def test_a_typo_is_widened_by_trigrams_on_titles_and_names_and_corrected(client, published):
    published(title="Philanthropy and organising", language="en", sections={"what": "Funders."})
    OrganisationFactory(name="Tillsammans Hjällbo", description="")
    results = find("philantropy")
    assert titles(results) == ["Philanthropy and organising"]
    assert results.similar == 1 and results.suggestion == "philanthropy"
    # Accents and case do not matter to the trigrams, and the correction keeps them.
    results = find("hjalbo")
    assert titles(results) == ["Tillsammans Hjällbo"]
    assert results.suggestion == "hjällbo"
    response = client.get(SEARCH, {"q": "hjalbo"})
    assert "?q=hj%C3%A4llbo" in response.content.decode()


def test_widening_obeys_the_access_policy(organiser):
    make_guide(author=organiser, title="Philanthropy draft", language="en")  # a draft: its author's only
    assert titles(find("philantropy")) == []
    assert find("philantropy").suggestion == ""


def test_a_query_that_finds_enough_is_neither_widened_nor_corrected(published):
    for n in range(3):
        published(title=f"Tenants organising {n}", language="en", sections={"what": "Tenants."})
    results = find("tenants")
    assert results.total == 3 and results.similar == 0 and results.suggestion == ""


def test_a_quoted_query_is_not_widened(published):
    published(title="Philanthropy and organising", language="en", sections={"what": "Funders."})
    assert titles(find('"philantropy"')) == []


def test_the_dictionaries_command_installs_files_and_configurations(tmp_path):
    call_command("search_dictionaries", "--target", str(tmp_path))
    assert {p.name for p in tmp_path.iterdir()} >= {"ll_sv_ispell.dict", "ll_sv_ispell.affix", "ll_nl_ispell.dict"}
    assert textsearch.uses_hunspell(connection) == {"en": True, "sv": True, "nl": True}
