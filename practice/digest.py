"""What practice contributes to the digests: new published guides and translations, and
joint-action updates, in a half-open window [since, until)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import translation

from core.policy import audiences_of
from practice.models import Guide, JointAction, JointActionUpdate


def digest_items(*, since: dt.datetime, until: dt.datetime) -> list[dict]:
    items: list[dict] = []
    with translation.override(settings.LANGUAGE_CODE):
        guides = (
            Guide.objects.published()
            .filter(published_at__gte=since, published_at__lt=until)
            .select_related("work")
            .prefetch_related("work__themes")
            .order_by("published_at", "pk")
        )
        guides = list(guides)
        guide_audiences = audiences_of(Guide.objects.visible_to, [guide.pk for guide in guides])
        for guide in guides:
            items.append(
                {
                    "section": "guides",
                    "key": f"guide:{guide.pk}",
                    "title": guide.title,
                    "url": guide.get_absolute_url(),
                    "summary": guide.summary,
                    "language": guide.language,
                    "themes": [theme.slug for theme in guide.work.themes.all()],
                    "countries": [country.code for country in guide.work.countries],
                    "audiences": guide_audiences[guide.pk],
                    "date": guide.published_at,
                }
            )
        updates = (
            JointActionUpdate.objects.filter(created_at__gte=since, created_at__lt=until)
            .filter(joint_action__in=JointAction.objects.published())
            .select_related("joint_action__issue")
            .prefetch_related("joint_action__participations__organisation")
            .order_by("created_at", "pk")
        )
        updates = list(updates)
        action_audiences = audiences_of(JointAction.objects.visible_to, {u.joint_action_id for u in updates})
        for update in updates:
            action = update.joint_action
            items.append(
                {
                    "section": "joint_actions",
                    "key": f"joint-action-update:{update.pk}",
                    "title": action.title,
                    "url": action.get_absolute_url(),
                    "summary": update.text,
                    "language": action.language,
                    "themes": [action.issue.slug],
                    "countries": sorted(
                        {p.organisation.country.code for p in action.participations.all() if p.organisation.country}
                    ),
                    "audiences": action_audiences[action.pk],
                    # Members of the participating organisations get it whatever their interests.
                    "organisations": sorted({p.organisation_id for p in action.participations.all()}),
                    "date": update.created_at,
                }
            )
    return items
