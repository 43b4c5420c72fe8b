"""A member opens the links of a real digest: changes the frequency without logging in,
then unsubscribes with the one-click POST a mail client sends (RFC 8058)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from digests.models import DigestPreference, Frequency, period_for
from digests.services import digest_run
from tests.browser.conftest import assert_accessible
from tests.factories.digests import evidence, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def base_url():
    # pytest-playwright's fallback ``base_url`` is an instance method on a plugin class, which
    # pytest 9 deprecates (an error here). These tests use ``live_server.url`` instead.
    return None


def _live(url: str, live_server) -> str:
    return url.replace("http://testserver", live_server.url)


def test_member_changes_frequency_from_the_digest_and_unsubscribes_with_one_click(live_server, page):
    reader = member(name="Amina Yusuf", themes=("housing",))
    period = period_for(Frequency.WEEKLY, timezone.now())
    evidence(title="How tenants in Bergsjön won repairs", published_at=period.start + dt.timedelta(days=1))
    digest_run(frequency=Frequency.WEEKLY)
    (message,) = mail.outbox
    preferences = re.search(r"(http://testserver/digests/preferences/\S+/)", message.body).group(1)
    one_click = message.extra_headers["List-Unsubscribe"].strip("<>")

    # The preferences link, without logging in.
    page.goto(_live(preferences, live_server))
    expect(page.get_by_role("heading", name="Digest preferences")).to_be_visible()
    expect(page.get_by_text(reader.email)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("monthly").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your digest preferences are saved.")).to_be_visible()
    expect(page.get_by_label("monthly")).to_be_checked()
    assert_accessible(page)
    assert DigestPreference.objects.get(user=reader).frequency == Frequency.MONTHLY

    # Opening the unsubscribe link only asks.
    page.goto(_live(one_click, live_server))
    expect(page.get_by_role("heading", name="Unsubscribe from the digest")).to_be_visible()
    assert_accessible(page)
    assert DigestPreference.objects.get(user=reader).frequency == Frequency.MONTHLY

    # The mail client's one-click POST: no session, no CSRF token; twice is harmless.
    for _ in range(2):
        response = page.request.post(_live(one_click, live_server), form={"List-Unsubscribe": "One-Click"})
        assert response.status == 200
    assert DigestPreference.objects.get(user=reader).frequency == Frequency.OFF

    page.reload()
    expect(page.get_by_text(f"{reader.email} no longer receives the digest.")).to_be_visible()
    assert_accessible(page)


def test_a_tampered_link_shows_a_clear_page(live_server, page):
    reader = member()
    evidence(published_at=period_for(Frequency.WEEKLY, timezone.now()).start + dt.timedelta(days=1))
    digest_run(frequency=Frequency.WEEKLY)
    preferences = re.search(r"(http://testserver/digests/preferences/\S+/)", mail.outbox[0].body).group(1)

    response = page.goto(_live(preferences[:-3] + "x/", live_server))

    assert response.status == 400
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(page.get_by_text("Nothing has been changed.")).to_be_visible()
    assert_accessible(page)
    assert DigestPreference.objects.get(user=reader).frequency == Frequency.WEEKLY
