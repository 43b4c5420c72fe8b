"""Pages that belong to no app: the answer to a request that cannot be used."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control


def bad_request(request, exception=None):
    """The 400 page, in the site's layout: the address holds a value that can't be used.

    ``handler400`` (Django's answer to ``BadRequest`` and ``SuspiciousOperation``) and
    ``core.middleware.UnusableInputMiddleware`` both answer with it. The page says nothing
    about which value was wrong: it is the same for a mistyped link and for a probe."""
    return render(request, "400.html", status=400)


@cache_control(public=True, max_age=86400)
def favicon(request):
    """``/favicon.ico`` for browsers that ask for it whatever the page says: the site's icon."""
    return redirect(static("favicon.svg"), permanent=True)
