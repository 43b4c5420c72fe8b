"""Personal data the practice app holds: the guides a person wrote or co-authored, their
revisions, the images they uploaded, and the joint actions and updates they recorded.

Erasure: all of it stays, as the network's shared practice, attributed to the anonymised user
("former member") through ``created_by`` and ``uploaded_by``. Authorship is a link to the
member profile, which ``network`` deletes; before it goes, each guide the person co-authored
counts them in ``Guide.former_author_count``, so that the guide still credits "a former
member" beside its other authors.
"""

from __future__ import annotations

from django.db.models import F, Q

from core import cache, personal_data
from core.personal_data import iso
from practice.models import Guide, GuideImage, GuideRevision, JointAction, JointActionUpdate, PartnerInvitation


def export(user) -> dict:
    guides = (
        Guide.objects.filter(Q(created_by=user) | Q(authors__user=user))
        .distinct()
        .select_related("work")
        .order_by("created_at")
    )
    return {
        "guides": [
            {
                "title": guide.title,
                "slug": guide.slug,
                "language": guide.language,
                "status": guide.status,
                "created_by_me": guide.created_by_id == user.pk,
                "created_at": iso(guide.created_at),
                "published_at": iso(guide.published_at),
            }
            for guide in guides
        ],
        "guide_revisions": [
            {
                "guide": revision.guide.slug,
                "number": revision.number,
                "note": revision.note,
                "created_at": iso(revision.created_at),
            }
            for revision in GuideRevision.objects.filter(created_by=user).select_related("guide").order_by("created_at")
        ],
        "guide_images": [
            {
                "guide": image.guide.slug,
                "alt_text": image.alt_text,
                "caption": image.caption,
                "created_at": iso(image.created_at),
            }
            for image in GuideImage.objects.filter(uploaded_by=user).select_related("guide").order_by("created_at")
        ],
        "joint_actions_created": list(
            JointAction.objects.filter(created_by=user).order_by("created_at").values_list("title", flat=True)
        ),
        "joint_action_updates": [
            {"joint_action": update.joint_action.title, "date": iso(update.date), "text": update.text}
            for update in JointActionUpdate.objects.filter(created_by=user).select_related("joint_action")
        ],
    }


def erase(user) -> None:
    authored = Guide.authors.through.objects.filter(member__user=user)
    Guide.objects.filter(pk__in=authored.values("guide_id")).update(former_author_count=F("former_author_count") + 1)
    authored.delete()
    # Updates send no signals: the cached guide pages (their authors) are told here.
    cache.changed("practice")


personal_data.register(
    app="practice",
    export=export,
    erase=erase,
    # Partner invitations record who invited and who answered for an organisation: they stay,
    # attributed to the anonymised user, like the joint actions themselves.
    models=[Guide, GuideRevision, GuideImage, JointAction, JointActionUpdate, PartnerInvitation],
)
