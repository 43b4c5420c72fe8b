"""Every write in practice: guides, their translations, workflow and revisions; joint actions.

Services take keyword-only arguments, run in one transaction, check permission themselves
(``PermissionDenied`` becomes a 403 in views) and lock the guide row before a state change
so that two coordinators clicking "publish" at once produce one transition, not two.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import cache
from core.policy import Viewer, viewer_for
from practice.models import (
    NAMESPACE,
    Guide,
    GuideImage,
    GuideRevision,
    GuideWork,
    JointAction,
    JointActionUpdate,
    Participation,
    PartnerInvitation,
    sections_for,
)


class GuideStateError(Exception):
    """The guide is not in a state that allows this step (e.g. publishing a draft twice)."""


CONTENT_FIELDS = ("title", "summary", "sections")
WORK_M2M = ("characteristics", "themes", "organisations", "related_guides", "evidence_records", "exchanges")


def _unique_slug(title: str, language: str) -> str:
    base = (slugify(title) or "guide")[:190]
    slug = f"{base}-{language}"
    n = 2
    while Guide.objects.filter(slug=slug).exists():
        slug = f"{base}-{language}-{n}"
        n += 1
    return slug


def _clean_sections(kind: str, sections: dict) -> dict:
    allowed = [key for key, _h, _help in sections_for(kind)]
    return {key: str(sections.get(key) or "").strip() for key in allowed if str(sections.get(key) or "").strip()}


def _revision_add(*, guide: Guide, user, note: str = "") -> GuideRevision:
    last = guide.revisions.aggregate(n=Max("number"))["n"] or 0
    return GuideRevision.objects.create(
        guide=guide,
        number=last + 1,
        title=guide.title,
        summary=guide.summary,
        sections=guide.sections,
        status=guide.status,
        note=note[:300],
        created_by=user if user and user.is_authenticated else None,
    )


def _set_work_fields(work: GuideWork, fields: dict | None, m2m: dict | None) -> None:
    for name, value in (fields or {}).items():
        setattr(work, name, value)
    if fields:
        work.save()
    for name, value in (m2m or {}).items():
        if name in WORK_M2M:
            getattr(work, name).set(value)


@transaction.atomic
def guide_create(
    *,
    user,
    kind: str,
    language: str,
    title: str,
    summary: str = "",
    sections: dict | None = None,
    work_fields: dict | None = None,
    work_m2m: dict | None = None,
) -> Guide:
    """A new guide (its original language version) as a draft, with revision 1."""
    if not viewer_for(user).is_authenticated:
        raise PermissionDenied
    work = GuideWork.objects.create(kind=kind, original_language=language, **(work_fields or {}))
    _set_work_fields(work, None, work_m2m)
    guide = Guide.objects.create(
        work=work,
        language=language,
        title=title,
        slug=_unique_slug(title, language),
        summary=summary,
        sections=_clean_sections(kind, sections or {}),
        created_by=user,
        source_version=work.content_version,
    )
    member = getattr(user, "member", None)
    if member is not None:
        guide.authors.add(member)
    _revision_add(guide=guide, user=user, note=_("Created"))
    return guide


@transaction.atomic
def guide_update(
    *,
    guide: Guide,
    user,
    title: str,
    summary: str = "",
    sections: dict | None = None,
    note: str = "",
    synced: bool = False,
    work_fields: dict | None = None,
    work_m2m: dict | None = None,
) -> Guide:
    """Save new content; keep a revision; mark translations outdated when the original changed.

    ``synced`` (translations only): the translator brought this version up to date with the
    original's current content, so it is no longer flagged as outdated.
    """
    guide = Guide.objects.select_for_update().select_related("work").get(pk=guide.pk)
    if not guide.can_edit(viewer_for(user)):
        raise PermissionDenied
    work = guide.work
    new_sections = _clean_sections(work.kind, sections or {})
    changed = (guide.title, guide.summary, guide.sections) != (title, summary, new_sections)
    guide.title, guide.summary, guide.sections = title, summary, new_sections
    if guide.is_original and changed:
        GuideWork.objects.filter(pk=work.pk).update(content_version=F("content_version") + 1)
        # Every translation is now outdated: no signal says so (guide.save() below bumps too).
        cache.changed(NAMESPACE)
        work.refresh_from_db(fields=["content_version"])
        guide.source_version = work.content_version
    elif not guide.is_original and synced:
        guide.source_version = work.content_version
    guide.save()
    if guide.is_original and (work_fields or work_m2m):
        _set_work_fields(work, work_fields, work_m2m)
    _revision_add(guide=guide, user=user, note=note)
    return guide


@transaction.atomic
def translation_create(
    *, source: Guide, user, language: str, title: str, summary: str = "", sections: dict | None = None
) -> Guide:
    """A new language version of ``source``'s work, as a draft, translated from its current state."""
    if not viewer_for(user).is_authenticated:
        raise PermissionDenied
    work = GuideWork.objects.select_for_update().get(pk=source.work_id)
    if work.versions.filter(language=language).exists():
        raise GuideStateError(_("This guide already exists in that language."))
    guide = Guide.objects.create(
        work=work,
        language=language,
        title=title,
        slug=_unique_slug(title, language),
        summary=summary,
        sections=_clean_sections(work.kind, sections or {}),
        created_by=user,
        source_version=work.content_version,
    )
    member = getattr(user, "member", None)
    if member is not None:
        guide.authors.add(member)
    _revision_add(guide=guide, user=user, note=_("Translated"))
    return guide


