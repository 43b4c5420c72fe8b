"""What practice contributes to the cross-site search: guide versions and joint actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def guide_document(guide) -> dict | None:
    work = guide.work
    return {
        "title": guide.title,
        "summary": guide.summary,
        "body": guide.plain_text(),
        "language": guide.language,
        "url": guide.get_absolute_url(),
        "themes": [theme.slug for theme in work.themes.all()],
        "countries": [country.code for country in work.countries],
    }


def guide_visible(viewer):
    from practice.models import Guide

    return Guide.objects.visible_to(viewer)


def joint_action_document(action) -> dict | None:
    updates = "\n".join(update.text for update in action.updates.all()[:50])
    countries = sorted({p.organisation.country.code for p in action.participations.select_related("organisation")})
    return {
        "title": action.title,
        "summary": action.summary,
        "body": f"{action.description}\n\n{updates}",
        "language": action.language,
        "url": action.get_absolute_url(),
        "themes": [action.issue.slug],
        "countries": [c for c in countries if c],
    }


def joint_action_visible(viewer):
    from practice.models import JointAction

    return JointAction.objects.visible_to(viewer)


SEARCH = [
    {
        "model": "practice.Guide",
        "kind": "guide",
        "label": _("Guide"),
        "document": guide_document,
        "visible": guide_visible,
        # Themes and countries live on the work that all languages share.
        "triggers": {"practice.GuideWork": lambda work: work.versions.all()},
    },
    {
        "model": "practice.JointAction",
        "kind": "joint_action",
        "label": _("Joint action"),
        "document": joint_action_document,
        "visible": joint_action_visible,
        "triggers": {
            "practice.Participation": lambda participation: [participation.joint_action],
            "practice.JointActionUpdate": lambda update: [update.joint_action],
        },
    },
]
