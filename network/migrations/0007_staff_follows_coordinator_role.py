"""``is_staff`` follows the coordinator role from now on (see ``network.signals``): bring the
existing accounts in line once."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Q


def staff_sync(apps, schema_editor):
    User = apps.get_model("network", "User")
    in_role = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name="coordinator")
    User.objects.filter(Q(is_superuser=True) | Exists(in_role)).update(is_staff=True)
    User.objects.filter(is_superuser=False).exclude(Exists(in_role)).update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [("network", "0006_invitation_moved_to_invitations")]

    operations = [migrations.RunPython(staff_sync, migrations.RunPython.noop)]
