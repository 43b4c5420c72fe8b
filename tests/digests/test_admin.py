"""Coordinators: preview any member's next digest; deliveries per period with counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from digests.models import DigestDelivery, DigestPreference, DigestRun, Frequency
from digests.services import digest_preview, digest_run
from outbox.models import OutboxMessage
from tests.conftest import ROLES
from tests.factories.digests import NOW, evidence, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_preview_a_members_next_digest(client_as, role, last_week):
    reader = member(name="Sara Lindqvist")
    # The member has had no digest yet: their next one covers the week that just ended.
    evidence(title="Bergsjön story", published_at=last_week)
    client = client_as(role)

    page = client.get(reverse("admin:digests_preview", kwargs={"user_id": reader.pk}))
    html = client.get(reverse("admin:digests_preview_html", kwargs={"user_id": reader.pk}))

    if role != "coordinator":
        assert page.status_code == 302 and html.status_code == 302
        assert "/admin/login/" in page["Location"]
        return
    assert page.status_code == 200
    text = page.content.decode()
    assert "Bergsjön story" in text
    assert "Nothing is sent or recorded by this preview." in text
    assert html.status_code == 200
    assert "Bergsjön story" in html.content.decode() and "Hello Sara Lindqvist," in html.content.decode()
    # A preview sends nothing and records nothing.
    assert not OutboxMessage.objects.exists()
    assert not DigestDelivery.objects.exists()
    assert not DigestPreference.objects.exists()


def test_preview_lookup_by_email(client, coordinator):
    reader = member(email="amina@example.org")
    client.force_login(coordinator)
    url = reverse("admin:digests_preview_lookup")

    found = client.get(url, {"email": "AMINA@example.org"})
    missing = client.get(url, {"email": "nobody@example.org"})
    nonsense = client.get(url, {"email": "x\x00y"})

    assert found.status_code == 302
    assert found["Location"] == reverse("admin:digests_preview", kwargs={"user_id": reader.pk})
    assert missing.status_code == 200 and "No member has this email address." in missing.content.decode()
    assert nonsense.status_code == 400  # a NUL in the address: the 400 page (core.http)
    assert client.get(reverse("admin:digests_preview", kwargs={"user_id": 999999})).status_code == 404


def test_preview_shows_the_digest_the_job_would_send_next():
    reader = member()
    evidence(title="Last week's story")
    evidence(title="This week's story", published_at=NOW + dt.timedelta(hours=1))

    due = digest_preview(user=reader, now=NOW + dt.timedelta(hours=2))
    assert (due.period, due.item_count) == ("2026-W47", 1)
    assert "Last week's story" in due.text and "This week's story" not in due.text

    digest_run(frequency=Frequency.WEEKLY, now=NOW)
    upcoming = digest_preview(user=reader, now=NOW + dt.timedelta(hours=2))
    assert (upcoming.period, upcoming.item_count) == ("2026-W48", 1)
    assert "This week's story" in upcoming.text and "Last week's story" not in upcoming.text


def test_preview_of_a_member_who_turned_digests_off(client, coordinator):
    reader = member(frequency=Frequency.OFF)
    client.force_login(coordinator)

    page = client.get(reverse("admin:digests_preview", kwargs={"user_id": reader.pk}))

    assert "This member has turned the digest off; shown as if weekly." in page.content.decode()


def _summary_rows(html: str) -> list[list[str]]:
    table = html[html.index('id="digest-summary"') :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>") :]
    return [re.findall(r"<td>([^<]*)</td>", row) for row in body.split("<tr>")[1:]]


def test_deliveries_per_period_with_counts(client, coordinator, django_capture_on_commit_callbacks):
    for _ in range(2):
        member()
    member(themes=("housing",))
    evidence(themes=("climate-change",))
    with django_capture_on_commit_callbacks(execute=True):
        digest_run(frequency=Frequency.WEEKLY, now=NOW)
    client.force_login(coordinator)

    response = client.get(reverse("admin:digests_digestdelivery_changelist"))

    assert response.status_code == 200
    # The coordinator is a member too: four members, three with news.
    # period, frequency, members, queued, sent, failed, nothing new, items
    assert _summary_rows(response.content.decode()) == [["2026-W47", "weekly", "4", "3", "3", "0", "1", "3"]]
    filtered = client.get(reverse("admin:digests_digestdelivery_changelist"), {"state": "empty"})
    assert _summary_rows(filtered.content.decode()) == [["2026-W47", "weekly", "1", "0", "0", "0", "1", "0"]]
    runs = client.get(reverse("admin:digests_digestrun_changelist"))
    assert runs.status_code == 200 and "2026-W47" in runs.content.decode()
    run = DigestRun.objects.get()
    assert client.get(reverse("admin:digests_digestrun_change", args=[run.pk])).status_code == 200
    delivery = DigestDelivery.objects.first()
    assert client.get(reverse("admin:digests_digestdelivery_change", args=[delivery.pk])).status_code == 200


def test_delivery_list_queries_do_not_grow_with_rows(client, coordinator):
    client.force_login(coordinator)
    url = reverse("admin:digests_digestdelivery_changelist")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for _ in range(5):
        member()
    evidence()
    digest_run(frequency=Frequency.WEEKLY, now=NOW)
    few = count()
    for _ in range(55):
        member()
    digest_run(frequency=Frequency.WEEKLY, now=NOW + dt.timedelta(days=7))
    many = count()

    # 60 members and the coordinator, over two periods.
    assert DigestDelivery.objects.count() == 6 + 61
    assert many == few


def test_preview_of_a_member_no_digest_goes_to(client, coordinator):
    reader = member()
    reader.emailaddress_set.update(verified=False)
    client.force_login(coordinator)

    page = client.get(reverse("admin:digests_preview", kwargs={"user_id": reader.pk}))

    assert page.status_code == 200
    assert "No digest goes to this member" in page.content.decode()
