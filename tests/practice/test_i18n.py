"""Practice speaks Swedish and Dutch: complete catalogues, translated pages and facets."""

from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps

from practice.models import Characteristic

LOCALE = Path(__file__).resolve().parents[2] / "practice" / "locale"


@pytest.mark.parametrize("language", ["sv", "nl"])
def test_the_catalogue_is_complete(language):
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    assert "#, fuzzy" not in text
    entries = text.split("\n\n")[1:]
    empty = [e for e in entries if 'msgstr ""' in e and "msgid_plural" not in e and '"\n"' not in e.split("msgstr")[1]]
    empty += [e for e in entries if 'msgstr[0] ""' in e or 'msgstr[1] ""' in e]
    assert not empty, empty[:3]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "heading", "facet"),
    [
        ("/sv", "Praktikguider", "Samskapande"),
        ("/nl", "Praktijkgidsen", "Coproduceren"),
        ("", "Practice guides", "Co-production"),
    ],
)
def test_pages_and_characteristics_are_translated(client, prefix, heading, facet):
    # The data migration's rows (a transactional test elsewhere may have flushed them).
    import_module("practice.migrations.0002_characteristics_and_search_index").seed(django_apps, None)
    assert Characteristic.objects.filter(slug="co-production").exists()
    html = client.get(f"{prefix}/practice/").content.decode()
    assert heading in html and facet in html
