from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from icalendar import Calendar

from exchanges import services
from exchanges.models import Exchange, Registration
from outbox.models import OutboxMessage
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory
from tests.factories.network import UserFactory, member_for

pytestmark = pytest.mark.django_db
State = Registration.State


def _signup(exchange, user=None, **answers):
    return services.registration_create(exchange=exchange, user=user or UserFactory(), answers=answers).registration


def test_signup_confirms_while_places_are_left_then_waitlists_in_order():
    exchange = ExchangeFactory(capacity=2)
    first, second = _signup(exchange), _signup(exchange)
    third, fourth = _signup(exchange), _signup(exchange)
    assert [first.state, second.state] == [State.CONFIRMED, State.CONFIRMED]
    assert [third.state, fourth.state] == [State.WAITLISTED, State.WAITLISTED]
    assert third.waitlist_rank() == 1 and fourth.waitlist_rank() == 2
    annotated = Exchange.objects.with_place_counts().get(pk=exchange.pk)
    assert (annotated.confirmed_count, annotated.waitlisted_count, annotated.places_left_db) == (2, 2, 0)


def test_signup_twice_returns_the_existing_registration():
    exchange = ExchangeFactory()
    user = UserFactory()
    first = services.registration_create(exchange=exchange, user=user)
    again = services.registration_create(exchange=exchange, user=user)
    assert first.created and not again.created
    assert again.registration.pk == first.registration.pk
    assert Registration.objects.filter(exchange=exchange).count() == 1


def test_full_exchange_without_waitlist_refuses():
    exchange = ExchangeFactory(capacity=1, waitlist_enabled=False)
    _signup(exchange)
    with pytest.raises(services.NoPlaces):
        _signup(exchange)
    assert Registration.objects.filter(exchange=exchange).count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Exchange.Status.DRAFT},
        {"status": Exchange.Status.CANCELLED},
        {"registration_closes_at": timezone.now() - timedelta(hours=1)},
        {"registration_opens_at": timezone.now() + timedelta(days=1)},
        {"starts_at": timezone.now() - timedelta(days=3), "ends_at": timezone.now() - timedelta(days=2)},
    ],
)
def test_signup_refused_when_closed_cancelled_past_or_draft(fields):
    exchange = ExchangeFactory(**fields)
    with pytest.raises(services.SignupClosed):
        _signup(exchange)
    assert not Registration.objects.filter(exchange=exchange).exists()


def test_funders_join_only_where_guests_are_welcome(funder):
    members_only = ExchangeFactory(audience=Exchange.Audience.MEMBERS)
    with pytest.raises(services.NotAllowed):
        services.registration_create(exchange=members_only, user=funder)
    convening = ExchangeFactory(audience=Exchange.Audience.MEMBERS_AND_GUESTS, kind=Exchange.Kind.CONVENING)
    assert services.registration_create(exchange=convening, user=funder).registration.state == State.CONFIRMED


def test_waitlisted_member_is_offered_a_freed_place_at_once(django_capture_on_commit_callbacks):
    exchange = ExchangeFactory(capacity=1)
    confirmed = _signup(exchange)
    waiting = _signup(exchange)
    member_for(waiting.user, preferred_language="sv")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=confirmed)
    waiting.refresh_from_db()
    assert waiting.state == State.OFFERED
    assert waiting.offer_expires_at == pytest.approx(waiting.offered_at + timedelta(hours=48), abs=timedelta(seconds=1))
    # Two emails: the cancellation confirmed to the one who left, the offer to the one waiting.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([confirmed.user.email, waiting.user.email])
    message = next(m for m in mail.outbox if m.to == [waiting.user.email])
    # Swedish, with the link to the confirmation page (never a state-changing GET link).
    assert "plats" in message.subject.lower()
    assert f"/sv/exchanges/{exchange.slug}/offer/" in message.body
    assert message.attachments[0][0].endswith(".ics")


def test_accepting_an_offer_confirms_and_declining_passes_it_on():
    exchange = ExchangeFactory(capacity=1)
    confirmed = _signup(exchange)
    first, second = _signup(exchange), _signup(exchange)
    services.registration_cancel(registration=confirmed)
    first.refresh_from_db()
    services.offer_decline(registration=first)
    second.refresh_from_db()
    assert second.state == State.OFFERED
    services.offer_accept(registration=second)
    second.refresh_from_db()
    assert second.state == State.CONFIRMED
    with pytest.raises(services.InvalidState):
        services.offer_accept(registration=second)


def test_expired_offers_pass_on_to_the_next_member():
    exchange = ExchangeFactory(capacity=1)
    confirmed = _signup(exchange)
    first, second = _signup(exchange), _signup(exchange)
    services.registration_cancel(registration=confirmed)
    later = timezone.now() + timedelta(hours=49)
    assert services.offers_expire(now=later) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == State.CANCELLED
    assert second.state == State.OFFERED
    with pytest.raises(services.InvalidState):
        services.offer_accept(registration=first)
    # A second run changes nothing.
    assert services.offers_expire(now=later) == 0


