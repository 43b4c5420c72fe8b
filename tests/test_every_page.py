"""Every page, generated from the URL resolver and the admin registry (``tests/crawl.py``):

* hostile query strings never answer 500 (nor take seconds), for anonymous visitors,
  organisers, coordinators and superusers: on every site page, in every parameter the page
  reads (every FilterSet field included), on every admin changelist in each of its list
  filters, date hierarchy, search, ordering and paging, and on every other admin page;
* every response to a signed-in person, and every page opened through a secret link, says
  ``Cache-Control: private, no-store``.

A new URL, filter, FilterSet or admin is covered without touching this file. The world is the
demo (``seed_demo``), built once for the module inside a transaction that is rolled back.
Values are sampled rather than crossed with every role: each parameter gets every value, the
roles take turns (the superuser gets every value on admin changelists).
"""

from __future__ import annotations

import io
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from core.http import SECRET_URL_KWARGS
from tests.crawl import ROLE_EMAILS, ROLES, Crawl, Route, changelist_parameters, filterset_parameters, routes

pytestmark = pytest.mark.django_db

ROUTES = routes()
SITE_ROUTES = [r for r in ROUTES if not r.is_admin]
CHANGELISTS = [r for r in ROUTES if r.is_changelist]
ADMIN_PAGES = [r for r in ROUTES if r.is_admin and not r.is_changelist]

# Sent in each parameter a page reads, percent-encoded, one request each.
HOSTILE_VALUES = {
    "nul": "\x00",
    "10^23": "1" + "0" * 23,
    "2^63": str(2**63),
    "-1": "-1",
    "long": "x" * 10_000,
    "unicode": "Ünïcødé 漢字 🙂 \u202eevil",
}
# Raw query strings for one parameter ``{p}``: broken percent-encoding and repeated keys.
HOSTILE_RAW = {
    "bad-percent": "{p}=%ZZ%E0%A4%A",
    "repeated": "{p}=1&{p}=2&{p}=",
}
# Sent to every page whatever it reads, the roles taking turns.
HOSTILE_ONCE = {
    "nul-key": "%00=1",
    "control": "q=%1B%5B2J%0D%0A",
    "bad-percent-key": "%FF%FE%ZZ=1",
    "10^23-key": "1" + "0" * 23 + "=1",
}
# NUL and numbers that overflow something (a C long, a 64-bit column): on admin changelists
# the superuser sends each of them in every parameter, and 9999 (the year after it does not
# exist) in the date hierarchy's.
ALWAYS_ON_CHANGELISTS = ("nul", "10^23", "2^63")
# A request slower than this is a hang (a quadratic loop on a long value), not a slow machine.
SLOW_SECONDS = 10


