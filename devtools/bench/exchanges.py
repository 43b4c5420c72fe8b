"""Benchmarks for exchanges (``make bench``), against seed_bench's data.

Uses the interface of ``devtools/benchlib.py``: ``ctx.measure_page(label, url, user=None, n=50)``
prints queries, median, p95 and the ratio to the floor view; ``ctx.report(label, **figures)``
prints other figures. Also measured here: the sign-up POST's median latency, requests per
second under gunicorn with two workers for the list and detail pages, and the wall time of
100 members signing up at once for 10 places over real HTTP.

The list and detail pages are measured as users meet them (their shared fragments cached,
``core.cache``) and, for information, cold (the cache invalidated before every
request, as right after a sign-up anywhere).
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.test import Client
from django.utils import timezone

from core import cache
from devtools.benchlib import COLD_RATIO_TARGET
from devtools.localservices import Gunicorn
from devtools.seed.exchanges import LARGEST_SLUG, seed_largest_exchange
from exchanges.models import Exchange, Registration
from network.models import User

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _bench_users(n: int) -> list:
    users = list(User.objects.filter(email__endswith="@bench.example.org").order_by("pk")[:n])
    missing = n - len(users)
    for i in range(missing):
        users.append(User.objects.create_user(email=f"bench-signup-{time.time_ns()}-{i}@bench.example.org"))
    return users


def _scratch_exchange(capacity: int | None) -> Exchange:
    now = timezone.now()
    return Exchange.objects.create(
        slug=f"bench-scratch-{time.time_ns()}",
        title="Bench scratch exchange",
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=2),
        capacity=capacity,
        status=Exchange.Status.PUBLISHED,
    )


def _requests_per_second(server: Gunicorn, path: str, *, total: int = 300, threads: int = 8) -> tuple[float, int]:
    server.get(path)  # warm up
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(lambda _i: server.get(path), range(total)))
    elapsed = time.perf_counter() - started
    return total / elapsed, sum(1 for s in statuses if s != 200)


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _race(server: Gunicorn, n_members: int = 100, places: int = 10) -> dict:
    exchange = _scratch_exchange(places)
    path = f"/exchanges/{exchange.slug}/register/"
    members = []
    for user in _bench_users(n_members):
        cookie = _session_cookie(user)
        _status, text, cookies = server.request("GET", path, cookie)
        token = TOKEN_RE.search(text).group(1)
        members.append(("; ".join([cookie, *cookies]), token))
    barrier = threading.Barrier(n_members)

    def post(member):
        cookie, token = member
        barrier.wait()
        return server.request("POST", path, cookie, {"csrfmiddlewaretoken": token, "consent_show_name": "on"})[0]

    started = time.perf_counter()
    with ThreadPoolExecutor(n_members) as pool:
        statuses = list(pool.map(post, members))
    wall = time.perf_counter() - started
    regs = Registration.objects.filter(exchange=exchange)
    result = {
        "wall_s": round(wall, 3),
        "confirmed": regs.filter(state=Registration.State.CONFIRMED).count(),
        "waitlisted": regs.filter(state=Registration.State.WAITLISTED).count(),
        "errors": sum(1 for s in statuses if s != 302),
    }
    exchange.delete()
    return result


def _signup_latency(n: int = 30) -> float:
    exchange = _scratch_exchange(None)
    path = f"/exchanges/{exchange.slug}/register/"
    timings = []
    for user in _bench_users(n):
        client = Client()
        client.force_login(user)
        started = time.perf_counter()
        response = client.post(path, {"consent_show_name": "on"})
        timings.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    exchange.delete()
    return statistics.median(timings) * 1000


def _coordinator():
    user = User.objects.filter(email="bench-coordinator@example.org").first()
    if user is None:
        user = User.objects.create_superuser(email="bench-coordinator@example.org", password=None)
    return user


ADMIN_FLOOR_URL = "/admin/password_change/"


def _admin_pages(ctx) -> None:
    """The coordinators' admin as a superuser: the change form of the largest exchange (eight
    sessions, 500 registrations), the exchange and registration change lists, and the index
    with its dashboard.

    Every admin page, the change form included, is held to 10x the admin's own smallest form
    page (the password change: three fields, no queries of ours), sampled between its requests,
    with the ratio to the plain floor printed beside it. Issue 12 asked for the change form under
    10x the plain floor while keeping the Django admin; the two cannot hold together: on
    2026-12-08 the exchange's change form stripped to two fields, no inlines and no queries of
    ours already measured 8.7-9.2x the floor (the password change page 5.1-5.6x in the same
    runs), so the admin's own machinery alone fills the budget. The team chose the admin floor
    as the admin's floor (README, "Performance")."""
    largest = seed_largest_exchange()
    coordinator = _coordinator()
    smallest = ctx.measure_page("admin: password change (the admin floor)", ADMIN_FLOOR_URL, coordinator, checked=False)
    admin = {"floor_url": ADMIN_FLOOR_URL, "floor_label": "admin floor"}
    form = ctx.measure_page(
        "admin: largest exchange change form",
        f"/admin/exchanges/exchange/{largest.pk}/change/",
        coordinator,
        # One query per thing the form shows: session, user, viewer, the exchange, its hosts,
        # partners, themes, managers, sessions with their facilitators, translations, questions.
        query_target=12,
        **admin,
    )
    ctx.measure_page("admin: exchange change list", "/admin/exchanges/exchange/", coordinator, **admin)
    ctx.measure_page(
        "admin: exchange change list by country",
        "/admin/exchanges/exchange/?country__exact=SE",
        coordinator,
        **admin,
    )
    ctx.measure_page("admin: registration change list", "/admin/exchanges/registration/", coordinator, **admin)
    ctx.measure_page(
        "admin: registrations of the largest exchange",
        f"/admin/exchanges/registration/?exchange__id__exact={largest.pk}",
        coordinator,
        **admin,
    )
    ctx.measure_page("admin: index with the dashboard", "/admin/", coordinator, **admin)
    client = Client()
    client.force_login(coordinator)
    response = client.get(f"/admin/exchanges/exchange/{largest.pk}/change/")
    ctx.report(
        "admin: largest exchange change form",
        html_kib=round(len(response.content) / 1024, 1),
        admin_floor_ms=round(smallest.median_ms, 2),
        form_ms=round(form.median_ms, 2),
    )


