"""The Invitation model now belongs to the invitations app (its migration 0001 took it over
on the same table): network forgets it, without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0005_membership_approval'),
        ('invitations', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Invitation')],
            database_operations=[],
        ),
    ]
