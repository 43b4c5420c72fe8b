from django.conf import settings

from core.policy import ANONYMOUS


def site(request):
    """The site's name and address, and the request's viewer (``viewer.is_coordinator`` etc.)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "viewer": getattr(request, "viewer", ANONYMOUS),
    }
