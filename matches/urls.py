from django.urls import path

from matches import views

app_name = "matches"

urlpatterns = [
    path("", views.suggestions, name="suggestions"),
    path("pairs/", views.pairs, name="pairs"),
]
