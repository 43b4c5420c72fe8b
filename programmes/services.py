"""Every write about programmes: members enrol or apply, leave; coordinators accept."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from core.policy import viewer_for
from programmes.models import Enrolment, Programme

State = Enrolment.State


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
            return Enrolment.objects.create(programme=programme, user=user, state=state)
    except IntegrityError:
        return Enrolment.objects.get(programme=programme, user=user)


@transaction.atomic
def enrolment_leave(*, programme: Programme, user) -> int:
    deleted, _details = Enrolment.objects.filter(programme=programme, user=user).delete()
    return deleted


def enrolment_accept(*, enrolment: Enrolment) -> bool:
    """A coordinator accepts an application; exactly once (a conditional update)."""
    return bool(Enrolment.objects.filter(pk=enrolment.pk, state=State.APPLIED).update(state=State.ENROLLED))
