"""Uploaded files: what we accept, how we store it, and how big a request may be.

Nothing about an upload is taken on trust: not its name, not its declared type, not its first
bytes. Every file goes through ``check_upload`` against the allow-list of its field:

* **Images** (PNG, JPEG, GIF, WebP, by name *and* by decoding) are decoded with Pillow and
  re-encoded: EXIF orientation applied, colours converted to sRGB, and every piece of
  metadata left behind (EXIF with GPS, XMP, ICC profiles, text chunks, comments). What is
  stored is the pixels alone, as PNG, JPEG or WebP. An animated GIF keeps its first frame.
  Images above ``settings.MAX_IMAGE_PIXELS`` are refused before they are decoded, so a small
  file that unpacks to gigabytes (a decompression bomb) costs nothing.
* **Other files** must have an allowed extension *and* content of that type: PDF, MP3, OGG,
  MP4 and WebM by their signatures (the ``filetype`` package), ODT/ODS by their ``mimetype``
  member, DOCX/XLSX by the main part in ``[Content_Types].xml``, CSV and TXT by decoding as
  UTF-8 without NUL characters. SVG and HTML are in no allow-list, whatever their first bytes.

A checked file is stored under a random name we choose (``RandomName``) with the extension of
its real type; the uploader's name survives only as sanitised display metadata
(``display_name``), for the ``Content-Disposition`` of a download. Files are served only
through views that apply the access policy (``core.files.file_response``), never from
``MEDIA_URL``.

``CheckedFileField`` is the model field that does all of this for a form, the admin and any
code that saves a model, and whose ``.url`` is the serving view's URL.

Request size: ``RequestSizeLimitMiddleware`` answers 413 from the ``Content-Length`` header
before the body is read (411 for a body of undeclared length), and ``SizeLimitUploadHandler``
stops a multipart body while it streams as soon as one file passes ``MAX_UPLOAD_SIZE``.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms import FileField as FormFileField
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from filetype.types import archive as filetype_archive
from filetype.types import audio as filetype_audio
from filetype.types import video as filetype_video
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from core.validators import validate_upload_size

# --- The allow-list ------------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    """One allowed kind of file: the Content-Type we serve it with, its family (image,
    document, audio, video) and how its content is recognised (``None`` for images, which
    are re-encoded instead)."""

    mime: str
    kind: str
    matches: Callable[[File], bool] | None = None


def _head(upload, size: int = 8192) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _signature(matcher) -> Callable[[File], bool]:
    return lambda upload: bool(matcher.match(bytearray(_head(upload))))


def _zip_member(upload, member: str, max_size: int) -> bytes | None:
    """One small member of a zip upload, or ``None`` when the upload is no zip, lacks the
    member or the member is larger than ``max_size``. Only the central directory and that
    member are read, so a zip bomb costs nothing."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            info = package.getinfo(member)
            return package.read(info) if info.file_size <= max_size else None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError, NotImplementedError):
        return None
    finally:
        upload.seek(0)


def _opendocument(mimetype: str) -> Callable[[File], bool]:
    """An OpenDocument package: a zip whose ``mimetype`` member names the document type."""
    return lambda upload: (_zip_member(upload, "mimetype", 200) or b"").strip() == mimetype.encode()


def _office_open_xml(main_part_type: str) -> Callable[[File], bool]:
    """An Office Open XML package: a zip whose ``[Content_Types].xml`` declares the main part
    of this type (a macro-enabled document declares another type and is refused)."""
    needle = f'ContentType="{main_part_type}"'.encode()
    return lambda upload: needle in (_zip_member(upload, "[Content_Types].xml", 1024 * 1024) or b"")


