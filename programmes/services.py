"""Every write about programmes: members enrol or apply, leave; coordinators accept or decline
applications. An applicant is emailed (through the outbox, in the same transaction) when their
application arrives and when the coordinators decide."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.policy import viewer_for
from programmes import emails
from programmes.models import Enrolment, Programme

State = Enrolment.State


def programme_content_touch(*, programme: Programme, changed, new: bool = False) -> bool:
    """Stamp ``content_changed_at`` (unsaved: the caller saves) when a new programme is made or
    one of ``Programme.CONTENT_FIELDS`` is among ``changed``; digests announce programmes by it."""
    if new or set(changed) & set(Programme.CONTENT_FIELDS):
        programme.content_changed_at = timezone.now()
        return True
    return False


@transaction.atomic
def enrolment_create(*, programme: Programme, user) -> Enrolment:
    """Enrol in the cohort (or apply, where coordinators accept). Idempotent: a second call
    returns the existing enrolment; the unique constraint backs this up."""
    viewer = viewer_for(user)
    if not programme.has_cohort or viewer.is_anonymous or viewer.is_funder:
        raise PermissionDenied
    existing = Enrolment.objects.filter(programme=programme, user=user).first()
    if existing is not None:
        return existing
    state = State.APPLIED if programme.cohort == Programme.Cohort.APPLICATION else State.ENROLLED
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(programme=programme, user=user, state=state)
    except IntegrityError:
        return Enrolment.objects.get(programme=programme, user=user)
    if enrolment.state == State.APPLIED:
        emails.send_enrolment_state(enrolment)
    return enrolment


@transaction.atomic
def enrolment_leave(*, programme: Programme, user) -> int:
    deleted, _details = Enrolment.objects.filter(programme=programme, user=user).delete()
    return deleted


def _decide(enrolment: Enrolment, state: str) -> bool:
    # Exactly once: a conditional update from "applied"; only the call that changed the row
    # emails the applicant.
    if not Enrolment.objects.filter(pk=enrolment.pk, state=State.APPLIED).update(state=state):
        return False
    emails.send_enrolment_state(Enrolment.objects.select_related("programme", "user__member").get(pk=enrolment.pk))
    return True


@transaction.atomic
def enrolment_accept(*, enrolment: Enrolment) -> bool:
    """A coordinator accepts an application: the member is in the cohort and is emailed."""
    return _decide(enrolment, State.ENROLLED)


@transaction.atomic
def enrolment_decline(*, enrolment: Enrolment) -> bool:
    """A coordinator declines an application: the member is emailed; the row stays (declined),
    so the member sees the decision on the programme's page."""
    return _decide(enrolment, State.DECLINED)
