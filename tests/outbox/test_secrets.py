"""Coordinators never see secrets (finding 2 of issue #11), written as the attack.

A coordinator asks for a password reset for the superuser, then tries every admin path
open to them for the link (and for every other credential the network hands out: email
confirmation keys, invitation links, calendar feed tokens, digest links, the password
hash). The walk introspects ``admin.site._registry``, so a ModelAdmin added later is
walked too.
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import models
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, reverse

from digests.models import Frequency
from digests.services import PREVIEW_LINK_TOKEN, digest_run
from exchanges.models import CalendarFeed
from invitations.services import invitation_create
from network.models import Role, User
from network.roles import COORDINATOR_WITHHELD
from outbox import services
from outbox.models import REDACTED_BODY, OutboxMessage
from outbox.services import email_queue_rendered
from tests.factories.digests import NOW, evidence, member
from tests.factories.network import PASSWORD, UserFactory, member_for

pytestmark = pytest.mark.django_db

LIST = "/admin/outbox/outboxmessage/"
ROOT_EMAIL = "root@example.org"
STANDARD_VIEWS = {"changelist", "add", "history", "delete", "change"}

# Every shape of link that works as a credential. A match anywhere in the admin is a leak,
# whether or not it is one of the secrets this test made (the digest preview's placeholder
# is the one allowed value).
_TOKEN = r"[^/\s\"'<>&]+"
CREDENTIAL_LINK = re.compile(
    rf"/accounts/password/reset/key/(?P<reset>{_TOKEN})/"
    rf"|/accounts/confirm-email/(?P<confirm>{_TOKEN})/"
    rf"|/invitations/accept/(?P<invitation>{_TOKEN})/"
    r"|/exchanges/feed/(?P<feed>[A-Za-z0-9_-]{20,64})\.ics"
    rf"|/digests/preferences/(?P<digest_preferences>{_TOKEN})/"
    rf"|/digests/unsubscribe/(?P<digest_unsubscribe>{_TOKEN})/"
)
# Local fields that hold a secret by their name; every admin must refuse lookups on them.
SECRET_FIELD_NAME = re.compile(r"token|password|secret|hash")


def _links(text: str) -> list[str]:
    return [token for match in CREDENTIAL_LINK.finditer(text) for token in match.groupdict().values() if token]


def _link_in(row: OutboxMessage, group: str) -> str:
    (token,) = {m.group(group) for m in CREDENTIAL_LINK.finditer(row.body_text) if m.group(group)}
    return token


def _failed_invitation(coordinator, email="invitee@example.org") -> OutboxMessage:
    """An invitation whose email the mail server refused for good (a failed row)."""
    row = invitation_create(email=email, invited_by=coordinator).invitation.outbox_message
    with override_settings(EMAIL_BACKEND="tests.outbox.backends.PermanentFailureBackend"):
        # The worker keeps its SMTP connection between emails: start from a fresh one.
        services.connection_drop()
        try:
            services.outbox_send(message_id=row.pk)
        finally:
            services.connection_drop()
    row.refresh_from_db()
    assert row.state == "failed" and row.carries_secret
    return row


@pytest.fixture
def superuser(db):
    user = UserFactory(email=ROOT_EMAIL, is_staff=True, is_superuser=True)
    member_for(user, display_name="Root")
    return user


@pytest.fixture
def secrets(client, coordinator, superuser, django_capture_on_commit_callbacks):
    """Every kind of secret the network makes, in every state a row can be in; returns
    {name: secret}. The coordinator's client asks for the superuser's password reset."""
    found: dict[str, str] = {}

    # The attack: the coordinator, logged in, asks for a reset of the superuser's password.
    # The worker has not sent it yet (no commit callbacks run): the link is in the row.
    client.force_login(coordinator)
    response = client.post("/accounts/password/reset/", {"email": ROOT_EMAIL})
    assert response.status_code == 302
    reset_row = OutboxMessage.objects.get(to=ROOT_EMAIL, kind="account:password_reset_key")
    assert reset_row.carries_secret and reset_row.state == "queued"
    found["queued reset key"] = _link_in(reset_row, "reset")

    # Another person's reset that has gone out: the worker dropped the link from the row.
    UserFactory(email="member@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "member@example.org"})
    (sent_reset,) = mail.outbox
    (found["sent reset key"],) = set(_links(sent_reset.body))

    # Someone signs up: the confirmation link (it also logs them in) waits in the outbox.
    Client().post("/accounts/signup/", {"email": "newcomer@example.org", "password1": PASSWORD, "password2": PASSWORD})
    found["email confirmation key"] = _link_in(OutboxMessage.objects.get(to="newcomer@example.org"), "confirm")

    # An invitation whose email failed for good: it keeps its body for a resend.
    found["failed invitation token"] = _link_in(_failed_invitation(coordinator), "invitation")

    # A queued invitation, which the coordinator then sends again with the admin action:
    # the action makes a new link, at the coordinator's own click.
    queued = invitation_create(email="second.invitee@example.org", invited_by=coordinator).invitation
    found["queued invitation token"] = _link_in(queued.outbox_message, "invitation")
    client.post("/admin/invitations/invitation/", {"action": "resend", "_selected_action": [queued.pk]})
    queued.refresh_from_db()
    found["resent invitation token"] = _link_in(queued.outbox_message, "invitation")
    assert found["resent invitation token"] != found["queued invitation token"]

    # The superuser's private calendar feed.
    found["feed token"] = CalendarFeed.objects.create(user=superuser).token

    # A digest waiting to be sent, with its signed links for the member.
    reader = member(email="reader@example.org", name="Reader")
    evidence(title="A story for the digest")
    digest_run(frequency=Frequency.WEEKLY, now=NOW)
    digest_row = OutboxMessage.objects.get(to=reader.email, kind="digest")
    assert digest_row.carries_secret and digest_row.state == "queued"
    found["digest preferences token"] = _link_in(digest_row, "digest_preferences")
    found["digest unsubscribe token"] = _link_in(digest_row, "digest_unsubscribe")

    # The superuser's password hash (crackable offline) and its hash part alone.
    found["password hash"] = superuser.password
    found["password digest"] = superuser.password.rsplit("$", 1)[-1]
    return found


def _coordinator_request(coordinator):
    request = RequestFactory().get("/admin/")
    request.user = coordinator
    return request


def _patterns(model_admin):
    """The admin's own URL patterns (flattened), without the five standard views."""
    info = (model_admin.opts.app_label, model_admin.opts.model_name)
    standard = {"{}_{}_{}".format(*info, view) for view in STANDARD_VIEWS}
    stack = list(model_admin.get_urls())
    while stack:
        entry = stack.pop()
        if isinstance(entry, URLResolver):
            stack.extend(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name and entry.name not in standard:
            yield entry


def _admin_urls(coordinator) -> list[tuple[str, str, dict | None]]:
    """(method, url, data) for every admin page a coordinator might open: index, app pages,
    each ModelAdmin's changelist, add, change, history and delete pages of every object,
    every custom URL (each argument tried with every user's and object's id), every
    export or preview action over all rows, the autocomplete lookups, and the "view on
    site" redirect of every object of every model that has one."""
    request = _coordinator_request(coordinator)
    user_ids = list(User.objects.values_list("pk", flat=True))
    urls: list[tuple[str, str, dict | None]] = [("get", reverse("admin:index"), None)]
    for app_label in {model._meta.app_label for model in admin.site._registry}:
        urls.append(("get", reverse("admin:app_list", args=[app_label]), None))
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        urls += [("get", changelist, None), ("get", reverse("admin:{}_{}_add".format(*info)), None)]
        pks = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]
        for pk in pks:
            for view in ("change", "history", "delete"):
                urls.append(("get", reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[pk]), None))
        for pattern in _patterns(model_admin):
            names = list(pattern.pattern.converters)
            if not names:
                urls.append(("get", reverse(f"admin:{pattern.name}"), None))
            for value in [*user_ids, *pks] if len(names) == 1 else []:
                urls.append(("get", reverse(f"admin:{pattern.name}", kwargs={names[0]: value}), None))
        for name in model_admin.get_actions(request):
            if re.search(r"export|csv|preview|download", name) and pks:
                urls.append(("post", changelist, {"action": name, "_selected_action": pks}))
        for field in model_admin.autocomplete_fields:
            query = {"app_label": info[0], "model_name": info[1], "field_name": field, "term": ""}
            urls.append(("get", reverse("admin:autocomplete") + "?" + urlencode(query), None))
    for content_type in ContentType.objects.all():
        model = content_type.model_class()
        if model is None or not hasattr(model, "get_absolute_url"):
            continue
        for pk in model._default_manager.values_list("pk", flat=True)[:20]:
            urls.append(("get", reverse("admin:view_on_site", args=[content_type.pk, pk]), None))
    return urls


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", "replace") + "\n" + response.get("Location", "")


