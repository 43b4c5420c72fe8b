from django.urls import path

from practice import views

app_name = "practice"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.my_guides, name="my_guides"),
    path("review/", views.review_queue, name="review_queue"),
    path("guides/new/", views.guide_create_choose, name="guide_create_choose"),
    path("guides/new/<str:kind>/", views.guide_create, name="guide_create"),
    path("guides/<slug:slug>/", views.guide_detail, name="guide_detail"),
    path("guides/<slug:slug>/edit/", views.guide_edit, name="guide_edit"),
    path("guides/<slug:slug>/translate/", views.guide_translate, name="guide_translate"),
    path("guides/<slug:slug>/submit/", views.guide_submit, name="guide_submit"),
    path("guides/<slug:slug>/publish/", views.guide_publish, name="guide_publish"),
    path("guides/<slug:slug>/return/", views.guide_return, name="guide_return"),
    path("guides/<slug:slug>/archive/", views.guide_archive, name="guide_archive"),
    path("guides/<slug:slug>/images/", views.guide_image_add, name="guide_image_add"),
    path("guides/<slug:slug>/revisions/", views.guide_revisions, name="guide_revisions"),
    path("guides/<slug:slug>/revisions/diff/", views.guide_diff, name="guide_diff"),
    path("joint-actions/", views.joint_action_list, name="joint_action_list"),
    path("joint-actions/new/", views.joint_action_propose, name="joint_action_propose"),
    path("joint-actions/invitations/", views.partner_invitations, name="partner_invitations"),
    path(
        "joint-actions/invitations/<int:pk>/accept/", views.partner_invitation_accept, name="partner_invitation_accept"
    ),
    path(
        "joint-actions/invitations/<int:pk>/decline/",
        views.partner_invitation_decline,
        name="partner_invitation_decline",
    ),
    path("joint-actions/<slug:slug>/", views.joint_action_detail, name="joint_action_detail"),
    path("joint-actions/<slug:slug>/updates/", views.joint_action_update_add, name="joint_action_update_add"),
    path("joint-actions/<slug:slug>/publish/", views.joint_action_publish, name="joint_action_publish"),
]
