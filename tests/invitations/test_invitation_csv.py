"""Bulk invitations from CSV: a preview with per-row messages, then all good rows or none."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from invitations.models import Invitation
from invitations.services import invitation_csv_parse
from outbox.models import OutboxMessage
from tests.factories.network import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "name,email,organisation,role,language\n"
    "Amina Yusuf,amina@example.org,hammarkullen,organiser,sv\n"
    "Jan de Vries,jan@example.org,,,nl\n"
)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Stadsdelsforum Hammarkullen", slug="hammarkullen")


def _upload(client, content: bytes | str, name="people.csv", **data):
    if isinstance(content, str):
        content = content.encode()
    payload = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "language": "en", **data}
    return client.post("/invitations/import/", payload)


def test_a_good_file_is_previewed_and_nothing_is_saved_until_confirmed(client_as, organisation):
    client = client_as("coordinator")
    response = _upload(client, GOOD)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [r.email for r in preview.good_rows] == ["amina@example.org", "jan@example.org"]
    assert preview.good_rows[0].organisation == organisation and preview.good_rows[0].role == "organiser"
    assert Invitation.objects.count() == 0 and OutboxMessage.objects.count() == 0
    assert "Import 2 invitations" in response.content.decode()
    confirm = client.post("/invitations/import/confirm/", response.context["confirm_form"].initial)
    assert confirm.status_code == 302
    assert sorted(Invitation.objects.values_list("email", "language")) == [
        ("amina@example.org", "sv"),
        ("jan@example.org", "nl"),
    ]
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2


def test_a_tampered_preview_imports_nothing(client_as, organisation):
    client = client_as("coordinator")
    data = dict(_upload(client, GOOD).context["confirm_form"].initial)
    data["payload"] = data["payload"][:-3] + "abc"
    client.post("/invitations/import/confirm/", data)
    assert Invitation.objects.count() == 0


def test_semicolons_and_a_byte_order_mark_are_understood(organisation):
    preview = invitation_csv_parse(("\ufeff" + GOOD.replace(",", ";")).encode())
    assert not preview.file_errors and len(preview.good_rows) == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("name,mail\nA,a@example.org\n", "Missing column(s): email"),
        ("email\na@example.org\n", "Missing column(s): name"),
        ("name,email,phone\nA,a@example.org,123\n", "Unknown column(s): phone"),
        ("name,email,email\nA,a@example.org,b@example.org\n", "Repeated column(s): email"),
        ("", "The file is empty"),
        ("name,email\n", "no invitations"),
        ('name,email\n"unclosed,a@example.org\n', "could not be read as CSV"),
    ],
)
def test_a_file_with_wrong_columns_or_structure_gets_one_clear_message_and_no_rows(content, expected):
    preview = invitation_csv_parse(content.encode())
    assert any(expected in error for error in preview.file_errors), preview.file_errors
    assert preview.good_rows == []


def test_a_file_that_is_not_utf8_is_refused_with_advice():
    preview = invitation_csv_parse("name,email\nÅsa Öberg,asa@example.org\n".encode("latin-1"))
    assert "UTF-8" in preview.file_errors[0]


def test_nul_bytes_are_refused():
    preview = invitation_csv_parse(b"name,email\nA\x00,a@example.org\n")
    assert preview.file_errors


def test_rows_get_their_own_messages(organisation):
    UserFactory(email="member@example.org")
    content = (
        "name,email,organisation,role,language\n"
        "Good Person,good@example.org,,,\n"
        "Bad Mail,not-an-address,,,\n"
        "Dup,GOOD@example.org,,,\n"
        '"=HYPERLINK(""http://evil.example"",""click"")",formula@example.org,,,\n'
        "No Org,noorg@example.org,nowhere,,\n"
        "Bad Role,role@example.org,,king,\n"
        "Bad Lang,lang@example.org,,,de\n"
        "Member,member@example.org,,,\n"
        "Short row,short@example.org\n"
        ",noname@example.org,,,\n"
    )
    preview = invitation_csv_parse(content.encode())
    by_line = {row.line: row for row in preview.rows}
    assert by_line[2].importable
    assert "not a valid email address" in by_line[3].errors[0]
    assert "already on row 2" in by_line[4].errors[0]
    assert "formula" in by_line[5].errors[0]
    assert "no organisation “nowhere”" in by_line[6].errors[0]
    assert "role “king”" in by_line[7].errors[0]
    assert "language “de”" in by_line[8].errors[0]
    assert by_line[9].skip_reason.startswith("Already a member")
    assert "fields but the header has" in by_line[10].errors[0]
    assert "name is missing" in by_line[11].errors[0]
    assert [r.email for r in preview.good_rows] == ["good@example.org"]


def test_a_pending_invitation_is_skipped(organisation):
    from invitations.services import invitation_create

    invitation_create(email="pending@example.org")
    preview = invitation_csv_parse(b"name,email\nP,pending@example.org\n")
    assert preview.rows[0].skip_reason.startswith("Already has an open invitation")
    assert preview.good_rows == []


def test_a_ten_megabyte_file_is_refused_before_it_is_read(client_as):
    client = client_as("coordinator")
    big = b"name,email\n" + b"A,a@example.org\n" * (10 * 1024 * 1024 // 16)
    response = _upload(client, big)
    # Stopped as it streams in, past MAX_UPLOAD_SIZE (core.uploads.SizeLimitUploadHandler).
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert "preview" not in response.context or response.context.get("preview") is None


def test_too_many_rows_are_refused(settings):
    settings.INVITATION_CSV_MAX_ROWS = 3
    content = "name,email\n" + "".join(f"P{n},p{n}@example.org\n" for n in range(4))
    preview = invitation_csv_parse(content.encode())
    assert "at most 3" in preview.file_errors[0]


def test_the_import_is_all_or_nothing(client_as, organisation, monkeypatch):
    client = client_as("coordinator")
    initial = _upload(client, GOOD).context["confirm_form"].initial
    # The second row's organisation disappears between preview and import: the import
    # stops with an error, and the first row is rolled back too.
    from invitations import services

    calls = []
    real = services.invitation_create

    def failing_second(**kwargs):
        calls.append(kwargs["email"])
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "invitation_create", failing_second)
    client.raise_request_exception = False
    response = client.post("/invitations/import/confirm/", initial)
    assert response.status_code == 500
    assert Invitation.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_the_export_never_passes_a_formula_through(client_as):
    # A name written before validation existed (or through the admin shell) still exports safely.
    from invitations.services import invitation_create

    invitation_create(email="x@example.org")
    Invitation.objects.update(name='=HYPERLINK("http://evil.example","x")')
    response = client_as("coordinator").get("/invitations/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["created_at", "email", "name"]
    assert rows[1][2] == '\'=HYPERLINK("http://evil.example","x")'
