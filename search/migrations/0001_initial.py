"""The SearchEntry model moves here from practice, without touching the database.

State only: the model is created in this app on practice's existing table (``db_table`` set
to ``practice_searchentry``); practice's migration 0004 then drops it from practice's state.
0002 renames the table and its GIN index and hands the content type over to this app.
"""

import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('practice', '0003_work_published_state'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SearchEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=30)),
                        ('object_id', models.BigIntegerField()),
                        ('language', models.CharField(blank=True, max_length=8)),
                        ('config', models.CharField(default='simple', max_length=20)),
                        ('title', models.CharField(max_length=300)),
                        ('summary', models.TextField(blank=True)),
                        ('body', models.TextField(blank=True)),
                        ('url', models.CharField(max_length=500)),
                        ('themes', models.JSONField(blank=True, default=list)),
                        ('countries', models.JSONField(blank=True, default=list)),
                        ('vector', django.contrib.postgres.search.SearchVectorField(null=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name': 'search entry',
                        'verbose_name_plural': 'search entries',
                        'db_table': 'practice_searchentry',
                        'indexes': [models.Index(fields=['kind', 'object_id'], name='searchentry_kind_obj_idx')],
                        'constraints': [models.UniqueConstraint(fields=('kind', 'object_id'), name='searchentry_unique_object')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
