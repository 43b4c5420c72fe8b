from django.urls import path, re_path

from exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
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
]
