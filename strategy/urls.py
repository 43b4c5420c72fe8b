from django.urls import path

from strategy import views

app_name = "strategy"

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("<slug:slug>/", views.document_detail, name="document_detail"),
    path("<slug:slug>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<slug:slug>/diff/<int:a>/<int:b>/", views.version_diff, name="version_diff"),
    path("<slug:slug>/synthesis/", views.synthesis, name="synthesis"),
    path("<slug:slug>/case/", views.case, name="case"),
    path("<slug:slug>/rounds/new/", views.round_create, name="round_create"),
    path("<slug:slug>/sections/<slug:key>/", views.section_detail, name="section_detail"),
    path("<slug:slug>/sections/<slug:key>/comments/", views.comment_create, name="comment_create"),
    path("<slug:slug>/sections/<slug:key>/amendments/", views.amendment_create, name="amendment_create"),
    path("<slug:slug>/sections/<slug:key>/merge/", views.amendments_merge, name="amendments_merge"),
    path("<slug:slug>/comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("<slug:slug>/comments/<int:pk>/report/", views.comment_report, name="comment_report"),
    path("<slug:slug>/comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path("<slug:slug>/amendments/<int:pk>/support/", views.amendment_support, name="amendment_support"),
    path("<slug:slug>/amendments/<int:pk>/unsupport/", views.amendment_unsupport, name="amendment_unsupport"),
    path("<slug:slug>/amendments/<int:pk>/accept/", views.amendment_accept, name="amendment_accept"),
    path("<slug:slug>/amendments/<int:pk>/decline/", views.amendment_decline, name="amendment_decline"),
]
