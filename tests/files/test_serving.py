"""Who may fetch a stored file: each test is an attack from issue #11 (finding 5) or its
"Files" point. A file is as visible as its record under the one policy; nothing under
MEDIA_ROOT is reachable by any other URL; a proxy can stream what the policy allowed."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches
from django.utils import timezone

from core.policy import ANONYMOUS, viewer_for
from evidence import services as evidence_services
from evidence.models import EvidenceRecord
from practice import services as practice_services
from practice.models import Guide
from tests.conftest import ROLES
from tests.factories.evidence import EvidenceRecordFactory, story
from tests.factories.files import PDF, PNG
from tests.factories.practice import make_guide

pytestmark = pytest.mark.django_db

Status = EvidenceRecord.Status


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def attach(record, user, name="Årsrapport 2025.pdf", content=PDF):
    return evidence_services.attachment_add(
        record=record, user=user, file=SimpleUploadedFile(name, content), title="Annual report"
    )


@pytest.fixture
def records(organiser_member, other_member, org):
    """The three kinds of record whose files leaked, and a public one to show what is allowed."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    author = organiser_member
    draft = EvidenceRecordFactory(kind="document", status=Status.DRAFT, organisations=[org], created_by=author)
    withdrawn = story(organisations=[org], created_by=organiser_member)
    withdrawn.consent.withdrawn_at = timezone.now()
    withdrawn.consent.save()
    expired = story(
        organisations=[org],
        created_by=organiser_member,
        consent={"obtained_on": yesterday - datetime.timedelta(days=30), "expires_on": yesterday},
    )
    public = EvidenceRecordFactory(kind="document", organisations=[org], created_by=organiser_member)
    return {"draft": draft, "withdrawn": withdrawn, "expired": expired, "public": public}


# Who gets the file (200) under the policy; everyone else gets 404, as for the record.
MAY_DOWNLOAD = {
    "draft": {"organiser", "coordinator"},  # the author's organisation and the reviewers
    "withdrawn": set(),  # consent withdrawn: shown to nobody outside the admin
    "expired": set(),  # consent expired: likewise
    "public": set(ROLES),
}


@pytest.mark.parametrize("state", list(MAY_DOWNLOAD))
@pytest.mark.parametrize("role", ROLES)
def test_an_attachment_is_served_only_to_those_who_may_see_its_record(
    client_as, request, records, media_root, state, role, organiser
):
    record = records[state]
    attachment = attach(record, organiser)
    client = client_as(role)
    viewer = viewer_for(request.getfixturevalue(role)) if role != "anonymous" else ANONYMOUS
    policy = EvidenceRecord.objects.visible_to(viewer).filter(pk=record.pk).exists()
    allowed = role in MAY_DOWNLOAD[state]
    assert policy == allowed, "the test's table must say what the policy says"

    response = client.get(attachment.file.url)
    if not allowed:
        assert response.status_code == 404
        assert PDF not in body(response)
        return
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Arsrapport 2025.pdf\"; filename*=UTF-8''%C3%85rsrapport%202025.pdf"
    )
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_guessed_or_stale_file_name_finds_nothing(client_as, records, media_root, organiser):
    attachment = attach(records["public"], organiser)
    url = attachment.file.url
    assert client_as("coordinator").get(url).status_code == 200
    assert client_as("coordinator").get(url.rsplit("/", 1)[0] + "/Årsrapport 2025.pdf").status_code == 404
    assert client_as("coordinator").get(url.rsplit("/", 1)[0] + "/../../").status_code == 404


@pytest.fixture
def demo_urls(settings):
    """The URLs as the demo (DEBUG on) has them: the old code served MEDIA_ROOT there."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_no_media_url_reaches_a_stored_file_not_even_in_the_demo(client_as, records, media_root, organiser, demo_urls):
    attachment = attach(records["draft"], organiser)
    (media_root / "evidence" / "2025" / "01").mkdir(parents=True)
    (media_root / "evidence" / "2025" / "01" / "report.pdf").write_bytes(PDF)
    assert (media_root / attachment.file.name).exists()
    for client in (client_as("anonymous"), client_as("coordinator")):
        assert client.get("/media/" + attachment.file.name).status_code == 404
        assert client.get("/media/evidence/2025/01/report.pdf").status_code == 404


def test_the_record_page_links_its_files_through_the_serving_view(client_as, records, media_root, organiser):
    attachment = attach(records["public"], organiser)
    page = client_as("anonymous").get(records["public"].get_absolute_url()).content.decode()
    assert f'href="/files/evidence/attachments/{attachment.pk}/{attachment.file.name.rsplit("/", 1)[1]}"' in page
    assert "/media/" not in page


# --- Guide images ------------------------------------------------------------------------


def add_image(guide, user):
    return practice_services.guide_image_add(
        guide=guide, user=user, file=SimpleUploadedFile("stall.png", PNG), alt_text="A stall in Hjällbo"
    )


def test_an_image_of_a_published_guide_is_public_and_may_be_cached_by_anyone(client_as, organiser, media_root):
    guide = make_guide(author=organiser, title="Street stalls", language="en")
    image = add_image(guide, organiser)
    guide.status = Guide.Status.PUBLISHED
    guide.save()
    for role in ROLES:
        response = client_as(role).get(image.file.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "public, max-age=3600"
        assert "attachment" not in response.get("Content-Disposition", "")
    page = client_as("anonymous").get(guide.get_absolute_url()).content.decode()
    assert f'src="{image.file.url}"' in page and "/media/" not in page


def test_an_image_of_a_draft_guide_is_served_only_to_those_who_may_read_the_draft(client_as, organiser, media_root):
    guide = make_guide(author=organiser, title="Street stalls", language="en")
    image = add_image(guide, organiser)
    for role in ROLES:
        response = client_as(role).get(image.file.url)
        if role in ("organiser", "coordinator"):
            assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
        else:
            assert response.status_code == 404


# --- Behind a proxy ----------------------------------------------------------------------


def test_the_nginx_backend_hands_the_file_to_the_proxy_without_a_body(
    client_as, records, media_root, organiser, settings, sendfile_backend
):
    settings.SENDFILE_URL = "/protected-media"
    sendfile_backend("nginx")
    attachment = attach(records["draft"], organiser)
    response = client_as("organiser").get(attachment.file.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{attachment.file.name}"
    assert body(response) == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    # The policy still decides: nothing is handed over for someone who may not see the record.
    response = client_as("other_organiser").get(attachment.file.url)
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_the_xsendfile_backend_names_the_stored_file(client_as, records, media_root, organiser, sendfile_backend):
    sendfile_backend("xsendfile")
    attachment = attach(records["draft"], organiser)
    response = client_as("organiser").get(attachment.file.url)
    assert response["X-Sendfile"] == str(media_root / attachment.file.name)
    assert body(response) == b""
