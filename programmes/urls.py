from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/enrol/", views.enrol, name="enrol"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/attendance/", views.attendance, name="attendance"),
]