def _utf8_text(upload) -> bool:
    """Plain text: the whole file decodes as UTF-8 (a BOM allowed) and holds no NUL."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"
FILE_TYPES: dict[str, FileType] = {
    # Images: accepted under any of these names, stored as .png, .jpg or .webp.
    ".png": FileType("image/png", "image"),
    ".jpg": FileType("image/jpeg", "image"),
    ".jpeg": FileType("image/jpeg", "image"),
    ".gif": FileType("image/gif", "image"),
    ".webp": FileType("image/webp", "image"),
    ".pdf": FileType("application/pdf", "document", _signature(filetype_archive.Pdf())),
    ".odt": FileType(f"{_ODF}.text", "document", _opendocument(f"{_ODF}.text")),
    ".ods": FileType(f"{_ODF}.spreadsheet", "document", _opendocument(f"{_ODF}.spreadsheet")),
    ".docx": FileType(
        f"{_OOXML}.wordprocessingml.document",
        "document",
        _office_open_xml(f"{_OOXML}.wordprocessingml.document.main+xml"),
    ),
    ".xlsx": FileType(
        f"{_OOXML}.spreadsheetml.sheet", "document", _office_open_xml(f"{_OOXML}.spreadsheetml.sheet.main+xml")
    ),
    ".csv": FileType("text/csv; charset=utf-8", "document", _utf8_text),
    ".txt": FileType("text/plain; charset=utf-8", "document", _utf8_text),
    ".mp3": FileType("audio/mpeg", "audio", _signature(filetype_audio.Mp3())),
    ".ogg": FileType("audio/ogg", "audio", _signature(filetype_audio.Ogg())),
    ".mp4": FileType("video/mp4", "video", _signature(filetype_video.Mp4())),
    ".webm": FileType("video/webm", "video", _signature(filetype_video.Webm())),
}
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp")
OCTET_STREAM = "application/octet-stream"

# What Pillow may decode (no other plugin is ever tried), and what each becomes.
_DECODERS = ("PNG", "JPEG", "GIF", "WEBP")
_ENCODINGS = {"JPEG": ("JPEG", ".jpg"), "WEBP": ("WEBP", ".webp"), "PNG": ("PNG", ".png"), "GIF": ("PNG", ".png")}
_SRGB = ImageCms.createProfile("sRGB")


def suffix(name: str) -> str:
    """The lower-case extension of a file name, with its dot (``""`` if none)."""
    return PurePosixPath(name or "").suffix.lower()


def file_kind(name: str) -> str:
    """``image``, ``document``, ``audio`` or ``video`` for a stored name."""
    kind = FILE_TYPES.get(suffix(name))
    return kind.kind if kind else "document"


def content_type_for(stored_name: str, allowed: Collection[str]) -> str:
    """The Content-Type to serve a stored file with: from our allow-list by the extension we
    gave it, never guessed. A file stored before names were ours, under an extension outside
    the field's allow-list, is served as an opaque download."""
    ext = suffix(stored_name)
    if ext in allowed and ext in FILE_TYPES:
        return FILE_TYPES[ext].mime
    return OCTET_STREAM


# --- Names ---------------------------------------------------------------------------------

_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|;]')


def display_name(name: str, ext: str) -> str:
    """The uploader's file name made safe to show and to offer as a download name.

    Only the last path component is kept; control and formatting characters (including the
    right-to-left override that disguises ``gpj.exe`` as ``exe.jpg``) and characters with a
    meaning in paths or headers are dropped; the extension is the one of the real type."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    stem = PurePosixPath(_UNSAFE_IN_NAMES.sub("", base)).stem
    stem = re.sub(r"\s+", " ", stem).strip(" .")[:100].strip(" .")
    return f"{stem or 'file'}{ext}"


@deconstructible
class RandomName:
    """``upload_to`` that stores a checked file as ``<folder>/<32 random hex digits><ext>``.

    The extension is the one ``check_upload`` gave the file (that of its real type)."""

    def __init__(self, folder: str):
        self.folder = folder.strip("/")

    def __call__(self, instance, filename: str) -> str:
        return f"{self.folder}/{secrets.token_hex(16)}{suffix(filename)}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder


# --- Checking ------------------------------------------------------------------------------


class CheckedUpload(File):
    """An upload that passed ``check_upload``: named ``upload<ext>`` after its real type, with
    the Content-Type we serve it with and the uploader's name as safe display text."""

    def __init__(self, file, *, ext: str, display_name: str):
        super().__init__(file, name=f"upload{ext}")
        self.content_type = FILE_TYPES[ext].mime
        self.kind = FILE_TYPES[ext].kind
        self.display_name = display_name


def _refused(allowed: Collection[str]) -> ValidationError:
    images = set(allowed) & set(IMAGE_EXTENSIONS)
    if images and images == set(allowed):
        return ValidationError(_("Upload a PNG, JPEG, GIF or WebP image."), code="file_type")
    return ValidationError(
        _("This type of file is not allowed, or its content does not match its name. Allowed: %(types)s."),
        code="file_type",
        params={"types": ", ".join(sorted({ext.lstrip(".").upper() for ext in allowed}))},
    )