def test_a_coordinator_finds_no_secret_on_any_admin_page(client, coordinator, superuser, secrets):
    reached, leaks = 0, []
    for method, url, data in _admin_urls(coordinator):
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        reached += response.status_code == 200
        text = _text(response)
        leaks += [f"{method.upper()} {url}: {name}" for name, secret in secrets.items() if secret in text]
        leaks += [f"{method.upper()} {url}: link {t}" for t in _links(text) if t != PREVIEW_LINK_TOKEN]
    assert not leaks, "\n".join(leaks)
    # The walk really reached the pages (a walk of 403s proves nothing): the outbox rows
    # holding the secrets among them.
    assert reached > 50
    for row in OutboxMessage.objects.filter(carries_secret=True):
        assert client.get(f"{LIST}{row.pk}/change/").status_code == 200


def test_the_secrets_found_by_the_attack_would_have_worked(secrets):
    """The walk above looks for real credentials, not strings that merely look like them."""
    anonymous = Client()
    reset = anonymous.get(f"/accounts/password/reset/key/{secrets['queued reset key']}/")
    assert reset.status_code == 302 and "set-password" in reset["Location"]
    assert anonymous.get(f"/exchanges/feed/{secrets['feed token']}.ics").status_code == 200
    invitation = anonymous.get(f"/invitations/accept/{secrets['resent invitation token']}/")
    assert invitation.status_code == 200 and "second.invitee@example.org" in invitation.content.decode()
    assert anonymous.get(f"/digests/preferences/{secrets['digest preferences token']}/").status_code == 200
    assert anonymous.get(f"/digests/unsubscribe/{secrets['digest unsubscribe token']}/").status_code == 200


