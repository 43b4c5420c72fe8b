"""Emails about a member's place in a programme's cohort, written to the outbox inside the
caller's transaction, in the member's preferred language: their application received, then
accepted or declined by the coordinators. Idempotency keys make a second call a no-op."""

from __future__ import annotations

from outbox.services import absolute_url, email_queue
from programmes.models import Enrolment

TEMPLATE = "programmes/emails/enrolment"


def _language(user) -> str:
    member = getattr(user, "member", None)
    return getattr(member, "preferred_language", None) or "en"


def send_enrolment_state(enrolment: Enrolment) -> None:
    """Tell the member where their application stands (``applied``, ``enrolled`` after an
    application, ``declined``): once per enrolment and state."""
    user = enrolment.user
    if not user.email or user.deleted_at is not None:
        return
    programme = enrolment.programme
    email_queue(
        to=user.email,
        kind=f"programme_enrolment_{enrolment.state}",
        template=TEMPLATE,
        context={
            "name": user.public_name,
            "title": programme.title,
            "state": enrolment.state,
            "url": absolute_url(programme.get_absolute_url()),
        },
        language=_language(user),
        idempotency_key=f"programme-enrolment:{enrolment.pk}:{enrolment.state}",
        user=user,
    )
