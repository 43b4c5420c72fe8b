"""Every write about exchanges and registrations.

Capacity rule: confirmed + accepted + offered (+ attended/no-show afterwards) never exceed
the capacity. Every service that can change that sum locks the exchange row first
(``SELECT … FOR UPDATE`` with a short ``lock_timeout``), counts, and only then writes; the
lock serialises sign-ups of one exchange while other exchanges proceed in parallel. A lock
that can't be had in time raises ``ExchangeBusy`` (the views show "busy, try again").
Emails are written to the outbox in the same transaction (``exchanges.emails``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core import cache, formats
from core.pictures import picture_copy
from core.policy import coordinators_q, viewer_for
from exchanges import emails
from exchanges.models import (
    ACTIVE_STATES,
    PARTICIPANT_STATES,
    PLACE_STATES,
    Answer,
    CalendarFeed,
    Exchange,
    HostOffer,
    Question,
    Reflection,
    Registration,
    Session,
)
from exchanges.signals import NAMESPACE

State = Registration.State
LOCK_TIMEOUT = "4s"
LOCK_NOT_AVAILABLE = "55P03"
ANSWER_FIELDS = (
    "access_needs",
    "dietary_needs",
    "interpretation_needs",
    "travel_support_requested",
    "travel_cost_estimate",
    "hope_to_learn",
    "will_bring",
    "consent_show_name",
)
SENSITIVE_FIELDS = ("access_needs", "dietary_needs", "interpretation_needs")


class ExchangeError(Exception):
    """A refusal to show the member as is; nothing was changed."""

    default = _("That could not be done.")

    def __init__(self, message=None):
        self.message = message or self.default
        super().__init__(str(self.message))


class ExchangeBusy(ExchangeError):
    default = _("Many people are signing up right now. Please try again in a moment.")


class SignupClosed(ExchangeError):
    default = _("Registration is closed.")


class NotAllowed(ExchangeError):
    default = _("This exchange is for network members only.")


class NoPlaces(ExchangeError):
    default = _("There are no places left.")


class InvalidState(ExchangeError):
    default = _("This is no longer possible: your registration has changed meanwhile.")


class CheckInTooEarly(ExchangeError):
    default = _("Check-in opens on the day of the exchange.")


@dataclass(frozen=True)
class SignupResult:
    registration: Registration
    created: bool


# --- locking and counting ------------------------------------------------------------------


def _lock_exchange(exchange_id: int) -> Exchange:
    """Lock and return the exchange row. Must run inside ``transaction.atomic``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    try:
        return Exchange.objects.select_for_update().get(pk=exchange_id)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise ExchangeBusy from exc
        raise


def _taken(exchange: Exchange) -> int:
    return exchange.registrations.filter(state__in=PLACE_STATES).count()


def _free(exchange: Exchange) -> int | None:
    if exchange.capacity is None:
        return None
    return max(0, exchange.capacity - _taken(exchange))


def _offer_next(exchange: Exchange, *, now=None) -> list[Registration]:
    """Offer every free place to the next waitlisted members, in order. Caller holds the lock."""
    now = now or timezone.now()
    if exchange.status != Exchange.Status.PUBLISHED or exchange.starts_at <= now:
        return []
    free = _free(exchange)
    waitlist = exchange.registrations.filter(state=State.WAITLISTED).order_by("waitlist_position")
    if free is not None:
        if free <= 0:
            return []
        waitlist = waitlist[:free]
    offered = []
    hold = timedelta(hours=settings.EXCHANGE_OFFER_HOLD_HOURS)
    for registration in waitlist.select_related("user__member"):
        registration.state = State.OFFERED
        registration.waitlist_position = None
        registration.offered_at = now
        # An offer never outlives the start of the exchange.
        registration.offer_expires_at = min(now + hold, exchange.starts_at)
        registration.save(update_fields=["state", "waitlist_position", "offered_at", "offer_expires_at", "updated_at"])
        registration.exchange = exchange
        emails.send_offered(registration)
        offered.append(registration)
    return offered


def _locked_registration(registration_id: int) -> Registration:
    return Registration.objects.select_for_update(of=("self",)).select_related("user__member").get(pk=registration_id)


# --- members' actions ----------------------------------------------------------------------


