from django.urls import path

from exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:slug>/", views.index, name="detail"),
]
