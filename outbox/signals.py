"""Signals of the outbox.

``message_sent(sender=OutboxMessage, message=row)`` is sent by the worker right after a row
was marked sent, so that the feature that caused an email can record it (an invitation
moves from pending to sent). Receivers must be quick and must not raise.
"""

from django.dispatch import Signal

message_sent = Signal()