def _clean_answers(exchange: Exchange, answers: dict | None) -> dict:
    answers = {k: v for k, v in (answers or {}).items() if k in ANSWER_FIELDS}
    if not exchange.is_in_person:
        answers["travel_support_requested"] = False
        answers["travel_cost_estimate"] = None
    if not answers.get("travel_support_requested"):
        answers["travel_cost_estimate"] = None
    if answers.get("travel_cost_estimate") is not None:
        answers["travel_cost_estimate"] = Decimal(answers["travel_cost_estimate"])
    if not exchange.is_application:
        answers.pop("hope_to_learn", None)
        answers.pop("will_bring", None)
    return answers


def _save_question_answers(registration: Registration, exchange: Exchange, question_answers: dict | None) -> None:
    """Store the answers to the exchange's own questions (validated by ``RegistrationForm``);
    answers to questions of another exchange are ignored. Replaces earlier answers (a member
    who cancelled and signs up again answers afresh)."""
    Answer.objects.filter(registration=registration).delete()
    if not question_answers:
        return
    own = set(Question.objects.filter(exchange=exchange, pk__in=list(question_answers)).values_list("pk", flat=True))
    Answer.objects.bulk_create(
        Answer(registration=registration, question_id=pk, value=str(value)[:4000])
        for pk, value in question_answers.items()
        if pk in own and str(value) != ""
    )


@transaction.atomic
def registration_create(
    *, exchange: Exchange, user, answers: dict | None = None, question_answers: dict | None = None, now=None
) -> SignupResult:
    """Sign up, apply or join the waitlist, as the exchange allows. ``answers`` holds the fixed
    questions' answers, ``question_answers`` those of the exchange's own (question pk → text).

    A second call for the same member returns the existing registration unchanged (double
    clicks, two tabs); the unique constraint backs this up if a row appears meanwhile.
    Raises ``ExchangeError`` subclasses with a message to show.
    """
    now = now or timezone.now()
    if not exchange.joinable_by(viewer_for(user)):
        raise NotAllowed
    exchange = _lock_exchange(exchange.pk)
    reason = exchange.signup_closed_reason(now)
    if reason:
        raise SignupClosed(reason)
    existing = Registration.objects.filter(exchange=exchange, user=user).first()
    if existing is not None and existing.state != State.CANCELLED:
        return SignupResult(existing, False)

    answers = _clean_answers(exchange, answers)
    position = None
    if exchange.is_application:
        state = State.APPLIED
    else:
        free = _free(exchange)
        if free is None or free > 0:
            state = State.CONFIRMED
        elif exchange.waitlist_enabled:
            state = State.WAITLISTED
            last = exchange.registrations.aggregate(m=Max("waitlist_position"))["m"] or 0
            position = last + 1
        else:
            raise NoPlaces(_("There are no places left, and this exchange has no waitlist."))

    registration = existing or Registration(exchange=exchange, user=user)
    registration.state = state
    registration.waitlist_position = position
    registration.offered_at = registration.offer_expires_at = None
    registration.reminded_7d_at = registration.reminded_1d_at = registration.reflection_invited_at = None
    for field, value in answers.items():
        setattr(registration, field, value)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # Someone (another tab) created it meanwhile: that one is the registration.
        return SignupResult(Registration.objects.get(exchange=exchange, user=user), False)
    _save_question_answers(registration, exchange, question_answers)

    registration.exchange = exchange
    if state == State.CONFIRMED:
        emails.send_confirmed(registration)
    elif state == State.WAITLISTED:
        emails.send_waitlisted(registration, position=registration.waitlist_rank())
    else:
        emails.send_application_received(registration)
    return SignupResult(registration, True)


@transaction.atomic
def registration_cancel(*, registration: Registration, now=None, notify: bool = True) -> Registration:
    """The member withdraws (confirmed, accepted, offered, waitlisted or applied). A freed
    place is offered to the next waitlisted member at once. The member is sent a confirmation
    unless ``notify`` is off (account deletion: nothing more goes to a deleted person)."""
    now = now or timezone.now()
    exchange = _lock_exchange(registration.exchange_id)
    registration = _locked_registration(registration.pk)
    if registration.state not in ACTIVE_STATES:
        raise InvalidState
    if exchange.starts_at <= now and registration.state in PARTICIPANT_STATES:
        raise InvalidState(_("This exchange has already started."))
    previous_state = registration.state
    held_place = registration.state in PLACE_STATES
    registration.state = State.CANCELLED
    registration.waitlist_position = None
    registration.offer_expires_at = None
    registration.save(update_fields=["state", "waitlist_position", "offer_expires_at", "updated_at"])
    if notify:
        registration.exchange = exchange
        emails.send_registration_cancelled(registration, previous_state=previous_state)
    if held_place:
        _offer_next(exchange, now=now)
    return registration


