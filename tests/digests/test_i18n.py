"""The digests catalogues are complete: every message translated, nothing fuzzy."""

from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "digests" / "locale"


@pytest.mark.parametrize("language", ["sv", "nl"])
def test_catalogue_is_complete(language):
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    entries = text.split("\n\n")[1:]
    assert len(entries) > 50
    assert "#, fuzzy" not in text
    for entry in entries:
        lines = entry.strip().splitlines()
        values = [line for line in lines if line.startswith("msgstr")]
        assert values, entry
        for value in values:
            index = lines.index(value)
            continued = index + 1 < len(lines) and lines[index + 1].startswith('"')
            assert not value.endswith('""') or continued, f"untranslated in {language}:\n{entry}"