def _matches(client, changelist: str, query: dict) -> bool:
    response = client.get(changelist, query)
    return response.status_code == 200 and bool(response.context["cl"].result_count)


def test_no_admin_search_or_lookup_matches_a_secret(client, coordinator, secrets):
    """Neither the search box nor a lookup in the query string is an oracle. A field that
    holds a secret by its name (or is declared in ``secret_fields``) cannot be filtered on
    at all (400); no other field of any change list matches any secret; searching for a
    secret matches no row."""
    any_secret = "|".join(re.escape(secret) for secret in secrets.values())
    problems = []
    for model, model_admin in admin.site._registry.items():
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        if client.get(changelist).status_code != 200:
            continue

        declared = set(getattr(model_admin, "secret_fields", ()))
        declared |= {
            f.name
            for f in model._meta.concrete_fields
            if SECRET_FIELD_NAME.search(f.name) and not isinstance(f, models.BooleanField)
        }
        for field in sorted(declared):
            status = client.get(changelist, {f"{field}__startswith": "a"}).status_code
            if status != 400:
                problems.append(f"{changelist}?{field}__startswith= answered {status}")
        queries: list[tuple[str, dict]] = []
        for field in model._meta.concrete_fields:
            if field.name in declared:
                continue
            if isinstance(field, models.JSONField):
                lookup = f"{field.name}__icontains"
                queries += [(f"{lookup}={name}", {lookup: secret}) for name, secret in secrets.items()]
            elif isinstance(field, models.CharField | models.TextField):
                queries.append((f"{field.name}__regex=any secret", {f"{field.name}__regex": any_secret}))
        if model_admin.get_search_fields(_coordinator_request(coordinator)):
            queries += [(f"q={name}", {"q": secret}) for name, secret in secrets.items()]
        problems += [f"{changelist}?{what} matched" for what, query in queries if _matches(client, changelist, query)]
    assert not problems, "\n".join(problems)