@transaction.atomic
def waitlist_leave(*, registration: Registration) -> Registration:
    _lock_exchange(registration.exchange_id)
    registration = _locked_registration(registration.pk)
    if registration.state != State.WAITLISTED:
        raise InvalidState
    registration.state = State.CANCELLED
    registration.waitlist_position = None
    registration.save(update_fields=["state", "waitlist_position", "updated_at"])
    return registration


@transaction.atomic
def offer_accept(*, registration: Registration, now=None) -> Registration:
    now = now or timezone.now()
    exchange = _lock_exchange(registration.exchange_id)
    registration = _locked_registration(registration.pk)
    if registration.state != State.OFFERED:
        raise InvalidState(_("This offer is no longer open."))
    if registration.offer_expires_at and registration.offer_expires_at <= now:
        raise InvalidState(_("This offer has expired."))
    registration.state = State.CONFIRMED
    registration.offer_expires_at = None
    registration.save(update_fields=["state", "offer_expires_at", "updated_at"])
    registration.exchange = exchange
    emails.send_confirmed(registration)
    return registration


@transaction.atomic
def offer_decline(*, registration: Registration, now=None) -> Registration:
    exchange = _lock_exchange(registration.exchange_id)
    registration = _locked_registration(registration.pk)
    if registration.state != State.OFFERED:
        raise InvalidState(_("This offer is no longer open."))
    registration.state = State.CANCELLED
    registration.offer_expires_at = None
    registration.save(update_fields=["state", "offer_expires_at", "updated_at"])
    _offer_next(exchange, now=now)
    return registration


@transaction.atomic
def reflection_save(*, registration: Registration, data: dict, now=None) -> Reflection:
    now = now or timezone.now()
    if registration.state not in (State.CONFIRMED, State.ACCEPTED, State.ATTENDED):
        raise InvalidState(_("Only participants can write a reflection."))
    if registration.exchange.starts_at > now:
        raise InvalidState(_("You can write a reflection once the exchange has taken place."))
    fields = {k: data[k] for k in ("learned", "will_try", "stay_in_touch", "rating") if k in data}
    reflection, _created = Reflection.objects.update_or_create(registration=registration, defaults=fields)
    return reflection


# --- coordinators' actions -----------------------------------------------------------------


@transaction.atomic
def application_accept(*, registration: Registration) -> Registration:
    exchange = _lock_exchange(registration.exchange_id)
    registration = _locked_registration(registration.pk)
    if registration.state != State.APPLIED:
        raise InvalidState(_("Only open applications can be accepted."))
    free = _free(exchange)
    if free is not None and free <= 0:
        raise NoPlaces(_("There are no places left: raise the capacity first."))
    registration.state = State.ACCEPTED
    registration.save(update_fields=["state", "updated_at"])
    registration.exchange = exchange
    emails.send_accepted(registration)
    return registration


@transaction.atomic
def application_decline(*, registration: Registration) -> Registration:
    exchange = _lock_exchange(registration.exchange_id)
    registration = _locked_registration(registration.pk)
    if registration.state != State.APPLIED:
        raise InvalidState(_("Only open applications can be declined."))
    registration.state = State.DECLINED
    registration.save(update_fields=["state", "updated_at"])
    registration.exchange = exchange
    emails.send_declined(registration)
    return registration


@transaction.atomic
def place_offer(*, registration: Registration, now=None) -> Registration:
    """A coordinator offers a free place to one waitlisted member, out of turn."""
    now = now or timezone.now()
    exchange = _lock_exchange(registration.exchange_id)
    registration = _locked_registration(registration.pk)
    if registration.state != State.WAITLISTED:
        raise InvalidState(_("Only waitlisted members can be offered a place."))
    free = _free(exchange)
    if free is not None and free <= 0:
        raise NoPlaces(_("There are no places left: raise the capacity first."))
    registration.state = State.OFFERED
    registration.waitlist_position = None
    registration.offered_at = now
    registration.offer_expires_at = min(now + timedelta(hours=settings.EXCHANGE_OFFER_HOLD_HOURS), exchange.starts_at)
    registration.save()
    registration.exchange = exchange
    emails.send_offered(registration)
    return registration


