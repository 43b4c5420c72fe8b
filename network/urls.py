from django.urls import path

from network import views

app_name = "network"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("where/", views.where, name="where"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/account/", views.account, name="account"),
    path("me/account/language/", views.account_language, name="account_language"),
    path("me/account/data.json", views.account_data, name="account_data"),
    path("me/account/delete/", views.account_delete_confirm, name="account_delete"),
]
