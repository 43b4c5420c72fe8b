"""An exchange's own questions: asked on signing up, validated on the server like the fixed
ones (choices, required, conditions), shown to coordinators, exported, erased when sensitive."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from exchanges import services
from exchanges.models import Answer, Question, Registration
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _register_url(exchange):
    return reverse("exchanges:register", kwargs={"slug": exchange.slug})


@pytest.fixture
def asked():
    """An exchange asking: do you drive (yes/no, required); if yes, how many seats (number,
    required when shown); which sessions (multiple); a sensitive medication question."""
    exchange = ExchangeFactory()
    drive = Question.objects.create(exchange=exchange, position=1, label="Do you drive?", kind="yes_no", required=True)
    seats = Question.objects.create(
        exchange=exchange,
        position=2,
        label="How many free seats?",
        kind="number",
        required=True,
        show_if_question=drive,
        show_if_value="yes",
    )
    sessions = Question.objects.create(
        exchange=exchange, position=3, label="Which sessions?", kind="multiple_choice", choices="Morning\nAfternoon"
    )
    medication = Question.objects.create(
        exchange=exchange, position=4, label="Medication we should know of?", kind="short_text", sensitive=True
    )
    return exchange, drive, seats, sessions, medication


def test_answers_are_stored_and_shown_in_the_admin(client_as, asked):
    exchange, drive, seats, sessions, medication = asked
    client = client_as("organiser")
    page = client.get(_register_url(exchange))
    assert "Do you drive?" in page.content.decode() and "Answer only if you answered" in page.content.decode()
    response = client.post(
        _register_url(exchange),
        {
            f"question_{drive.pk}": "yes",
            f"question_{seats.pk}": "3",
            f"question_{sessions.pk}": ["Morning", "Afternoon"],
            f"question_{medication.pk}": "Insulin",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(exchange=exchange)
    stored = {a.question_id: a.display() for a in registration.answers.select_related("question")}
    assert stored == {drive.pk: "yes", seats.pk: "3", sessions.pk: "Morning, Afternoon", medication.pk: "Insulin"}
    admin = client_as("coordinator").get(reverse("admin:exchanges_registration_change", args=[registration.pk]))
    assert "How many free seats?" in admin.content.decode() and "Insulin" in admin.content.decode()


def test_a_required_question_shown_by_an_earlier_answer_must_be_answered(client_as, asked):
    exchange, drive, seats, _sessions, _medication = asked
    response = client_as("organiser").post(_register_url(exchange), {f"question_{drive.pk}": "yes"})
    assert response.status_code == 400
    assert "Please answer this question." in response.content.decode()
    assert not Registration.objects.exists()


def test_answers_to_questions_not_asked_are_dropped(client_as, asked):
    exchange, drive, seats, _sessions, _medication = asked
    response = client_as("organiser").post(
        _register_url(exchange), {f"question_{drive.pk}": "no", f"question_{seats.pk}": "4"}
    )
    assert response.status_code == 302
    assert list(Answer.objects.values_list("question_id", flat=True)) == [drive.pk]


@pytest.mark.parametrize(
    "field, value",
    [("drive", "maybe"), ("sessions", ["Evening"]), ("seats", "many"), ("drive", "")],
)
def test_choices_numbers_and_required_answers_are_validated_on_the_server(client_as, asked, field, value):
    exchange, drive, seats, sessions, _medication = asked
    questions = {"drive": drive, "seats": seats, "sessions": sessions}
    data = {f"question_{drive.pk}": "yes", f"question_{seats.pk}": "2"}
    data[f"question_{questions[field].pk}"] = value
    response = client_as("organiser").post(_register_url(exchange), data)
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_a_condition_must_name_an_earlier_choice_question_and_one_of_its_values(asked):
    exchange, drive, seats, sessions, medication = asked
    with pytest.raises(ValidationError, match="before this one"):
        Question(exchange=exchange, position=0, label="Early", show_if_question=drive, show_if_value="yes").full_clean()
    with pytest.raises(ValidationError, match="Choose one of"):
        Question(exchange=exchange, position=9, label="X", show_if_question=drive, show_if_value="maybe").full_clean()
    with pytest.raises(ValidationError, match="choice or yes-or-no"):
        Question(exchange=exchange, position=9, label="X", show_if_question=medication, show_if_value="a").full_clean()
    with pytest.raises(ValidationError, match="at least two choices"):
        Question(exchange=exchange, position=9, label="X", kind="single_choice", choices="Only").full_clean()
    other = ExchangeFactory()
    with pytest.raises(ValidationError, match="same exchange"):
        Question(exchange=other, position=9, label="X", show_if_question=drive, show_if_value="yes").full_clean()


def test_sensitive_answers_are_erased_with_the_other_needs(asked):
    exchange, drive, _seats, _sessions, medication = asked
    registration = RegistrationFactory(exchange=exchange, access_needs="Ramp")
    Answer.objects.create(registration=registration, question=drive, value="no")
    Answer.objects.create(registration=registration, question=medication, value="Insulin")
    exchange.starts_at = timezone.now() - timedelta(days=400)
    exchange.ends_at = exchange.starts_at + timedelta(hours=2)
    exchange.save()
    assert services.sensitive_answers_erase() == 1
    assert list(Answer.objects.values_list("question_id", flat=True)) == [drive.pk]


def test_participants_csv_has_a_column_per_question_and_sensitive_ones_for_coordinators(client_as, asked):
    exchange, drive, _seats, _sessions, medication = asked
    registration = RegistrationFactory(exchange=exchange)
    Answer.objects.create(registration=registration, question=drive, value="yes")
    Answer.objects.create(registration=registration, question=medication, value="=Insulin")
    response = client_as("coordinator").post(
        reverse("admin:exchanges_exchange_changelist"),
        {"action": "export_participants", "_selected_action": [exchange.pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    header, row = rows[0], rows[1]
    assert row[header.index("Do you drive?")] == "yes"
    assert row[header.index("Medication we should know of?")] == "'=Insulin"
    assert header[-3:] == ["access needs", "dietary needs", "interpretation needs"]


def test_the_exchange_admin_holds_the_questions(client_as, asked):
    exchange = asked[0]
    page = client_as("coordinator").get(reverse("admin:exchanges_exchange_change", args=[exchange.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="questions-TOTAL_FORMS"' in body
    # "Show only if" offers this exchange's own questions, in every form and the empty one.
    own = list(exchange.questions.all())
    assert own
    for question in own:
        assert body.count(f'<option value="{question.pk}"') >= len(own) + 1
    other = Question.objects.exclude(exchange=exchange).first()
    if other is not None:
        assert f'<option value="{other.pk}"' not in body