def hostile_queries(param: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """``{label: raw query string}`` putting each hostile value in ``param``."""
    key = quote(param, safe="")
    values = {**HOSTILE_VALUES, **(extra or {})}
    queries = {label: f"{key}={quote(value, safe='')}" for label, value in values.items()}
    return queries | {label: raw.format(p=key) for label, raw in HOSTILE_RAW.items()}


def once_cases(offset: int = 0) -> list[tuple[str, str]]:
    return [(ROLES[(i + offset) % len(ROLES)], query) for i, query in enumerate(HOSTILE_ONCE.values())]


@pytest.fixture(scope="module")
def crawl(django_db_setup, django_db_blocker):
    from django.contrib.auth import get_user_model

    from tests.conftest import reference_data_ensure

    with django_db_blocker.unblock(), translation.override("en"), transaction.atomic():
        reference_data_ensure()
        call_command("seed_demo", force=True, stdout=io.StringIO())
        superuser = get_user_model().objects.create_superuser(email=ROLE_EMAILS["superuser"], password="x" * 12)
        yield Crawl(superuser)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _failure(client, path: str, query: str) -> str | None:
    """Why this request failed (500, an exception, or a hang), or None."""
    started = time.monotonic()
    try:
        response = client.get(f"{path}?{query}" if query else path)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    except Exception as exc:  # noqa: BLE001 — every failure is reported, not just the first
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    elapsed = time.monotonic() - started
    if response.status_code >= 500:
        return f"answered {response.status_code}"
    if elapsed > SLOW_SECONDS:
        return f"took {elapsed:.1f} s"
    return None


def _attack(crawl: Crawl, path: str, cases: list[tuple[str, str]]) -> list[str]:
    failures = []
    for role, query in cases:
        problem = _failure(crawl.clients[role], path, query)
        if problem:
            failures.append(f"{role} GET {path}?{query[:120]}: {problem}")
    return failures


def _path(crawl: Crawl, route: Route) -> str:
    path = crawl.path(route)
    if path is None:
        pytest.fail(f"{route.name} ({route.pattern}) cannot be reversed with demo rows: teach tests/crawl.py its path")
    return path


@pytest.mark.parametrize("route", SITE_ROUTES, ids=lambda r: r.name)
def test_hostile_query_strings_never_answer_500_on_a_site_page(crawl, route):
    """Every value in every parameter the page reads, the roles taking turns."""
    path = _path(crawl, route)
    offset = SITE_ROUTES.index(route)
    cases = once_cases(offset)
    for j, param in enumerate(sorted(crawl.reads(route))):
        for i, query in enumerate(hostile_queries(param).values()):
            cases.append((ROLES[(i + j + offset) % len(ROLES)], query))
    failures = _attack(crawl, path, cases)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", CHANGELISTS, ids=lambda r: r.name)
def test_hostile_query_strings_never_answer_500_on_an_admin_changelist(crawl, route):
    """Each list filter, date hierarchy part, search, ordering and page parameter: NUL and
    every overflowing number from the superuser, and one other value each (in turn), from the
    superuser or a coordinator (who may lack the view permission: then it is a 403)."""
    path = _path(crawl, route)
    hierarchy = route.model_admin.date_hierarchy
    offset = CHANGELISTS.index(route)
    cases = once_cases(offset)
    for j, param in enumerate(changelist_parameters(route, crawl.superuser)):
        # A month or day counts only with a year beside it.
        context = ""
        if hierarchy and param in (f"{hierarchy}__month", f"{hierarchy}__day"):
            context = f"{hierarchy}__year=2024&" + (f"{hierarchy}__month=2&" if param.endswith("__day") else "")
        queries = hostile_queries(param)
        others = [query for label, query in queries.items() if label not in ALWAYS_ON_CHANGELISTS]
        cases += [("superuser", context + queries[label]) for label in ALWAYS_ON_CHANGELISTS]
        if hierarchy and param.startswith(f"{hierarchy}__"):
            cases.append(("superuser", context + f"{quote(param)}=9999"))
        cases.append((("superuser", "coordinator")[j % 2], context + others[(j + offset) % len(others)]))
    failures = _attack(crawl, path, cases)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", ADMIN_PAGES, ids=lambda r: r.name)
def test_hostile_query_strings_never_answer_500_on_another_admin_page(crawl, route):
    """The other admin pages (add, change, delete, history, app index, autocomplete, custom
    pages) run the same Django code for every model: each gets one hostile key and one hostile
    value in one parameter it reads, a different pair on each page, so that together they send
    every value to every kind of admin page."""
    path = _path(crawl, route)
    offset = ADMIN_PAGES.index(route)
    cases = [once_cases(offset)[0]]
    params = sorted(crawl.reads(route, roles=("superuser",)))
    if params:
        queries = list(hostile_queries(params[offset % len(params)]).values())
        cases.append((("superuser", "coordinator")[offset % 2], queries[offset % len(queries)]))
    failures = _attack(crawl, path, cases)
    assert not failures, "\n".join(failures)


def test_the_crawl_reaches_every_filterset_parameter(crawl):
    """Every parameter of every FilterSet in ``<app>/filters.py`` is read by some page the
    crawl requests, so the hostile values above reached it (a FilterSet no page uses, or a page
    the crawl cannot fill, fails here)."""
    read = set().union(*(crawl.reads(route) for route in SITE_ROUTES))
    missing = {
        filterset: [param for param in params if param not in read]
        for filterset, params in filterset_parameters().items()
        if any(param not in read for param in params)
    }
    assert filterset_parameters(), "no FilterSet found: has filters.py moved?"
    assert not missing, missing


def test_the_crawl_reaches_every_admin_changelist():
    from django.contrib import admin

    crawled = {route.model_admin.model for route in CHANGELISTS}
    assert set(admin.site._registry) <= crawled


# --- Cache-Control ---------------------------------------------------------------------------


def _cache_directives(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("role", ["organiser", "coordinator"])
def test_every_response_to_a_signed_in_person_is_private_and_never_stored(crawl, role):
    """Every site page for a member and for a coordinator, and every admin changelist (the
    other admin pages share their wrapper) for the coordinator."""
    client = crawl.clients[role]
    leaks = []
    for route in SITE_ROUTES + (CHANGELISTS if role == "coordinator" else []):
        path = crawl.path(route)
        if path is None:
            continue
        response = client.get(path)
        if not {"private", "no-store"} <= _cache_directives(response):
            leaks.append(f"{route.name} {path} {response.status_code}: {response.get('Cache-Control')!r}")
    assert not leaks, "\n".join(leaks)


def _secret_links(crawl: Crawl) -> dict[str, str]:
    """Working links for the secret-carrying pages we can mint a secret for."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from digests.tokens import Purpose, token_make
    from exchanges.models import CalendarFeed
    from invitations.models import Invitation
    from invitations.services import token_new

    organiser = get_user_model().objects.get(email=ROLE_EMAILS["organiser"])
    raw, digest = token_new()
    Invitation.objects.create(
        email="someone.new@example.org",
        name="Someone New",
        token_hash=digest,
        expires_at=timezone.now() + timedelta(days=1),
    )
    feed, _ = CalendarFeed.objects.get_or_create(user=organiser)
    return {
        "invitations:accept": reverse("invitations:accept", kwargs={"token": raw}),
        "digests:preferences_token": reverse(
            "digests:preferences_token", kwargs={"token": token_make(user_id=organiser.pk, purpose=Purpose.PREFERENCES)}
        ),
        "digests:unsubscribe": reverse(
            "digests:unsubscribe", kwargs={"token": token_make(user_id=organiser.pk, purpose=Purpose.UNSUBSCRIBE)}
        ),
        "exchanges:feed": reverse("exchanges:feed", kwargs={"token": feed.token}),
    }


SECRET_ROUTES = [r for r in SITE_ROUTES if SECRET_URL_KWARGS.intersection(r.kwargs)]


def test_pages_opened_through_a_secret_link_are_private_and_never_stored(crawl, client):
    working = _secret_links(crawl)
    leaks = []
    for route in SECRET_ROUTES:
        # A working secret where we can mint one; a made-up one (the "invalid link" page) too.
        paths = [p for p in (working.get(route.name), crawl.path(route)) if p]
        for path in paths:
            response = client.get(path)
            if not {"private", "no-store"} <= _cache_directives(response):
                leaks.append(f"{route.name} {path} {response.status_code}: {response.get('Cache-Control')!r}")
    assert {"invitations:accept", "digests:unsubscribe", "exchanges:feed"} <= {r.name for r in SECRET_ROUTES}
    assert not leaks, "\n".join(leaks)
    # The working links really opened the personal page (not an error page).
    for name, path in working.items():
        assert client.get(path).status_code == 200, name


# Text path arguments that are not secrets; any other text argument of a site page must be
# named as a secret (SECRET_URL_KWARGS) so that its pages are kept out of caches.
NOT_SECRET_TEXT_KWARGS = {
    ("practice:guide_create", "kind"),
    ("evidence:create", "kind"),
    # A file's display name: the download is decided by the policy, not by knowing the name.
    ("evidence_files:attachment", "name"),
    ("practice_files:image", "name"),
    ("practice_files:update_picture", "name"),
    # A picture's stored name (random, with its size): served as its object is visible.
    ("network_files:logo", "name"),
    ("network_files:photo", "name"),
    ("exchanges_files:cover", "name"),
    # Public identifiers of what the API serves, and the day and file of an open-data package.
    ("api-v1:organisation_detail", "slug"),
    ("api-v1:exchange_detail", "slug"),
    ("api-v1:guide_detail", "slug"),
    ("api-v1:joint_action_detail", "slug"),
    ("api-v1:strategy_version_detail", "slug"),
    ("open_data:file", "name"),
    ("open_data:file", "filename"),
}


def test_every_text_path_argument_of_a_site_page_is_a_secret_or_known_harmless():
    unknown = [
        f"{route.name}: {kwarg} in {route.pattern}"
        for route in SITE_ROUTES
        for kwarg in route.text_kwargs - SECRET_URL_KWARGS
        if (route.name, kwarg) not in NOT_SECRET_TEXT_KWARGS
    ]
    assert not unknown, unknown


def test_anonymous_public_pages_stay_cacheable(client):
    # No session, no secret: nothing personal, so no Cache-Control forced on it.
    for path in ("/", "/exchanges/", "/practice/"):
        assert "no-store" not in _cache_directives(client.get(path)), path
