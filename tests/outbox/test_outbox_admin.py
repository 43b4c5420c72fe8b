"""The outbox in the admin: coordinators filter, search, read and resend; nobody edits."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail

from outbox.models import OutboxMessage
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

LIST = "/admin/outbox/outboxmessage/"


def _row(key, to="anna@example.org", kind="test", state="queued", **fields):
    return OutboxMessage.objects.create(
        idempotency_key=key, kind=kind, to=to, subject=f"Subject {key}", body_text="Text body", state=state, **fields
    )


@pytest.fixture
def rows(db):
    return {
        "sent": _row("a", state="sent", body_html="<p>Hello <b>HTML</b></p>"),
        "failed": _row("b", to="bo@example.org", kind="invitation", state="failed", attempts=6, last_error="550 5.1.1"),
        "retrying": _row("c", to="cy@example.org", state="retrying", attempts=2, last_error="451 later"),
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_see_the_outbox(client_as, role, rows):
    response = client_as(role).get(LIST)
    if role == "coordinator":
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_list_counts_states_filters_by_state_and_kind_and_searches_by_recipient(client_as, rows):
    client = client_as("coordinator")
    page = client.get(LIST).content.decode()
    assert "<strong>1</strong> failed" in page and "<strong>1</strong> retrying" in page
    assert "<strong>0</strong> queued" in page
    assert list(client.get(LIST + "?state__exact=failed").context["cl"].result_list) == [rows["failed"]]
    assert list(client.get(LIST + "?kind=invitation").context["cl"].result_list) == [rows["failed"]]
    assert list(client.get(LIST + "?q=cy@example").context["cl"].result_list) == [rows["retrying"]]


def test_the_detail_is_read_only_and_shows_bodies_headers_and_the_last_error(client_as, rows):
    client = client_as("coordinator")
    page = client.get(f"{LIST}{rows['failed'].pk}/change/").content.decode()
    assert "550 5.1.1" in page and "Text body" in page
    assert 'name="to"' not in page and 'type="submit" value="Save"' not in page
    html_page = client.get(f"{LIST}{rows['sent'].pk}/change/").content.decode()
    # The HTML body is shown as escaped source, never rendered into the admin.
    assert "&lt;b&gt;HTML&lt;/b&gt;" in html_page
    assert client.post(f"{LIST}{rows['failed'].pk}/change/", {"to": "x@example.org"}).status_code == 403
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.get(f"{LIST}{rows['failed'].pk}/delete/").status_code == 403


def test_resend_queues_failed_rows_again_and_sends_them(client_as, rows, django_capture_on_commit_callbacks):
    client = client_as("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST,
            {"action": "resend", "_selected_action": [rows["failed"].pk, rows["sent"].pk]},
            follow=True,
        )
    page = response.content.decode()
    assert "1 email queued again." in page and "1 email was not failed" in page
    rows["failed"].refresh_from_db()
    assert rows["failed"].state == "sent"
    assert [m.to for m in mail.outbox] == [["bo@example.org"]]


def test_the_csv_export_neutralises_formulas(client_as, rows):
    OutboxMessage.objects.filter(pk=rows["failed"].pk).update(subject='=HYPERLINK("http://evil")')
    response = client_as("coordinator").post(LIST, {"action": "export_csv", "_selected_action": [rows["failed"].pk]})
    data = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert data[1][7] == '\'=HYPERLINK("http://evil")'
