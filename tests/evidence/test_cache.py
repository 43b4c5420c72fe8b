"""The cached fragments of the library and the dashboard (``core.cache``, evidence namespace) never show what the
viewer may not see, and every change shows on the very next load, for every role."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from evidence import services
from evidence.models import EvidenceRecord
from tests.factories.evidence import EvidenceRecordFactory, story
from tests.factories.network import UserFactory

INDEX = "/evidence/"
DASHBOARD = "/evidence/dashboard/"
EXPORT = "/evidence/dashboard/export.csv"  # replaced by its reverse() below
pytestmark = pytest.mark.django_db
LIBRARY_ROLES = ["anonymous", "organiser", "funder", "coordinator"]
DASHBOARD_ROLES = ["funder", "coordinator"]


@pytest.fixture(autouse=True)
def _export_url():
    from django.urls import reverse

    global EXPORT
    EXPORT = reverse("evidence:export_csv")


def _library(client) -> str:
    response = client.get(INDEX)
    assert response.status_code == 200
    return response.content.decode()


def _dashboard_total(client) -> int:
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return int(re.search(r'id="count-total">(\d+)<', response.content.decode()).group(1))


def _export(client) -> str:
    response = client.get(EXPORT)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def _load_everything(client_as, title: str) -> dict:
    """Every page for every role: the cache is warm afterwards. Returns what each role saw."""
    seen = {}
    for role in LIBRARY_ROLES:
        seen[f"library:{role}"] = title in _library(client_as(role))
    for role in DASHBOARD_ROLES:
        client = client_as(role)
        seen[f"dashboard:{role}"] = _dashboard_total(client)
        seen[f"export:{role}"] = title in _export(client)
    return seen


def test_publishing_shows_on_the_next_load_for_every_role(client_as, coordinator):
    record = story(title="Kvinnorna i Bergsjön", status=EvidenceRecord.Status.SUBMITTED)
    before = _load_everything(client_as, "Kvinnorna i Bergsjön")
    assert not any(v for k, v in before.items() if not k.startswith("dashboard"))
    assert before["dashboard:funder"] == before["dashboard:coordinator"] == 0
    # Loaded twice: the second load comes from the cache (nothing changed in between).
    assert _load_everything(client_as, "Kvinnorna i Bergsjön") == before

    services.record_transition(record=record, user=coordinator, step="publish", visibility="public")

    after = _load_everything(client_as, "Kvinnorna i Bergsjön")
    assert all(after[f"library:{role}"] for role in LIBRARY_ROLES)
    assert after["dashboard:funder"] == after["dashboard:coordinator"] == 1
    assert after["export:funder"] and after["export:coordinator"]


def test_withdrawn_consent_disappears_on_the_next_load_for_every_role(client_as, coordinator):
    told = story(title="Aminas story")
    before = _load_everything(client_as, "Aminas story")
    assert all(before.values()), before

    services.consent_withdraw(consent=told.consent, user=coordinator)

    after = _load_everything(client_as, "Aminas story")
    assert not any(after.values())


def test_consent_withdrawn_straight_on_the_model_also_disappears(client_as):
    # As the admin's consent inline does: a save, no service.
    told = story(title="Pieters story")
    assert _load_everything(client_as, "Pieters story")["library:anonymous"]
    told.consent.withdrawn_at = timezone.now()
    told.consent.save()
    assert not any(_load_everything(client_as, "Pieters story").values())


def test_consent_that_expires_disappears_when_the_day_changes_without_any_write(client_as, monkeypatch):
    today = timezone.localdate()
    story(title="Expiring story", consent={"expires_on": today})
    before = _load_everything(client_as, "Expiring story")
    assert all(before.values())

    # Time moves on (through the code's own time source) and nothing is written: the consent
    # expired at the end of ``today``, so the next load must not show the record anywhere.
    later = timezone.now() + datetime.timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert timezone.localdate() > today
    after = _load_everything(client_as, "Expiring story")
    assert not any(after.values())


def test_visibility_change_shows_on_the_next_load_for_every_role(client_as, coordinator):
    record = EvidenceRecordFactory(title="Hellendoorn outcome", visibility=EvidenceRecord.Visibility.PUBLIC)
    before = _load_everything(client_as, "Hellendoorn outcome")
    assert all(v for k, v in before.items())

    # A coordinator narrows it to the network in the admin (a plain save).
    record.visibility = EvidenceRecord.Visibility.NETWORK
    record.save()
    after = _load_everything(client_as, "Hellendoorn outcome")
    assert not after["library:anonymous"] and not after["library:funder"]
    assert after["dashboard:funder"] == 0 and not after["export:funder"]
    assert after["library:organiser"] and after["library:coordinator"]
    assert after["dashboard:coordinator"] == 1 and after["export:coordinator"]

    # And opened to funders through the service (a conditional update, no signals).
    services.record_update(record=record, user=coordinator, data={"visibility": EvidenceRecord.Visibility.FUNDERS})
    again = _load_everything(client_as, "Hellendoorn outcome")
    assert again["library:funder"] and again["dashboard:funder"] == 1 and again["export:funder"]
    assert not again["library:anonymous"]


def test_a_funder_never_receives_a_fragment_rendered_for_a_coordinator_or_member(client_as):
    EvidenceRecordFactory(title="Open to all")
    EvidenceRecordFactory(title="Network only", visibility=EvidenceRecord.Visibility.NETWORK)
    story(title="Not for funders", consent={"audience_funders": False, "audience_public": False})
    EvidenceRecordFactory(title="Still in review", status=EvidenceRecord.Status.IN_REVIEW)

    # Coordinators and members load every page (and every query) first: the cache is warm.
    for role in ("coordinator", "organiser"):
        client = client_as(role)
        assert "Network only" in _library(client)
        assert "Network only" in client.get(INDEX, {"kind": "outcome"}).content.decode()
    coordinator = client_as("coordinator")
    assert _dashboard_total(coordinator) == 3
    assert "Not for funders" in coordinator.get(DASHBOARD).content.decode()

    funder = client_as("funder")
    for content in (
        _library(funder),
        funder.get(INDEX, {"kind": "outcome"}).content.decode(),
        funder.get(DASHBOARD).content.decode(),
        _export(funder),
    ):
        assert "Open to all" in content or "count-total" in content
        for hidden in ("Network only", "Not for funders", "Still in review"):
            assert hidden not in content
    assert _dashboard_total(funder) == 1
    anonymous = client_as("anonymous")
    assert "Not for funders" not in _library(anonymous) and "Network only" not in _library(anonymous)


def test_nothing_per_user_is_in_a_shared_fragment(client_as, client, organiser, coordinator):
    EvidenceRecordFactory(title="Published for everyone")
    EvidenceRecordFactory(
        title="The organisers own draft", status=EvidenceRecord.Status.DRAFT, created_by=organiser, visibility="public"
    )
    # The library lists published records only, so nobody's own drafts are in it (they are on
    # "my evidence", which is not cached) and the fragment is the same for the whole audience.
    own = _library(client_as("organiser"))
    assert "Published for everyone" in own and "The organisers own draft" not in own
    assert "Add evidence" in own
    # Another network member (no organiser role) gets the same fragment, but none of the
    # organiser's own buttons: those are drawn outside the fragment, per request.
    member = UserFactory(email="member@example.org")
    member.groups.clear()  # a network member who is not an organiser
    client.force_login(member)
    theirs = _library(client)
    assert "Published for everyone" in theirs and "The organisers own draft" not in theirs
    assert "Add evidence" not in theirs and "organiser@example.org" not in theirs
    # "My evidence" still shows the organiser's draft, freshly.
    client.force_login(organiser)
    assert "The organisers own draft" in client.get("/evidence/mine/").content.decode()
    # A filter warning belongs to its own request, never to a cached fragment.
    warned = client.get(INDEX, {"period_from": "not-a-date"}).content.decode()
    assert "were not understood" in warned
    client.force_login(member)
    assert "were not understood" not in _library(client)


def test_queries_that_read_alike_never_share_a_fragment(client):
    story(title="A story about x")
    EvidenceRecordFactory(title="An outcome about x")
    # ``kind=story&q=x`` and a single parameter whose value is "story&q=x" must not collide.
    real = client.get(INDEX, {"kind": "story", "q": "x"}).content.decode()
    crafted = client.get(INDEX + "?kind=story%26q%3Dx").content.decode()
    assert "A story about x" in real and "An outcome about x" not in real
    assert "An outcome about x" in crafted
    assert "An outcome about x" not in client.get(INDEX, {"kind": "story", "q": "x"}).content.decode()


def test_fragments_are_per_language(client):
    EvidenceRecordFactory(title="Translated page")
    assert "Evidence library" in _library(client)
    sv = client.get("/sv/evidence/").content.decode()
    assert "/sv/evidence/" in sv and "Translated page" in sv
    assert 'href="/evidence/' not in sv.split('id="results-heading"', 1)[1]


def test_the_library_renders_when_the_cache_is_down(client_as, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    EvidenceRecordFactory(title="Served without Redis")
    assert "Served without Redis" in client_as("anonymous").get(INDEX).content.decode()


@pytest.mark.parametrize(
    ("changelist", "action", "target"),
    [
        ("admin:evidence_consent_changelist", "withdraw", "consent"),
        ("admin:evidence_evidencerecord_changelist", "visibility_network", "record"),
    ],
)
def test_admin_actions_show_on_the_next_load_for_every_role(client_as, changelist, action, target):
    from django.urls import reverse

    told = story(title="Bergsjön tenants story")
    _load_everything(client_as, "Bergsjön tenants story")  # creates the role fixtures
    before = _load_everything(client_as, "Bergsjön tenants story")
    assert all(before.values()), before
    selected = told.consent.pk if target == "consent" else told.pk
    response = client_as("coordinator").post(reverse(changelist), {"action": action, "_selected_action": [selected]})
    assert response.status_code == 302
    after = _load_everything(client_as, "Bergsjön tenants story")
    assert not after["library:anonymous"] and not after["library:funder"]
    assert after["dashboard:funder"] == 0 and not after["export:funder"]
    if target == "consent":
        assert not any(after.values()), after
    else:
        assert after["library:organiser"] and after["library:coordinator"]


def test_a_record_saved_through_the_review_queue_shows_on_the_next_load(client_as):
    from evidence.models import ReviewQueueItem

    record = EvidenceRecordFactory(title="Queue edited outcome")
    # Loaded twice: the role fixtures exist after the first round, the second warms every fragment.
    _load_everything(client_as, "Queue edited outcome")
    assert _load_everything(client_as, "Queue edited outcome")["library:anonymous"]
    # The review queue's admin saves the proxy model: its signals name the proxy, not the record.
    item = ReviewQueueItem.objects.get(pk=record.pk)
    item.visibility = EvidenceRecord.Visibility.NETWORK
    item.save()
    after = _load_everything(client_as, "Queue edited outcome")
    assert not after["library:anonymous"] and not after["library:funder"]
    assert after["library:organiser"]
