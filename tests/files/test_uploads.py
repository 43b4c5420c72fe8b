"""What an upload may be: each test is an attack from issue #11 (finding 3) or its "Files" point.

Images are re-encoded (no metadata, our name, our extension); other files must match their
extension by content; SVG and HTML never pass, whatever their first bytes.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from evidence.models import Attachment, EvidenceRecord
from practice.models import Guide, GuideImage
from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.files import (
    HTML,
    PDF,
    SCRIPT,
    SVG,
    docx_bytes,
    image_bytes,
    jpeg_with_gps,
    odt_bytes,
    png_bomb,
    polyglot_gif,
)
from tests.factories.practice import make_guide

pytestmark = pytest.mark.django_db

RANDOM_IMAGE = re.compile(r"^practice/images/[0-9a-f]{32}\.(png|jpg|webp)$")
RANDOM_ATTACHMENT = re.compile(r"^evidence/attachments/[0-9a-f]{32}\.[a-z0-9]+$")


@pytest.fixture
def guide(organiser):
    return make_guide(author=organiser, title="Street stalls", language="en", status=Guide.Status.PUBLISHED)


@pytest.fixture
def draft(organiser_member, org):
    status = EvidenceRecord.Status.DRAFT
    return EvidenceRecordFactory(kind="media", status=status, organisations=[org], created_by=organiser_member)


def add_image(client, guide, name: str, content: bytes, alt_text="A stall in Hjällbo"):
    return client.post(
        reverse("practice:guide_image_add", args=[guide.slug]),
        {"file": SimpleUploadedFile(name, content, "image/gif"), "alt_text": alt_text},
    )


def attach(client, record, name: str, content: bytes, **fields):
    return client.post(
        reverse("evidence:attachment_add", args=[record.pk]),
        {"file": SimpleUploadedFile(name, content), "title": "A file", "alt_text": "What it shows", **fields},
    )


def stored(fieldfile) -> bytes:
    with fieldfile.open("rb") as handle:
        return handle.read()


# --- Guide images ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x.html", "x.svg", "x.htm", "x.xhtml", "x"])
def test_a_gif_polyglot_named_as_a_page_is_refused_as_a_guide_image(client_as, guide, media_root, name):
    response = add_image(client_as("coordinator"), guide, name, polyglot_gif())
    assert response.status_code == 302
    assert not GuideImage.objects.exists()
    assert not any(media_root.rglob("*")), "nothing may be written for a refused upload"


def test_a_gif_polyglot_named_gif_is_stored_re_encoded_under_a_random_png_name(client_as, guide, media_root):
    add_image(client_as("coordinator"), guide, "x.gif", polyglot_gif())
    image = GuideImage.objects.get()
    assert RANDOM_IMAGE.match(image.file.name) and image.file.name.endswith(".png")
    data = stored(image.file)
    assert data.startswith(b"\x89PNG") and b"<script" not in data and b"<html" not in data.lower()
    assert Image.open(io.BytesIO(data)).size == (8, 8)

    response = client_as("anonymous").get(image.file.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == data


@pytest.mark.parametrize("name", ["drawing.svg", "drawing.png", "drawing.gif"])
def test_an_svg_with_script_is_refused_whatever_its_name(client_as, guide, media_root, name):
    add_image(client_as("coordinator"), guide, name, SVG)
    assert not GuideImage.objects.exists()


def test_gps_and_every_other_piece_of_metadata_is_stripped_and_orientation_applied(client_as, guide, media_root):
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(0x8825), "the test image must carry a position"

    add_image(client_as("coordinator"), guide, "stall.jpeg", jpeg_with_gps())
    image = GuideImage.objects.get()
    assert RANDOM_IMAGE.match(image.file.name) and image.file.name.endswith(".jpg")
    data = stored(image.file)
    clean = Image.open(io.BytesIO(data))
    assert clean.format == "JPEG"
    assert not clean.getexif() and not clean.getexif().get_ifd(0x8825)
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(clean.info)
    assert b"Exif" not in data and b"taken at home" not in data and b"Camera maker" not in data
    # Orientation 6 turned the 40×20 picture upright: the pixels now stand 20×40.
    assert clean.size == (20, 40)


def test_a_decompression_bomb_is_refused_with_a_clear_error(client_as, guide, media_root):
    response = add_image(client_as("coordinator"), guide, "bomb.png", png_bomb())
    assert not GuideImage.objects.exists()
    page = client_as("coordinator").get(response["Location"]).content.decode()
    assert "The image is too large: at most 40 million pixels" in page


def test_an_animated_gif_keeps_its_first_frame(client_as, guide, media_root):
    output = io.BytesIO()
    frames = [Image.new("P", (6, 6), colour) for colour in (1, 2, 3)]
    frames[0].save(output, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    add_image(client_as("coordinator"), guide, "moving.gif", output.getvalue())
    image = Image.open(io.BytesIO(stored(GuideImage.objects.get().file)))
    assert image.format == "PNG" and getattr(image, "n_frames", 1) == 1


@pytest.mark.parametrize(
    ("fmt", "ext", "stored_ext"),
    [("PNG", "png", ".png"), ("JPEG", "jpg", ".jpg"), ("GIF", "gif", ".png"), ("WEBP", "webp", ".webp")],
)
def test_each_image_format_is_accepted_and_stored_as_a_safe_raster_format(
    client_as, guide, media_root, fmt, ext, stored_ext
):
    add_image(client_as("coordinator"), guide, f"picture.{ext}", image_bytes(fmt))
    image = GuideImage.objects.get()
    assert image.file.name.endswith(stored_ext)
    assert Image.open(io.BytesIO(stored(image.file))).size == (4, 3)


def test_code_that_saves_a_guide_image_directly_cannot_store_an_unchecked_file(guide, media_root):
    # Services, the admin and commands all end in a model save: the field checks there too.
    with pytest.raises(ValidationError), transaction.atomic():
        GuideImage.objects.create(guide=guide, file=SimpleUploadedFile("x.html", polyglot_gif()), alt_text="x")
    image = GuideImage.objects.create(guide=guide, file=SimpleUploadedFile("x.gif", polyglot_gif()), alt_text="x")
    assert RANDOM_IMAGE.match(image.file.name) and SCRIPT not in stored(image.file)


# --- Evidence attachments ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.docx", PDF),  # a PDF renamed .docx
        ("report.pdf", HTML),  # a page renamed .pdf
        ("report.pdf", b"GIF89a" + HTML),
        ("photo.png", polyglot_gif()[:6] + HTML),
        ("page.html", polyglot_gif()),
        ("drawing.svg", SVG),
        ("sheet.xlsx", docx_bytes()),  # a Word package renamed .xlsx
        ("text.odt", docx_bytes()),
        ("notes.txt", b"a\x00b"),
        ("notes.csv", "namn;ort".encode("utf-16")),
        ("song.mp3", HTML),
        ("film.mp4", PDF),
    ],
)
def test_an_attachment_whose_content_does_not_match_its_name_is_refused(
    client, organiser_member, draft, media_root, name, content
):
    client.force_login(organiser_member)
    response = attach(client, draft, name, content)
    assert response.status_code == 200
    assert "does not match its name" in response.content.decode() or "image" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not any(media_root.rglob("*"))


@pytest.mark.parametrize(
    ("name", "content", "stored_ext", "content_type"),
    [
        ("Årsrapport 2025.PDF", PDF, ".pdf", "application/pdf"),
        ("plan.docx", docx_bytes(), ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("plan.odt", odt_bytes(), ".odt", "application/vnd.oasis.opendocument.text"),
        ("notes.txt", "Hjällbo, Bergsjön".encode(), ".txt", "text/plain; charset=utf-8"),
        ("figures.csv", b"\xef\xbb\xbfplace;people\nHj\xc3\xa4llbo;12\n", ".csv", "text/csv; charset=utf-8"),
        ("photo.jpeg", jpeg_with_gps(), ".jpg", "image/jpeg"),
    ],
)
def test_an_allowed_attachment_is_stored_under_a_random_name_with_its_real_extension(
    client, organiser_member, draft, media_root, name, content, stored_ext, content_type
):
    client.force_login(organiser_member)
    assert attach(client, draft, name, content).status_code == 302
    attachment = Attachment.objects.get()
    assert RANDOM_ATTACHMENT.match(attachment.file.name) and attachment.file.name.endswith(stored_ext)
    assert attachment.original_name.endswith(stored_ext)
    response = client.get(attachment.file.url)
    assert response.status_code == 200 and response["Content-Type"] == content_type


def test_an_image_attachment_is_re_encoded_too(client, organiser_member, draft, media_root):
    client.force_login(organiser_member)
    attach(client, draft, "x.gif", polyglot_gif())
    attachment = Attachment.objects.get()
    assert attachment.file.name.endswith(".png") and attachment.kind == "image"
    assert SCRIPT not in stored(attachment.file)


def test_the_uploaders_name_is_kept_only_as_safe_display_text(client, organiser_member, draft, media_root):
    client.force_login(organiser_member)
    # A right-to-left override would turn the name around on screen; <, >, | mean something
    # to shells and file systems.
    attach(client, draft, "Årsrapport\u202e <2025>|.pdf", PDF)
    attachment = Attachment.objects.get()
    assert attachment.original_name == "Årsrapport 2025.pdf"
    assert "Årsrapport" not in attachment.file.name
