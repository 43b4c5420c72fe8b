"""The SearchEntry model now belongs to the search app (its migration 0001 took it over on the
same table): practice forgets it, without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('practice', '0003_work_published_state'),
        ('search', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SearchEntry')],
            database_operations=[],
        ),
    ]
