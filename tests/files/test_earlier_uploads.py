"""Files uploaded before the checks: the data migrations bring them under the same rules, and
what cannot be checked is never served as anything but an opaque download."""

from __future__ import annotations

import io
import re
from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from evidence import services as evidence_services
from evidence.models import Attachment
from practice import services as practice_services
from practice.models import Guide
from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.files import HTML, PDF, PNG, jpeg_with_gps, polyglot_gif
from tests.factories.practice import make_guide

pytestmark = pytest.mark.django_db

migrate_images = import_module("practice.migrations.0007_guide_images_stored_before_checks_checked_again").forwards
migrate_attachments = import_module("evidence.migrations.0006_attachments_stored_before_checks_checked_again").forwards


def stored_earlier(media_root, instance, name: str, content: bytes):
    """Make ``instance`` point at a file stored the old way: the uploader's name, unchecked."""
    path = media_root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    type(instance).objects.filter(pk=instance.pk).update(file=name)
    instance.refresh_from_db()
    return instance


def test_earlier_guide_images_are_re_encoded_and_the_guides_follow_them(client_as, organiser, media_root):
    guide = make_guide(author=organiser, title="Street stalls", language="en")
    add = practice_services.guide_image_add
    photo = add(guide=guide, user=organiser, file=SimpleUploadedFile("a.png", PNG), alt_text="A stall")
    page = add(guide=guide, user=organiser, file=SimpleUploadedFile("b.png", PNG), alt_text="A page")
    stored_earlier(media_root, photo, "practice/guides/2025/01/stall.jpg", jpeg_with_gps())
    stored_earlier(media_root, page, "practice/guides/2025/01/x.html", polyglot_gif())
    old = "/media/practice/guides/2025/01"
    text = f"Look: ![A stall]({old}/stall.jpg) and ![x]({old}/x.html)"
    Guide.objects.filter(pk=guide.pk).update(sections={"what": text})

    migrate_images(apps, None)

    photo.refresh_from_db()
    assert re.match(r"^practice/images/[0-9a-f]{32}\.jpg$", photo.file.name)
    assert not (media_root / "practice/guides/2025/01/stall.jpg").exists()
    with photo.file.open("rb") as handle:
        assert not Image.open(io.BytesIO(handle.read())).getexif()
    text = Guide.objects.get(pk=guide.pk).sections["what"]
    assert f"![A stall]({photo.file.url})" in text and "/media/" not in text

    # The stored polyglot fails the check: it stays, but only ever leaves as a download.
    page.refresh_from_db()
    assert page.file.name == "practice/guides/2025/01/x.html"
    response = client_as("organiser").get(page.file.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_earlier_attachments_are_checked_and_stored_again_under_random_names(client_as, organiser, media_root):
    record = EvidenceRecordFactory(kind="document")
    add = evidence_services.attachment_add
    report = add(record=record, user=organiser, file=SimpleUploadedFile("a.pdf", PDF), title="Report")
    page = add(record=record, user=organiser, file=SimpleUploadedFile("b.pdf", PDF), title="Page")
    stored_earlier(media_root, report, "evidence/2025/01/Årsrapport.pdf", PDF)
    stored_earlier(media_root, page, "evidence/2025/01/page.pdf", HTML)
    Attachment.objects.update(original_name="")

    migrate_attachments(apps, None)

    report.refresh_from_db()
    assert re.match(r"^evidence/attachments/[0-9a-f]{32}\.pdf$", report.file.name)
    assert report.original_name == "Årsrapport.pdf"
    page.refresh_from_db()
    assert page.file.name == "evidence/2025/01/page.pdf"
    response = client_as("anonymous").get(page.file.url)
    assert response["Content-Disposition"].startswith('attachment; filename="page.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
