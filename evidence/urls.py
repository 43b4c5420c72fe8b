from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.index, name="detail"),
]
