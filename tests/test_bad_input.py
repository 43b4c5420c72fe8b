"""Finding 9 of the security review, written as the attacks: a NUL byte or an out-of-range
number in a query string answered 500, and names accepted line breaks. Each attack now gets the
400 page in the site's layout, or a form error, and never a 500.

The generated sweep over every page is ``tests/test_every_page.py``; the CSV limits are in
``tests/invitations/test_invitation_csv_limits.py``.
"""

from __future__ import annotations

import datetime
import re
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from config.urls import urlpatterns as project_urlpatterns
from core.validators import validate_single_line
from invitations.models import Invitation
from network.models import Member
from tests.factories.exchanges import ExchangeFactory
from tests.network.test_profile import _valid as valid_profile

pytestmark = pytest.mark.django_db

MESSAGE = "The address contains a value that can't be used"


def _is_the_400_page(response) -> bool:
    html = response.content.decode()
    return response.status_code == 400 and MESSAGE in html and 'class="site-header"' in html


# --- The reported attacks -------------------------------------------------------------------


def test_a_nul_byte_in_the_joint_action_issue_filter_gets_the_400_page(client):
    response = client.get("/practice/joint-actions/?issue=%00")
    assert _is_the_400_page(response)


def test_a_joint_action_issue_that_is_not_a_slug_matches_nothing_quietly(client):
    assert client.get("/practice/joint-actions/?issue=" + "é" * 200).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/network/organisation/?country=%00",
        "/admin/exchanges/exchange/?status__exact=%00",
        "/admin/exchanges/exchange/?%00=1",
        "/admin/exchanges/exchange/?q=%00",
    ],
)
def test_a_nul_byte_in_an_admin_list_filter_gets_the_400_page(admin_client, url):
    assert _is_the_400_page(admin_client.get(url))


@pytest.mark.parametrize(
    "query",
    [
        "starts_at__year=99999999999999999999999",
        "starts_at__year=9223372036854775808",
        # The year after 9999 does not exist: Django's ChangeList computes it unchecked.
        "starts_at__year=9999",
        "starts_at__year=9999&starts_at__month=12",
        "starts_at__year=2024&starts_at__month=13",
        "starts_at__year=2024&starts_at__month=2&starts_at__day=30",
        "starts_at__year=2024&starts_at__month=1&starts_at__day=99999999999999999999",
        "starts_at__month=99999999999999999999",
    ],
)
def test_an_out_of_range_date_in_the_admin_date_hierarchy_gets_the_400_page(admin_client, query):
    ExchangeFactory()
    assert _is_the_400_page(admin_client.get(f"/admin/exchanges/exchange/?{query}"))


def test_the_admin_date_hierarchy_still_drills_down(admin_client):
    # Noon UTC: the same day in UTC and in every European time zone the admin may be shown in
    # (an exchange created an hour before midnight UTC starts on another day in Stockholm).
    day = timezone.localdate() + datetime.timedelta(days=20)
    exchange = ExchangeFactory(starts_at=datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC))
    when = exchange.starts_at
    url = f"/admin/exchanges/exchange/?starts_at__year={when.year}&starts_at__month={when.month}"
    response = admin_client.get(f"{url}&starts_at__day={when.day}")
    assert response.status_code == 200
    assert exchange.title in response.content.decode()


@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_an_empty_to_field_on_an_admin_object_page_gets_the_400_page(admin_client, view):
    exchange = ExchangeFactory()
    response = admin_client.get(f"/admin/exchanges/exchange/{exchange.pk}/{view}/?_to_field=")
    assert _is_the_400_page(response)


@pytest.mark.parametrize(
    "url",
    [
        "/practice/%00/",
        "/invitations/accept/%0D%0Aevil/",
        "/exchanges/?month=2026-01%0A",
        "/search/?q=%1B%5B2J",
        "/organisations/?q%00=1",
    ],
)
def test_control_characters_in_the_path_or_query_get_the_400_page(client, url):
    assert _is_the_400_page(client.get(url))


def test_a_tab_in_a_query_value_is_allowed(client):
    assert client.get("/search/?q=community%09organising").status_code == 200


def test_the_400_page_is_shown_in_the_language_of_the_address(client):
    response = client.get("/sv/practice/joint-actions/?issue=%00")
    assert response.status_code == 400
    assert '<html lang="sv">' in response.content.decode()


