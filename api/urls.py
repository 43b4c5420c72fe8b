"""The API's addresses, outside the language prefixes (the language comes from ?lang= or
Accept-Language). The API's own URL names live in the ``api-v1`` namespace django-ninja gives."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path
from django.views.decorators.cache import cache_page

from api import feeds, views
from api.main import api
from api.sitemaps import SITEMAPS

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", views.not_found, name="api_not_found"),
    path("api/docs/", views.docs, name="api_docs"),
    path("feeds/guides/", feeds.GuideFeed(), name="feed_guides"),
    path("feeds/evidence/", feeds.EvidenceFeed(), name="feed_evidence"),
    path("feeds/exchanges/", feeds.ExchangeFeed(), name="feed_exchanges"),
    path("sitemap.xml", cache_page(3600)(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
]
