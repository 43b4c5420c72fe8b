import csv
import io
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.files import File
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from exchanges.admin import ExchangeAdminForm
from exchanges.models import Exchange, Registration
from outbox.models import OutboxMessage
from tests.factories.exchanges import ExchangeFactory, ReflectionFactory, RegistrationFactory
from tests.factories.network import member_for

pytestmark = pytest.mark.django_db
State = Registration.State


@pytest.mark.parametrize("role,status", [("anonymous", 302), ("organiser", 302), ("funder", 302), ("coordinator", 200)])
def test_only_coordinators_reach_the_exchange_admin(client_as, role, status):
    assert client_as(role).get(reverse("admin:exchanges_exchange_changelist")).status_code == status


@pytest.mark.parametrize("n", [5, 60])
def test_changelist_counts_without_n_plus_one(client_as, django_assert_max_num_queries, n):
    for _ in range(n):
        exchange = ExchangeFactory(capacity=2)
        RegistrationFactory(exchange=exchange)
        RegistrationFactory(exchange=exchange, state=State.WAITLISTED, waitlist_position=1)
        RegistrationFactory(
            exchange=exchange, state=State.APPLIED, travel_support_requested=True, travel_cost_estimate=100
        )
    client = client_as("coordinator")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("admin:exchanges_exchange_changelist"))
    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.confirmed_count, row.waitlisted_count, row.applied_count, row.travel) == (1, 1, 1, 100)


def _form_data(exchange, **changes):
    data = model_to_dict(exchange)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_capacity_below_confirmed_is_an_admin_validation_error():
    exchange = ExchangeFactory(capacity=5)
    for _ in range(3):
        RegistrationFactory(exchange=exchange)
    form = ExchangeAdminForm(data=_form_data(exchange, capacity=2), instance=exchange)
    assert not form.is_valid()
    assert "capacity" in form.errors
    assert ExchangeAdminForm(data=_form_data(exchange, capacity=3), instance=exchange).is_valid()


def _action(client, model, action, objects, **extra):
    url = reverse(f"admin:exchanges_{model}_changelist")
    return client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra})


def test_accept_and_decline_applicants_with_emails(client_as, django_capture_on_commit_callbacks):
    exchange = ExchangeFactory(signup_mode=Exchange.SignupMode.APPLICATION, capacity=1)
    one = RegistrationFactory(exchange=exchange, state=State.APPLIED)
    two = RegistrationFactory(exchange=exchange, state=State.APPLIED)
    client = client_as("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        _action(client, "registration", "accept_applications", [one])
        response = _action(client, "registration", "accept_applications", [two])
        _action(client, "registration", "decline_applications", [two])
    assert response.status_code == 302
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.state, two.state) == (State.ACCEPTED, State.DECLINED)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([one.user.email, two.user.email])


def test_offer_a_place_to_a_waitlisted_member(client_as):
    exchange = ExchangeFactory(capacity=2)
    RegistrationFactory(exchange=exchange)
    waiting = RegistrationFactory(exchange=exchange, state=State.WAITLISTED, waitlist_position=4)
    _action(client_as("coordinator"), "registration", "offer_places", [waiting])
    waiting.refresh_from_db()
    assert waiting.state == State.OFFERED and waiting.offer_expires_at is not None


def test_mark_attended_and_no_show(client_as):
    exchange = ExchangeFactory(starts_at=timezone.now() - timedelta(days=1))
    came, missed = RegistrationFactory(exchange=exchange), RegistrationFactory(exchange=exchange)
    client = client_as("coordinator")
    _action(client, "registration", "mark_attended", [came])
    _action(client, "registration", "mark_no_show", [missed])
    came.refresh_from_db()
    missed.refresh_from_db()
    assert (came.state, missed.state) == (State.ATTENDED, State.NO_SHOW)


def test_export_participants_csv_respects_consent_and_is_formula_safe(client_as):
    exchange = ExchangeFactory()
    shown = RegistrationFactory(exchange=exchange, consent_show_name=True, dietary_needs="=HYPERLINK(evil)")
    member_for(shown.user, display_name="=cmd|' /C calc'!A0")
    hidden = RegistrationFactory(exchange=exchange, consent_show_name=False)
    member_for(hidden.user, display_name="Hidden Name")
    RegistrationFactory(exchange=exchange, state=State.WAITLISTED, waitlist_position=1)
    response = _action(client_as("coordinator"), "exchange", "export_participants", [exchange])
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-3:] == ["access needs", "dietary needs", "interpretation needs"]
    assert len(rows) == 3  # header + two participants; the waitlisted member isn't one
    body = response.content.decode()
    assert "Hidden Name" not in body
    assert "'=cmd" in body and "'=HYPERLINK" in body


