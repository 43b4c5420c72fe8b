from django.urls import path

from practice import views_search

app_name = "search"

urlpatterns = [
    path("", views_search.search, name="index"),
]