def test_nothing_a_coordinator_can_do_in_the_admin_sets_the_superusers_password(client, coordinator, superuser):
    client.force_login(coordinator)
    user_admin = f"/admin/network/user/{superuser.pk}"
    new = {"password1": "Coordinator-owns-1t", "password2": "Coordinator-owns-1t", "usable_password": "true"}
    assert client.post(f"{user_admin}/password/", new).status_code == 403
    assert client.get(f"{user_admin}/password/").status_code == 403
    change = {"email": "coordinator.owns@example.org", "password": "md5$x$y", "is_superuser": "on", **new}
    assert client.post(f"{user_admin}/change/", change).status_code == 403
    assert client.post("/admin/network/user/add/", {"email": "new.root@example.org", **new}).status_code == 403
    assert client.post(f"{user_admin}/delete/", {"post": "yes"}).status_code == 403
    # Groups, allauth's email addresses: no admin page at all.
    group = Group.objects.get(name=Role.COORDINATOR)
    assert client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 403
    assert client.get("/admin/account/emailaddress/").status_code == 403

    superuser.refresh_from_db()
    assert superuser.check_password(PASSWORD) and superuser.email == ROOT_EMAIL
    coordinator.refresh_from_db()
    assert not coordinator.is_superuser and coordinator.has_perm("network.view_user")
    assert not coordinator.has_perm("network.change_user")


def test_no_admin_form_lets_a_coordinator_repoint_an_account_or_its_own_rows(client, coordinator, superuser):
    """A one-to-one with an account (profile, feed, digest preference) and any ``user``
    field are read-only once the row exists, on every admin form a coordinator can open."""
    from digests.models import DigestPreference

    CalendarFeed.objects.create(user=superuser)
    DigestPreference.objects.create(user=superuser)
    OutboxMessage.objects.create(idempotency_key="k", kind="test", to=ROOT_EMAIL, user=superuser, subject="s")
    client.force_login(coordinator)
    editable = []
    for model, _model_admin in admin.site._registry.items():
        owners = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is User and (isinstance(f, models.OneToOneField) or f.name == "user")
        ]
        if not owners:
            continue
        for pk in model._default_manager.values_list("pk", flat=True):
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
            response = client.get(url)
            if response.status_code != 200:
                continue
            fields = response.context["adminform"].form.fields
            editable += [f"{url}: {name}" for name in owners if name in fields]
    assert not editable, "\n".join(editable)


def test_the_user_page_a_coordinator_may_read_says_nothing_about_the_password(client, coordinator, superuser):
    client.force_login(coordinator)
    page = client.get(f"/admin/network/user/{superuser.pk}/change/").content.decode()
    assert ROOT_EMAIL in page
    # Not even Django's masked summary (algorithm, the first characters of salt and hash)
    # or its "Reset password" button, which would only lead to a refusal.
    assert "field-password" not in page and "../password/" not in page


def test_a_calendar_feed_is_not_reachable_through_view_on_site(client, coordinator, superuser):
    feed = CalendarFeed.objects.create(user=superuser)
    client.force_login(coordinator)
    content_type = ContentType.objects.get_for_model(CalendarFeed)
    response = client.get(reverse("admin:view_on_site", args=[content_type.pk, feed.pk]))
    assert response.status_code == 404
    assert feed.token not in _text(response)


def test_coordinators_do_not_hold_the_withheld_permissions(coordinator):
    assert not [perm for perm in COORDINATOR_WITHHELD if coordinator.has_perm(perm)]
    assert coordinator.has_perm("outbox.view_outboxmessage") and coordinator.has_perm("outbox.change_outboxmessage")


# --- The redacted record --------------------------------------------------------------------