@transaction.atomic
def registration_delete(*, registration: Registration, now=None) -> None:
    """A coordinator removes a registration outright; a place it held goes to the waitlist."""
    exchange = _lock_exchange(registration.exchange_id)
    held_place = Registration.objects.filter(pk=registration.pk, state__in=PLACE_STATES).exists()
    Registration.objects.filter(pk=registration.pk).delete()
    if held_place:
        _offer_next(exchange, now=now)


def attendance_mark(*, registrations, attended: bool) -> int:
    """Mark participants attended or no-show. Returns how many changed."""
    new = State.ATTENDED if attended else State.NO_SHOW
    changed = (
        Registration.objects.filter(pk__in=[r.pk for r in registrations])
        .filter(state__in=PARTICIPANT_STATES)
        .update(state=new, updated_at=timezone.now())
    )
    if changed:
        # QuerySet.update sends no signal: the cached exchange pages are told here.
        cache.changed(NAMESPACE)
    return changed


# Participants who may be checked in (a no-show who turns up after all, too).
CHECK_IN_STATES = (State.CONFIRMED, State.ACCEPTED, State.NO_SHOW)


def check_in(*, registration: Registration, now=None) -> bool:
    """Check a participant in on the day: the registration becomes "attended" (what
    reflections and evidence count) and ``checked_in_at`` is stamped. A conditional update, so
    checking in twice (two phones, a double tap) records once; returns whether this call did.

    Refused before the exchange's first day (in its time zone), on a cancelled exchange, and
    for anyone who is not a participant."""
    now = now or timezone.now()
    exchange = registration.exchange
    if exchange.status == Exchange.Status.CANCELLED:
        raise InvalidState(_("This exchange has been cancelled."))
    opens = exchange.check_in_opens()
    if now < opens:
        raise CheckInTooEarly(
            _("Check-in opens on %(date)s, the day of the exchange.") % {"date": formats.medium_date(opens)}
        )
    changed = Registration.objects.filter(pk=registration.pk, state__in=CHECK_IN_STATES).update(
        state=State.ATTENDED, checked_in_at=now, updated_at=now
    )
    if not changed:
        if Registration.objects.filter(pk=registration.pk, state=State.ATTENDED).exists():
            return False
        raise InvalidState(_("Only participants can be checked in."))
    # QuerySet.update sends no signal: the cached exchange pages are told here.
    cache.changed(NAMESPACE)
    return True


def check_in_undo(*, registration: Registration, now=None) -> bool:
    """Undo a check-in (a wrong tap): back to a participant's place, accepted on an exchange
    with applications, confirmed otherwise. Returns whether this call changed anything."""
    now = now or timezone.now()
    back = State.ACCEPTED if registration.exchange.is_application else State.CONFIRMED
    changed = Registration.objects.filter(pk=registration.pk, state=State.ATTENDED).update(
        state=back, checked_in_at=None, updated_at=now
    )
    if changed:
        cache.changed(NAMESPACE)
    return bool(changed)


def _check_capacity(exchange: Exchange) -> None:
    if exchange.capacity is not None and exchange.pk:
        taken = _taken(exchange)
        if exchange.capacity < taken:
            raise ValidationError(
                {
                    "capacity": _("The capacity can't be lower than the %(count)s places already confirmed or offered.")
                    % {"count": taken}
                }
            )


def capacity_error(exchange: Exchange) -> str | None:
    """For forms: the capacity error message, or None. Counts without locking."""
    try:
        _check_capacity(exchange)
    except ValidationError as exc:
        return exc.message_dict["capacity"][0]
    return None


