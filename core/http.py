"""Request and response hygiene for every page, the admin included.

* ``UnusableInputMiddleware``: a path or query string that holds a control character (NUL and
  the other C0 characters but tab) is answered with the 400 page before any view runs, and the
  few exceptions an out-of-range value on a GET can raise deep inside Django or the database
  become that 400 too, instead of a 500.
* ``PrivateCacheMiddleware``: personal responses say ``Cache-Control: private, no-store``.

Both are listed last in ``settings.MIDDLEWARE`` so that every response, theirs included,
passes through the security, CSP and frame-options middleware.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from django import forms
from django.contrib.admin.options import TO_FIELD_VAR
from django.db import DataError

from core.views import bad_request

logger = logging.getLogger(__name__)

# C0 control characters except tab. NUL makes PostgreSQL refuse the whole query; the others
# (line breaks included) never belong in a link: no form of ours sends them in a GET.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0a-\x1f]")

# Ten digits or more can pass a 32-bit integer, where Python's date and time types, C ints and
# PostgreSQL's integer columns raise. Only a request that carries such a number is ever
# answered 400 for an overflow (see ``process_exception``).
LONG_NUMBER = re.compile(r"\d{10,}")

# SQLSTATEs of "numeric value out of range" and "datetime field overflow".
OUT_OF_RANGE_SQLSTATES = frozenset({"22003", "22008"})


def has_control_characters(request) -> bool:
    """Whether the path, or a key or value of the query string, holds a control character."""
    if CONTROL_CHARACTERS.search(request.path_info):
        return True
    return any(
        CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(value) for value in values)
        for key, values in request.GET.lists()
    )


def _carries_long_number(request) -> bool:
    return any(
        LONG_NUMBER.search(key) or any(LONG_NUMBER.search(value) for value in values)
        for key, values in request.GET.lists()
    )


def _is_out_of_range(exception: Exception) -> bool:
    if isinstance(exception, OverflowError):
        return True
    if isinstance(exception, DataError):
        return getattr(exception.__cause__, "sqlstate", None) in OUT_OF_RANGE_SQLSTATES
    return False


class DateHierarchyForm(forms.Form):
    """The ``<field>__year/__month/__day`` parameters of an admin changelist's date hierarchy.

    Django's ChangeList turns some bad values into its "incorrect lookup" redirect, but a year of
    9999 (the next year does not exist), a day that overflows a C int or a month past 12 without a
    year reach ``datetime`` or the database unchecked and answer 500. Four-digit years only: a
    year-1 date in a time zone east of UTC would fall before year 1 once converted."""

    year = forms.IntegerField(min_value=1000, max_value=9998, required=False)
    month = forms.IntegerField(min_value=1, max_value=12, required=False)
    day = forms.IntegerField(min_value=1, max_value=31, required=False)

    def clean(self):
        data = super().clean()
        year, month, day = data.get("year"), data.get("month"), data.get("day")
        if year and day:
            try:
                date(year, month or 1, day)
            except ValueError:
                # Never shown: an invalid form answers the 400 page.
                raise forms.ValidationError("No such day.", code="invalid_date")
        return data


def _date_hierarchy_is_valid(request, model_admin) -> bool:
    field = model_admin.date_hierarchy
    data = {part: request.GET.get(f"{field}__{part}") for part in ("year", "month", "day")}
    data = {part: value for part, value in data.items() if value is not None}
    return not data or DateHierarchyForm(data).is_valid()


class UnusableInputMiddleware:
    """Answers the 400 page (``core.views.bad_request``) when the address can't be used.

    1. Control characters in the path or in any query key or value: refused before the view.
    2. Admin pages of a model: ``_to_field`` must name a field the admin allows (Django looks an
       empty one up and fails), and on a changelist the date hierarchy's year, month and day
       are checked by ``DateHierarchyForm`` before Django's ChangeList builds dates from them.
    3. A narrow safety net for GET and HEAD: an ``OverflowError``, or a database "numeric value
       out of range" / "datetime field overflow" error, becomes the 400 page only when the query
       string carries a number of ten or more digits, the value that caused it. Anything else,
       and these same errors on a request without such a number, is a bug and stays a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request):
            return bad_request(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is None:
            return None
        # Django checks a non-empty ``_to_field`` but looks an empty one up as a field name
        # (FieldDoesNotExist, a 500) on the change, delete and history pages.
        to_field = request.GET.get(TO_FIELD_VAR)
        if to_field is not None and not model_admin.to_field_allowed(request, to_field):
            return bad_request(request)
        if (
            view_func.__name__ == "changelist_view"
            and model_admin.date_hierarchy
            and not _date_hierarchy_is_valid(request, model_admin)
        ):
            return bad_request(request)
        return None

    def process_exception(self, request, exception):
        if request.method not in ("GET", "HEAD") or not _is_out_of_range(exception):
            return None
        if not _carries_long_number(request):
            return None
        logger.warning("Out-of-range value in the query string of %s answered 400", request.path, exc_info=exception)
        return bad_request(request)


# Path arguments that carry a secret: whoever opens such a link sees a page meant for one person
# (an invitation, digest preferences, a password reset, a private calendar feed).
SECRET_URL_KWARGS = frozenset({"token", "key", "uidb36"})

PRIVATE_NO_STORE = "private, no-store"


def is_personal(request) -> bool:
    """A response is personal when the request carries a session (everyone signed in, and
    anyone in the middle of signing up, accepting an invitation or logging in with a code) or
    was opened through a link with a secret in its path. No query: the session is not loaded."""
    match = getattr(request, "resolver_match", None)
    if match is not None and SECRET_URL_KWARGS.intersection(match.kwargs):
        return True
    session = getattr(request, "session", None)
    return session is not None and not session.is_empty()


class PrivateCacheMiddleware:
    """Personal responses say ``Cache-Control: private, no-store``: no proxy, shared cache or
    browser history keeps them. A view that sets its own ``Cache-Control`` decides for itself
    (a public image may be cached even for a signed-in person), so the header is added only
    where there is none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and is_personal(request):
            response["Cache-Control"] = PRIVATE_NO_STORE
        return response


def cache_publicly(request, response, seconds: int):
    """Let shared caches keep an answer that is the same for everyone for ``seconds``, unless
    the request is personal (``is_personal``): then ``PrivateCacheMiddleware`` marks it
    private, no-store, as every answer to a signed-in person is."""
    if not is_personal(request):
        response["Cache-Control"] = f"public, max-age={seconds}"
    return response
