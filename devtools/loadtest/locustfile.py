"""The journeys of ``make loadtest``, weighted like real use, for Locust in headless mode.

Started by ``manage.py loadtest`` (never alone): it reads the plan that command writes
(``LOADTEST_PLAN``: the session cookies of members, funders and coordinators, the hot
exchanges with scarce places, slugs and search terms). It runs in Locust's own process,
which gevent patches, so it imports nothing from Django.

Cookies are sent by hand: with DEBUG off they are ``__Host-`` and Secure, which an HTTP
client keeps to itself over plain HTTP to 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import random
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, task

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text())
LANGUAGES = ["", "/sv", "/nl"]  # English is unprefixed


class _FormFields(HTMLParser):
    """The fields of the first POST form that posts to ``action`` (its action attribute ends
    with that path, or is empty: the page itself): what a browser would submit unchanged, plus
    every consent box ticked. The header's logout and language forms post elsewhere."""

    def __init__(self, action: str):
        super().__init__()
        self.action = action
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.first_option: str | None = None
        self.selected = False
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.done:
            return
        if tag == "form" and (a.get("method") or "").lower() == "post":
            target = a.get("action") or ""
            self.inside = target == "" or target.endswith(self.action)
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a or (kind == "checkbox" and name.startswith("consent")):
                    self.fields.append((name, a.get("value") or "on"))
                return
            self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self.select, self.first_option, self.selected = name, None, False
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value") or ""
            if "selected" in a and not self.selected:
                self.selected = True
                self.fields.append((self.select, a.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            if not self.selected and self.first_option is not None:
                self.fields.append((self.select, self.first_option))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append((self.textarea, self.text.strip()))
            self.textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True

    def handle_data(self, data):
        if self.textarea:
            self.text += data


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    parser = _FormFields(action)
    parser.feed(html)
    return parser.fields


class Visitor(HttpUser):
    """Somebody reading: exchanges (lists, filters, pages), guides and search in three languages."""

    abstract = True
    wait_time = between(1, 4)
    role = "anonymous"

    def on_start(self):
        self.cookies: dict[str, str] = {}
        sessions = PLAN["sessions"].get(self.role) or []
        if sessions:
            name, value = random.choice(sessions)
            self.cookies[name] = value

    # --- plumbing ------------------------------------------------------------------------
    def _headers(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _keep_cookies(self, response) -> None:
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value

    def get(self, path: str, name: str):
        response = self.client.get(path, name=name, headers=self._headers(), allow_redirects=False)
        self._keep_cookies(response)
        return response

    def post_form(self, form_path: str, name: str, action: str | None = None):
        """GET the page with the form, POST it back as a browser would (CSRF token included) to
        ``action`` (a path; default: the page itself)."""
        page = self.get(form_path, name=f"{name} (form)")
        if page.status_code != 200:
            return page
        target = action or form_path
        data = form_fields(page.text, target)
        response = self.client.post(
            target, data=data, name=name, headers=self._headers(), allow_redirects=False, catch_response=True
        )
        with response:
            self._keep_cookies(response)
            # A redirect after POST is success; 400 is a form refused (a full exchange without
            # waitlist, a closed sign-up), which is a normal answer, not a failure of the site.
            if response.status_code in (302, 303, 400):
                response.success()
        return response

    # --- reading -------------------------------------------------------------------------
    @task(4)
    def exchanges_list(self):
        self.get("/exchanges/", name="/exchanges/")

    @task(2)
    def exchanges_filtered(self):
        country = random.choice(PLAN["countries"] or ["SE"])
        language = random.choice(["en", "sv", "nl"])
        self.get(f"/exchanges/?country={country}&language={language}&places=on", name="/exchanges/?filters")

    @task(1)
    def exchanges_past(self):
        self.get(f"/exchanges/?when=past&page={random.randint(1, 3)}", name="/exchanges/?when=past&page=N")

    @task(4)
    def exchange_page(self):
        slug = random.choice(PLAN["exchanges"] + PLAN["hot"])
        self.get(f"/exchanges/{slug}/", name="/exchanges/[slug]/")

    @task(2)
    def guides(self):
        language = random.choice(LANGUAGES)
        self.get(f"{language}/practice/", name="/[lang]/practice/")

    @task(2)
    def guide_page(self):
        if PLAN["guides"]:
            language = random.choice(LANGUAGES)
            slug = random.choice(PLAN["guides"])
            self.get(f"{language}/practice/guides/{slug}/", name="/[lang]/practice/guides/[slug]/")

    @task(2)
    def search(self):
        language = random.choice(LANGUAGES)
        term = random.choice(PLAN["search_terms"])
        self.get(f"{language}/search/?q={term}", name="/[lang]/search/?q=")


class Anonymous(Visitor):
    weight = 3

    @task(1)
    def home(self):
        self.get("/", name="/")


class Member(Visitor):
    """A signed-in organiser: reads like everybody, signs up, cancels and joins waitlists on a
    few hot exchanges with scarce places, edits their profile."""

    weight = 5
    role = "member"

    @task(3)
    def sign_up_on_a_hot_exchange(self):
        slug = random.choice(PLAN["hot"])
        self.get(f"/exchanges/{slug}/", name="/exchanges/[hot]/")
        self.post_form(f"/exchanges/{slug}/register/", name="/exchanges/[hot]/register/ POST")

    @task(1)
    def cancel_or_leave_the_waitlist(self):
        slug = random.choice(PLAN["hot"])
        page = self.get(f"/exchanges/{slug}/", name="/exchanges/[hot]/")
        if "/waitlist/leave/" in page.text:
            self.post_form(
                f"/exchanges/{slug}/",
                name="/exchanges/[hot]/waitlist/leave/ POST",
                action=f"/exchanges/{slug}/waitlist/leave/",
            )
        elif f"/exchanges/{slug}/cancel/" in page.text:
            self.post_form(f"/exchanges/{slug}/cancel/", name="/exchanges/[hot]/cancel/ POST")

    @task(1)
    def my_exchanges(self):
        self.get("/exchanges/mine/", name="/exchanges/mine/")

    @task(1)
    def edit_profile(self):
        self.post_form("/me/profile/", name="/me/profile/ POST")


class Funder(Visitor):
    """A funder before a meeting: the evidence dashboard, again and again, and its exports."""

    weight = 1
    role = "funder"

    @task(6)
    def dashboard(self):
        self.get("/evidence/dashboard/", name="/evidence/dashboard/")

    @task(2)
    def evidence(self):
        self.get("/evidence/", name="/evidence/")

    @task(1)
    def export(self):
        self.get("/evidence/dashboard/export.csv", name="/evidence/dashboard/export.csv")


class Coordinator(Visitor):
    """A coordinator in the admin lists."""

    weight = 1
    role = "coordinator"

    @task(2)
    def exchanges(self):
        self.get("/admin/exchanges/exchange/", name="/admin/exchanges/exchange/")

    @task(2)
    def registrations(self):
        self.get("/admin/exchanges/registration/", name="/admin/exchanges/registration/")

    @task(1)
    def outbox(self):
        self.get("/admin/outbox/outboxmessage/", name="/admin/outbox/outboxmessage/")

    @task(1)
    def index(self):
        self.get("/admin/", name="/admin/")