@transaction.atomic
def exchange_save(*, exchange: Exchange, changed_fields: list[str] | None = None, now=None) -> Exchange:
    """Save an exchange created or edited by a coordinator, with every consequence:
    capacity never below the places taken; a changed time or place bumps SEQUENCE and emails
    everyone registered; publishing stamps ``published_at``; cancelling emails everyone;
    a raised capacity offers the freed places to the waitlist.

    The caller's ``save_m2m`` (admin) runs after this, inside its own transaction.
    """
    now = now or timezone.now()
    changed = set(changed_fields or [])
    if exchange.pk is None:
        if exchange.status == Exchange.Status.PUBLISHED:
            exchange.published_at = now
        exchange.save()
        return exchange
    previous = _lock_exchange(exchange.pk)
    _check_capacity(exchange)
    if exchange.status == Exchange.Status.PUBLISHED and previous.status == Exchange.Status.DRAFT:
        exchange.published_at = exchange.published_at or now
    time_place = [f for f in Exchange.TIME_PLACE_FIELDS if getattr(previous, f) != getattr(exchange, f)]
    cancelling = exchange.status == Exchange.Status.CANCELLED and previous.status != Exchange.Status.CANCELLED
    if time_place or cancelling:
        exchange.sequence = previous.sequence + 1
    if cancelling:
        exchange.cancelled_at = now
    exchange.save()
    changed |= set(time_place)
    if cancelling:
        _notify_cancelled(exchange)
    elif time_place and exchange.status == Exchange.Status.PUBLISHED:
        labels = [str(Exchange._meta.get_field(f).verbose_name) for f in time_place]
        for registration in exchange.registrations.filter(state__in=ACTIVE_STATES).select_related("user__member"):
            emails.send_changed(registration, exchange=exchange, changes=labels)
    if exchange.status == Exchange.Status.PUBLISHED and (
        previous.capacity is not None and (exchange.capacity is None or exchange.capacity > previous.capacity)
    ):
        _offer_next(exchange, now=now)
    return exchange


def exchange_update(*, exchange: Exchange, now=None, **fields) -> Exchange:
    """Change fields of an exchange programmatically (same consequences as the admin)."""
    for name, value in fields.items():
        setattr(exchange, name, value)
    return exchange_save(exchange=exchange, changed_fields=list(fields), now=now)


def _notify_cancelled(exchange: Exchange) -> None:
    for registration in exchange.registrations.filter(state__in=ACTIVE_STATES).select_related("user__member"):
        emails.send_cancelled(registration, exchange=exchange)


@transaction.atomic
def exchange_cancel(*, exchange: Exchange, now=None) -> Exchange:
    locked = _lock_exchange(exchange.pk)
    if locked.status == Exchange.Status.CANCELLED:
        return locked
    locked.status = Exchange.Status.CANCELLED
    locked.cancelled_at = now or timezone.now()
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    _notify_cancelled(locked)
    return locked


@transaction.atomic
def exchange_publish(*, exchange: Exchange, now=None) -> Exchange:
    locked = _lock_exchange(exchange.pk)
    if locked.status == Exchange.Status.DRAFT:
        locked.status = Exchange.Status.PUBLISHED
        locked.published_at = now or timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
    return locked


@transaction.atomic
def exchange_duplicate(*, exchange: Exchange) -> Exchange:
    """A draft copy (same programme, hosts, themes; no registrations) to adapt and publish."""
    base = slugify(f"{exchange.slug}-copy")[:190]
    slug, n = base, 1
    while Exchange.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    copy = Exchange.objects.get(pk=exchange.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.slug = slug
    copy.title = f"{exchange.title} ({_('copy')})"[:200]
    copy.status = Exchange.Status.DRAFT
    copy.sequence = 0
    copy.published_at = copy.cancelled_at = None
    # The copy gets a cover of its own: deleting or replacing one must not take the other's.
    copy.cover = picture_copy(exchange.cover)
    copy.save()
    copy.hosts.set(exchange.hosts.all())
    copy.partners.set(exchange.partners.all())
    copy.themes.set(exchange.themes.all())
    for session in Session.objects.filter(exchange=exchange).prefetch_related("facilitators"):
        facilitators = list(session.facilitators.all())
        session.pk = session.id = None
        session._state.adding = True
        session.exchange = copy
        session.save()
        session.facilitators.set(facilitators)
    return copy


@transaction.atomic
def exchange_email_participants(*, exchange: Exchange, subject: str, message: str) -> int:
    """Email every participant (confirmed, accepted, attended) through the outbox."""
    batch = uuid.uuid4().hex
    count = 0
    for registration in exchange.registrations.filter(state__in=PARTICIPANT_STATES).select_related("user__member"):
        registration.exchange = exchange
        emails.send_message(registration, subject=subject, message=message, batch=batch)
        count += 1
    return count


# --- periodic work -------------------------------------------------------------------------


def offers_expire(*, now=None) -> int:
    """Expire unanswered offers and pass each place on. Returns how many expired."""
    now = now or timezone.now()
    exchange_ids = set(
        Registration.objects.filter(state=State.OFFERED, offer_expires_at__lte=now).values_list(
            "exchange_id", flat=True
        )
    )
    expired = 0
    for exchange_id in exchange_ids:
        try:
            with transaction.atomic():
                exchange = _lock_exchange(exchange_id)
                n = exchange.registrations.filter(state=State.OFFERED, offer_expires_at__lte=now).update(
                    state=State.CANCELLED, updated_at=now
                )
                if n:
                    # Places freed by an update (no signal): the cached pages must show them.
                    cache.changed(NAMESPACE)
                expired += n
                _offer_next(exchange, now=now)
        except ExchangeBusy:
            # The next run picks it up.
            continue
    return expired


REMINDER_WINDOWS = ((7, "reminded_7d_at", 1), (1, "reminded_1d_at", 0))


def reminders_send(*, now=None) -> int:
    """Reminders 7 days and 1 day before, each exactly once per registration: the claim is a
    conditional update committed together with the outbox row."""
    now = now or timezone.now()
    sent = 0
    for days, field, lower_days in REMINDER_WINDOWS:
        due = Registration.objects.filter(
            state__in=(State.CONFIRMED, State.ACCEPTED),
            exchange__status=Exchange.Status.PUBLISHED,
            exchange__starts_at__gt=now + timedelta(days=lower_days),
            exchange__starts_at__lte=now + timedelta(days=days),
            **{f"{field}__isnull": True},
        ).values_list("pk", flat=True)
        for pk in list(due):
            with transaction.atomic():
                claimed = Registration.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now})
                if claimed != 1:
                    continue
                registration = Registration.objects.select_related("exchange", "user__member").get(pk=pk)
                emails.send_reminder(registration, days=days)
                sent += 1
    return sent


