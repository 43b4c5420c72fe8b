"""Signed, expiring tokens for the links in a digest: change preferences, unsubscribe.

A token names one user and one purpose. Each purpose has its own salt, so a preferences
token does not unsubscribe anyone and a token signed for anything else in the project
(another salt, another secret key) is rejected. Tokens expire after ``MAX_AGE``: long
enough that the links of a monthly digest keep working until well after the next one.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.core import signing

MAX_AGE = dt.timedelta(days=90)


class Purpose(StrEnum):
    PREFERENCES = "preferences"
    UNSUBSCRIBE = "unsubscribe"


def _salt(purpose: Purpose) -> str:
    return f"digests.{purpose}"


def token_make(*, user_id: int, purpose: Purpose) -> str:
    return signing.dumps({"u": user_id}, salt=_salt(purpose), compress=False)


class TokenError(Exception):
    """The token is not usable; ``expired`` tells the page which explanation to give."""

    def __init__(self, *, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def token_user(token: str, *, purpose: Purpose, max_age: dt.timedelta = MAX_AGE):
    """The active user a token was made for, or ``TokenError``."""
    try:
        payload = signing.loads(token, salt=_salt(purpose), max_age=max_age)
    except signing.SignatureExpired:
        raise TokenError(expired=True)
    except (signing.BadSignature, ValueError, UnicodeError):
        raise TokenError()
    user_id = payload.get("u") if isinstance(payload, dict) else None
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise TokenError()
    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True, deleted_at__isnull=True)
        .select_related("member")
        .first()
    )
    if user is None:
        raise TokenError()
    return user
