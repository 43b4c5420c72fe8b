"""Writes about personal access tokens: make, revoke, and note their use."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from api.models import AccessToken

# Tokens start with this, so that secret scanners and people recognise them.
TOKEN_PREFIX = "llpat_"  # noqa: S105 (a marker, not a secret)
# How often ``last_used_at`` is written at most: one write a minute, not one per API call.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    raw: str  # shown once, never stored


@transaction.atomic
def token_create(*, user, name: str, expires_in_days: int | None) -> NewToken:
    """A new read-only token for ``user``; the caller shows ``raw`` once and forgets it."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = AccessToken.objects.create(
        user=user,
        name=name,
        scope=AccessToken.Scope.READ,
        digest=token_digest(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 4],
        expires_at=expires_at,
    )
    return NewToken(token, raw)


@transaction.atomic
def token_revoke(*, user, token_id: int) -> bool:
    """Revoke one of ``user``'s tokens; revoking twice changes nothing. True when it was live."""
    changed = (
        AccessToken.objects.of_user(user.pk)
        .filter(pk=token_id, revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )
    return changed == 1


def token_authenticate(raw: str) -> AccessToken | None:
    """The usable token ``raw`` names (its account active), or None; notes when it was last used
    (at most once per ``LAST_USED_RESOLUTION``, a conditional update that needs no lock)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        AccessToken.objects.usable(now)
        .select_related("user")
        .filter(digest=token_digest(raw), user__is_active=True, user__deleted_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
