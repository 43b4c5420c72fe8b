"""Finish the move from practice: the table and its full-text GIN index (made by practice's
migration 0002, PostgreSQL only) take this app's name, and the content type moves over so
that permissions and admin log entries keep pointing at the model. Reversible.
"""

from django.db import migrations

OLD_GIN, NEW_GIN = "practice_searchentry_vector_gin", "search_searchentry_vector_gin"


def _content_type_relabel(apps, old_label: str, new_label: str, model: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label=old_label, model=model).first()
    if old is None:
        # A fresh database: content types are only created after migrate.
        return
    # A content type made for the new label meanwhile (a partial run) holds nothing worth
    # keeping: the old one carries the permissions granted on the model.
    ContentType.objects.filter(app_label=new_label, model=model).delete()
    old.app_label = new_label
    old.save(update_fields=["app_label"])


def _gin_rename(schema_editor, old: str, new: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX IF EXISTS {old} RENAME TO {new}")


def forwards(apps, schema_editor):
    _gin_rename(schema_editor, OLD_GIN, NEW_GIN)
    _content_type_relabel(apps, "practice", "search", "searchentry")


def backwards(apps, schema_editor):
    _gin_rename(schema_editor, NEW_GIN, OLD_GIN)
    _content_type_relabel(apps, "search", "practice", "searchentry")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('search', '0001_initial'),
        ('practice', '0004_searchentry_moved_to_search'),
    ]

    operations = [
        migrations.AlterModelTable(name='searchentry', table=None),
        migrations.RunPython(forwards, backwards),
    ]