def test_expired_offer_cannot_be_accepted():
    exchange = ExchangeFactory(capacity=1)
    confirmed = _signup(exchange)
    waiting = _signup(exchange)
    services.registration_cancel(registration=confirmed)
    with pytest.raises(services.InvalidState):
        services.offer_accept(registration=waiting, now=timezone.now() + timedelta(hours=50))


def test_leaving_the_waitlist_moves_others_up():
    exchange = ExchangeFactory(capacity=1)
    _signup(exchange)
    first, second = _signup(exchange), _signup(exchange)
    services.waitlist_leave(registration=first)
    second.refresh_from_db()
    assert second.waitlist_rank() == 1
    with pytest.raises(services.InvalidState):
        services.waitlist_leave(registration=first)


def test_raising_capacity_offers_places():
    exchange = ExchangeFactory(capacity=1)
    _signup(exchange)
    waiting = _signup(exchange)
    services.exchange_update(exchange=exchange, capacity=2)
    waiting.refresh_from_db()
    assert waiting.state == State.OFFERED


def test_capacity_below_taken_places_is_refused():
    exchange = ExchangeFactory(capacity=3)
    _signup(exchange)
    _signup(exchange)
    with pytest.raises(ValidationError):
        services.exchange_update(exchange=exchange, capacity=1)
    exchange.refresh_from_db()
    assert exchange.capacity == 3


