"""Writes with consequences for people and organisations."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import personal_data
from core.policy import Role, coordinators_q, viewer_for
from core.signals import content_changed
from network.models import Member, Membership, Organisation, User


@transaction.atomic
def member_ensure(*, user: User) -> Member:
    """Give ``user`` a member profile and the organiser role if they have none yet."""
    member, created = Member.objects.get_or_create(
        user=user,
        defaults={"display_name": user.get_full_name() or user.email.split("@")[0]},
    )
    if created:
        group, _ = Group.objects.get_or_create(name=Role.ORGANISER)
        user.groups.add(group)
    return member


@transaction.atomic
def profile_save(*, form) -> Member:
    """Save a member's profile form (validated). Memberships are not part of it: a member asks
    to join an organisation (``membership_request``) and an administrator decides."""
    return form.save()


@transaction.atomic
def organisation_logo_save(*, form) -> Organisation:
    """Save an organisation's logo form (validated; the caller checked that the person
    administers the organisation). The replaced logo's files go after commit."""
    return form.save()


# --- Memberships: asked for by the member, decided by the organisation ---------------------


class MembershipError(Exception):
    """A request that cannot be made or decided; ``message`` is ready to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _deciders(organisation: Organisation) -> list[User]:
    """Who is told about a request to join: the organisation's administrators (approved
    memberships with the administrator role); when it has none, the coordinators."""
    admins = list(
        User.objects.filter(
            is_active=True,
            deleted_at__isnull=True,
            member__memberships__organisation=organisation,
            member__memberships__state=Membership.State.APPROVED,
            member__memberships__role=Membership.Role.ADMIN,
        ).select_related("member")
    )
    if admins:
        return admins
    return list(
        User.objects.filter(is_active=True, deleted_at__isnull=True)
        .filter(coordinators_q())
        .select_related("member")
        .order_by("pk")
    )


def _membership_email(*, membership: Membership, kind: str, to: User, key: str) -> None:
    from outbox.services import absolute_url, email_queue, language_for

    language = language_for(user=to)
    email_queue(
        to=to.email,
        kind=kind,
        template=f"network/emails/{kind}",
        context={
            "name": to.public_name,
            "member_name": membership.member.display_name,
            "organisation": membership.organisation.name,
            "role": membership.get_role_display(),
            "message": membership.message,
            "requests_url": absolute_url(reverse("network:membership_requests")),
            "organisation_url": absolute_url(membership.organisation.get_absolute_url()),
            "memberships_url": absolute_url(reverse("network:memberships")),
        },
        language=language,
        idempotency_key=key,
        user=to,
    )


REQUESTABLE_ROLES = [choice for choice in Membership.Role.choices if choice[0] != Membership.Role.ADMIN]


@transaction.atomic
def membership_request(*, member: Member, organisation: Organisation, role: str, message: str = "") -> Membership:
    """``member`` asks to join ``organisation``. The request grants nothing until it is approved.

    Nobody may ask to become an administrator (an administrator or a coordinator gives that
    role). Asking again while a request waits returns it unchanged (double submits make one
    row); asking again after a refusal makes a new request. The organisation's administrators
    (or, without any, the coordinators) are emailed through the outbox.
    """
    if role not in dict(REQUESTABLE_ROLES):
        raise MembershipError(_("Choose one of the roles offered."))
    now = timezone.now()
    try:
        with transaction.atomic():
            membership, created = Membership.objects.select_for_update().get_or_create(
                member=member,
                organisation=organisation,
                defaults={"role": role, "message": message, "state": Membership.State.REQUESTED, "requested_at": now},
            )
    except IntegrityError:
        membership = Membership.objects.select_for_update().get(member=member, organisation=organisation)
        created = False
    if not created:
        if membership.state == Membership.State.APPROVED:
            raise MembershipError(_("You are already a member of this organisation."))
        if membership.state == Membership.State.REQUESTED:
            return membership
        membership.role, membership.message = role, message
        membership.state, membership.requested_at = Membership.State.REQUESTED, now
        membership.decided_at, membership.decided_by = None, None
        membership.save()
    stamp = membership.requested_at.isoformat()
    for decider in _deciders(organisation):
        _membership_email(
            membership=membership,
            kind="membership_request",
            to=decider,
            key=f"membership-request:{membership.pk}:{stamp}:{decider.pk}",
        )
    return membership


def _decide(*, membership: Membership, by: User, state: str, kind: str) -> Membership:
    if not viewer_for(by).administers(membership.organisation_id):
        raise PermissionDenied
    now = timezone.now()
    # Exactly once: two administrators deciding at the same moment make one decision.
    changed = Membership.objects.filter(pk=membership.pk, state=Membership.State.REQUESTED).update(
        state=state, decided_at=now, decided_by=by, since=Coalesce("since", Value(now.date()))
    )
    if not changed:
        raise MembershipError(_("This request was already decided."))
    membership.refresh_from_db()
    # .update() sends no model signal: the cached pages that list approved members learn it here.
    content_changed.send(sender=Membership, instance=membership)
    user = membership.member.user
    _membership_email(membership=membership, kind=kind, to=user, key=f"{kind}:{membership.pk}:{int(now.timestamp())}")
    return membership


@transaction.atomic
def membership_approve(*, membership: Membership, by: User) -> Membership:
    """An administrator of the organisation (or a coordinator) approves a request: from now
    on the member's ``Viewer`` counts the organisation. The member is emailed."""
    return _decide(membership=membership, by=by, state=Membership.State.APPROVED, kind="membership_approved")


@transaction.atomic
def membership_decline(*, membership: Membership, by: User) -> Membership:
    """An administrator of the organisation (or a coordinator) declines a request. The member is
    emailed and may ask again."""
    return _decide(membership=membership, by=by, state=Membership.State.DECLINED, kind="membership_declined")


@transaction.atomic
def membership_leave(*, membership: Membership, member: Member) -> None:
    """A member leaves an organisation or withdraws their request."""
    if membership.member_id != member.pk:
        raise PermissionDenied
    membership.delete()


def personal_data_export(*, user: User) -> dict:
    """All personal data held about ``user``, one section per app (``core.personal_data``)."""
    return personal_data.export(user)


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Erase ``user``'s personal data and close the account.

    Every app erases its own personal data first through its ``personal_data`` hook (later
    apps before ``network``, so that they can still read the profile and the addresses): future
    registrations are cancelled and their places offered on, unsent emails cancelled, and so
    on (README, "Personal data"). The user row stays, anonymised, so that contributions
    remain and are shown as "former member": its email becomes a unique placeholder that can
    never receive mail, names are blanked, the password is unusable and the account inactive.

    Raises ``core.personal_data.ErasureBusy`` (and changes nothing) when a lock it needs,
    such as an exchange's places, can't be had in time.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.deleted_at is not None:
        return
    personal_data.erase(user)
    user.email = f"deleted-{uuid.uuid4().hex}@deleted.invalid"
    user.first_name = ""
    user.last_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
