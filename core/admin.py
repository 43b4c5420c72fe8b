"""Admin plumbing shared by every app: fields that no admin page may filter on."""

from __future__ import annotations

from django.db.models.constants import LOOKUP_SEP


class SecretFieldsAdminMixin:
    """For a ModelAdmin whose model holds secrets in ``secret_fields`` (a password hash, a
    token, the body of an email that may carry a link): a lookup on one of them in the
    change list's query string (``?token__startswith=a``) is refused with a 400, for
    everyone, superusers included.

    Django accepts any lookup on a model's own fields from the URL, so without this a change
    list the viewer may open is an oracle that spells out a secret one character at a time,
    even when no page shows it. Lookups through a relation are refused by Django already
    unless they are a declared list filter.
    """

    secret_fields: tuple[str, ...] = ()

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP, 1)[0] in self.secret_fields:
            return False
        return super().lookup_allowed(lookup, value, request)
