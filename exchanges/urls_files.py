"""Exchange cover images, one URL whatever the language (included outside ``i18n_patterns``)."""

from django.urls import path

from exchanges import views_files

app_name = "exchanges_files"

urlpatterns = [
    path("covers/<int:pk>/<str:name>", views_files.cover, name="cover"),
]
