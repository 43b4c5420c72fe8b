"""Managers run their own exchange outside the admin: check-in on the day, registrations and
their answers, exports, the description, sessions, questions, applications and messages.
The policy (``Exchange.objects.managed_by``) decides who may; every address is tried on
another exchange by its manager."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exchanges import services
from exchanges.models import Answer, Exchange, Question, Registration, Session
from network.models import Membership, Role
from outbox.models import OutboxMessage
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory, SessionFactory
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory, member_for

pytestmark = pytest.mark.django_db
State = Registration.State

CAST = ["anonymous", "organiser", "host_manager", "other_manager", "funder", "coordinator"]
ALLOWED = {"host_manager", "coordinator"}


def _manager_of(exchange, email):
    user = UserFactory(email=email, role=Role.ORGANISER)
    organisation = OrganisationFactory()
    MembershipFactory(member=user.member, organisation=organisation)
    exchange.hosts.add(organisation)
    exchange.managers.add(user.member)
    return user


@pytest.fixture
def today_exchange():
    """An in-person exchange under way today, with a manager from its host organisation."""
    return ExchangeFactory(
        title="Tenant organising visit",
        format=Exchange.Format.IN_PERSON,
        starts_at=timezone.now() - timedelta(minutes=30),
        time_zone="UTC",
        capacity=None,
    )


@pytest.fixture
def host_manager(today_exchange):
    return _manager_of(today_exchange, "host.manager@example.org")


@pytest.fixture
def other_exchange():
    return ExchangeFactory(title="Someone else's exchange", starts_at=timezone.now() - timedelta(minutes=30))


@pytest.fixture
def other_manager(other_exchange):
    return _manager_of(other_exchange, "other.manager@example.org")


def _manager_urls(exchange, registration, session, question):
    slug = exchange.slug
    return [
        ("get", reverse("exchanges:manage", args=[slug]), {}),
        ("get", reverse("exchanges:manage_export_csv", args=[slug]), {}),
        ("get", reverse("exchanges:manage_export_xlsx", args=[slug]), {}),
        ("get", reverse("exchanges:manage_edit", args=[slug]), {}),
        ("post", reverse("exchanges:manage_edit", args=[slug]), {"summary": "Hacked", "description": "x"}),
        ("get", reverse("exchanges:manage_session_add", args=[slug]), {}),
        ("get", reverse("exchanges:manage_session_edit", args=[slug, session.pk]), {}),
        ("post", reverse("exchanges:manage_session_delete", args=[slug, session.pk]), {}),
        ("get", reverse("exchanges:manage_question_add", args=[slug]), {}),
        ("post", reverse("exchanges:manage_question_delete", args=[slug, question.pk]), {}),
        ("post", reverse("exchanges:manage_accept", args=[slug, registration.pk]), {}),
        ("post", reverse("exchanges:manage_decline", args=[slug, registration.pk]), {}),
        ("get", reverse("exchanges:manage_message", args=[slug]), {}),
        ("post", reverse("exchanges:manage_message", args=[slug]), {"subject": "Hi", "message": "Spam"}),
        ("get", reverse("exchanges:check_in", args=[slug]), {}),
        ("get", reverse("exchanges:check_in_counts", args=[slug]), {}),
        ("post", reverse("exchanges:check_in_do", args=[slug, registration.pk]), {}),
        ("post", reverse("exchanges:check_in_undo", args=[slug, registration.pk]), {}),
        ("post", reverse("exchanges:check_in_post", args=[slug]), {"check_in": registration.pk}),
        ("post", reverse("exchanges:check_in_post", args=[slug]), {"undo": registration.pk}),
        ("post", reverse("exchanges:manage_decide", args=[slug]), {"decline": registration.pk}),
    ]


@pytest.mark.parametrize("role", CAST)
def test_only_the_exchanges_managers_and_coordinators_reach_any_manager_address(
    client, request, role, today_exchange, host_manager, other_manager
):
    registration = RegistrationFactory(exchange=today_exchange)
    session = SessionFactory(exchange=today_exchange)
    question = Question.objects.create(exchange=today_exchange, label="Bringing a car?", kind="yes_no")
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for method, url, data in _manager_urls(today_exchange, registration, session, question):
        response = getattr(client, method)(url, data)
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        elif role in ALLOWED:
            assert response.status_code in (200, 302), (url, response.status_code)
        else:
            assert response.status_code == 404, (role, url, response.status_code)
    if role not in ALLOWED:
        # Nothing was changed by those who may not.
        registration.refresh_from_db()
        today_exchange.refresh_from_db()
        assert registration.state == State.CONFIRMED
        assert today_exchange.summary != "Hacked"
        assert Session.objects.filter(pk=session.pk).exists() and Question.objects.filter(pk=question.pk).exists()
        assert not OutboxMessage.objects.filter(kind="exchange_message").exists()


@pytest.mark.parametrize("role", CAST)
def test_the_live_check_in_counts_answer_the_exchanges_managers_and_coordinators_only(
    client, request, role, today_exchange, host_manager, other_manager
):
    RegistrationFactory(exchange=today_exchange, state=State.ATTENDED)
    RegistrationFactory.create_batch(2, exchange=today_exchange)
    RegistrationFactory(exchange=today_exchange, state=State.WAITLISTED)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("exchanges:check_in_counts", args=[today_exchange.slug]))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role in ALLOWED:
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        assert response.json() == {
            "expected": 3,
            "checked_in": 1,
            "checked_in_text": "1",
            "label": "of 3 participants checked in",
        }
        # Personal figures of one exchange: never kept by a shared cache.
        assert "no-store" in response["Cache-Control"]
    else:
        # Another exchange's manager, an organiser or a funder: as if it did not exist.
        assert response.status_code == 404


def test_the_check_in_page_names_its_counts_address_for_the_script_and_works_without_it(
    client, today_exchange, host_manager
):
    registration = RegistrationFactory(exchange=today_exchange)
    client.force_login(host_manager)
    page = client.get(reverse("exchanges:check_in", args=[today_exchange.slug])).content.decode()
    counts_url = reverse("exchanges:check_in_counts", args=[today_exchange.slug])
    assert f'data-check-in-counts="{counts_url}"' in page and "js/check-in" in page
    # The plain form still checks people in (no script involved), and the counts follow.
    client.post(reverse("exchanges:check_in_post", args=[today_exchange.slug]), {"check_in": registration.pk})
    assert client.get(counts_url).json()["checked_in"] == 1


def test_a_manager_who_left_the_host_organisation_manages_nothing(client, today_exchange, host_manager):
    Membership.objects.filter(member__user=host_manager).update(state=Membership.State.DECLINED)
    client.force_login(host_manager)
    assert client.get(reverse("exchanges:manage", args=[today_exchange.slug])).status_code == 404


def test_check_in_marks_attended_once_and_undo_puts_the_place_back(client, today_exchange, host_manager):
    registration = RegistrationFactory(exchange=today_exchange)
    member_for(registration.user, display_name="Amina Tenant")
    client.force_login(host_manager)
    url = reverse("exchanges:check_in_do", args=[today_exchange.slug, registration.pk])
    first = client.post(url, {"q": "Amina"})
    assert first.status_code == 302 and "q=Amina" in first["Location"]
    client.post(url)
    registration.refresh_from_db()
    assert registration.state == State.ATTENDED and registration.checked_in_at is not None
    stamp = registration.checked_in_at
    page = client.get(reverse("exchanges:check_in", args=[today_exchange.slug])).content.decode()
    assert "Amina Tenant" in page and "1</strong> of 1 participant checked in" in page
    registration.refresh_from_db()
    assert registration.checked_in_at == stamp  # the second tap recorded nothing
    client.post(reverse("exchanges:check_in_undo", args=[today_exchange.slug, registration.pk]))
    registration.refresh_from_db()
    assert registration.state == State.CONFIRMED and registration.checked_in_at is None


def test_checking_in_before_the_exchanges_day_is_refused_with_a_message(client, coordinator):
    exchange = ExchangeFactory(starts_at=timezone.now() + timedelta(days=3), time_zone="UTC")
    registration = RegistrationFactory(exchange=exchange)
    client.force_login(coordinator)
    response = client.post(reverse("exchanges:check_in_do", args=[exchange.slug, registration.pk]), follow=True)
    assert "Check-in opens on" in response.content.decode()
    registration.refresh_from_db()
    assert registration.state == State.CONFIRMED


def test_only_participants_can_be_checked_in(today_exchange):
    waiting = RegistrationFactory(exchange=today_exchange, state=State.WAITLISTED, waitlist_position=1)
    with pytest.raises(services.InvalidState):
        services.check_in(registration=waiting)


def test_search_by_name_and_the_personal_code_open_the_participants_row(client, today_exchange, host_manager):
    amina = RegistrationFactory(exchange=today_exchange)
    member_for(amina.user, display_name="Amina Tenant")
    bo = RegistrationFactory(exchange=today_exchange)
    member_for(bo.user, display_name="Bo Neighbour")
    client.force_login(host_manager)
    url = reverse("exchanges:check_in", args=[today_exchange.slug])
    found = client.get(url, {"q": "amina"}).content.decode()
    assert "Amina Tenant" in found and "Bo Neighbour" not in found
    by_code = client.get(url, {"code": bo.check_in_code}).content.decode()
    assert "Bo Neighbour" in by_code and "Amina Tenant" not in by_code


def test_a_code_opens_only_its_own_registration_on_its_own_exchange(
    client, today_exchange, other_exchange, coordinator
):
    mine = RegistrationFactory(exchange=today_exchange)
    elsewhere = RegistrationFactory(exchange=other_exchange)
    member_for(elsewhere.user, display_name="Elsewhere Person")
    client.force_login(coordinator)
    url = reverse("exchanges:check_in", args=[today_exchange.slug])
    forged = f"{mine.pk}-{'0' * 20}"
    for code in (elsewhere.check_in_code, forged, "garbage", f"{elsewhere.pk}"):
        body = client.get(url, {"code": code}).content.decode()
        assert "This code does not belong to a participant of this exchange." in body
        assert "Elsewhere Person" not in body


def test_confirmation_email_carries_the_code_and_a_qr_code(django_capture_on_commit_callbacks, organiser):
    exchange = ExchangeFactory()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.registration_create(exchange=exchange, user=organiser)
    message = mail.outbox[-1]
    assert result.registration.check_in_code in message.body
    assert any(name == "check-in-code.png" for name, _content, _type in message.attachments)


def test_my_exchanges_shows_the_qr_code_of_an_upcoming_place(client, organiser):
    registration = RegistrationFactory(exchange=ExchangeFactory(), user=organiser)
    client.force_login(organiser)
    body = client.get(reverse("exchanges:mine")).content.decode()
    image = reverse("exchanges:check_in_qr", args=[registration.pk])
    assert registration.check_in_code in body and f'src="{image}"' in body
    response = client.get(image)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, max-age=3600"
    svg = response.content.decode()
    assert svg.startswith("<svg") and "<title>QR code of your check-in code</title>" in svg


def test_the_qr_code_image_is_only_for_its_owner_and_a_live_place(client, organiser, other_organiser):
    registration = RegistrationFactory(exchange=ExchangeFactory(), user=organiser)
    image = reverse("exchanges:check_in_qr", args=[registration.pk])
    assert client.get(image).status_code == 302  # anonymous: to the login page
    client.force_login(other_organiser)
    assert client.get(image).status_code == 404
    client.force_login(organiser)
    assert client.get(image).status_code == 200
    registration.state = Registration.State.CANCELLED
    registration.save(update_fields=["state"])
    assert client.get(image).status_code == 404


def test_check_in_page_queries_do_not_grow_with_participants(client, today_exchange, host_manager):
    client.force_login(host_manager)
    url = reverse("exchanges:check_in", args=[today_exchange.slug])
    RegistrationFactory(exchange=today_exchange)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    # More than a page (50).
    RegistrationFactory.create_batch(60, exchange=today_exchange)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_manage_page_queries_do_not_grow_with_registrations(client, today_exchange, host_manager):
    question = Question.objects.create(exchange=today_exchange, label="Car?", kind="yes_no")
    client.force_login(host_manager)
    url = reverse("exchanges:manage", args=[today_exchange.slug])
    Answer.objects.create(registration=RegistrationFactory(exchange=today_exchange), question=question, value="yes")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    # More than a page (50), some waiting for a decision.
    RegistrationFactory.create_batch(10, exchange=today_exchange, state=State.APPLIED)
    for registration in RegistrationFactory.create_batch(55, exchange=today_exchange):
        Answer.objects.create(registration=registration, question=question, value="no")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_managers_see_needs_and_sensitive_answers_in_the_page_and_the_exports(client, today_exchange, host_manager):
    question = Question.objects.create(exchange=today_exchange, label="Medication?", sensitive=True)
    registration = RegistrationFactory(exchange=today_exchange, dietary_needs="Vegan")
    Answer.objects.create(registration=registration, question=question, value="Insulin")
    client.force_login(host_manager)
    page = client.get(reverse("exchanges:manage", args=[today_exchange.slug])).content.decode()
    assert "Vegan" in page and "Insulin" in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("exchanges:manage_export_csv", args=[today_exchange.slug]))
                .content.decode()
                .lstrip("\ufeff")
            )
        )
    )
    assert rows[1][rows[0].index("Medication?")] == "Insulin" and rows[1][rows[0].index("dietary needs")] == "Vegan"
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("exchanges:manage_export_xlsx", args=[today_exchange.slug])).content)
    ).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert "Medication?" in values[0] and "Insulin" in values[1]


def test_a_manager_adds_a_session_and_a_conditional_question(client, today_exchange, host_manager):
    client.force_login(host_manager)
    slug = today_exchange.slug
    start = timezone.localtime(today_exchange.starts_at)
    response = client.post(
        reverse("exchanges:manage_session_add", args=[slug]),
        {
            "title": "Walk through Hjällbo",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    assert today_exchange.sessions.get().title == "Walk through Hjällbo"
    client.post(
        reverse("exchanges:manage_question_add", args=[slug]),
        {"label": "Do you drive?", "kind": "yes_no", "required": "on", "position": 1},
    )
    drive = today_exchange.questions.get()
    bad = client.post(
        reverse("exchanges:manage_question_add", args=[slug]),
        {"label": "Seats?", "kind": "number", "show_if_question": drive.pk, "show_if_value": "perhaps", "position": 2},
    )
    assert bad.status_code == 400 and "Choose one of" in bad.content.decode()
    client.post(
        reverse("exchanges:manage_question_add", args=[slug]),
        {"label": "Seats?", "kind": "number", "show_if_question": drive.pk, "show_if_value": "yes", "position": 2},
    )
    assert today_exchange.questions.count() == 2


def test_a_manager_accepts_an_application_and_messages_participants(
    client, today_exchange, host_manager, django_capture_on_commit_callbacks
):
    Exchange.objects.filter(pk=today_exchange.pk).update(signup_mode=Exchange.SignupMode.APPLICATION)
    applied = RegistrationFactory(exchange=today_exchange, state=State.APPLIED)
    client.force_login(host_manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exchanges:manage_accept", args=[today_exchange.slug, applied.pk]))
        client.post(
            reverse("exchanges:manage_message", args=[today_exchange.slug]),
            {"subject": "Bring boots", "message": "It rains in Hjällbo."},
        )
    applied.refresh_from_db()
    assert applied.state == State.ACCEPTED
    assert OutboxMessage.objects.filter(kind="exchange_message").count() == 1


def test_the_check_in_list_is_one_form_whose_buttons_name_the_person(client, today_exchange, host_manager):
    amina, bo = RegistrationFactory.create_batch(2, exchange=today_exchange)
    member_for(amina.user, display_name="Amina Tenant")
    client.force_login(host_manager)
    page = client.get(reverse("exchanges:check_in", args=[today_exchange.slug]), {"q": "Amina"}).content.decode()
    everyone = client.get(reverse("exchanges:check_in", args=[today_exchange.slug])).content.decode()
    # One token for the list, however many rows (the others are the site's own forms).
    assert page.count('name="csrfmiddlewaretoken"') == everyone.count('name="csrfmiddlewaretoken"')
    assert f'name="check_in" value="{amina.pk}"' in page and f'value="{bo.pk}"' not in page
    url = reverse("exchanges:check_in_post", args=[today_exchange.slug])
    response = client.post(url, {"check_in": amina.pk, "q": "Amina"})
    assert response.status_code == 302 and "q=Amina" in response["Location"]
    assert response["Location"].endswith(f"#registration-{amina.pk}")
    amina.refresh_from_db()
    bo.refresh_from_db()
    assert amina.state == State.ATTENDED and bo.state == State.CONFIRMED
    page = client.get(reverse("exchanges:check_in", args=[today_exchange.slug])).content.decode()
    assert f'name="undo" value="{amina.pk}"' in page and f'name="check_in" value="{bo.pk}"' in page
    client.post(url, {"undo": amina.pk})
    amina.refresh_from_db()
    assert amina.state == State.CONFIRMED
    # A button without a registration, or someone else's registration, changes nothing.
    for odd in ("x", "9" * 30, "\u0661\u0662"):
        assert client.post(url, {"check_in": odd}).status_code == 404
    elsewhere = RegistrationFactory()
    assert client.post(url, {"check_in": elsewhere.pk}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.state == State.CONFIRMED


def test_the_managers_list_decides_applications_through_one_form(
    client, today_exchange, host_manager, django_capture_on_commit_callbacks
):
    Exchange.objects.filter(pk=today_exchange.pk).update(signup_mode=Exchange.SignupMode.APPLICATION)
    yes, no = RegistrationFactory.create_batch(2, exchange=today_exchange, state=State.APPLIED)
    client.force_login(host_manager)
    page = client.get(reverse("exchanges:manage", args=[today_exchange.slug])).content.decode()
    assert page.count(reverse("exchanges:manage_decide", args=[today_exchange.slug])) == 1
    assert f'name="accept" value="{yes.pk}"' in page and f'name="decline" value="{no.pk}"' in page
    url = reverse("exchanges:manage_decide", args=[today_exchange.slug])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"accept": yes.pk}).status_code == 302
        assert client.post(url, {"decline": no.pk}).status_code == 302
    yes.refresh_from_db()
    no.refresh_from_db()
    assert yes.state == State.ACCEPTED and no.state == State.DECLINED


def _tap(client, exchange, **data):
    """A tap as the check-in page's script sends it: the list's form, asking for JSON."""
    url = reverse("exchanges:check_in_post", args=[exchange.slug])
    return client.post(url, data, HTTP_ACCEPT="application/json")


@pytest.mark.parametrize("role", CAST)
def test_a_tap_sent_by_the_script_answers_json_to_the_exchanges_managers_and_coordinators_only(
    client, request, role, today_exchange, host_manager, other_manager
):
    registration = RegistrationFactory(exchange=today_exchange)
    member_for(registration.user, display_name="Amina Tenant")
    RegistrationFactory(exchange=today_exchange)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = _tap(client, today_exchange, check_in=registration.pk)
    registration.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role not in ALLOWED:
        # Another exchange's manager, an organiser or a funder: as if it did not exist.
        assert response.status_code == 404
    if role not in ALLOWED:
        assert registration.state == State.CONFIRMED
        return
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["ok"] and answer["level"] == "success" and answer["message"] == "Amina Tenant is checked in."
    assert answer["registration"] == registration.pk and answer["state"] == State.ATTENDED
    # The row as the list shows it now: the undo button, and when.
    assert (
        f'id="registration-{registration.pk}"' in answer["row"]
        and f'name="undo" value="{registration.pk}"' in answer["row"]
    )
    assert re.search(r'<span class="badge">checked in \d\d:\d\d</span>', answer["row"])
    assert answer["counts"] == {
        "expected": 2,
        "checked_in": 1,
        "checked_in_text": "1",
        "label": "of 2 participants checked in",
    }
    assert "no-store" in response["Cache-Control"]
    # No message is left for the next page: the script has said it.
    assert "is checked in" not in client.get(reverse("exchanges:check_in", args=[today_exchange.slug])).content.decode()
    undone = _tap(client, today_exchange, undo=registration.pk).json()
    registration.refresh_from_db()
    assert registration.state == State.CONFIRMED and undone["state"] == State.CONFIRMED
    assert undone["message"] == "Check-in undone for Amina Tenant." and undone["counts"]["checked_in"] == 0
    assert f'name="check_in" value="{registration.pk}"' in undone["row"]


def test_a_tap_sent_twice_by_the_script_records_once(client, today_exchange, host_manager):
    registration = RegistrationFactory(exchange=today_exchange)
    member_for(registration.user, display_name="Amina Tenant")
    client.force_login(host_manager)
    first = _tap(client, today_exchange, check_in=registration.pk, code="", q="Amina")
    registration.refresh_from_db()
    stamp = registration.checked_in_at
    second = _tap(client, today_exchange, check_in=registration.pk)
    registration.refresh_from_db()
    assert first.json()["level"] == "success" and second.status_code == 200
    assert second.json()["level"] == "info" and second.json()["message"] == "Amina Tenant was already checked in."
    assert registration.checked_in_at == stamp and second.json()["counts"]["checked_in"] == 1
    # Undone twice: the second says so and changes nothing.
    _tap(client, today_exchange, undo=registration.pk)
    again = _tap(client, today_exchange, undo=registration.pk).json()
    assert again["level"] == "info" and again["state"] == State.CONFIRMED and again["counts"]["checked_in"] == 0


def test_a_tap_before_the_exchanges_day_is_refused_in_words_as_json(client, coordinator):
    exchange = ExchangeFactory(starts_at=timezone.now() + timedelta(days=3), time_zone="UTC")
    registration = RegistrationFactory(exchange=exchange)
    client.force_login(coordinator)
    response = _tap(client, exchange, check_in=registration.pk)
    assert response.status_code == 409
    answer = response.json()
    assert not answer["ok"] and answer["level"] == "error" and answer["message"].startswith("Check-in opens on")
    assert f'name="check_in" value="{registration.pk}"' in answer["row"]
    registration.refresh_from_db()
    assert registration.state == State.CONFIRMED


def test_the_check_in_page_has_a_live_region_and_the_scripts_words_and_no_inline_script(
    client, today_exchange, host_manager
):
    RegistrationFactory(exchange=today_exchange)
    client.force_login(host_manager)
    page = client.get(reverse("exchanges:check_in", args=[today_exchange.slug])).content.decode()
    assert 'aria-live="polite"' in page and "data-check-in-announce" in page and "data-check-in-form" in page
    assert 'data-error-text="That was not saved.' in page
    assert "<script>" not in page and "<script " not in page.replace('<script src="', "")
