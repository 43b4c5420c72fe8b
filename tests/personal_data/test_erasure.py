"""Deleting an account: a row of every kind of personal data is made first, the person deletes
their account on the account page, then no column of any table holds their addresses, names or
answers, and what stays (contributions, aggregates) says "former member"."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.urls import reverse

from core import personal_data
from evidence.models import Answer, Consent, EvidenceRecord, Response
from exchanges.models import Registration
from network.models import User
from outbox.models import OutboxMessage
from tests.personal_data.person import EMAIL, SECOND_EMAIL, TRAVEL_COST, delete_account, person_everything

pytestmark = pytest.mark.django_db

# Rows of the person that stay, anonymised: the user row itself ("former member"), the record
# that an email went out (redacted), and what they contributed.
KEPT = {
    "network.User",
    "outbox.OutboxMessage",
    "evidence.EvidenceRecord",
    "evidence.Revision",
    "practice.GuideRevision",
    "practice.GuideImage",
    "practice.JointAction",
    "practice.JointActionUpdate",
    "practice.PartnerInvitation",
    # The consultation's and the commitments' shared record, by a former member.
    "strategy.Version",
    "strategy.Round",
    "strategy.Comment",
    "strategy.Amendment",
    "strategy.CommitmentUpdate",
}
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "numeric")


def _columns() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = ANY(%s) ORDER BY table_name, ordinal_position",
            [list(TEXT_TYPES)],
        )
        tables: dict[str, list[str]] = {}
        for table, column in cursor.fetchall():
            tables.setdefault(table, []).append(column)
    return tables


def rows_mentioning(needles: list[str]) -> list[str]:
    """``table.column: needle`` for every text, JSON or numeric value in the database that
    contains one of ``needles`` (case-insensitive)."""
    patterns = [f"%{needle}%" for needle in needles]
    found = []
    with connection.cursor() as cursor:
        for table, columns in _columns().items():
            quoted = [connection.ops.quote_name(column) for column in columns]
            values = ", ".join(f"{column}::text" for column in quoted)
            where = " OR ".join(f"{column}::text ILIKE ANY(%s)" for column in quoted)
            # Table and column names come from information_schema, the values are parameters.
            sql = f"SELECT {values} FROM {connection.ops.quote_name(table)} WHERE {where}"  # noqa: S608
            cursor.execute(sql, [patterns] * len(quoted))
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    for needle in needles:
                        if value is not None and needle.lower() in value.lower():
                            found.append(f"{table}.{column}: {needle}")
    return sorted(set(found))


@pytest.fixture
def person(coordinator):
    return person_everything(coordinator=coordinator)


def test_every_covered_model_has_a_row_of_the_person_before_deletion(person):
    assert set(person.rows) == set(personal_data.covered_models()), "a covered model has no row in person.py"
    empty = [model._meta.label for model, rows in person.rows.items() if not rows().exists()]
    assert empty == []
    # The scan sees every needle before the deletion (so that "nothing found" afterwards means something).
    found = rows_mentioning(person.needles)
    assert {hit.rsplit(": ", 1)[1] for hit in found} == set(person.needles)


def test_after_deletion_no_column_of_any_table_holds_the_persons_addresses_names_or_answers(
    person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = delete_account(person)
    assert response.status_code == 302 and response["Location"] == reverse("home")

    assert rows_mentioning(person.needles) == []
    left = {model._meta.label for model, rows in person.rows.items() if rows().exists()}
    assert left == KEPT
    # Signed out everywhere: no session belongs to the account any more.
    store = Session.get_session_store_class()()
    assert not [s for s in Session.objects.all() if store.decode(s.session_data).get("_auth_user_id")]
    assert person.client.get(reverse("network:account")).status_code == 302
    assert Registration.objects.filter(user=person.user, travel_cost_estimate=TRAVEL_COST).count() == 0


def test_what_the_person_contributed_stays_as_a_former_member(person, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(person)
    user = User.objects.get(pk=person.user.pk)
    assert user.public_name == "former member" and user.email.endswith("@deleted.invalid")
    # Evidence they wrote stays, by a former member; the story told by a neighbour stays online.
    other = EvidenceRecord.objects.get(pk=person.other_story.pk)
    assert other.created_by == user and other.consent.withdrawn_at is None
    assert other.consent.person_name == "Neighbour Person"
    assert client.get(other.get_absolute_url()).status_code == 200
    # Their own story goes offline everywhere: its consent is withdrawn and the name blanked.
    consent = Consent.objects.get(record=person.own_story)
    assert consent.withdrawn_at is not None and consent.withdrawn_note == "account deleted"
    assert (consent.person_name, consent.pseudonym, consent.identity_level) == ("", "", "anonymous")
    assert client.get(person.own_story.get_absolute_url()).status_code == 404
    # Self-assessment: the scores stay as anonymous aggregates, the comment is gone.
    response = Response.objects.get(round=person.round)
    assert response.respondent is None
    assert sorted(Answer.objects.filter(response=response).values_list("score", "comment")) == [(2, ""), (4, "")]
    # The reflection stays (minus the contacts), attributed to the anonymised user.
    person.reflection.refresh_from_db()
    assert person.reflection.learned == "How a listening campaign starts." and person.reflection.stay_in_touch == ""
    assert person.reflection.registration.user == user
    # The guide still credits them.
    person.guide.refresh_from_db()
    assert person.guide.created_by == user and person.guide.former_author_count == 1


def test_deleting_frees_the_confirmed_place_for_the_next_on_the_waitlist(person, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(person)
    own = Registration.objects.get(exchange=person.full_exchange, user=person.user)
    assert own.state == Registration.State.CANCELLED
    offered = Registration.objects.get(exchange=person.full_exchange, user=person.waiting)
    assert offered.state == Registration.State.OFFERED and offered.offer_expires_at is not None
    offer = OutboxMessage.objects.get(user=person.waiting, kind="exchange_offered")
    assert offer.to == "waiting.next@example.org" and offer.state == OutboxMessage.State.SENT
    assert [m.to for m in mail.outbox if "Full exchange PD" in m.subject] == [["waiting.next@example.org"]]
    # Every live registration of the person is cancelled; the past one stays, without answers.
    states = dict(Registration.objects.filter(user=person.user).values_list("exchange__title", "state"))
    assert states == {
        "Full exchange PD": "cancelled",
        "Application PD": "cancelled",
        "Waitlist PD": "cancelled",
        "Past PD": "attended",
    }


def test_no_queued_email_reaches_the_person_after_deletion(person, django_capture_on_commit_callbacks, settings):
    from datetime import timedelta

    from django.utils import timezone

    from outbox import tasks
    from outbox.services import outbox_sweep

    queued = person.queued_message
    assert queued.state == OutboxMessage.State.QUEUED
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(person)
    mail.outbox.clear()
    # The worker's task for the row, and the sweeper a while later, which hands over every due
    # row it finds (the row is old enough by then): nothing goes out.
    assert tasks.outbox_send(queued.pk) == "skipped"
    outbox_sweep(now=timezone.now() + timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS + 60))
    # (The sweep does send what others were still owed: the proof that it ran.)
    assert mail.outbox
    assert [m.to for m in mail.outbox if {EMAIL, SECOND_EMAIL} & set(m.to)] == []
    queued.refresh_from_db()
    assert queued.state == OutboxMessage.State.CANCELLED
    assert (queued.to, queued.subject, queued.body_text, queued.body_html) == (
        personal_data.ERASED_ADDRESS,
        "",
        "",
        "",
    )
    # Sent and failed emails keep their kind, state and times, nothing else.
    digest = OutboxMessage.objects.get(kind="digest", user=person.user)
    assert digest.state == OutboxMessage.State.SENT and digest.sent_at is not None
    assert (
        digest.to == personal_data.ERASED_ADDRESS
        and digest.headers == {}
        and digest.idempotency_key.startswith("erased:")
    )


def test_deleting_the_account_removes_every_file_of_the_persons_photo(person, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    from core.pictures import renditions

    photo = person.member.photo
    names = [r.name for r in renditions(photo.name, photo.field.widths)]
    assert len(names) > 2 and all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(person)
    assert not any(default_storage.exists(name) for name in names)
