"""Attachments uploaded before uploads were checked are checked now and stored again under
random names (images re-encoded without metadata); one that fails keeps its old name and is
served only as an opaque download."""

from django.db import migrations

from core.uploads import store_again_checked


def forwards(apps, schema_editor):
    attachment_model = apps.get_model("evidence", "Attachment")
    earlier = attachment_model.objects.exclude(file="").exclude(file__startswith="evidence/attachments/")
    for attachment in earlier.order_by("pk").iterator():
        store_again_checked(attachment)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0005_attachments_checked_under_random_names")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
