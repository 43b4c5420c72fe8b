from django.urls import path

from invitations import views

app_name = "invitations"

urlpatterns = [
    path("", views.invitation_list, name="index"),
    path("new/", views.invitation_create, name="create"),
    path("import/", views.invitation_import, name="import"),
    path("import/confirm/", views.invitation_import_confirm, name="import_confirm"),
    path("export.csv", views.invitation_export, name="export"),
    path("<int:pk>/resend/", views.invitation_resend, name="resend"),
    path("<int:pk>/revoke/", views.invitation_revoke, name="revoke"),
    path("accept/<str:token>/", views.invitation_accept, name="accept"),
]