REFLECTION_INVITATION_DAYS = 30


def reflection_invitations_send(*, now=None) -> int:
    now = now or timezone.now()
    due = Registration.objects.filter(
        state__in=(State.CONFIRMED, State.ACCEPTED, State.ATTENDED),
        exchange__status=Exchange.Status.PUBLISHED,
        exchange__ends_at__lte=now,
        exchange__ends_at__gt=now - timedelta(days=REFLECTION_INVITATION_DAYS),
        reflection_invited_at__isnull=True,
        reflection__isnull=True,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            if (
                Registration.objects.filter(pk=pk, reflection_invited_at__isnull=True).update(reflection_invited_at=now)
                != 1
            ):
                continue
            registration = Registration.objects.select_related("exchange", "user__member").get(pk=pk)
            emails.send_reflection_invitation(registration)
            sent += 1
    return sent


@transaction.atomic
def sensitive_answers_erase(*, now=None) -> int:
    """Erase access, dietary and interpretation answers, and the answers to questions marked
    sensitive, once the retention time after the exchange's end has passed. One DELETE and
    one UPDATE; returns how many registrations were erased."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EXCHANGE_SENSITIVE_RETENTION_DAYS)
    Answer.objects.filter(question__sensitive=True, registration__exchange__ends_at__lt=cutoff).delete()
    return Registration.objects.filter(exchange__ends_at__lt=cutoff, sensitive_erased_at__isnull=True).update(
        access_needs="", dietary_needs="", interpretation_needs="", sensitive_erased_at=now
    )


# --- calendar feed -------------------------------------------------------------------------


def feed_get_or_create(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def feed_revoke(*, user) -> CalendarFeed:
    """A new secret: the old feed URL stops working at once."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    feed.token = CalendarFeed._meta.get_field("token").default()
    feed.save(update_fields=["token"])
    return feed


# --- managers' programme and questions ------------------------------------------------------


@transaction.atomic
def session_save(*, session: Session) -> Session:
    """Add or change a session of the programme (managers and coordinators)."""
    session.full_clean(exclude=["facilitators"])
    session.save()
    return session


@transaction.atomic
def session_delete(*, session: Session) -> None:
    Session.objects.filter(pk=session.pk).delete()


@transaction.atomic
def question_save(*, question: Question) -> Question:
    """Add or change one of the exchange's own questions. ``Question.clean`` checks the
    choices and that a condition names an earlier question and one of its values."""
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    """Remove a question with its answers and the questions shown only on its answers."""
    Question.objects.filter(pk=question.pk).delete()


# --- host offers and member-proposed exchanges ---------------------------------------------


class HostOfferError(ExchangeError):
    default = _("This offer cannot be changed in its current state.")


def _coordinators():
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(is_active=True, deleted_at__isnull=True)
        .filter(coordinators_q())
        .select_related("member")
        .order_by("pk")
    )


