from django.urls import path

from network import views

app_name = "network"

# "requests" comes before the organisation slugs, so it is never taken for one.
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/requests/", views.membership_requests, name="membership_requests"),
    path("organisations/requests/<int:pk>/approve/", views.membership_approve, name="membership_approve"),
    path("organisations/requests/<int:pk>/decline/", views.membership_decline, name="membership_decline"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/logo/", views.organisation_logo, name="organisation_logo"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("where/", views.where, name="where"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/organisations/", views.memberships, name="memberships"),
    path("me/organisations/request/", views.membership_request, name="membership_request"),
    path("me/organisations/<int:pk>/leave/", views.membership_leave, name="membership_leave"),
    path("me/account/", views.account, name="account"),
    path("me/account/language/", views.account_language, name="account_language"),
    path("me/account/data.json", views.account_data, name="account_data"),
    path("me/account/delete/", views.account_delete_confirm, name="account_delete"),
]
