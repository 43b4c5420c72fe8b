from django.urls import path
from django.views.generic import RedirectView

from digests import views

app_name = "digests"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="digests:preferences"), name="index"),
    path("preferences/", views.preferences_edit, name="preferences"),
    path("preferences/<str:token>/", views.preferences_by_token, name="preferences_token"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
