"""What the cross-site search (``search/sources.py``) indexes from practice: guide versions and
joint actions, each as a ``document`` and a ``visible(viewer)`` QuerySet."""

from __future__ import annotations


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
    # ``.all()``: a full reindex prefetches the participations with their organisations.
    countries = sorted({p.organisation.country.code for p in action.participations.all()})
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
