from django.urls import path

from core import views

urlpatterns = [
    path("styleguide/", views.styleguide, name="styleguide"),
]
