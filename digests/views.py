"""Digest preferences: the signed-in page, the page behind a digest's signed link, and
the unsubscribe endpoint (RFC 8058 one-click POST, or a confirmation page for people)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from digests.forms import PreferenceForm
from digests.models import Frequency
from digests.services import preference_of, preference_unsubscribe, preference_update
from digests.tokens import Purpose, TokenError, token_make, token_user

# Far longer than any token we issue; longer input is rejected before any decoding.
TOKEN_MAX_LENGTH = 200


def _user_for_token(token: str, purpose: Purpose):
    if len(token) > TOKEN_MAX_LENGTH:
        raise TokenError()
    return token_user(token, purpose=purpose)


def _token_invalid(request, error: TokenError):
    return render(request, "digests/token_invalid.html", {"expired": error.expired}, status=400)


def _preferences_form(request, *, user, template: str, done_url: str, extra: dict):
    preference = preference_of(user)
    form = PreferenceForm(request.POST if request.method == "POST" else None, instance=preference)
    if request.method == "POST" and form.is_valid():
        preference_update(user=user, **form.service_arguments())
        messages.success(request, _("Your digest preferences are saved."))
        return redirect(done_url)
    return render(request, template, {"form": form, "preference": preference, **extra})


@login_required
@require_http_methods(["GET", "POST"])
def preferences_edit(request):
    return _preferences_form(
        request,
        user=request.user,
        template="digests/preference_edit.html",
        done_url=reverse("digests:preferences"),
        extra={},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def preferences_by_token(request, token: str):
    """The preferences of the member a digest was sent to, without logging in."""
    try:
        user = _user_for_token(token, Purpose.PREFERENCES)
    except TokenError as error:
        return _token_invalid(request, error)
    return _preferences_form(
        request,
        user=user,
        template="digests/preference_token.html",
        done_url=request.path,
        extra={"member": user},
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks for confirmation (link checkers and previews must not unsubscribe anyone);
    POST unsubscribes. Mail clients POST ``List-Unsubscribe=One-Click`` here without a
    session or CSRF token (RFC 8058): the signed token is the authentication. POSTing
    again is harmless. The answer to a POST is the page itself (200), not a redirect,
    because some mail clients treat anything but a 2xx as a failed unsubscribe."""
    try:
        user = _user_for_token(token, Purpose.UNSUBSCRIBE)
    except TokenError as error:
        return _token_invalid(request, error)
    preferences_url = reverse(
        "digests:preferences_token", kwargs={"token": token_make(user_id=user.pk, purpose=Purpose.PREFERENCES)}
    )
    if request.method == "POST":
        preference_unsubscribe(user=user)
        return render(request, "digests/unsubscribe_done.html", {"preferences_url": preferences_url})
    already = preference_of(user).frequency == Frequency.OFF
    return render(
        request,
        "digests/unsubscribe_confirm.html",
        {"already": already, "preferences_url": preferences_url, "member": user},
    )
