"""Request plumbing every page relies on: the viewer, and the viewer's time zone."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from core.policy import viewer_for


class ViewerMiddleware:
    """Puts the request's ``Viewer`` on ``request.viewer`` (built on first use, one query) and
    shows times in the signed-in member's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.viewer = SimpleLazyObject(lambda: viewer_for(user))
        tzname = request.viewer.time_zone if user.is_authenticated else ""
        if tzname:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tzname))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
