"""A GIN index on the members' spoken languages (a JSON list): matchmaking asks which members
speak one of an organiser's languages by JSON containment (``core.db.list_contains``), which
read every profile without it. PostgreSQL only: SQLite (the ``make run`` demo) has no GIN."""

from django.db import migrations


def gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS network_member_languages_gin ON network_member USING gin (languages)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS network_member_languages_gin")


class Migration(migrations.Migration):
    dependencies = [("network", "0010_member_suggestable")]

    operations = [migrations.RunPython(gin_index, drop_gin_index)]