def test_a_signed_in_persons_400_page_shows_their_menu_and_is_not_stored(client, organiser):
    client.force_login(organiser)
    response = client.get("/practice/joint-actions/?issue=%00")
    assert _is_the_400_page(response)
    assert "My account" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_too_many_query_parameters_get_the_same_400_page(client):
    query = "&".join(f"p{n}=1" for n in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert _is_the_400_page(client.get(f"/exchanges/?{query}"))


# --- The safety net: narrow on purpose --------------------------------------------------------


def overflowing_view(request):
    """A view that builds a date from the query string without checking it."""
    date(int(request.GET["year"]), 1, 1)
    return HttpResponse("ok")


def broken_view(request):
    """A bug: an OverflowError whatever the request."""
    raise OverflowError("a bug, not bad input")


def database_view(request):
    """A view that hands an unchecked parameter to the database as an integer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::integer", [request.GET["n"]])
    return HttpResponse("ok")


urlpatterns = [
    path("test-overflow/", overflowing_view),
    path("test-broken/", broken_view),
    path("test-database/", database_view),
    *project_urlpatterns,
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/test-overflow/?year=99999999999", "/test-database/?n=99999999999"])
def test_an_out_of_range_number_that_overflows_deep_in_a_view_gets_the_400_page(client, url):
    assert _is_the_400_page(client.get(url))


@pytest.mark.urls(__name__)
def test_an_overflow_without_an_out_of_range_number_in_the_query_is_still_a_500(client):
    with pytest.raises(OverflowError):
        client.get("/test-broken/?year=2024")


@pytest.mark.urls(__name__)
def test_other_database_errors_are_still_a_500(client):
    # Passing unchecked text to the database is a bug to fix, not bad input to forgive.
    from django.db import DataError

    with pytest.raises(DataError):
        client.get("/test-database/?n=abc")


@pytest.mark.urls(__name__)
def test_an_overflow_on_a_post_is_still_a_500(client):
    with pytest.raises(OverflowError):
        client.post("/test-overflow/?year=99999999999")


# --- Names refuse control characters ----------------------------------------------------------

# Typed on one line by people; derived copies (a revision's title, the search index) are not.
NAME_LIKE = re.compile(r"(^|_)(name|title|pseudonym|city)$")
DERIVED = {
    ("practice", "GuideRevision", "title"),
    ("search", "SearchEntry", "title"),
    ("search", "SearchEntry", "folded_title"),
    # The uploaded file's own name, cleaned of control and bidi characters (core.uploads.display_name).
    ("evidence", "Attachment", "original_name"),
    # The day an open-data package describes ("2026-12-07"), written by the nightly job.
    ("api", "OpenDataPackage", "name"),
}


def _name_fields() -> list[models.CharField]:
    from django.apps import apps

    return [
        f
        for app in django_settings.LEARNINGLAB_APPS
        for model in apps.get_app_config(app).get_models()
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField)
        and not f.choices
        and f.model is model
        and NAME_LIKE.search(f.name)
        and (model._meta.app_label, model.__name__, f.name) not in DERIVED
    ]


@pytest.mark.parametrize("field", _name_fields(), ids=lambda f: f"{f.model.__name__}.{f.name}")
@pytest.mark.parametrize("bad", ["Amina\r\nBcc: all@example.org", "Amina\x00", "\u202egnp.exe", "Tab\there", "x\x85y"])
def test_every_name_field_refuses_control_characters(field, bad):
    with pytest.raises(ValidationError):
        field.run_validators(bad)


@pytest.mark.parametrize("field", _name_fields(), ids=lambda f: f"{f.model.__name__}.{f.name}")
def test_every_name_field_accepts_names_from_everywhere(field):
    for good in ("Åsa Öberg-Ödegaard (Hjällbo)", "مريم الأحمد", "Jan de Vries 👋", "Zoë\u200dX", "Ivan O\u2019Neill"):
        field.run_validators(good[: field.max_length])


FORBIDDEN = "\x00\r\n\t\x1b\x7f\x85\x9f\u2028\u2029\u202a\u202e\u2066\u2069"


# No example database (nothing left in the work tree) and no deadline (a busy machine is no bug).
@settings(database=None, deadline=None)
@given(st.text(max_size=40), st.sampled_from(FORBIDDEN), st.data())
def test_validate_single_line_refuses_a_forbidden_character_anywhere(text, bad, data):
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    with pytest.raises(ValidationError):
        validate_single_line(text[:at] + bad + text[at:])


# Every character but controls (Cc), surrogates, the line and paragraph separators and the
# bidirectional embeddings, overrides and isolates: letters, marks, joiners, emoji, RTL text.
ONE_LINE_TEXT = st.text(
    alphabet=st.characters(
        exclude_categories=("Cc", "Cs", "Zl", "Zp"),
        exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    max_size=60,
)


@settings(database=None, deadline=None)
@given(ONE_LINE_TEXT)
def test_validate_single_line_accepts_any_line_without_them(text):
    validate_single_line(text)


def test_a_member_cannot_put_a_line_break_in_their_display_name(client, organiser):
    client.force_login(organiser)
    before = Member.objects.filter(pk=organiser.member.pk).values().get()
    response = client.post(
        "/me/profile/", valid_profile(organiser.member, display_name="Amina\r\nBcc: everyone@example.org")
    )
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert Member.objects.filter(pk=organiser.member.pk).values().get() == before


def test_an_invitation_name_with_a_line_break_is_refused_on_the_invitation_page(client_as):
    client = client_as("coordinator")
    response = client.post(
        "/invitations/new/",
        {"email": "new@example.org", "name": "Amina\r\nBcc: everyone@example.org", "role": "member", "language": "en"},
    )
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_invite_command_refuses_a_name_with_a_line_break():
    with pytest.raises(CommandError):
        call_command("invite", "new@example.org", name="Amina\nBcc: everyone@example.org")
    assert not Invitation.objects.exists()
