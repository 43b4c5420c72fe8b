"""``make run``'s demo: SQLite, in-process tasks and ``seed_demo``. Everything else runs on
PostgreSQL, so this checks in a subprocess that the demo's pages, exports, a sign-up and the
digest job work on SQLite too (PostgreSQL-only SQL has portable fallbacks)."""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from core.policy import viewer_for
from evidence.models import EvidenceRecord, OutcomeType, ProcessDimension
from network.models import Member
from practice.models import Guide, GuideWork, JointAction

ROOT = Path(__file__).resolve().parent.parent
# What the test process sets and `make run` does not.
NOT_IN_THE_DEMO = {
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "CACHE_KEY_PREFIX",
    "EMAIL_BACKEND",
    "DEVTOOLS",
}


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own commands
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _assert_quiet(output: str) -> None:
    """A few summary lines: no email (the demo invitations) printed by the console backend."""
    lines = output.strip().splitlines()
    assert len(lines) <= 15, output[-3000:]
    for email_part in ("Subject:", "Content-Type:", "To: ", "/invitations/accept/", "<html"):
        assert email_part not in output, output[-3000:]
    assert lines[-1] == "Demo data ready."


def test_the_sqlite_demo_seeds_quietly_and_idempotently_and_serves_every_page_to_every_role(tmp_path):
    # The demo's environment: no database or Redis URL, DEBUG on (which installs devtools and
    # so seed_demo), console email; uploads in a folder of the test's own.
    env = {key: value for key, value in os.environ.items() if key not in NOT_IN_THE_DEMO}
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        ALLOWED_HOSTS="127.0.0.1",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    done = _run(["manage.py", "migrate", "--noinput", "-v", "0"], env)
    assert done.returncode == 0, done.stderr[-3000:]
    counts = []
    for _time in range(2):
        done = _run(["manage.py", "seed_demo"], env)
        assert done.returncode == 0, done.stderr[-3000:]
        _assert_quiet(done.stdout + done.stderr)
        counted = _run(["tests/demo_smoke.py", "counts"], env)
        assert counted.returncode == 0, counted.stderr[-3000:]
        counts.append(json.loads(counted.stdout))
    # Idempotent: the second run adds, removes and doubles nothing.
    assert counts[0]["evidence.EvidenceRecord"] > 0 and counts[0]["practice.Guide"] > 0
    assert counts[1] == counts[0]
    done = _run(["tests/demo_smoke.py"], env)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    assert done.stdout.strip().splitlines()[-1] == "[]"


# --- The demo's content, on PostgreSQL: seeded once for the module, rolled back at the end. ---


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from tests.conftest import reference_data_ensure

    with django_db_blocker.unblock(), translation.override("en"), transaction.atomic():
        reference_data_ensure()
        call_command("seed_demo", force=True, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def _rows() -> dict[str, int]:
    labels = {*settings.LEARNINGLAB_APPS, "account", "auth"}
    return {
        model._meta.label: model._base_manager.count() for model in apps.get_models() if model._meta.app_label in labels
    }


@pytest.mark.django_db
def test_seed_demo_twice_changes_no_row_count(demo):
    before = _rows()
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    assert _rows() == before
    assert out.getvalue().strip().splitlines()[-1] == "Demo data ready."


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "nl"])
def test_every_demo_guide_reads_in_swedish_and_dutch(demo, client, language):
    works = GuideWork.objects.filter(versions__isnull=False).distinct()
    versions = Guide.objects.filter(language=language, status=Guide.Status.PUBLISHED)
    assert versions.count() == works.count() == 4
    # Made as translations of the current original: none is flagged as outdated.
    assert not Guide.objects.outdated().exists()
    library = client.get(f"/{language}/practice/").content.decode()
    for guide in versions:
        assert guide.title in library
        page = client.get(f"/{language}/practice/guides/{guide.slug}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert f"<h1>{guide.title}</h1>" in text and f'<html lang="{language}">' in text
        # Real text, not a copy of the English version.
        english = guide.work.versions.get(language="en")
        assert guide.title != english.title and guide.sections != english.sections
        assert len(guide.plain_text()) > 300


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "dimension"),
    [
        ("sv", "Boende i Hjällbo vägrar att flytta", "medvetandegörande"),
        ("nl", "Van koffieochtend naar buurtrestaurant in Nijverdal", "vertrouwen opbouwen"),
    ],
)
def test_demo_evidence_includes_records_written_in_swedish_and_dutch(demo, client, language, title, dimension):
    record = EvidenceRecord.objects.get(title=title)
    assert record.original_language == language
    assert title in client.get(f"/{language}/evidence/").content.decode()
    page = client.get(f"/{language}/evidence/{record.pk}/").content.decode()
    # The record's process dimensions are named in the page's language.
    assert dimension in page
    assert EvidenceRecord.objects.filter(original_language=language).count() >= 2