def _manager_pages(ctx) -> None:
    """The managers' pages of the largest exchange (500 registrations): its overview with every
    answer and the check-in list, whole and searched (a page of 50 each; the issue's target
    for a 500-person check-in page is 10x the floor)."""
    seed_largest_exchange()
    coordinator = _coordinator()
    base = f"/exchanges/{LARGEST_SLUG}/manage/"
    ctx.measure_page("manager's page: largest exchange", base, coordinator)
    ctx.measure_page("check-in: largest exchange", f"{base}check-in/", coordinator)
    ctx.measure_page("check-in searched: largest exchange", f"{base}check-in/?q=a", coordinator)


def run(ctx) -> None:
    sample = (
        Exchange.objects.published()
        .upcoming()
        # The largest exchange is the admin's case (below); the public pages keep their sample.
        .exclude(slug=LARGEST_SLUG)
        .with_place_counts()
        .order_by("-taken_count")
        .values_list("slug", "country")
        .first()
    )
    if sample is None:
        ctx.report("exchanges", note="no published upcoming exchanges: run seed_bench first")
        return
    slug, country = sample
    member = _bench_users(1)[0]
    pages = [
        ("exchanges list", "/exchanges/", None),
        ("exchanges list (member)", "/exchanges/", member),
        ("exchanges list filtered", f"/exchanges/?country={country or 'SE'}&language=en&places=on", member),
        ("exchanges list past", "/exchanges/?when=past&page=3", None),
        ("exchange detail", f"/exchanges/{slug}/", member),
        ("exchange detail (anonymous)", f"/exchanges/{slug}/", None),
    ]
    # As users meet them: the shared fragments cached until the next change to an exchange.
    for label, url, user in pages:
        ctx.measure_page(label, url, user=user)
    ctx.measure_page("my exchanges", "/exchanges/mine/", user=member)
    # Cold: the cache invalidated before every request (as right after a sign-up), for information.
    for label, url, user in pages:
        ctx.measure_page(
            f"{label}, cold",
            url,
            user=user,
            before_each=lambda: cache.changed("exchanges"),
            cold_target=COLD_RATIO_TARGET,
        )

    _admin_pages(ctx)
    _manager_pages(ctx)

    ctx.report("exchange sign-up POST", median_ms=round(_signup_latency(), 2))

    server = Gunicorn()
    try:
        list_rps, list_errors = _requests_per_second(server, "/exchanges/")
        detail_rps, detail_errors = _requests_per_second(server, f"/exchanges/{slug}/")
        ctx.report(
            "exchanges under gunicorn (2 workers)",
            list_rps=round(list_rps, 1),
            list_errors=list_errors,
            detail_rps=round(detail_rps, 1),
            detail_errors=detail_errors,
        )
        ctx.report("exchanges 100-way sign-up race (10 places)", **_race(server))
    finally:
        server.stop()
