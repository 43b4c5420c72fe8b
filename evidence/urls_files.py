"""Evidence files, one URL whatever the language (included outside ``i18n_patterns``)."""

from django.urls import path

from evidence import views_files

app_name = "evidence_files"

urlpatterns = [
    path("attachments/<int:pk>/<str:name>", views_files.attachment, name="attachment"),
]
