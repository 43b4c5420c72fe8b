"""Organisation logos and member photos, one URL whatever the language (included outside
``i18n_patterns``)."""

from django.urls import path

from network import views_files

app_name = "network_files"

urlpatterns = [
    path("logos/<int:pk>/<str:name>", views_files.logo, name="logo"),
    path("photos/<int:pk>/<str:name>", views_files.photo, name="photo"),
]
