"""Invitation CSVs are read within limits (finding 9): a 100,000-column header used to hang a
worker in a quadratic duplicate check; now every CSV import refuses, at once and with a clear
message, a row wider than ``CSV_MAX_COLUMNS``, a cell longer than ``CSV_MAX_CELL_CHARS`` and
more than ``INVITATION_CSV_MAX_ROWS`` rows. Names with line breaks are refused row by row."""

from __future__ import annotations

import contextlib
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.spreadsheets import CSV_MAX_CELL_CHARS, CSV_MAX_COLUMNS
from invitations.models import Invitation
from invitations.services import invitation_csv_parse

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def within(seconds: float):
    """Fail, rather than hang, when the block takes longer than ``seconds``."""

    def _timeout(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _upload(client, content: bytes):
    upload = SimpleUploadedFile("people.csv", content, content_type="text/csv")
    return client.post("/invitations/import/", {"file": upload, "language": "en"})


def test_a_header_of_100000_columns_is_refused_at_once_on_the_import_page(client_as):
    client = client_as("coordinator")
    header = ",".join(f"column{n}" for n in range(100_000))
    with within(5):
        response = _upload(client, f"{header}\nAmina,amina@example.org\n".encode())
    assert response.status_code == 200
    assert f"a file may have at most {CSV_MAX_COLUMNS}" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_header_of_100000_repeated_columns_is_refused_at_once():
    with within(5):
        preview = invitation_csv_parse(("name," * 100_000 + "email\n").encode())
    assert preview.file_errors and "at most" in preview.file_errors[0]
    assert preview.good_rows == []


def test_repeated_columns_within_the_limit_are_named_once():
    preview = invitation_csv_parse(("name,email," + "name," * 40 + "email\nA,a@example.org\n").encode())
    assert "Repeated column(s): email, name." in preview.file_errors


@pytest.mark.parametrize("length", [CSV_MAX_CELL_CHARS + 1, 1_000_000])
def test_a_cell_longer_than_the_limit_is_refused(length):
    with within(5):
        preview = invitation_csv_parse(f"name,email\n{'A' * length},a@example.org\n".encode())
    assert preview.file_errors == [f"A cell on row 2 is longer than {CSV_MAX_CELL_CHARS} characters."]
    assert preview.good_rows == []


def test_a_file_with_one_row_too_many_is_refused_before_its_rows_are_checked(settings):
    settings.INVITATION_CSV_MAX_ROWS = 3
    rows = "".join(f"P{n},p{n}@example.org\n" for n in range(4))
    preview = invitation_csv_parse(f"name,email\n{rows}".encode())
    assert preview.file_errors == [
        "The file has more than 3 rows; at most 3 can be imported at once. Split it into smaller files."
    ]
    assert preview.rows == []


def test_a_file_at_the_row_limit_with_blank_lines_is_accepted(settings):
    settings.INVITATION_CSV_MAX_ROWS = 3
    rows = "".join(f"P{n},p{n}@example.org\n" for n in range(3))
    preview = invitation_csv_parse(f"name,email\n{rows}\n,\n\n".encode())
    assert not preview.file_errors
    assert len(preview.good_rows) == 3


@pytest.mark.parametrize(
    "name",
    ['"Amina\nBcc: everyone@example.org"', '"Amina\r\nX"', "Amina\x1b[2J", "\u202egnp.exe", "Amina\u2028Warsame"],
)
def test_a_name_that_is_not_one_line_is_refused_on_its_row(name):
    preview = invitation_csv_parse(f"name,email\n{name},amina@example.org\nJan,jan@example.org\n".encode())
    assert not preview.file_errors
    bad, good = preview.rows
    assert bad.errors == [
        "The name contains a line break, a control or a text-direction character; use one line of text."
    ]
    assert [row.email for row in preview.good_rows] == ["jan@example.org"] == [good.email]


def test_a_multi_line_personal_message_is_still_welcome():
    preview = invitation_csv_parse(b'name,email,message\nAmina,amina@example.org,"Hello!\nSee you soon."\n')
    assert not preview.file_errors and preview.good_rows[0].message == "Hello!\nSee you soon."
