"""Personal data the api app holds: a member's personal access tokens.

Export: each token's name, scope, dates and first characters (never its digest: it is a
credential, and the person already holds the token itself). Erasure: every token is deleted,
so no program can read the API as a deleted account (``token_authenticate`` also refuses
deleted accounts).
"""

from __future__ import annotations

from api.models import AccessToken
from core import personal_data
from core.personal_data import iso


def export(user) -> dict:
    return {
        "access_tokens": [
            {
                "name": token.name,
                "scope": token.scope,
                "starts_with": token.prefix,
                "created_at": iso(token.created_at),
                "expires_at": iso(token.expires_at),
                "revoked_at": iso(token.revoked_at),
                "last_used_at": iso(token.last_used_at),
            }
            for token in AccessToken.objects.of_user(user.pk)
        ]
    }


def erase(user) -> None:
    AccessToken.objects.filter(user=user).delete()


personal_data.register(app="api", export=export, erase=erase, models=[AccessToken])
