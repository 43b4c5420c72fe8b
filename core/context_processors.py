from django.conf import settings

from core.policy import ANONYMOUS

# Which header link a page belongs to, by URL namespace, then by "namespace:name" where one
# namespace holds several sections. The header marks that link with aria-current.
_SECTION_OF_NAMESPACE = {
    "exchanges": "exchanges",
    "practice": "practice",
    "evidence": "evidence",
    "invitations": "invitations",
    "search": "search",
    "digests": "account",
    "admin": "admin",
}
_SECTION_OF_VIEW = {
    "exchanges:mine": "my-exchanges",
    "practice:my_guides": "my-guides",
    "practice:review_queue": "review",
    "evidence:mine": "my-evidence",
    "evidence:dashboard": "dashboard",
    "evidence:dashboard_report": "dashboard",
    "network:organisation_list": "organisations",
    "network:organisation_detail": "organisations",
    "network:membership_requests": "my-organisations",
    "network:member_list": "members",
    "network:member_detail": "members",
    "network:profile_edit": "profile",
    "network:memberships": "my-organisations",
    "network:membership_request": "my-organisations",
    "network:account": "account",
    "network:account_delete": "account",
    "styleguide": "styleguide",
}


def _section(request) -> tuple[str, bool]:
    """The header section of this page, and whether the page is that section's own page."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", False
    name = match.view_name
    section = _SECTION_OF_VIEW.get(name) or _SECTION_OF_NAMESPACE.get(match.namespace, "")
    return section, match.url_name in ("index", "mine", "my_guides", "review_queue", "dashboard") or name in (
        "network:organisation_list",
        "network:member_list",
        "network:profile_edit",
        "network:memberships",
        "network:account",
    )


def site(request):
    """The site's name and address, the request's viewer (``viewer.is_coordinator`` etc.) and
    the header section the page belongs to (``nav_section``; ``nav_exact`` when the page is the
    section's own page, so the link says ``aria-current="page"`` rather than ``"true"``)."""
    section, exact = _section(request)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "viewer": getattr(request, "viewer", ANONYMOUS),
        "nav_section": section,
        "nav_current": "page" if exact else "true",
    }
