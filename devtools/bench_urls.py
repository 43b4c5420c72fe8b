"""URLs for ``manage.py bench`` only: the site's URLs plus the floor view."""

from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from devtools.benchlib import floor_view

urlpatterns = [path("__bench__/floor/", floor_view, name="bench_floor"), *site_urlpatterns]
