"""Uploads in a shared object store (README, "Capacity"): ``MEDIA_STORAGE=libcloud`` puts
them behind django-storages' Apache Libcloud backend. Here its LOCAL provider, the object-store
API on a directory, stands in for S3 and its kin: nothing of the upload path may assume a
local file (no ``.path``, no sendfile from ``MEDIA_ROOT``), and the policy still decides who
gets the bytes."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from storages.backends.apache_libcloud import LibCloudStorage

from evidence.models import Attachment, EvidenceRecord
from network.models import Member
from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.files import PDF, jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture
def object_store(tmp_path, settings):
    """The default storage is libcloud's LOCAL provider with its container in ``tmp_path``;
    ``MEDIA_ROOT`` points elsewhere, so a file read from there would not be found."""
    (tmp_path / "store" / "media").mkdir(parents=True)
    settings.MEDIA_ROOT = settings.SENDFILE_ROOT = str(tmp_path / "not-here")
    settings.LIBCLOUD_PROVIDERS = {
        "media": {
            "type": "libcloud.storage.types.Provider.LOCAL",
            "user": str(tmp_path / "store"),
            "key": "",
            "bucket": "media",
        }
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.apache_libcloud.LibCloudStorage",
            "OPTIONS": {"provider_name": "media"},
        },
    }
    return tmp_path / "store" / "media"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_photo_goes_into_the_object_store_re_encoded_and_comes_back_through_the_policy(
    client, organiser, object_store
):
    assert isinstance(storages["default"], LibCloudStorage)
    client.force_login(organiser)
    original = jpeg_with_gps()
    response = client.post(
        reverse("network:profile_edit"),
        {
            "display_name": organiser.member.display_name,
            "country": "SE",
            "city": "Göteborg",
            "bio": "",
            "visibility": organiser.member.visibility,
            "preferred_language": "en",
            "time_zone": "Europe/Stockholm",
            "photo_alt": "",
            "photo": SimpleUploadedFile("me.jpg", original),
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=organiser.member.pk)
    assert (object_store / member.photo.name).is_file()
    served = client.get(member.photo.url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    data = body(served)
    assert data != original and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.info.get("exif")


def test_a_protected_attachment_is_stored_there_and_served_to_its_organisation_only(
    client, organiser_member, other_member, org, object_store
):
    draft = EvidenceRecordFactory(
        kind="media", status=EvidenceRecord.Status.DRAFT, organisations=[org], created_by=organiser_member
    )
    client.force_login(organiser_member)
    response = client.post(
        reverse("evidence:attachment_add", args=[draft.pk]),
        {"file": SimpleUploadedFile("Årsrapport.pdf", PDF), "title": "A file", "alt_text": "What it shows"},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (object_store / attachment.file.name).read_bytes() == PDF
    served = client.get(attachment.file.url)
    assert served.status_code == 200 and body(served) == PDF
    assert served["Content-Type"] == "application/pdf"
    assert "attachment" in served["Content-Disposition"] and served["Cache-Control"] == "private, no-store"
    # A member of another organisation does not see the draft, so not its file either.
    client.force_login(other_member)
    assert client.get(attachment.file.url).status_code == 404
    # A name the store does not hold is a 404, not a 500.
    (object_store / attachment.file.name).unlink()
    client.force_login(organiser_member)
    assert client.get(attachment.file.url).status_code == 404
