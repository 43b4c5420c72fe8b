from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.choose_kind, name="choose_kind"),
    path("new/<slug:kind>/", views.create, name="create"),
    path("from-reflection/<int:reflection_pk>/", views.from_reflection, name="from_reflection"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/attachments/add/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/metrics/add/", views.metric_add, name="metric_add"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("dashboard/report/", views.dashboard_report, name="dashboard_report"),
    path("dashboard/export.csv", views.dashboard_export_csv, name="export_csv"),
    path("dashboard/export.xlsx", views.dashboard_export_xlsx, name="export_xlsx"),
    path("self-assessment/", views.assessment_index, name="assessment_index"),
    path("self-assessment/<int:pk>/", views.round_results, name="round_results"),
    path("self-assessment/<int:pk>/answer/", views.round_answer, name="round_answer"),
]
