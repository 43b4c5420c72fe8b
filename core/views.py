"""Pages that belong to no app: the answer to a request that cannot be used, the icon and web
app manifest, and the design system's style guide."""

from __future__ import annotations

import json
import sys

from django import forms
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.cache import cache_control

# The header's colour, the browser's toolbar colour on phones (also in base.html).
THEME_COLOUR = "#0b5c5a"


def bad_request(request, exception=None):
    """The 400 page, in the site's layout: the address holds a value that can't be used.

    ``handler400`` (Django's answer to ``BadRequest`` and ``SuspiciousOperation``) and
    ``core.middleware.UnusableInputMiddleware`` both answer with it. The page says nothing
    about which value was wrong: it is the same for a mistyped link and for a probe."""
    return render(request, "400.html", status=400)


def server_error(request):
    """The 500 page; when the database is unreachable (restarting, connections dropped), a 503
    that says to try again in a moment, with ``Retry-After``. Rendered without the request's
    context and without a query, like the 500 page: the request itself may be what failed.

    Django calls this while it handles the exception, so ``sys.exception()`` is that error."""
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "10"
        return response
    return defaults.server_error(request)


@cache_control(public=True, max_age=86400)
def favicon(request):
    """``/favicon.ico`` for browsers that ask for it whatever the page says: the site's icon."""
    return redirect(static("favicon.svg"), permanent=True)


def manifest(request):
    """The web app manifest (``/manifest.webmanifest``): the site's name, colours and icons,
    with the icons' hashed static addresses, as ``application/manifest+json``. No caching of
    its own: browsers ask for it without cookies (public, uncached headers), and a signed-in
    request gets the private header every personal request gets."""
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ] + [
        {
            "src": static(f"icons/icon-maskable-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "maskable",
        }
        for size in (192, 512)
    ]
    data = {
        "name": settings.SITE_NAME,
        "short_name": settings.SITE_NAME,
        "description": str(_("The platform of a European network of community organisers.")),
        "start_url": "/",
        "scope": "/",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


class _SampleForm(forms.Form):
    """A form with every kind of field, bound with a mistake, for the style guide."""

    name = forms.CharField(label=_("Name"), help_text=_("As you would like it shown."))
    email = forms.EmailField(label=_("Email address"))
    country = forms.ChoiceField(label=_("Country"), choices=[("", "—"), ("SE", "Sverige"), ("NL", "Nederland")])
    rating = forms.TypedChoiceField(
        label=_("How useful was it? (1–5)"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    agree = forms.BooleanField(label=_("I agree"), required=False)


def styleguide(request):
    """Every component of the design system on one page. Coordinators only (anyone with
    ``DEBUG`` on); for everyone else the page does not exist (404)."""
    if not (settings.DEBUG or request.viewer.is_coordinator):
        raise Http404
    form = _SampleForm({"name": "Amina", "email": "not an address", "country": "SE"})
    form.is_valid()
    colours = [
        ("--ink", "#1b1f24", "16.3:1"),
        ("--muted", "#4a5360", "8.0:1"),
        ("--brand", "#0b5c5a", "7.4:1"),
        ("--accent", "#8a3b00", "7.0:1"),
        ("--ok", "#1d6b35", "6.6:1"),
        ("--warn", "#7a4d00", "7.0:1"),
        ("--error", "#a4161a", "7.4:1"),
        ("--info", "#1f4e8c", "8.2:1"),
    ]
    steps = ["--step-5", "--step-4", "--step-3", "--step-2", "--step-1", "--step-0", "--step--1"]
    spaces = ["--space-3xs", "--space-2xs", "--space-xs", "--space-s", "--space-m", "--space-l", "--space-xl"]
    return render(
        request,
        "core/styleguide.html",
        {"form": form, "colours": colours, "steps": steps, "spaces": spaces, "tones": range(6)},
    )