def _secret_rows_sent(coordinator, django_capture_on_commit_callbacks):
    """One email of every secret-carrying kind, sent: {kind: (row, sent message)}."""
    reader = member(email="reader@example.org", name="Reader")
    evidence(title="A story for the digest")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": coordinator.email})
        Client().post("/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
        invitation_create(email="invitee@example.org", invited_by=coordinator)
        digest_run(frequency=Frequency.WEEKLY, now=NOW)
    rows = {}
    for kind, to in (
        ("account:password_reset_key", coordinator.email),
        ("account:email_confirmation_signup", "new@example.org"),
        ("invitation", "invitee@example.org"),
        ("digest", reader.email),
    ):
        row = OutboxMessage.objects.get(to=to, kind=kind)
        (sent,) = [m for m in mail.outbox if m.to == [to] and m.extra_headers["X-Learning-Lab-Kind"] == kind]
        rows[kind] = (row, sent)
    return rows


def test_once_sent_a_secret_email_keeps_no_secret_and_others_keep_their_body(
    client, coordinator, django_capture_on_commit_callbacks
):
    rows = _secret_rows_sent(coordinator, django_capture_on_commit_callbacks)
    assert set(rows) == {"account:password_reset_key", "account:email_confirmation_signup", "invitation", "digest"}
    for kind, (row, sent) in rows.items():
        # The email that left carried its link; the row no longer does.
        assert _links(sent.body), kind
        assert row.state == "sent" and row.carries_secret, kind
        assert (row.body_text, row.body_html, row.headers, row.attachments) == (REDACTED_BODY, "", {}, []), kind
        assert row.to == sent.to[0] and row.subject == sent.subject, kind

    # An email without a secret stays readable by coordinators, sent or not.
    with django_capture_on_commit_callbacks(execute=True):
        plain = email_queue_rendered(
            to="anna@example.org",
            kind="exchange_reminder",
            subject="Your exchange starts tomorrow",
            text="See https://example.org/a-public-page/\n",
            html='<p><a href="https://example.org/a-public-page/">See the page</a></p>',
            language="en",
            idempotency_key="plain",
        )
    plain.refresh_from_db()
    assert plain.state == "sent" and not plain.carries_secret and "a-public-page" in plain.body_text
    client.force_login(coordinator)
    page = client.get(f"{LIST}{plain.pk}/change/").content.decode()
    assert "a-public-page" in page and plain.subject in page


def test_the_redacted_view_names_recipient_kind_state_attempts_and_error_to_superusers_too(
    client, coordinator, superuser
):
    row = _failed_invitation(coordinator)
    token = _link_in(row, "invitation")
    for viewer in (coordinator, superuser):
        client.force_login(viewer)
        page = client.get(f"{LIST}{row.pk}/change/").content.decode()
        shown_fields = ("invitee@example.org", "invitation", "failed", "5.1.1 No such user", "shown to nobody")
        for shown in shown_fields:
            assert shown in page, (viewer, shown)
        assert token not in page and row.subject not in page
        export = client.post(LIST, {"action": "export_csv", "_selected_action": [row.pk]})
        (header, line) = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert dict(zip(header, line, strict=True))["subject"] == "" and token not in export.content.decode()
        # Not matchable by its subject either.
        assert client.get(LIST, {"q": row.subject}).context["cl"].result_count == 0


def test_a_failed_secret_email_is_resent_to_the_same_recipient_and_then_redacted(
    client, coordinator, django_capture_on_commit_callbacks
):
    row = _failed_invitation(coordinator)
    token = _link_in(row, "invitation")
    assert row.state == "failed" and token in row.body_text

    client.force_login(coordinator)
    # The recipient cannot be changed on the way, whatever is posted.
    assert client.post(f"{LIST}{row.pk}/change/", {"to": "coordinator@example.org"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST, {"action": "resend", "_selected_action": [row.pk], "to": "coordinator@example.org"}, follow=True
        )
    assert "1 email queued again." in response.content.decode()
    (sent,) = mail.outbox
    assert sent.to == ["invitee@example.org"] and token in sent.body
    row.refresh_from_db()
    assert row.state == "sent" and row.to == "invitee@example.org" and token not in row.body_text
    # The link that was sent still works: the resend did not change it.
    assert Client().get(f"/invitations/accept/{token}/").status_code == 200


@pytest.mark.parametrize(
    ("template", "context", "secret"),
    [
        ("account/email/password_reset_key", {"password_reset_url": "http://x/key/1-a/"}, True),
        ("account/email/password_reset_code", {"code": "123456"}, True),
        ("account/email/email_confirmation", {"activate_url": "http://x/c/abc/", "key": "abc"}, True),
        ("account/email/email_confirm", {"code": "ABCDEF"}, True),
        ("account/email/login_code", {"code": "123456"}, True),
        ("account/email/something_new_from_allauth", {}, True),
        ("account/email/account_already_exists", {"password_reset_url": "http://x/accounts/password/reset/"}, False),
        ("account/email/unknown_account", {"signup_url": "http://x/accounts/signup/"}, False),
        ("account/email/password_changed", {}, False),
    ],
)
def test_allauth_emails_carry_a_secret_unless_they_are_a_known_notice(template, context, secret):
    from network.adapters import email_carries_secret

    assert email_carries_secret(template, context) is secret
