from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from core.views import favicon, manifest
from network.views import home

# The admin login goes through allauth, so its rate limits protect it too.
admin.site.login = secure_admin_login(admin.site.login)

# A BadRequest or SuspiciousOperation (e.g. too many query parameters) gets the site's 400 page,
# the same one core.http.UnusableInputMiddleware answers with.
handler400 = "core.views.bad_request"
# The database unreachable for a moment (restarting, connections dropped) gets a 503 saying to
# try again, not the 500 page; every other error the 500 page.
handler500 = "core.views.server_error"

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    # Browsers that ignore the page's icon link still ask for /favicon.ico.
    path("favicon.ico", favicon),
    path("manifest.webmanifest", manifest, name="manifest"),
    # Uploaded files, each through a view that applies the access policy. Nothing else maps
    # onto MEDIA_ROOT: there is no /media/ URL, in the demo either.
    path("files/evidence/", include("evidence.urls_files")),
    path("files/practice/", include("practice.urls_files")),
    path("files/network/", include("network.urls_files")),
    path("files/exchanges/", include("exchanges.urls_files")),
    # The public API, its documentation, feeds, sitemap and robots.txt: not language-prefixed.
    path("", include("api.urls")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("exchanges/", include("exchanges.urls")),
    path("evidence/", include("evidence.urls")),
    path("practice/", include("practice.urls")),
    path("programmes/", include("programmes.urls")),
    path("matches/", include("matches.urls")),
    path("strategy/", include("strategy.urls")),
    path("commitments/", include("strategy.urls_commitments")),
    path("invitations/", include("invitations.urls")),
    path("search/", include("search.urls")),
    path("me/tokens/", include("api.urls_tokens")),
    path("open-data/", include("api.urls_open_data")),
    path("", include("core.urls")),
    # The one-click unsubscribe URL in a digest's headers resolves here both with and
    # without a language prefix (English is unprefixed), so a mail client's POST is
    # answered directly, never redirected (tests/digests/test_views.py checks both).
    path("digests/", include("digests.urls")),
    path("", include("network.urls")),
    path("", home, name="home"),
    prefix_default_language=False,
)
