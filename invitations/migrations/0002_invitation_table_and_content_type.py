"""Finish the move from network: the table takes this app's name and the content type moves
over, so the permissions coordinators hold on invitations (and the admin's log entries) keep
pointing at the model. Reversible: backwards, the table and content type go back to network.
"""

from django.db import migrations


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


def content_type_forwards(apps, schema_editor):
    _content_type_relabel(apps, "network", "invitations", "invitation")


def content_type_backwards(apps, schema_editor):
    _content_type_relabel(apps, "invitations", "network", "invitation")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('invitations', '0001_initial'),
        ('network', '0006_invitation_moved_to_invitations'),
    ]

    operations = [
        migrations.AlterModelTable(name='invitation', table=None),
        migrations.RunPython(content_type_forwards, content_type_backwards),
    ]