def _require_host_member(user, organisation_id: int) -> None:
    """Only a member (not a funder) with an approved membership of the organisation offers for it."""
    viewer = viewer_for(user)
    if not (viewer.is_member and organisation_id in viewer.organisation_ids):
        raise PermissionDenied


@transaction.atomic
def host_offer_submit(*, user, data: dict, themes=()) -> HostOffer:
    """A member offers to host (or proposes an exchange) for one of their organisations; the
    coordinators are told by email."""
    _require_host_member(user, data["organisation"].pk)
    offer = HostOffer(created_by=user, status=HostOffer.Status.SUBMITTED, **data)
    offer.save()
    offer.themes.set(themes)
    emails.send_host_offer_submitted(offer, coordinators=_coordinators())
    return offer


@transaction.atomic
def host_offer_resubmit(*, offer: HostOffer, user, data: dict, themes=()) -> HostOffer:
    """The member changes an offer the coordinators asked changes for, and sends it again."""
    offer = HostOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.created_by_id != user.pk:
        raise PermissionDenied
    if offer.status != HostOffer.Status.CHANGES_REQUESTED:
        raise HostOfferError
    _require_host_member(user, data["organisation"].pk)
    for name, value in data.items():
        setattr(offer, name, value)
    offer.status = HostOffer.Status.SUBMITTED
    offer.save()
    offer.themes.set(themes)
    emails.send_host_offer_submitted(offer, coordinators=_coordinators())
    return offer


def _review(offer: HostOffer, user, *, status: str, comment: str, allowed=(HostOffer.Status.SUBMITTED,)) -> HostOffer:
    if not viewer_for(user).is_coordinator:
        raise PermissionDenied
    offer = (
        HostOffer.objects.select_for_update(of=("self",))
        .select_related("created_by__member", "organisation")
        .get(pk=offer.pk)
    )
    if offer.status not in allowed:
        raise HostOfferError
    offer.status = status
    offer.review_comment = comment
    offer.reviewed_at = timezone.now()
    offer.reviewed_by = user
    return offer


@transaction.atomic
def host_offer_approve(*, offer: HostOffer, user, comment: str = "") -> HostOffer:
    """A coordinator approves: a draft exchange is made from the offer, hosted by its
    organisation and managed by the member who made it; the coordinators set its dates (the
    first month offered, to start with) and publish it. The member is told by email."""
    offer = _review(offer, user, status=HostOffer.Status.APPROVED, comment=comment)
    first_month = sorted(offer.months)[0] if offer.months else timezone.now().strftime("%Y-%m")
    year, month = (int(part) for part in first_month.split("-"))
    starts = datetime(year, month, 1, 9, 0, tzinfo=UTC)
    base = slugify(offer.title)[:180] or "exchange"
    slug, n = base, 1
    while Exchange.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    exchange = Exchange.objects.create(
        title=offer.title,
        slug=slug,
        description=offer.description,
        kind=Exchange.Kind.VISIT if offer.format != Exchange.Format.ONLINE else Exchange.Kind.ONLINE,
        format=offer.format,
        working_languages=offer.working_languages,
        capacity=offer.capacity,
        city=offer.city,
        country=offer.organisation.country,
        starts_at=starts,
        ends_at=starts + timedelta(hours=7),
        status=Exchange.Status.DRAFT,
    )
    exchange.hosts.add(offer.organisation)
    exchange.themes.set(offer.themes.all())
    member = getattr(offer.created_by, "member", None) if offer.created_by else None
    if member is not None:
        exchange.managers.add(member)
    offer.exchange = exchange
    offer.save()
    emails.send_host_offer_decided(offer)
    return offer


@transaction.atomic
def host_offer_request_changes(*, offer: HostOffer, user, comment: str) -> HostOffer:
    offer = _review(offer, user, status=HostOffer.Status.CHANGES_REQUESTED, comment=comment)
    offer.save()
    emails.send_host_offer_decided(offer)
    return offer


@transaction.atomic
def host_offer_decline(*, offer: HostOffer, user, comment: str = "") -> HostOffer:
    offer = _review(
        offer,
        user,
        status=HostOffer.Status.DECLINED,
        comment=comment,
        allowed=(HostOffer.Status.SUBMITTED, HostOffer.Status.CHANGES_REQUESTED),
    )
    offer.save()
    emails.send_host_offer_decided(offer)
    return offer
