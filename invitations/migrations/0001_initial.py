"""The Invitation model moves here from network, without touching the database.

State only: the model is created in this app on network's existing table (``db_table`` set
to ``network_invitation``); network's migration 0006 then drops it from network's state.
0002 renames the table and hands the content type (and so every permission and admin log
entry that points at it) over to this app.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('network', '0005_membership_approval'),
        ('outbox', '0002_handover_and_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(db_index=True, max_length=254, verbose_name='email address')),
                        ('name', models.CharField(blank=True, max_length=150, verbose_name='name')),
                        ('role', models.CharField(choices=[('member', 'member'), ('organiser', 'organiser'), ('leader', 'leader'), ('staff', 'staff'), ('volunteer', 'volunteer'), ('board', 'board member'), ('contact', 'contact person'), ('admin', 'administrator')], default='member', max_length=20, verbose_name='role')),
                        ('language', models.CharField(choices=[('en', 'English'), ('sv', 'Swedish'), ('nl', 'Dutch')], default='en', max_length=5, verbose_name='language')),
                        ('message', models.TextField(blank=True, max_length=2000, verbose_name='personal message')),
                        ('state', models.CharField(choices=[('pending', 'pending'), ('sent', 'sent'), ('accepted', 'accepted'), ('expired', 'expired'), ('revoked', 'revoked')], default='pending', max_length=10, verbose_name='state')),
                        ('token_hash', models.CharField(editable=False, max_length=64, unique=True, verbose_name='token hash')),
                        ('send_count', models.PositiveSmallIntegerField(default=0, verbose_name='emails sent')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('expires_at', models.DateTimeField(verbose_name='expires at')),
                        ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted at')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                        ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='accepted by')),
                        ('invited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by')),
                        ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitations', to='network.organisation', verbose_name='organisation')),
                        ('outbox_message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='outbox.outboxmessage', verbose_name='last email')),
                    ],
                    options={
                        'verbose_name': 'invitation',
                        'verbose_name_plural': 'invitations',
                        'ordering': ['-created_at'],
                        'db_table': 'network_invitation',
                        'indexes': [models.Index(fields=['state', 'expires_at'], name='invitation_state_expires_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('state__in', ['pending', 'sent'])), fields=('email',), name='invitation_one_open_per_email'), models.CheckConstraint(condition=models.Q(('email', django.db.models.functions.text.Lower('email'))), name='invitation_email_lower')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
