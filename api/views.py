"""Pages around the API: its interactive documentation, and a member's personal access tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_sendfile import sendfile

from api import opendata, services
from api.forms import TokenForm
from api.main import api
from api.middleware import _json_error
from api.models import AccessToken, OpenDataPackage
from api.sitemaps import SITEMAPS
from core.decorators import viewer_passes
from core.files import FILE_CSP
from core.http import cache_publicly

signed_in = viewer_passes(lambda viewer: viewer.is_authenticated)


@require_GET
def docs(request) -> HttpResponse:
    """Swagger UI over /api/v1/openapi.json, from django-ninja's own static files (no CDN)."""
    return api.docs.render_page(request, api)


def not_found(request) -> HttpResponse:
    return _json_error(404)


# Pages for people's own accounts, forms and workflows are of no use to a search engine.
ROBOTS_DISALLOW = ["/admin/", "/accounts/", "/me/", "/invitations/", "/digests/", "/files/", "/search/"]


@require_GET
def robots(request) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "Allow: /", ""]
    lines.append(f"Sitemap: {settings.SITE_URL}/sitemap.xml")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    return cache_publicly(request, response, 86400)


def _tokens(request):
    return AccessToken.objects.of_user(request.viewer.user_id)


@signed_in
@require_GET
def token_list(request):
    return render(request, "api/token_list.html", {"tokens": _tokens(request), "form": TokenForm()})


@signed_in
@require_http_methods(["GET", "POST"])
def token_create(request):
    """Makes a token and shows it on the answer to the POST itself, once: a redirect would have
    to keep the token somewhere (a session, a message) until the next page; this answer is
    marked no-store so that no cache or history keeps it either."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = services.token_create(
            user=request.user, name=form.cleaned_data["name"], expires_in_days=form.cleaned_data["expires_in"]
        )
        response = render(
            request, "api/token_created.html", {"token": created.token, "raw": created.raw, "tokens": _tokens(request)}
        )
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "api/token_list.html", {"tokens": _tokens(request), "form": form})


@signed_in
@require_POST
def token_revoke(request, token_id: int):
    if services.token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("The token is revoked: programs using it can no longer read the API."))
    return redirect("tokens:list")


@require_GET
def open_data_list(request):
    """The latest package and the previous 30, with their files, sizes and digests."""
    packages = list(opendata.listed())
    context = {"latest": packages[:1], "previous": packages[1:], "threshold": settings.OPEN_DATA_MIN_CELL_SIZE}
    return render(request, "api/open_data_list.html", context)


@require_GET
def open_data_file(request, name: str, filename: str):
    package = OpenDataPackage.objects.filter(name=name).first()
    path = opendata.file_path(package, filename) if package else None
    if path is None:
        raise Http404
    content_type = "application/json" if filename.endswith(".json") else "text/plain; charset=utf-8"
    if filename.endswith(".gz"):
        content_type = "application/gzip"
    # Through django-sendfile2 like every stored file (the proxy streams it in production).
    response = sendfile(request, str(path), attachment=filename.endswith(".gz"), mimetype=content_type)
    if "Content-Encoding" in response:
        # sendfile2 guesses an encoding from ".gz": these are gzip files, not gzipped answers.
        del response["Content-Encoding"]
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Access-Control-Allow-Origin"] = "*"
    return cache_publicly(request, response, 86400)


@require_GET
def sitemap(request):
    """Django's sitemap of ``api.sitemaps.SITEMAPS``, cacheable for an hour by shared caches."""
    return cache_publicly(request, sitemap_view(request, sitemaps=SITEMAPS), 3600)
