"""allauth's emails (verification, password reset, …) go through the outbox, in the
recipient's language."""

from __future__ import annotations

import pytest
from django.core import mail

from outbox.models import OutboxMessage
from tests.factories.network import UserFactory, member_for

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-Passw0rd"


def test_signups_verification_email_is_an_outbox_row_and_is_delivered(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/", {"email": "fresh@example.org", "password1": PASSWORD, "password2": PASSWORD}
        )
    assert response.status_code == 302
    row = OutboxMessage.objects.get(to="fresh@example.org")
    assert row.kind == "account:email_confirmation_signup"
    assert row.state == "sent" and row.language == "en"
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject.startswith("[Learning Lab]")
    assert "/accounts/confirm-email/" in sent.body
    html = sent.alternatives[0][0]
    assert sent.alternatives[0][1] == "text/html"
    assert 'href="http://testserver/accounts/confirm-email/' in html


def test_a_signup_from_a_swedish_page_gets_a_swedish_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sv/accounts/signup/", {"email": "sv@example.org", "password1": PASSWORD, "password2": PASSWORD})
    row = OutboxMessage.objects.get(to="sv@example.org")
    assert row.language == "sv"
    assert "bekräfta" in row.subject, row.subject
    # The row lost its bodies once sent (the email carries a confirmation link): look at
    # what was sent.
    assert 'lang="sv"' in mail.outbox[0].alternatives[0][0]


def test_a_password_reset_is_written_in_the_members_preferred_language(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="piet@example.org")
    member_for(user, preferred_language="nl")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "piet@example.org"})
    assert response.status_code == 302
    row = OutboxMessage.objects.get(to="piet@example.org")
    assert row.kind == "account:password_reset_key" and row.language == "nl"
    assert "wachtwoord" in row.subject.lower(), row.subject
    assert mail.outbox[0].to == ["piet@example.org"]


def test_the_same_account_email_is_written_once(client, django_capture_on_commit_callbacks):
    from allauth.account.adapter import get_adapter
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    adapter = get_adapter(request)
    from allauth.core import context

    with context.request_context(request), django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            adapter.send_mail(
                "account/email/password_reset_key",
                "twice@example.org",
                {"password_reset_url": "http://testserver/accounts/password/reset/key/abc/", "user": None},
            )
    assert OutboxMessage.objects.filter(to="twice@example.org").count() == 1
    assert len(mail.outbox) == 1
