"""Personal data the exchanges app holds: registrations with their answers, reflections, the
private calendar feed, and the sessions the person facilitates.

Erasure:

* Every registration still "in" an exchange (confirmed, accepted, offered, waitlisted,
  applied) is cancelled through ``services.registration_cancel``, the service a member's own
  cancellation uses: a freed place is offered at once to the next on the waitlist (their
  offer email goes to the outbox). Participants of an exchange that has already started stay
  as they are (it is happening; counts and attendance stay true), as do past registrations.
* On every registration, past ones included, the answers are erased: access, dietary and
  interpretation needs, travel support and its cost, what they hoped to learn and would
  bring; the name is no longer shown to other participants. The row stays, attributed to the
  anonymised user, so that places, attendance and counts stay true.
* Reflections stay — they are the network's learning and evidence records link to them —
  shown as by a "former member" (the registration's user is the anonymised row). "Who I
  want to stay in touch with" is erased: it is about the person's own contacts.
* The answers to the exchange's own questions are deleted, sensitive or not (they are the
  person's answers, like what they hoped to learn); the check-in time stays (it is attendance).
* The calendar feed is deleted (its secret link stops working), and the person is removed
  as a facilitator of every session and as a manager of every exchange.
* Offers to host that were not approved are deleted; approved ones stay (they became the
  organisation's exchange), attributed to the anonymised account.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import cache, personal_data
from core.personal_data import ErasureBusy, iso
from exchanges import services
from exchanges.models import (
    ACTIVE_STATES,
    PARTICIPANT_STATES,
    Answer,
    CalendarFeed,
    Exchange,
    HostOffer,
    Reflection,
    Registration,
    Session,
)


def export(user) -> dict:
    registrations = (
        Registration.objects.filter(user=user)
        .select_related("exchange")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .order_by("created_at")
    )
    reflections = Reflection.objects.filter(registration__user=user).select_related("registration__exchange")
    feed = CalendarFeed.objects.filter(user=user).first()
    sessions = Session.objects.filter(facilitators__user=user).select_related("exchange").order_by("starts_at")
    return {
        "registrations": [
            {
                "exchange": registration.exchange.title,
                "exchange_slug": registration.exchange.slug,
                "state": registration.state,
                "created_at": iso(registration.created_at),
                "access_needs": registration.access_needs,
                "dietary_needs": registration.dietary_needs,
                "interpretation_needs": registration.interpretation_needs,
                "travel_support_requested": registration.travel_support_requested,
                "travel_cost_estimate": (
                    str(registration.travel_cost_estimate) if registration.travel_cost_estimate is not None else None
                ),
                "hope_to_learn": registration.hope_to_learn,
                "will_bring": registration.will_bring,
                "show_my_name_to_participants": registration.consent_show_name,
                "answers": [
                    {"question": answer.question.label, "answer": answer.display()}
                    for answer in registration.answers.all()
                ],
                "checked_in_at": iso(registration.checked_in_at),
                "sensitive_answers_erased_at": iso(registration.sensitive_erased_at),
                "waitlist_position": registration.waitlist_rank(),
                "offered_at": iso(registration.offered_at),
                "offer_expires_at": iso(registration.offer_expires_at),
            }
            for registration in registrations
        ],
        "reflections": [
            {
                "exchange": reflection.registration.exchange.title,
                "learned": reflection.learned,
                "will_try": reflection.will_try,
                "stay_in_touch": reflection.stay_in_touch,
                "rating": reflection.rating,
                "created_at": iso(reflection.created_at),
                "updated_at": iso(reflection.updated_at),
            }
            for reflection in reflections.order_by("created_at")
        ],
        # The feed's secret link is left out: a download is no place for a live secret.
        "calendar_feed": {"created_at": iso(feed.created_at)} if feed else None,
        "sessions_facilitated": [
            {"exchange": session.exchange.title, "session": session.title, "starts_at": iso(session.starts_at)}
            for session in sessions
        ],
        "host_offers": [
            {
                "kind": offer.kind,
                "organisation": offer.organisation.name,
                "title": offer.title,
                "description": offer.description,
                "status": offer.status,
                "months": offer.months,
                "working_languages": offer.working_languages,
                "themes": [theme.name for theme in offer.themes.all()],
                "format": offer.format,
                "capacity": offer.capacity,
                "city": offer.city,
                # What the coordinators wrote to the person about their offer.
                "review_comment": offer.review_comment,
                "reviewed_at": iso(offer.reviewed_at),
                "exchange_slug": offer.exchange.slug if offer.exchange else None,
                "created_at": iso(offer.created_at),
                "updated_at": iso(offer.updated_at),
            }
            for offer in HostOffer.objects.filter(created_by=user)
            .select_related("organisation", "exchange")
            .prefetch_related("themes")
            .order_by("created_at")
        ],
        "exchanges_managed": [
            {"exchange": exchange.title, "exchange_slug": exchange.slug}
            for exchange in Exchange.objects.filter(managers__user=user).order_by("starts_at")
        ],
    }


def erase(user) -> None:
    now = timezone.now()
    active = (
        Registration.objects.filter(user=user, state__in=ACTIVE_STATES)
        # Participants of an exchange under way stay (the service would refuse them anyway).
        .exclude(Q(state__in=PARTICIPANT_STATES) & Q(exchange__starts_at__lte=now))
        .order_by("exchange_id")
    )
    for registration in active:
        try:
            services.registration_cancel(registration=registration, now=now, notify=False)
        except services.ExchangeBusy:
            raise ErasureBusy
        except services.InvalidState:
            # Changed meanwhile (e.g. the exchange started a moment ago): nothing to free.
            pass
    Registration.objects.filter(user=user).update(
        access_needs="",
        dietary_needs="",
        interpretation_needs="",
        travel_support_requested=False,
        travel_cost_estimate=None,
        hope_to_learn="",
        will_bring="",
        consent_show_name=False,
        # The first erasure's time stays (the retention job may have erased them already).
        sensitive_erased_at=Coalesce("sensitive_erased_at", Value(now)),
        updated_at=now,
    )
    Answer.objects.filter(registration__user=user).delete()
    Reflection.objects.filter(registration__user=user).update(stay_in_touch="")
    CalendarFeed.objects.filter(user=user).delete()
    Session.facilitators.through.objects.filter(member__user=user).delete()
    Exchange.managers.through.objects.filter(member__user=user).delete()
    # Offers not (yet) approved are the person's own words and go; an approved one became an
    # exchange of the organisation and stays, attributed to the anonymised account.
    HostOffer.objects.filter(created_by=user).exclude(status=HostOffer.Status.APPROVED).delete()
    # Updates send no signals: the cached pages (who is going, facilitators) are told here.
    cache.changed("exchanges")


personal_data.register(
    app="exchanges",
    export=export,
    erase=erase,
    models=[Registration, Answer, Reflection, CalendarFeed, Session, Exchange, HostOffer],
)