def _locked(guide: Guide) -> Guide:
    return Guide.objects.select_for_update().select_related("work").get(pk=guide.pk)


@transaction.atomic
def guide_submit(*, guide: Guide, user) -> Guide:
    """An author hands a draft to the coordinators for review."""
    guide = _locked(guide)
    viewer = viewer_for(user)
    if not (guide.is_author(viewer) or viewer.is_coordinator):
        raise PermissionDenied
    if guide.status != Guide.Status.DRAFT:
        raise GuideStateError(_("Only drafts can be submitted for review."))
    guide.status = Guide.Status.IN_REVIEW
    guide.submitted_at = timezone.now()
    guide.save(update_fields=["status", "submitted_at", "updated_at"])
    return guide


def _require_coordinator(user) -> None:
    if not viewer_for(user).is_coordinator:
        raise PermissionDenied


@transaction.atomic
def guide_publish(*, guide: Guide, user) -> Guide:
    """A coordinator publishes a guide under review (or a draft they reviewed themselves)."""
    _require_coordinator(user)
    guide = _locked(guide)
    if guide.status not in (Guide.Status.IN_REVIEW, Guide.Status.DRAFT):
        raise GuideStateError(_("This guide cannot be published from its current state."))
    now = timezone.now()
    guide.status = Guide.Status.PUBLISHED
    guide.reviewed_at = now
    guide.reviewed_by = user
    guide.review_comment = ""
    guide.published_at = guide.published_at or now
    guide.save()
    _revision_add(guide=guide, user=user, note=_("Published"))
    return guide


@transaction.atomic
def guide_return(*, guide: Guide, user, comment: str) -> Guide:
    """A coordinator sends a guide under review back to its authors with a comment."""
    _require_coordinator(user)
    guide = _locked(guide)
    if guide.status != Guide.Status.IN_REVIEW:
        raise GuideStateError(_("Only guides in review can be returned."))
    guide.status = Guide.Status.DRAFT
    guide.review_comment = comment
    guide.reviewed_at = timezone.now()
    guide.reviewed_by = user
    guide.save()
    return guide


@transaction.atomic
def guide_archive(*, guide: Guide, user) -> Guide:
    _require_coordinator(user)
    guide = _locked(guide)
    if guide.status == Guide.Status.ARCHIVED:
        raise GuideStateError(_("This guide is already archived."))
    guide.status = Guide.Status.ARCHIVED
    guide.save(update_fields=["status", "updated_at"])
    return guide


@transaction.atomic
def guide_image_add(*, guide: Guide, user, file, alt_text: str, caption: str = "") -> GuideImage:
    if not guide.can_edit(viewer_for(user)):
        raise PermissionDenied
    return GuideImage.objects.create(guide=guide, file=file, alt_text=alt_text, caption=caption, uploaded_by=user)


def revision_diff(*, old: GuideRevision, new: GuideRevision, kind: str) -> list[tuple[str, str]]:
    """Lines of a unified diff as (css class, text); the template escapes the text."""
    lines = difflib.unified_diff(
        old.as_text(kind).splitlines(),
        new.as_text(kind).splitlines(),
        fromfile=f"r{old.number}",
        tofile=f"r{new.number}",
        lineterm="",
        n=2,
    )
    out = []
    for line in lines:
        if line.startswith(("+++", "---")):
            css = "meta"
        elif line.startswith("@@"):
            css = "hunk"
        elif line.startswith("+"):
            css = "added"
        elif line.startswith("-"):
            css = "removed"
        else:
            css = "context"
        out.append((css, line))
    return out


# --- Joint actions ---------------------------------------------------------------------------


def can_post_update(viewer: Viewer, action: JointAction) -> bool:
    """Coordinators, and approved members of a participating organisation."""
    return JointAction.objects.updatable_by(viewer).filter(pk=action.pk).exists()


@transaction.atomic
def joint_action_update_add(
    *,
    action: JointAction,
    user,
    text: str,
    date: dt.date | None = None,
    guide=None,
    record=None,
    picture=None,
    picture_alt: str = "",
) -> JointActionUpdate:
    """A short timeline entry by a member of a participating organisation (or a coordinator),
    optionally about a guide or an evidence record (which the caller checked the poster may read),
    with a picture (checked and re-encoded by its field like every upload)."""
    if not can_post_update(viewer_for(user), action):
        raise PermissionDenied
    return JointActionUpdate.objects.create(
        joint_action=action,
        date=date or timezone.localdate(),
        text=text,
        guide=guide,
        record=record,
        picture=picture,
        picture_alt=picture_alt if picture else "",
        created_by=user,
    )


