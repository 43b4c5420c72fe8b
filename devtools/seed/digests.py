"""Demo data for digests: a digest preference for every demo member (idempotent).

Members who already have a preference keep it; the others get one that fits their role,
so that the admin's preview and the delivery counts have something to show.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from digests.models import DigestPreference, Frequency, Scope
from network.models import Role


def _preference_for(user, index: int) -> dict:
    roles = {group.name for group in user.groups.all()}
    if Role.FUNDER in roles:
        # Funders read the evidence and the joint actions, once a month.
        return {
            "frequency": Frequency.MONTHLY,
            "send_exchanges": False,
            "send_guides": False,
            "send_evidence": True,
            "send_joint_actions": True,
        }
    if Role.COORDINATOR in roles or user.is_superuser:
        return {"frequency": Frequency.WEEKLY, "themes_scope": Scope.ALL, "languages_scope": Scope.ALL}
    if index % 5 == 4:
        return {"frequency": Frequency.MONTHLY}
    return {"frequency": Frequency.WEEKLY}


def seed_demo(*, stdout) -> None:
    users = (
        get_user_model()
        .objects.filter(is_active=True, deleted_at__isnull=True, member__isnull=False, digest_preference__isnull=True)
        .prefetch_related("groups")
        .order_by("pk")
    )
    created = [DigestPreference(user=user, **_preference_for(user, index)) for index, user in enumerate(users)]
    DigestPreference.objects.bulk_create(created, ignore_conflicts=True)
    stdout.write(f"digests: {len(created)} digest preferences created.")
