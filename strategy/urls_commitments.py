from django.urls import path

from strategy import views_commitments as views

app_name = "commitments"

urlpatterns = [
    path("", views.commitment_list, name="list"),
    path("<int:pk>/", views.commitment_detail, name="detail"),
    path("convenings/<slug:slug>/", views.convening_detail, name="convening"),
    path("<int:pk>/updates/", views.commitment_update_add, name="update_add"),
]
