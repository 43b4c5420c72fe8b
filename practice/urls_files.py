"""Guide images and the pictures of joint action updates, one URL whatever the language
(included outside ``i18n_patterns``), so the Markdown that places an image in a guide works in
every language version."""

from django.urls import path

from practice import views_files

app_name = "practice_files"

urlpatterns = [
    path("images/<int:pk>/<str:name>", views_files.image, name="image"),
    path("updates/<int:pk>/<str:name>", views_files.update_picture, name="update_picture"),
]