def check_upload(upload, allowed: Collection[str]) -> CheckedUpload:
    """Check ``upload`` against the extensions in ``allowed`` (keys of ``FILE_TYPES``) by its
    name *and* its content; re-encode it if it is an image. Raises ``ValidationError`` with a
    message for the person who uploaded it."""
    validate_upload_size(upload)
    name = getattr(upload, "name", "") or ""
    ext = suffix(name)
    if ext not in allowed or ext not in FILE_TYPES:
        raise _refused(allowed)
    if ext in IMAGE_EXTENSIONS:
        data, out_ext = reencode_image(upload)
        return CheckedUpload(io.BytesIO(data), ext=out_ext, display_name=display_name(name, out_ext))
    if not FILE_TYPES[ext].matches(upload):
        raise _refused(allowed)
    # ``.jpeg`` and ``.jpg`` are one type; every other extension is its own canonical form.
    return CheckedUpload(upload, ext=ext, display_name=display_name(name, ext))


def reencode_image(upload) -> tuple[bytes, str]:
    """Decode an image and encode its pixels alone again: ``(bytes, extension)``.

    JPEG stays JPEG and WebP stays WebP; PNG and GIF become PNG (an animated GIF keeps its
    first frame). Orientation from EXIF is applied to the pixels; the colours are converted
    to sRGB when the image carries an ICC profile; then no metadata of any kind is written.
    """
    not_an_image = ValidationError(_("Upload a PNG, JPEG, GIF or WebP image."), code="not_an_image")
    limit = settings.MAX_IMAGE_PIXELS
    upload.seek(0)
    try:
        # Pillow warns (and past twice its own limit, fails) on huge images; our lower limit is
        # checked from the header below, before a single pixel is decoded.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=_DECODERS) as source:
                width, height = source.size
                if width * height > limit:
                    raise Image.DecompressionBombError
                source_format = source.format
                source.seek(0)
                source.load()
                icc_profile = source.info.get("icc_profile")
                image = ImageOps.exif_transpose(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The image is too large: at most %(limit)s million pixels, please."),
            code="image_too_large",
            params={"limit": f"{limit / 1_000_000:g}"},
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError):
        raise not_an_image from None
    finally:
        upload.seek(0)

    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    mode = "RGBA" if has_alpha else "RGB"
    if image.mode == "P":
        image = image.convert(mode)
    converted = None
    if icc_profile:
        try:
            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(image, source_profile, _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None  # An unusable profile: keep the numbers as they are.
    image = converted or image.convert(mode)
    # A new image from the raw pixels: nothing of the original's ``info`` (EXIF, XMP, ICC,
    # comments, text chunks) can reach the encoder.
    clean = Image.frombytes(mode, image.size, image.tobytes())

    encoder, ext = _ENCODINGS[source_format]
    if encoder == "JPEG" and mode == "RGBA":  # cannot happen for a JPEG source; be safe.
        encoder, ext = "PNG", ".png"
    output = io.BytesIO()
    options = {"JPEG": {"quality": 88}, "WEBP": {"quality": 88}, "PNG": {}}[encoder]
    clean.save(output, format=encoder, **options)
    return output.getvalue(), ext


# --- The model field -----------------------------------------------------------------------


class ServedFieldFile(FieldFile):
    """A stored file whose URL is that of the view serving it under the access policy."""

    @property
    def url(self) -> str:
        self._require_file()
        return reverse(self.field.url_name, kwargs={"pk": self.instance.pk, "name": PurePosixPath(self.name).name})

    @property
    def served_name(self) -> str:
        """The last part of the stored name: what the serving URL carries."""
        return PurePosixPath(self.name).name


class _CheckedFormField(FormFileField):
    """The form side of ``CheckedFileField``: a new upload is checked (and an image
    re-encoded) while the form validates, so the error is shown next to the field."""

    def __init__(self, *args, allowed: Collection[str], **kwargs):
        self.allowed = tuple(allowed)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            value = check_upload(value, self.allowed)
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        images = [ext for ext in self.allowed if ext in IMAGE_EXTENSIONS]
        if images and len(images) == len(self.allowed):
            attrs.setdefault("accept", "image/png,image/jpeg,image/gif,image/webp")
        else:
            attrs.setdefault("accept", ",".join(self.allowed))
        return attrs


class CheckedFileField(models.FileField):
    """A file field that accepts only the extensions in ``allowed`` (keys of ``FILE_TYPES``)
    with matching content, re-encodes images, stores under ``RandomName(folder)`` and is served
    by the view named ``url_name`` (URL kwargs ``pk`` and ``name``).

    The check runs in forms (as a field error), in ``full_clean`` and, as a last guard, just
    before the file is written, so no path stores an unchecked file. With ``display_name_field``
    the uploader's sanitised name is written to that field of the model, which must be declared
    *after* this one (fields are saved in declaration order).
    """

    attr_class = ServedFieldFile

    def __init__(self, *args, folder: str = "", allowed=(), url_name: str = "", display_name_field: str = "", **kwargs):
        self.folder = folder
        self.allowed = tuple(allowed)
        self.url_name = url_name
        self.display_name_field = display_name_field
        kwargs.setdefault("upload_to", RandomName(folder))
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("upload_to", None)
        kwargs.update(folder=self.folder, allowed=self.allowed, url_name=self.url_name)
        if self.display_name_field:
            kwargs["display_name_field"] = self.display_name_field
        if kwargs.get("max_length") == 200:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def _check(self, instance, fieldfile) -> None:
        if not fieldfile or fieldfile._committed:
            return
        if not isinstance(fieldfile.file, CheckedUpload):
            checked = check_upload(fieldfile.file, self.allowed)
            fieldfile.file = checked
            fieldfile.name = checked.name
        if self.display_name_field:
            setattr(instance, self.display_name_field, fieldfile.file.display_name)

    def clean(self, value, model_instance):
        self._check(model_instance, value)
        return super().clean(value, model_instance)

    def pre_save(self, model_instance, add):
        self._check(model_instance, getattr(model_instance, self.attname))
        return super().pre_save(model_instance, add)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": _CheckedFormField, "allowed": self.allowed, **kwargs})


def store_again_checked(instance, field_name: str = "file") -> str | None:
    """Check a file stored before uploads were checked and store it again the way a new upload
    is (re-encoded if an image, under a random name), deleting the old file; for the data
    migrations that bring earlier uploads under these rules.

    Returns the old name, or ``None`` when the file is missing or fails the check: it is then
    left as it was, and ``content_type_for`` serves it only as an opaque download."""
    fieldfile = getattr(instance, field_name)
    old_name = fieldfile.name
    try:
        with fieldfile.storage.open(old_name, "rb") as handle:
            upload = File(io.BytesIO(handle.read()), name=PurePosixPath(old_name).name)
        checked = check_upload(upload, fieldfile.field.allowed)
    except (OSError, ValidationError):
        return None
    setattr(instance, field_name, checked)
    instance.save()
    fieldfile.storage.delete(old_name)
    return old_name


# --- Request size --------------------------------------------------------------------------


def _too_large(request, status: int = 413):
    response = render(
        request,
        "413.html",
        {"limit": filesizeformat(settings.MAX_UPLOAD_SIZE), "length_required": status == 411},
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


class RequestSizeLimitMiddleware:
    """Refuses a request body larger than ``settings.MAX_REQUEST_SIZE`` before reading it.

    The declared ``Content-Length`` is enough to answer 413 at once; a body of undeclared
    length (``Transfer-Encoding: chunked`` straight to the application server) is answered
    411, because Django would read none of it anyway. ``SizeLimitUploadHandler`` stops a
    body mid-stream; the multipart body is parsed here, before any view runs, so a view never
    sees the truncated form, and the same friendly 413 page is sent instead.

    Place it last in ``MIDDLEWARE``: everything before it (sessions, language, user, the
    security headers on the way out) applies to the 413 page, and nothing before it reads
    the body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH")
        if declared:
            # A malformed value counts as 0, as it does for Django, which then reads nothing.
            length = int(declared) if declared.isdigit() else 0
            if length > settings.MAX_REQUEST_SIZE:
                return _too_large(request)
        elif request.META.get("HTTP_TRANSFER_ENCODING"):
            return _too_large(request, status=411)
        response = self.get_response(request)
        if getattr(request, "upload_too_large", False):
            return _too_large(request)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            request.POST  # noqa: B018 — parse now: a stopped upload must never reach the view.
        if getattr(request, "upload_too_large", False):
            return _too_large(request)
        return None


class SizeLimitUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: counts each file's bytes as the body streams in and
    stops the request (413) as soon as one passes ``MAX_UPLOAD_SIZE`` or all of them pass
    ``MAX_REQUEST_SIZE``, so an oversized file is never read to its end nor written whole
    to a temporary file."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.total = 0
        if content_length > settings.MAX_REQUEST_SIZE:
            self._stop()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        self.total = getattr(self, "total", 0) + len(raw_data)
        if self.received > settings.MAX_UPLOAD_SIZE or self.total > settings.MAX_REQUEST_SIZE:
            self._stop()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _stop(self):
        # Read no further (the rest of the body is never fetched) and leave the refusal to
        # RequestSizeLimitMiddleware: the view must not run on the truncated form.
        self.request.upload_too_large = True
        raise StopUpload(connection_reset=True)
