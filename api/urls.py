"""The API's addresses, outside the language prefixes (the language comes from ?lang= or
Accept-Language). The API's own URL names live in the ``api-v1`` namespace django-ninja gives."""

from django.urls import path, re_path

from api import views
from api.main import api

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", views.not_found, name="api_not_found"),
    path("api/docs/", views.docs, name="api_docs"),
]
