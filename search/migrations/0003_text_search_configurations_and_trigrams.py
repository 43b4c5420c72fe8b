"""Text-search configurations that know the languages, and trigrams for forgiving searches.

PostgreSQL only (the SQLite demo searches without either):

* ``ll_english``, ``ll_swedish`` and ``ll_dutch`` (``search/textsearch.py``): a Hunspell
  dictionary first when ``manage.py search_dictionaries`` has put its files in PostgreSQL's
  tsearch_data, Snowball alone otherwise (with a logged warning); the command upgrades them later.
* the ``pg_trgm`` extension and a trigram GIN index on ``folded_title``, the title without
  case or accents (names of people and organisations are titles too), which the search uses
  to widen a query that finds little.

Existing entries get their folded titles, move to the new configurations and their vectors
are rebuilt.
"""

import unicodedata

from django.db import migrations, models

OLD_TO_NEW = {"english": "ll_english", "swedish": "ll_swedish", "dutch": "ll_dutch"}
TRIGRAM_INDEX = "search_searchentry_folded_title_trgm"


def _fold(text: str) -> str:
    # A copy of ``search.index.fold`` as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()[:300]


def fold_titles(apps, schema_editor):
    SearchEntry = apps.get_model("search", "SearchEntry")
    entries = list(SearchEntry.objects.only("id", "title"))
    for entry in entries:
        entry.folded_title = _fold(entry.title)
    SearchEntry.objects.bulk_update(entries, ["folded_title"], batch_size=1000)


def _move(schema_editor, mapping: dict[str, str]) -> None:
    for old, new in mapping.items():
        schema_editor.execute(
            "UPDATE search_searchentry SET config = %s, vector ="
            " setweight(to_tsvector(%s::regconfig, coalesce(title, '')), 'A')"
            " || setweight(to_tsvector(%s::regconfig, coalesce(summary, '')), 'B')"
            " || setweight(to_tsvector(%s::regconfig, coalesce(body, '')), 'C')"
            " WHERE config = %s",
            [new, new, new, new, old],
        )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from search import textsearch

    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    textsearch.install(schema_editor.connection)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON search_searchentry USING gin (folded_title gin_trgm_ops)"
    )
    _move(schema_editor, OLD_TO_NEW)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _move(schema_editor, {new: old for old, new in OLD_TO_NEW.items()})
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    # The configurations and the extension stay: dropping them is harmless to leave out and
    # other databases objects (a DBA's own indexes) may use pg_trgm.


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0002_searchentry_table_and_content_type"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="folded_title",
            field=models.CharField(blank=True, default="", max_length=300),
        ),
        migrations.RunPython(fold_titles, migrations.RunPython.noop),
        migrations.RunPython(forwards, backwards),
    ]
