"""The API's addresses, outside the language prefixes (the language comes from ?lang= or
Accept-Language). The API's own URL names live in the ``api-v1`` namespace django-ninja gives."""

from django.urls import path, re_path

from api import feeds, views
from api.main import api

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", views.not_found, name="api_not_found"),
    path("api/docs/", views.docs, name="api_docs"),
    path("feeds/guides/", feeds.GuideFeed(), name="feed_guides"),
    path("feeds/evidence/", feeds.EvidenceFeed(), name="feed_evidence"),
    path("feeds/exchanges/", feeds.ExchangeFeed(), name="feed_exchanges"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
]