def test_application_flow_emails_each_step(django_capture_on_commit_callbacks):
    exchange = ExchangeFactory(signup_mode=Exchange.SignupMode.APPLICATION, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        one = _signup(exchange, hope_to_learn="Listening campaigns", will_bring="Tenant organising")
        two = _signup(exchange, hope_to_learn="Power analysis")
    assert one.state == State.APPLIED and one.hope_to_learn == "Listening campaigns"
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(registration=one)
    with pytest.raises(services.NoPlaces):
        services.application_accept(registration=two)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decline(registration=two)
    kinds = list(OutboxMessage.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        "exchange_application_received",
        "exchange_application_received",
        "exchange_accepted",
        "exchange_declined",
    ]
    one.refresh_from_db()
    assert one.state == State.ACCEPTED


def test_confirmation_email_carries_a_valid_ics(django_capture_on_commit_callbacks):
    exchange = ExchangeFactory(
        format=Exchange.Format.IN_PERSON, city="Göteborg", country="SE", address="Bergsjövägen 1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _signup(exchange)
    message = mail.outbox[-1]
    assert exchange.title in message.subject
    html = message.alternatives[0][0]
    assert "Bergsjövägen 1" in html and "Bergsjövägen 1" in message.body
    name, content, mimetype = message.attachments[0]
    assert mimetype == "text/calendar"
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["UID"]) == f"exchange-{exchange.pk}@testserver"
    assert "Bergsjövägen 1" in str(event["LOCATION"])
    assert event.decoded("DTSTART") == exchange.starts_at.replace(microsecond=0)
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"


def test_time_change_bumps_sequence_and_emails_everyone_registered(django_capture_on_commit_callbacks):
    exchange = ExchangeFactory(capacity=1)
    _signup(exchange)
    _signup(exchange)  # waitlisted: told too
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.exchange_update(
            exchange=exchange,
            starts_at=exchange.starts_at + timedelta(days=1),
            ends_at=exchange.ends_at + timedelta(days=1),
        )
    exchange.refresh_from_db()
    assert exchange.sequence == 1
    assert len(mail.outbox) == 2
    event = Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 1
    # Changing only the summary sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        services.exchange_update(exchange=exchange, summary="New words")
    assert len(mail.outbox) == 2


def test_cancelling_an_exchange_emails_everyone_with_cancelled_ics(django_capture_on_commit_callbacks):
    exchange = ExchangeFactory()
    for _ in range(3):
        _signup(exchange)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.exchange_cancel(exchange=exchange)
    assert len(mail.outbox) == 3
    event = Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"


def test_reminders_are_sent_once_even_when_the_job_runs_twice(django_capture_on_commit_callbacks):
    soon = ExchangeFactory(starts_at=timezone.now() + timedelta(days=6))
    tomorrow = ExchangeFactory(starts_at=timezone.now() + timedelta(hours=20))
    far = ExchangeFactory(starts_at=timezone.now() + timedelta(days=30))
    for exchange in (soon, tomorrow, far):
        RegistrationFactory(exchange=exchange)
    RegistrationFactory(exchange=soon, state=State.WAITLISTED, waitlist_position=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 2
        assert services.reminders_send() == 0
    keys = set(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    assert {k.split(":")[0] for k in keys} == {"exchange-reminder-7d", "exchange-reminder-1d"}
    assert len(mail.outbox) == 2


def test_sensitive_answers_are_erased_after_retention(settings):
    settings.EXCHANGE_SENSITIVE_RETENTION_DAYS = 30
    old = ExchangeFactory(starts_at=timezone.now() - timedelta(days=40))
    recent = ExchangeFactory(starts_at=timezone.now() - timedelta(days=5))
    erased = RegistrationFactory(exchange=old, access_needs="wheelchair", dietary_needs="vegan")
    kept = RegistrationFactory(exchange=recent, access_needs="wheelchair")
    assert services.sensitive_answers_erase() == 1
    erased.refresh_from_db()
    kept.refresh_from_db()
    assert (erased.access_needs, erased.dietary_needs) == ("", "")
    assert erased.sensitive_erased_at is not None
    assert kept.access_needs == "wheelchair"


def test_reflection_invitations_go_once_to_participants_without_reflection(django_capture_on_commit_callbacks):
    past = ExchangeFactory(starts_at=timezone.now() - timedelta(days=2))
    RegistrationFactory(exchange=past)
    RegistrationFactory(exchange=past, state=State.NO_SHOW)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reflection_invitations_send() == 1
        assert services.reflection_invitations_send() == 0
    assert "/reflection/" in mail.outbox[0].body


def test_travel_answers_only_kept_for_in_person_exchanges():
    online = ExchangeFactory(format=Exchange.Format.ONLINE)
    visit = ExchangeFactory(format=Exchange.Format.IN_PERSON, kind=Exchange.Kind.VISIT)
    a = _signup(online, travel_support_requested=True, travel_cost_estimate=Decimal("300"))
    b = _signup(visit, travel_support_requested=True, travel_cost_estimate=Decimal("300"))
    assert (a.travel_support_requested, a.travel_cost_estimate) == (False, None)
    assert (b.travel_support_requested, b.travel_cost_estimate) == (True, Decimal("300"))


@pytest.mark.django_db(transaction=True)
def test_lock_timeout_becomes_busy_not_a_crash(monkeypatch):
    """While another transaction holds the exchange row, sign-up fails fast and cleanly."""
    import threading

    monkeypatch.setattr(services, "LOCK_TIMEOUT", "200ms")
    exchange = ExchangeFactory()
    user = UserFactory()
    locked, release = threading.Event(), threading.Event()

    def hold():
        from django.db import connections

        with transaction.atomic():
            Exchange.objects.select_for_update().get(pk=exchange.pk)
            locked.set()
            release.wait(5)
        connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(5)
    try:
        with pytest.raises(services.ExchangeBusy):
            services.registration_create(exchange=exchange, user=user)
    finally:
        release.set()
        thread.join()
    assert not Registration.objects.filter(exchange=exchange).exists()
    assert connection.vendor == "postgresql"


def test_duplicate_makes_a_draft_copy_with_sessions():
    from tests.factories.exchanges import SessionFactory

    exchange = ExchangeFactory()
    SessionFactory(exchange=exchange)
    RegistrationFactory(exchange=exchange)
    copy = services.exchange_duplicate(exchange=exchange)
    assert copy.status == Exchange.Status.DRAFT and copy.slug != exchange.slug
    assert copy.sessions.count() == 1 and copy.registrations.count() == 0


def test_attendance_marks_only_participants():
    exchange = ExchangeFactory()
    confirmed = RegistrationFactory(exchange=exchange)
    waiting = RegistrationFactory(exchange=exchange, state=State.WAITLISTED, waitlist_position=1)
    assert services.attendance_mark(registrations=[confirmed, waiting], attended=True) == 1
    confirmed.refresh_from_db()
    assert confirmed.state == State.ATTENDED


def test_feed_revoke_changes_the_token():
    user = UserFactory()
    feed = services.feed_get_or_create(user=user)
    old = feed.token
    assert services.feed_revoke(user=user).token != old


def test_unique_constraint_race_returns_the_existing_registration(monkeypatch):
    """If another request inserts the member's row between the check and the insert, the
    IntegrityError becomes that registration (no 500, no second row)."""
    exchange = ExchangeFactory()
    user = UserFactory()
    real_clean = services._clean_answers

    def racing_clean(exchange_arg, answers):
        Registration.objects.create(exchange=exchange_arg, user=user, state=State.CONFIRMED)
        return real_clean(exchange_arg, answers)

    monkeypatch.setattr(services, "_clean_answers", racing_clean)
    result = services.registration_create(exchange=exchange, user=user)
    assert not result.created
    assert Registration.objects.filter(exchange=exchange, user=user).count() == 1


def test_waitlisted_email_and_ics_keep_the_address_private(django_capture_on_commit_callbacks):
    exchange = ExchangeFactory(
        capacity=1, format=Exchange.Format.IN_PERSON, city="Hellendoorn", country="NL", address="Raadhuisstraat 9"
    )
    _signup(exchange)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _signup(exchange)
    message = mail.outbox[0]
    assert "waitlist" in message.subject.lower()
    assert "Raadhuisstraat" not in message.body and "Raadhuisstraat" not in message.alternatives[0][0]
    event = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
    assert "Hellendoorn" in str(event["LOCATION"]) and "Raadhuisstraat" not in str(event["LOCATION"])
