"""Real concurrent HTTP requests against the live server, on real PostgreSQL.

Each simulated member logs in through a session cookie (made with ``force_login``) and a
CSRF token fetched from the sign-up page, then all of them post at the same moment
(a barrier releases the threads together).
"""

from __future__ import annotations

import http.client
import re
import threading
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from exchanges.models import Registration
from outbox.models import OutboxMessage
from tests.factories.exchanges import ExchangeFactory
from tests.factories.network import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True)]
State = Registration.State
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The live server handles at most this many requests at once (like a bounded pool of
# workers), so that 100 simultaneous connections don't exhaust the shared PostgreSQL's
# connection limit; requests beyond it wait in line, exactly as behind gunicorn.
SERVER_CONCURRENCY = 16


@pytest.fixture
def server(live_server):
    httpd = live_server.thread.httpd
    # Django's test server listens with a backlog of 10; a real server (gunicorn) uses 2048.
    # Calling listen() again on Linux just raises the backlog of the listening socket.
    httpd.socket.listen(256)
    gate = threading.BoundedSemaphore(SERVER_CONCURRENCY)
    original = httpd.process_request_thread

    def bounded(request, client_address):
        with gate:
            original(request, client_address)

    httpd.process_request_thread = bounded
    yield live_server
    httpd.process_request_thread = original


class Browser:
    """One member's cookies, speaking plain HTTP/1.1 through http.client."""

    def __init__(self, base_url: str, user):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        client = Client()
        client.force_login(user)
        self.cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
        self.token = None

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Cookie": self._cookie_header()}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            conn.close()

    def fetch_token(self, path: str) -> None:
        status, text = self.request("GET", path)
        assert status == 200, status
        self.token = TOKEN_RE.search(text).group(1)

    def post(self, path: str, data: dict | None = None) -> int:
        status, _text = self.request("POST", path, {"csrfmiddlewaretoken": self.token, **(data or {})})
        return status


def _all_at_once(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below.
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_hundred_sign_ups_for_ten_places_then_ten_cancel_at_once(server):
    exchange = ExchangeFactory(capacity=10)
    register = f"/exchanges/{exchange.slug}/register/"
    browsers = [Browser(server.url, UserFactory()) for _ in range(100)]
    for browser in browsers:
        browser.fetch_token(register)

    statuses = _all_at_once([lambda b=b: b.post(register, {"consent_show_name": "on"}) for b in browsers])

    assert statuses == [302] * 100, statuses
    regs = Registration.objects.filter(exchange=exchange)
    assert regs.filter(state=State.CONFIRMED).count() == 10
    waitlisted = list(regs.filter(state=State.WAITLISTED).values_list("waitlist_position", flat=True))
    assert len(waitlisted) == 90 and len(set(waitlisted)) == 90

    first_in_line = set(
        regs.filter(state=State.WAITLISTED).order_by("waitlist_position").values_list("user_id", flat=True)[:10]
    )
    confirmed_users = set(regs.filter(state=State.CONFIRMED).values_list("user_id", flat=True))
    cancellers = [b for b, u in zip(browsers, _users(browsers), strict=True) if u in confirmed_users]
    cancel = f"/exchanges/{exchange.slug}/cancel/"
    statuses = _all_at_once([lambda b=b: b.post(cancel) for b in cancellers])

    assert statuses == [302] * 10, statuses
    assert regs.filter(state=State.OFFERED).count() == 10
    assert regs.filter(state=State.CONFIRMED).count() == 0
    assert regs.filter(state=State.WAITLISTED).count() == 80
    # The ten offered are the first ten in line, each emailed once.
    assert set(regs.filter(state=State.OFFERED).values_list("user_id", flat=True)) == first_in_line
    assert OutboxMessage.objects.filter(kind="exchange_offered").count() == 10


def _users(browsers):
    from django.contrib.sessions.models import Session

    ids = []
    for browser in browsers:
        session = Session.objects.get(session_key=browser.cookies[settings.SESSION_COOKIE_NAME])
        ids.append(int(session.get_decoded()["_auth_user_id"]))
    return ids


def test_one_member_submitting_twenty_times_at_once_gets_one_registration(server):
    exchange = ExchangeFactory(capacity=10)
    register = f"/exchanges/{exchange.slug}/register/"
    browser = Browser(server.url, UserFactory())
    browser.fetch_token(register)

    statuses = _all_at_once([lambda: browser.post(register, {"consent_show_name": "on"}) for _ in range(20)])

    assert statuses == [302] * 20, statuses
    assert Registration.objects.filter(exchange=exchange).count() == 1
    assert Registration.objects.get(exchange=exchange).state == State.CONFIRMED
    assert OutboxMessage.objects.filter(kind="exchange_confirmed").count() == 1