@pytest.mark.django_db
def test_the_evidence_lists_have_swedish_and_dutch_names(demo):
    for model in (ProcessDimension, OutcomeType):
        assert model.objects.exists()
        for item in model.objects.all():
            assert item.name_sv and item.name_nl and item.name_sv != item.name_en, item.slug


@pytest.mark.django_db
def test_no_demo_member_card_is_empty(demo, client):
    organiser = get_user_model().objects.get(email="organiser@example.org")
    client.force_login(organiser)
    listed = Member.objects.listed(viewer_for(organiser))
    assert listed.count() > 50
    for member in listed.prefetch_related("themes"):
        assert "(demo)" not in member.display_name and " " in member.display_name, member.display_name
        assert member.bio and member.city and member.country, member.display_name
        assert member.themes.all(), member.display_name
        assert member.memberships.approved().exists(), member.display_name
    cards = []
    directory = reverse("network:member_list")
    url = directory
    while url:
        text = client.get(url).content.decode()
        assert "(demo)" not in text
        cards += text.split('<li class="card">')[1:]
        following = re.search(r'href="([^"]*)" rel="next"', text)
        url = f"{directory}{html.unescape(following.group(1))}" if following else None
    assert len(cards) == listed.count()
    for card in cards:
        # A city and country line and at least one organisation on every card.
        assert 'class="meta"' in card and 'class="compact"' in card, card[:300]
    # The bio is on the profile.
    member = listed.get(user__email="anouk.mulder@example.org")
    assert member.bio in html.unescape(client.get(member.get_absolute_url()).content.decode())


@pytest.mark.django_db
def test_a_demo_joint_action_is_written_in_dutch(demo, client):
    action = JointAction.objects.get(language="nl")
    assert action.participations.values("organisation__country").distinct().count() == 2
    assert action.title in client.get("/nl/practice/joint-actions/").content.decode()
    assert action.updates.count() == 2


@pytest.mark.django_db
def test_the_demo_strategy_has_an_open_consultation_in_three_languages_and_a_past_diff(demo, client):
    from strategy.models import Amendment, Comment, Document, Round

    document = Document.objects.get(slug="sustaining-the-learning-lab")
    assert Round.objects.open_at().filter(version__document=document).exists()
    assert set(Comment.objects.filter(round__version__document=document).values_list("language", flat=True)) == {
        "en",
        "sv",
        "nl",
    }
    statuses = set(Amendment.objects.filter(round__version__document=document).values_list("status", flat=True))
    assert statuses == {"proposed", "accepted", "declined"}
    diff = client.get(f"/strategy/{document.slug}/diff/1/2/").content.decode()
    assert "<ins>" in diff and "European Learning Exchange" in diff
    client.force_login(document.versions.get(number=3).created_by)
    swedish = client.get(f"/sv/strategy/{document.slug}/").content.decode()
    assert "Medlemsorganisationerna" in swedish
    assert "outdated-note" not in swedish
    # The Dutch translation was left behind when the resourcing section changed.
    assert "outdated-note" in client.get(f"/nl/strategy/{document.slug}/").content.decode()
    assert client.get(f"/strategy/{document.slug}/synthesis/").status_code == 200


@pytest.mark.django_db
def test_the_demo_london_convening_has_five_commitments_in_different_states(demo, client):
    from strategy.models import Commitment

    commitments = Commitment.objects.filter(exchange__slug="funder-convening-philanthropy-and-organising")
    assert commitments.count() == 5
    assert set(commitments.values_list("status", flat=True)) == {"planned", "under_way", "done", "dropped"}
    assert commitments.overdue().count() == 1
    page = client.get("/commitments/").content.decode()
    assert "overdue" in page and "A three-year pilot of core funding" in page


@pytest.mark.django_db
def test_the_demo_has_two_group_led_joint_actions_one_waiting_for_a_partner(demo, client):
    from practice.models import JointAction, PartnerInvitation

    published = JointAction.objects.get(slug="digital-help-desks-in-every-neighbourhood")
    assert published.status == "planned" and published.participations.count() == 2
    assert JointAction.objects.get(slug="insulation-before-winter-london-and-goteborg").status == "draft"
    assert PartnerInvitation.objects.filter(state="pending", organisation__name="Tillsammans Hjällbo").exists()
