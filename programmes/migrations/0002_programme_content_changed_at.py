import django.utils.timezone
from django.db import migrations, models


def from_last_save(apps, schema_editor):
    # Existing programmes: their last save is the best guess at their last content change.
    Programme = apps.get_model("programmes", "Programme")
    Programme.objects.update(content_changed_at=models.F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0009_search_visibility_indexes"),
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="content_changed_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, editable=False, verbose_name="content changed"
            ),
        ),
        migrations.RunPython(from_last_save, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="programme",
            index=models.Index(fields=["status", "content_changed_at"], name="programme_status_changed"),
        ),
    ]
