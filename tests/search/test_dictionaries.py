"""Converting Hunspell files for PostgreSQL's ispell template, and the configurations that fall
back to Snowball (with a warning) when the files are missing."""

import logging

import pytest
from django.db import connection

from search import textsearch

AFFIX = """SET UTF-8
FLAG long
COMPOUNDBEGIN Xb
COMPOUNDMIDDLE Xm
COMPOUNDEND Xe
ONLYINCOMPOUND Xo

SFX Aa Y 1
SFX Aa 0 s/XbXo .

SFX Ab Y 1
SFX Ab 0 0/Xb .
"""

DICTIONARY = """5
grannskap/AaXe
organisering/Xe\tpo:noun
km\\/h
a/Ab
ord
"""


def test_words_that_take_a_joining_affix_may_begin_and_stand_in_the_middle_of_compounds():
    affix = textsearch.convert_affix(AFFIX)
    # The joining "s" may stand in the middle too (PostgreSQL checks the first part that way).
    assert "SFX Aa 0 s/XbXoXm ." in affix
    # An affix that adds nothing is left alone.
    assert "SFX Ab 0 0/Xb ." in affix
    info = textsearch.read_affix(affix)
    dictionary = textsearch.convert_dictionary(DICTIONARY, info).splitlines()
    assert dictionary[0] == "4"
    assert "grannskap/AaXeXbXm" in dictionary
    # Morphology dropped, escaped slashes dropped, short words gain nothing, plain words stay.
    assert "organisering/Xe" in dictionary
    assert not any("km" in line for line in dictionary)
    assert "a/Ab" in dictionary and "ord" in dictionary


def test_missing_files_fall_back_to_snowball_with_a_warning(db, caplog, monkeypatch):
    real = textsearch.LANGUAGES
    missing = tuple(textsearch.Language(lang.code, lang.config, lang.snowball, lang.hunspell) for lang in real)
    monkeypatch.setattr(textsearch.Language, "dictionary", property(lambda self: f"ll_{self.code}_missing"))
    with caplog.at_level(logging.WARNING, logger="search.textsearch"):
        result = textsearch.install(connection)
    assert result == {"en": False, "sv": False, "nl": False}
    assert "uses Snowball alone" in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('ll_dutch', 'gemeenschappen')")
        assert cursor.fetchone()[0] == "'gemeenschapp':1"
    assert missing  # the languages themselves are unchanged
    monkeypatch.undo()
    # And back: the files are there, the dictionaries return (inside the test's transaction).
    assert textsearch.install(connection) == {"en": True, "sv": True, "nl": True}


@pytest.mark.parametrize("code", ["en", "sv", "nl"])
def test_the_debian_dictionaries_convert(tmp_path, code):
    if not (textsearch.HUNSPELL_DIR / "sv_SE.aff").exists():
        pytest.fail("apt-get install hunspell-en-us hunspell-sv hunspell-nl")
    installed = textsearch.install_files(tmp_path)
    assert code in installed
    first = (tmp_path / f"ll_{code}_ispell.dict").read_text(encoding="utf-8").splitlines()
    assert int(first[0]) == len(first) - 1 > 10_000