def test_email_all_participants_goes_through_an_intermediate_form(client_as, django_capture_on_commit_callbacks):
    exchange = ExchangeFactory()
    RegistrationFactory(exchange=exchange)
    RegistrationFactory(exchange=exchange)
    RegistrationFactory(exchange=exchange, state=State.WAITLISTED, waitlist_position=1)
    client = client_as("coordinator")
    page = _action(client, "exchange", "email_participants", [exchange])
    assert page.status_code == 200 and b'name="subject"' in page.content
    assert not OutboxMessage.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(
            client, "exchange", "email_participants", [exchange], apply="1", subject="Bring shoes", message="Hi all"
        )
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(kind="exchange_message").count() == 2
    assert mail.outbox[0].subject == "Bring shoes" and "Hi all" in mail.outbox[0].body


def test_duplicate_action(client_as):
    exchange = ExchangeFactory()
    _action(client_as("coordinator"), "exchange", "duplicate", [exchange])
    assert Exchange.objects.filter(status=Exchange.Status.DRAFT).count() == 1


def test_travel_support_requests_with_total(client_as):
    exchange = ExchangeFactory(format=Exchange.Format.IN_PERSON)
    RegistrationFactory(exchange=exchange, travel_support_requested=True, travel_cost_estimate=120)
    RegistrationFactory(exchange=exchange, travel_support_requested=True, travel_cost_estimate=80)
    RegistrationFactory(
        exchange=exchange, travel_support_requested=True, travel_cost_estimate=999, state=State.CANCELLED
    )
    response = client_as("coordinator").get(reverse("admin:exchanges_travelsupportrequest_changelist"))
    assert response.status_code == 200
    assert response.context["travel_total"] == 200
    assert b'id="travel-total">200' in response.content


def test_reflections_per_exchange_in_admin(client_as):
    exchange = ExchangeFactory(starts_at=timezone.now() - timedelta(days=3))
    ReflectionFactory(registration=RegistrationFactory(exchange=exchange), learned="Door knocking works")
    url = reverse("admin:exchanges_reflection_changelist")
    response = client_as("coordinator").get(url, {"registration__exchange__id__exact": exchange.pk})
    assert response.status_code == 200 and b"Door knocking works" not in response.content
    assert response.context["cl"].result_count == 1


def test_admin_change_of_time_emails_participants(client_as, django_capture_on_commit_callbacks):
    exchange = ExchangeFactory()
    RegistrationFactory(exchange=exchange)
    client = client_as("coordinator")
    url = reverse("admin:exchanges_exchange_change", args=[exchange.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        # No value, or a file (the cover image): an empty file input posts nothing.
        if value is None or isinstance(value, File):
            continue
        if hasattr(value, "all"):
            value = [o.pk for o in value.all()]
        data[name] = value
    new_start = timezone.localtime(exchange.starts_at + timedelta(days=1))
    new_end = timezone.localtime(exchange.ends_at + timedelta(days=1))
    data.update(
        {
            "starts_at_0": new_start.strftime("%Y-%m-%d"),
            "starts_at_1": new_start.strftime("%H:%M:%S"),
            "ends_at_0": new_end.strftime("%Y-%m-%d"),
            "ends_at_1": new_end.strftime("%H:%M:%S"),
            "registration_opens_at_0": "",
            "registration_opens_at_1": "",
            "registration_closes_at_0": "",
            "registration_closes_at_1": "",
            "translations-TOTAL_FORMS": "0",
            "translations-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
            "registrations-TOTAL_FORMS": "1",
            "registrations-INITIAL_FORMS": "1",
            "registrations-0-id": str(exchange.registrations.get().pk),
            "registrations-0-exchange": str(exchange.pk),
        }
    )
    for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        data.pop(key, None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    exchange.refresh_from_db()
    assert exchange.sequence == 1
    assert [m.extra_headers.get("X-Learning-Lab-Kind") for m in mail.outbox] == ["exchange_changed"]


def test_changelist_links_to_reflections_of_each_exchange(client_as):
    exchange = ExchangeFactory(starts_at=timezone.now() - timedelta(days=3))
    ReflectionFactory(registration=RegistrationFactory(exchange=exchange))
    ReflectionFactory(registration=RegistrationFactory(exchange=exchange))
    body = client_as("coordinator").get(reverse("admin:exchanges_exchange_changelist")).content.decode()
    assert f"?registration__exchange__id__exact={exchange.pk}" in body


def test_deleting_a_confirmed_registration_in_the_admin_offers_the_place(client_as):
    exchange = ExchangeFactory(capacity=1)
    confirmed = RegistrationFactory(exchange=exchange)
    waiting = RegistrationFactory(exchange=exchange, state=State.WAITLISTED, waitlist_position=1)
    _action(client_as("coordinator"), "registration", "delete_selected", [confirmed], post="yes")
    assert not Registration.objects.filter(pk=confirmed.pk).exists()
    waiting.refresh_from_db()
    assert waiting.state == State.OFFERED
