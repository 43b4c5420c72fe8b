from django.urls import path, re_path

from api import views

app_name = "open_data"

urlpatterns = [
    path("", views.open_data_list, name="list"),
    re_path(r"^(?P<name>\d{4}-\d{2}-\d{2})/(?P<filename>[A-Za-z0-9_.-]{1,60})$", views.open_data_file, name="file"),
]
