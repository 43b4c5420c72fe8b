from django.urls import path, re_path

from exchanges import views, views_manage

app_name = "exchanges"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:registration_id>/check-in-code.svg", views.check_in_qr, name="check_in_qr"),
    path("host/", views_manage.host, name="host"),
    path("host/<int:pk>/", views_manage.host_offer_edit, name="host_offer_edit"),
    path("host/offers/<int:pk>/", views_manage.host_offer_detail, name="host_offer_detail"),
    path("feed/create/", views.feed_create, name="feed_create"),
    path("feed/revoke/", views.feed_revoke, name="feed_revoke"),
    # Tokens are URL-safe base64; anything else never reaches the database.
    re_path(r"^feed/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$", views.feed, name="feed"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/calendar.ics", views.calendar, name="calendar"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/cancel/", views.cancel, name="cancel"),
    path("<slug:slug>/waitlist/leave/", views.waitlist_leave, name="waitlist_leave"),
    path("<slug:slug>/offer/", views.offer, name="offer"),
    path("<slug:slug>/offer/accept/", views.offer_accept, name="offer_accept"),
    path("<slug:slug>/offer/decline/", views.offer_decline, name="offer_decline"),
    path("<slug:slug>/reflection/", views.reflection, name="reflection"),
    path("<slug:slug>/manage/", views_manage.manage, name="manage"),
    path("<slug:slug>/manage/participants.csv", views_manage.export_csv, name="manage_export_csv"),
    path("<slug:slug>/manage/participants.xlsx", views_manage.export_xlsx, name="manage_export_xlsx"),
    path("<slug:slug>/manage/edit/", views_manage.edit, name="manage_edit"),
    path("<slug:slug>/manage/sessions/add/", views_manage.session_add, name="manage_session_add"),
    path("<slug:slug>/manage/sessions/<int:session_id>/", views_manage.session_edit, name="manage_session_edit"),
    path(
        "<slug:slug>/manage/sessions/<int:session_id>/delete/",
        views_manage.session_delete,
        name="manage_session_delete",
    ),
    path("<slug:slug>/manage/questions/add/", views_manage.question_add, name="manage_question_add"),
    path(
        "<slug:slug>/manage/questions/<int:question_id>/delete/",
        views_manage.question_delete,
        name="manage_question_delete",
    ),
    path("<slug:slug>/manage/registrations/decide/", views_manage.application_decide, name="manage_decide"),
    path(
        "<slug:slug>/manage/registrations/<int:registration_id>/accept/",
        views_manage.application_accept,
        name="manage_accept",
    ),
    path(
        "<slug:slug>/manage/registrations/<int:registration_id>/decline/",
        views_manage.application_decline,
        name="manage_decline",
    ),
    path("<slug:slug>/manage/message/", views_manage.message, name="manage_message"),
    path("<slug:slug>/manage/check-in/", views_manage.check_in, name="check_in"),
    path("<slug:slug>/manage/check-in/post/", views_manage.check_in_post, name="check_in_post"),
    path("<slug:slug>/manage/check-in/counts.json", views_manage.check_in_counts, name="check_in_counts"),
    path("<slug:slug>/manage/check-in/<int:registration_id>/", views_manage.check_in_do, name="check_in_do"),
    path("<slug:slug>/manage/check-in/<int:registration_id>/undo/", views_manage.check_in_undo, name="check_in_undo"),
]
