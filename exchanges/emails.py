"""Every email about an exchange, written to the outbox inside the caller's transaction.

Each function takes a registration, renders in the member's preferred language and attaches
the event as an ``.ics`` wherever a date is involved. Idempotency keys make a second call
(a job run twice, a double click) a no-op.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from exchanges.check_in import check_in_url, qr_attachment
from exchanges.ics import ics_attachment
from exchanges.models import Exchange, HostOffer, Registration
from outbox.services import absolute_url, email_queue

TEMPLATE = "exchanges/emails/{kind}"


def _language(user) -> str:
    member = getattr(user, "member", None)
    return getattr(member, "preferred_language", None) or "en"


def _time_zone(user) -> str:
    member = getattr(user, "member", None)
    return getattr(member, "time_zone", None) or "UTC"


def _send(
    registration: Registration,
    *,
    kind: str,
    key: str,
    ics: bool = True,
    extra: dict | None = None,
    urls: tuple[str, ...] = (),
    exchange: Exchange | None = None,
    check_in: bool = False,
) -> None:
    """``check_in``: the email carries the participant's personal check-in code, as text and
    as a QR code attached (see ``exchanges.check_in``)."""
    exchange = exchange or registration.exchange
    user = registration.user
    if not user.email or user.deleted_at is not None:
        return
    language = _language(user)
    # Links open the site in the member's language (/sv/…, /nl/…; English unprefixed).
    with translation.override(language):
        links = {
            "detail_url": absolute_url(exchange.get_absolute_url()),
            "mine_url": absolute_url(reverse("exchanges:mine")),
            **{name: absolute_url(reverse(f"exchanges:{name[:-4]}", kwargs={"slug": exchange.slug})) for name in urls},
        }
    check_in_extra = {}
    if check_in:
        with translation.override(language):
            code_url = check_in_url(registration, slug=exchange.slug)
        check_in_extra = {"check_in_code": registration.check_in_code}
    context = {
        **check_in_extra,
        "exchange": exchange,
        # The title and summary in the member's language (the original where not translated).
        "text": exchange.text(language),
        "registration": registration,
        "name": user.public_name,
        "member_time_zone": _time_zone(user),
        "participant": registration.is_participant,
        **links,
        **(extra or {}),
    }
    attachments = []
    if ics:
        with translation.override(language):
            attachments = [ics_attachment(exchange, private=registration.is_participant)]
    if check_in:
        attachments.append(qr_attachment(code_url))
    email_queue(
        to=user.email,
        kind=f"exchange_{kind}",
        template=TEMPLATE.format(kind=kind),
        context=context,
        language=language,
        idempotency_key=key,
        user=user,
        attachments=attachments,
    )


def send_confirmed(registration: Registration) -> None:
    # A member can be confirmed more than once (cancel, sign up again): key on the moment.
    stamp = registration.updated_at.timestamp()
    _send(registration, kind="confirmed", key=f"exchange-confirmed:{registration.pk}:{stamp}", check_in=True)


def send_waitlisted(registration: Registration, *, position: int | None) -> None:
    _send(
        registration,
        kind="waitlisted",
        key=f"exchange-waitlisted:{registration.pk}:{registration.waitlist_position}",
        extra={"position": position},
    )


def send_offered(registration: Registration) -> None:
    _send(
        registration,
        kind="offered",
        key=f"exchange-offered:{registration.pk}:{registration.offered_at.timestamp()}",
        extra={"offer_expires_at": registration.offer_expires_at},
        urls=("offer_url",),
    )


def send_application_received(registration: Registration) -> None:
    stamp = registration.updated_at.timestamp()
    _send(registration, kind="application_received", key=f"exchange-applied:{registration.pk}:{stamp}")


def send_accepted(registration: Registration) -> None:
    stamp = registration.updated_at.timestamp()
    _send(registration, kind="accepted", key=f"exchange-accepted:{registration.pk}:{stamp}", check_in=True)


def send_declined(registration: Registration) -> None:
    stamp = registration.updated_at.timestamp()
    _send(registration, kind="declined", key=f"exchange-declined:{registration.pk}:{stamp}", ics=False)


def send_changed(registration: Registration, *, exchange: Exchange, changes: list[str]) -> None:
    _send(
        registration,
        kind="changed",
        key=f"exchange-changed:{registration.pk}:{exchange.sequence}",
        exchange=exchange,
        extra={"changes": changes},
    )


def send_cancelled(registration: Registration, *, exchange: Exchange) -> None:
    _send(registration, kind="cancelled", key=f"exchange-cancelled:{registration.pk}", exchange=exchange)


def send_registration_cancelled(registration: Registration, *, previous_state: str) -> None:
    """The member's own cancellation (or withdrawn application, or left waitlist), confirmed."""
    stamp = int(registration.updated_at.timestamp())
    _send(
        registration,
        kind="registration_cancelled",
        key=f"exchange-registration-cancelled:{registration.pk}:{stamp}",
        ics=False,
        extra={"previous_state": previous_state},
    )


def send_reminder(registration: Registration, *, days: int) -> None:
    _send(registration, kind="reminder", key=f"exchange-reminder-{days}d:{registration.pk}", extra={"days": days})


def send_reflection_invitation(registration: Registration) -> None:
    _send(
        registration,
        kind="reflection_invitation",
        key=f"exchange-reflection-invitation:{registration.pk}",
        ics=False,
        urls=("reflection_url",),
    )


def send_message(registration: Registration, *, subject: str, message: str, batch: str) -> None:
    _send(
        registration,
        kind="message",
        key=f"exchange-message:{batch}:{registration.pk}",
        ics=False,
        extra={"subject": subject, "message": message},
    )


# --- host offers -----------------------------------------------------------------------------


def send_host_offer_submitted(offer: HostOffer, *, coordinators) -> None:
    """Tell every coordinator that an offer waits for review (sent again on each submission)."""
    stamp = offer.updated_at.timestamp()
    review_path = reverse("admin:exchanges_hostoffer_change", args=[offer.pk])
    for coordinator in coordinators:
        language = _language(coordinator)
        email_queue(
            to=coordinator.email,
            kind="exchange_host_offer_submitted",
            template=TEMPLATE.format(kind="host_offer_submitted"),
            context={
                "name": coordinator.public_name,
                "member_name": offer.created_by.public_name if offer.created_by else "",
                "organisation": offer.organisation.name,
                "title": offer.title,
                "kind": offer.get_kind_display(),
                "review_url": absolute_url(review_path),
            },
            language=language,
            idempotency_key=f"exchange-host-offer-submitted:{offer.pk}:{stamp}:{coordinator.pk}",
            user=coordinator,
        )


def send_host_offer_decided(offer: HostOffer) -> None:
    """Tell the member what the coordinators decided (approved, changes asked for, declined)."""
    user = offer.created_by
    if user is None or not user.email or user.deleted_at is not None:
        return
    language = _language(user)
    with translation.override(language):
        if offer.status == HostOffer.Status.APPROVED and offer.exchange_id:
            url = absolute_url(reverse("exchanges:manage", kwargs={"slug": offer.exchange.slug}))
        else:
            url = absolute_url(reverse("exchanges:host"))
    email_queue(
        to=user.email,
        kind="exchange_host_offer_decided",
        template=TEMPLATE.format(kind="host_offer_decided"),
        context={
            "name": user.public_name,
            "title": offer.title,
            "status": offer.status,
            "comment": offer.review_comment,
            "url": url,
        },
        language=language,
        idempotency_key=f"exchange-host-offer-decided:{offer.pk}:{offer.status}:{offer.reviewed_at.timestamp()}",
        user=user,
    )
