"""Email backends that fail the way SMTP servers do, for the retry paths (no mocks: these
are real Django email backends selected with the EMAIL_BACKEND setting)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class TemporaryFailureBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPDataError(451, b"4.3.0 Mail server temporarily rejected message")


class PermanentFailureBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({email_messages[0].to[0]: (550, b"5.1.1 No such user")})


class ConnectionRefusedBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class SoftTimeLimitOnSecondBackend(BaseEmailBackend):
    """Sends the first message of a batch, then the task runs out of time."""

    calls = 0

    def send_messages(self, email_messages):
        from celery.exceptions import SoftTimeLimitExceeded

        type(self).calls += 1
        if type(self).calls >= 2:
            raise SoftTimeLimitExceeded()
        return len(email_messages)


class TerminatedOnSecondBackend(BaseEmailBackend):
    """Sends the first message of a batch; on the second, the worker process is terminated
    while it waits for the server's answer (billiard turns SIGTERM into SystemExit)."""

    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        if type(self).calls >= 2:
            raise SystemExit(-15)
        return len(email_messages)
