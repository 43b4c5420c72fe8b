"""``seed_demo`` with the demo's console email backend: the emails the seed itself causes (the
demo invitations) go through the outbox and count as sent, but nothing is printed; an email
caused afterwards, in the same process, is printed as usual.

Apart from tests/test_demo.py because it needs real commits (the outbox sends after commit)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from invitations.services import invitation_create
from network.models import User
from outbox.models import OutboxMessage

CONSOLE = "django.core.mail.backends.console.EmailBackend"


@pytest.mark.django_db(transaction=True)
def test_seeding_prints_no_email_and_the_next_email_prints_as_usual(settings, capsys):
    settings.EMAIL_BACKEND = CONSOLE
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)

    printed = capsys.readouterr()
    assert "Subject:" not in printed.out + printed.err + out.getvalue()
    seeded = OutboxMessage.objects.all()
    assert seeded.count() >= 4
    assert set(seeded.values_list("state", flat=True)) == {OutboxMessage.State.SENT}

    invitation_create(
        email="nieuw.lid@example.org",
        name="Nieuw Lid",
        language="nl",
        invited_by=User.objects.get(email="coordinator@example.org"),
    )
    printed = capsys.readouterr().out
    assert "Subject: " in printed and "To: nieuw.lid@example.org" in printed