@transaction.atomic
def joint_action_create(
    *,
    user,
    title: str,
    issue,
    summary: str = "",
    description: str = "",
    language: str = "en",
    status: str = JointAction.Status.PLANNED,
    participants: Iterable[tuple] = (),
    started_on=None,
) -> JointAction:
    """Coordinators start a joint action; ``participants`` are (organisation, role) pairs."""
    _require_coordinator(user)
    action = JointAction.objects.create(
        title=title,
        slug=_joint_action_slug(title),
        issue=issue,
        summary=summary,
        description=description,
        language=language,
        status=status,
        started_on=started_on,
        created_by=user,
    )
    for organisation, role in participants:
        action.participations.create(organisation=organisation, role=role)
    return action


# --- group-led joint action ------------------------------------------------------------------


def _joint_action_slug(title: str) -> str:
    base = slugify(title)[:200] or "joint-action"
    slug, n = base, 2
    while JointAction.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def joint_action_propose(
    *,
    user,
    organisation,
    role: str,
    title: str,
    issue,
    countries: Iterable[str] = (),
    summary: str = "",
    description: str = "",
    language: str = "en",
    partners: Iterable = (),
) -> JointAction:
    """A member of an approved organisation proposes a joint action on its behalf. It starts as
    a draft that coordinators review before it is public; each partner organisation is invited
    (its administrators are emailed) and takes part only once it accepts."""
    viewer = viewer_for(user)
    if organisation.pk not in viewer.organisation_ids:
        raise PermissionDenied
    action = JointAction.objects.create(
        title=title,
        slug=_joint_action_slug(title),
        issue=issue,
        countries=list(countries),
        summary=summary,
        description=description,
        language=language,
        status=JointAction.Status.DRAFT,
        created_by=user,
    )
    action.participations.create(organisation=organisation, role=role)
    for partner in partners:
        if partner.pk != organisation.pk:
            invitation = PartnerInvitation.objects.create(
                joint_action=action, organisation=partner, role=Participation.Role.PARTNER, invited_by=user
            )
            _email_partner_admins(invitation)
    return action


def _email_partner_admins(invitation: PartnerInvitation) -> None:
    """Each administrator of the invited organisation, in their own language, via the outbox."""
    from django.urls import reverse
    from django.utils import translation

    from network.models import Membership
    from outbox.services import absolute_url, email_queue, language_for

    admins = (
        Membership.objects.approved()
        .filter(organisation=invitation.organisation, role=Membership.Role.ADMIN)
        .select_related("member__user")
    )
    for membership in admins:
        user = membership.member.user
        if not user.email or user.deleted_at is not None:
            continue
        language = language_for(user=user)
        with translation.override(language):
            url = absolute_url(reverse("practice:partner_invitations"))
        email_queue(
            to=user.email,
            kind="practice_partner_invitation",
            template="practice/emails/partner_invitation",
            context={"name": user.public_name, "invitation": invitation, "action": invitation.joint_action, "url": url},
            language=language,
            idempotency_key=f"practice-partner-invitation-{invitation.pk}-{user.pk}",
            user=user,
        )


def _decide(invitation: PartnerInvitation, *, user, state: str) -> PartnerInvitation:
    if not viewer_for(user).administers(invitation.organisation_id):
        raise PermissionDenied
    with transaction.atomic():
        # Exactly once: only a pending invitation changes, whoever clicks twice.
        changed = PartnerInvitation.objects.filter(pk=invitation.pk, state=PartnerInvitation.State.PENDING).update(
            state=state, decided_by=user, decided_at=timezone.now()
        )
        if changed and state == PartnerInvitation.State.ACCEPTED:
            Participation.objects.get_or_create(
                joint_action_id=invitation.joint_action_id,
                organisation_id=invitation.organisation_id,
                defaults={"role": invitation.role},
            )
    invitation.refresh_from_db()
    return invitation


def partner_invitation_accept(*, invitation: PartnerInvitation, user) -> PartnerInvitation:
    return _decide(invitation, user=user, state=PartnerInvitation.State.ACCEPTED)


def partner_invitation_decline(*, invitation: PartnerInvitation, user) -> PartnerInvitation:
    return _decide(invitation, user=user, state=PartnerInvitation.State.DECLINED)


def joint_action_publish(*, action: JointAction, user) -> JointAction:
    """Coordinators make a proposed joint action public (planned)."""
    _require_coordinator(user)
    JointAction.objects.filter(pk=action.pk, status=JointAction.Status.DRAFT).update(
        status=JointAction.Status.PLANNED, updated_at=timezone.now()
    )
    cache.changed("practice")  # .update() sends no signal
    action.refresh_from_db()
    return action
