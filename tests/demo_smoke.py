"""Run by ``tests/test_demo.py`` in a subprocess against the ``make run`` demo (SQLite,
in-process tasks, seeded by ``seed_demo``): every main page for every role, exports read to
the end, a sign-up, the digest job, and an uploaded image and attachment fetched back through
their serving views. Prints the failures as JSON and exits 1 if any. With the argument ``counts`` it prints the row
count of each table instead, and changes nothing."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from evidence.models import EvidenceRecord, Round  # noqa: E402
from exchanges.models import Exchange  # noqa: E402
from network.models import Member, Organisation  # noqa: E402
from practice.models import Guide, JointAction  # noqa: E402
from tests.factories.files import PDF, PNG  # noqa: E402

ROLES = [None, "organiser@example.org", "funder@example.org", "coordinator@example.org"]


def urls() -> list[str]:
    exchange = Exchange.objects.exclude(status="draft").order_by("pk").first()
    record = EvidenceRecord.objects.filter(status="published").order_by("pk").first()
    guide = Guide.objects.filter(status="published").order_by("pk").first()
    action = JointAction.objects.order_by("pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    member = Member.objects.order_by("pk").first()
    found = [
        "/",
        "/sv/",
        "/nl/",
        "/exchanges/",
        "/exchanges/?language=sv&country=SE&month=2026-12&places=on",
        "/exchanges/mine/",
        f"/exchanges/{exchange.slug}/",
        f"/exchanges/{exchange.slug}/calendar.ics",
        "/evidence/",
        "/evidence/?country=SE&kind=story",
        "/evidence/mine/",
        "/evidence/new/",
        f"/evidence/{record.pk}/",
        "/evidence/dashboard/",
        "/sv/evidence/dashboard/",
        "/evidence/dashboard/?period_from=2024-01-01",
        "/evidence/dashboard/report/",
        "/evidence/dashboard/export.csv",
        "/evidence/dashboard/export.xlsx",
        "/evidence/self-assessment/",
        "/practice/",
        "/practice/?country=SE&language=sv&theme=climate",
        "/practice/mine/",
        "/practice/review/",
        f"/practice/guides/{guide.slug}/",
        f"/practice/guides/{guide.slug}/revisions/",
        "/practice/joint-actions/",
        f"/practice/joint-actions/{action.slug}/",
        "/search/?q=organising",
        "/search/?q=organising&theme=climate&country=SE&language=en&kind=guide",
        "/nl/search/?q=buurt",
        "/network/organisations/",
        f"/network/organisations/{organisation.slug}/",
        "/network/members/",
        "/network/members/?language=sv&q=anna",
        "/network/organisations/?country=SE&theme=climate",
        f"/network/members/{member.pk}/",
        "/network/where/",
        "/network/me/profile/",
        "/network/me/account/",
        "/network/me/account/data.json",
        "/digests/preferences/",
        "/admin/",
        "/admin/digests/digestdelivery/",
        "/admin/digests/digestpreference/",
        "/admin/exchanges/exchange/",
        "/admin/evidence/evidencerecord/",
        "/admin/outbox/outboxmessage/",
    ]
    round_ = Round.objects.order_by("pk").first()
    if round_ is not None:
        found.append(f"/evidence/self-assessment/{round_.pk}/")
    return found


def main() -> int:
    failures = []
    pages = urls()
    for email in ROLES:
        client = Client(HTTP_HOST="127.0.0.1")
        if email:
            client.force_login(get_user_model().objects.get(email=email))
        for url in pages:
            try:
                response = client.get(url)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
                if response.status_code >= 500:
                    failures.append([email, url, response.status_code])
            except Exception as exc:  # noqa: BLE001 — every failure is reported, not just the first
                failures.append([email, url, repr(exc)[:300]])
    organiser = Client(HTTP_HOST="127.0.0.1")
    organiser.force_login(get_user_model().objects.get(email="organiser@example.org"))
    exchange = Exchange.objects.filter(status="published").order_by("-starts_at").first()
    try:
        response = organiser.post(f"/exchanges/{exchange.slug}/register/", {})
        if response.status_code >= 500:
            failures.append(["organiser", "register", response.status_code])
        call_command("send_digests", frequency="weekly", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except Exception as exc:  # noqa: BLE001
        failures.append(["organiser", "register or send_digests", repr(exc)[:300]])
    failures += files_round_trip()
    failures += search_without_case_or_accents()
    print(json.dumps(failures))
    return 1 if failures else 0


def search_without_case_or_accents() -> list:
    """The demo's search (no stemming on SQLite) ignores case and accents, and lists titles
    that hold the words as whole words first."""
    import re

    from core.policy import ANONYMOUS
    from search import index as searchindex

    failures = []
    cases = (("HJALLBO", "Hjällbo"), ("bergsjon", "Bergsjön"), ("lab", "Lab"), ("hellendoorn", "Hellendoorn"))
    for query, word in cases:
        results = searchindex.search(viewer=ANONYMOUS, query=query, use_cache=False)
        first = re.sub("</?mark>", "", str(results.hits[0].title)) if results.hits else ""
        if not re.search(rf"\b{word}\b", first):
            failures.append(["search", query, first])
    return failures


def files_round_trip() -> list:
    """The coordinator adds an image to a published guide and a file to a published record;
    everyone may then fetch both (from the demo's MEDIA_ROOT, through the serving views)."""
    coordinator = Client(HTTP_HOST="127.0.0.1")
    coordinator.force_login(get_user_model().objects.get(email="coordinator@example.org"))
    guide = Guide.objects.filter(status="published").order_by("pk").first()
    record = EvidenceRecord.objects.filter(status="published", visibility="public", kind="outcome").first()
    coordinator.post(
        f"/practice/guides/{guide.slug}/images/",
        {"file": SimpleUploadedFile("stall.png", PNG), "alt_text": "A street stall"},
    )
    coordinator.post(
        f"/evidence/{record.pk}/attachments/add/", {"file": SimpleUploadedFile("report.pdf", PDF), "title": "Report"}
    )
    image, attachment = guide.images.last(), record.attachments.last()
    if image is None or attachment is None:
        return [["coordinator", "upload", "no image or attachment was stored"]]
    failures = []
    for email in ROLES:
        client = Client(HTTP_HOST="127.0.0.1")
        if email:
            client.force_login(get_user_model().objects.get(email=email))
        for url in (image.file.url, attachment.file.url):
            response = client.get(url)
            if response.status_code != 200:
                failures.append([email, url, response.status_code])
    return failures


def row_counts() -> dict[str, int]:
    """Rows per table of our apps and of the accounts: what a second ``seed_demo`` must not change."""
    from django.apps import apps
    from django.conf import settings

    labels = {*settings.LEARNINGLAB_APPS, "account", "auth"}
    return {
        model._meta.label: model._base_manager.count() for model in apps.get_models() if model._meta.app_label in labels
    }


if __name__ == "__main__":
    # ``demo_smoke.py counts`` prints the row counts only (read, nothing changed).
    if sys.argv[1:] == ["counts"]:
        print(json.dumps(row_counts()))
        sys.exit(0)
    sys.exit(main())
