"""Pictures: an organisation's logo, a member's photo, an exchange's cover.

A picture is an uploaded image that goes through the same checks as every upload
(``core.uploads.check_upload``: allow-list, decoded and re-encoded by Pillow, bounded pixel
count) and is then prepared for the page once, when it is saved:

* the stored picture is the re-encoded image scaled down to the field's largest width, as JPEG
  (PNG when it has real transparency, as logos often do);
* beside it, in the same folder, each smaller width of the field as the same type, and every
  width as WebP. Their names are derived from the stored name, which records the picture's
  size: ``photos/<32 random hex digits>-<width>x<height>.jpg`` and
  ``photos/<…>-<width>x<height>-<w>.webp``. So a page knows every width and the ``width`` and
  ``height`` attributes (no layout shift) from the name alone: no query, no file read.

Pictures are served like every stored file (``core.files.file_response``) by a view of the
app that owns the picture, which first applies the access policy to the picture's object and
then calls ``picture_response`` with the requested name; only the names derived from the
stored one are ever served.

Files are freed when a picture is replaced or cleared and when its object is deleted, after
the transaction commits (a rolled-back deletion keeps them).
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import signals
from django.http import Http404
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image

from core.files import file_response
from core.uploads import IMAGE_EXTENSIONS, CheckedFileField, CheckedUpload, suffix

# What each kind of picture is shown at, in device pixels: avatars and logos at up to about
# 160 CSS pixels on a screen of twice the density, covers across a card or a page.
SMALL_WIDTHS = (96, 192, 384)
COVER_WIDTHS = (480, 960, 1600)

_STORED = re.compile(r"^(?P<stem>[0-9a-f]{32})-(?P<width>\d{1,5})x(?P<height>\d{1,5})(?P<ext>\.jpg|\.png)$")
_UPLOAD = re.compile(r"^upload-(?P<size>\d{1,5}x\d{1,5})(?P<ext>\.jpg|\.png)$")


@dataclass(frozen=True)
class Rendition:
    """One stored file of a picture: its name in storage, width, height and type (``.jpg``,
    ``.png`` or ``.webp``)."""

    name: str
    width: int | None
    height: int | None
    ext: str

    @property
    def served_name(self) -> str:
        return PurePosixPath(self.name).name


def renditions(name: str, widths: Sequence[int]) -> list[Rendition]:
    """Every file of the picture stored as ``name``: the stored picture first, then the smaller
    widths of its type and every width as WebP. A name we did not give (no recorded size) has
    only itself."""
    if not name:
        return []
    path = PurePosixPath(name)
    match = _STORED.match(path.name)
    if match is None:
        return [Rendition(name, None, None, suffix(name))]
    width, height, ext = int(match["width"]), int(match["height"]), match["ext"]
    base = str(path.with_suffix(""))
    found = [Rendition(name, width, height, ext)]
    for size in _sizes(width, widths):
        scaled = Rendition(f"{base}-{size}{ext}", size, _scaled_height(width, height, size), ext)
        if size < width:
            found.append(scaled)
        found.append(Rendition(f"{base}-{size}.webp", size, scaled.height, ".webp"))
    return found


def _sizes(width: int, widths: Sequence[int]) -> list[int]:
    return sorted({w for w in widths if w < width} | {width})


def _scaled_height(width: int, height: int, size: int) -> int:
    return max(1, round(height * size / width))


# --- Preparing a picture ---------------------------------------------------------------------


class PictureUpload(CheckedUpload):
    """A checked image prepared as a picture: the stored picture's bytes, named
    ``upload-<width>x<height><ext>`` (``PictureName`` keeps the size), and every other
    rendition's bytes by the suffix its name gets."""

    def __init__(self, data: bytes, *, ext: str, width: int, height: int, others: dict[str, bytes]):
        super().__init__(io.BytesIO(data), ext=ext, display_name=f"picture{ext}")
        self.name = f"upload-{width}x{height}{ext}"
        self.others = others


def _encode(image: Image.Image, ext: str) -> bytes:
    output = io.BytesIO()
    if ext == ".jpg":
        image.save(output, format="JPEG", quality=84, optimize=True, progressive=True)
    elif ext == ".png":
        image.save(output, format="PNG", optimize=True)
    else:
        image.save(output, format="WEBP", quality=80, method=4)
    return output.getvalue()


def prepare_picture(checked: File, widths: Sequence[int]) -> PictureUpload:
    """Scale an image that passed ``check_upload`` (its re-encoded, metadata-free bytes) to the
    field's widths and encode every rendition. Only PNG, JPEG and WebP are decoded: nothing
    else can come out of ``check_upload``."""
    checked.seek(0)
    with Image.open(checked, formats=("PNG", "JPEG", "WEBP")) as source:
        source.load()
        image = source.convert("RGBA") if source.mode in ("RGBA", "LA", "PA", "P") else source.convert("RGB")
    checked.seek(0)
    # Transparency only counts when some pixel uses it: an opaque PNG photo becomes a JPEG.
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")
    ext = ".png" if image.mode == "RGBA" else ".jpg"
    largest = max(widths)
    if image.width > largest:
        image = image.resize((largest, _scaled_height(image.width, image.height, largest)), Image.Resampling.LANCZOS)
    width, height = image.size
    others: dict[str, bytes] = {}
    for size in _sizes(width, widths):
        scaled = image
        if size < width:
            scaled = image.resize((size, _scaled_height(width, height, size)), Image.Resampling.LANCZOS)
            others[f"-{size}{ext}"] = _encode(scaled, ext)
        others[f"-{size}.webp"] = _encode(scaled, ".webp")
    return PictureUpload(_encode(image, ext), ext=ext, width=width, height=height, others=others)


@deconstructible
class PictureName:
    """``upload_to`` of a picture: ``<folder>/<32 random hex digits>-<width>x<height><ext>``."""

    def __init__(self, folder: str):
        self.folder = folder.strip("/")

    def __call__(self, instance, filename: str) -> str:
        match = _UPLOAD.match(filename)
        tail = f"-{match['size']}{match['ext']}" if match else suffix(filename)
        return f"{self.folder}/{secrets.token_hex(16)}{tail}"

    def __eq__(self, other):
        return isinstance(other, PictureName) and other.folder == self.folder


# --- The model field -----------------------------------------------------------------------


class PictureInput(forms.ClearableFileInput):
    """The file input of a picture on our own forms: the page shows the current picture itself
    (not its stored name), so the widget is the input and a checkbox to remove the picture."""

    template_name = "core/widgets/picture_input.html"
    clear_checkbox_label = _("Remove the current picture")


class PictureField(CheckedFileField):
    """An optional image of a model (PNG, JPEG, GIF or WebP uploaded), checked and re-encoded
    like every upload, then prepared in the field's ``widths`` when it is saved, served by the
    view named ``url_name`` (URL kwargs ``pk`` and ``name``). Its files are freed after commit
    when the picture is replaced or cleared and when the object is deleted."""

    def __init__(self, *args, folder: str = "", widths: Sequence[int] = SMALL_WIDTHS, **kwargs):
        self.widths = tuple(widths)
        kwargs.setdefault("allowed", IMAGE_EXTENSIONS)
        kwargs.setdefault("blank", True)
        super().__init__(*args, folder=folder, upload_to=PictureName(folder), **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["widths"] = self.widths
        if tuple(kwargs.get("allowed", ())) == tuple(IMAGE_EXTENSIONS):
            del kwargs["allowed"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        else:
            kwargs["blank"] = False
        return name, path, args, kwargs

    def _check(self, instance, fieldfile) -> None:
        if not fieldfile or fieldfile._committed:
            return
        super()._check(instance, fieldfile)
        if not isinstance(fieldfile.file, PictureUpload):
            picture = prepare_picture(fieldfile.file, self.widths)
            fieldfile.file = picture
            fieldfile.name = picture.name

    def pre_save(self, model_instance, add):
        fieldfile = getattr(model_instance, self.attname)
        picture = None
        if fieldfile and not fieldfile._committed:
            self._check(model_instance, fieldfile)
            picture = fieldfile.file
        stored = super().pre_save(model_instance, add)
        if isinstance(picture, PictureUpload):
            base = str(PurePosixPath(stored.name).with_suffix(""))
            for tail, data in picture.others.items():
                stored.storage.save(f"{base}{tail}", ContentFile(data))
        return stored

    def formfield(self, **kwargs):
        return super().formfield(**{"widget": PictureInput, **kwargs})

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        if not cls._meta.abstract:
            signals.post_init.connect(_remember_pictures, sender=cls, dispatch_uid=f"pictures-{cls}-i")
            signals.post_save.connect(_free_replaced, sender=cls, dispatch_uid=f"pictures-{cls}-s")
            signals.post_delete.connect(_free_deleted, sender=cls, dispatch_uid=f"pictures-{cls}-d")


def _picture_fields(model) -> list[PictureField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, PictureField)]


def _loaded_name(instance, field) -> str | None:
    """The stored name held by ``instance`` without loading a deferred field (``None`` if it
    was never loaded)."""
    if field.attname not in instance.__dict__:
        return None
    value = instance.__dict__[field.attname]
    return str(getattr(value, "name", value) or "")


def _remember_pictures(sender, instance, **kwargs):
    instance._picture_names = {field.attname: _loaded_name(instance, field) for field in _picture_fields(sender)}


def picture_delete(storage, name: str, widths: Sequence[int]) -> None:
    """Delete every rendition of the picture stored as ``name``."""
    for rendition in renditions(name, widths):
        storage.delete(rendition.name)


def _delete_on_commit(field, name: str) -> None:
    storage = field.storage
    transaction.on_commit(lambda: picture_delete(storage, name, field.widths))


def _free_replaced(sender, instance, created, **kwargs):
    remembered = getattr(instance, "_picture_names", {})
    for field in _picture_fields(sender):
        current = _loaded_name(instance, field)
        if current is None:
            continue
        previous = remembered.get(field.attname)
        # A new row never owned what it was copied from (``exchange_duplicate``).
        if previous and previous != current and not created:
            _delete_on_commit(field, previous)
        remembered[field.attname] = current
    instance._picture_names = remembered


def _free_deleted(sender, instance, **kwargs):
    for field in _picture_fields(sender):
        name = _loaded_name(instance, field)
        if name:
            _delete_on_commit(field, name)


def picture_copy(fieldfile) -> File | None:
    """A new upload with the picture's stored image, for a copy of its object (which must own
    files of its own), or ``None`` without a readable picture."""
    if not fieldfile:
        return None
    try:
        with fieldfile.storage.open(fieldfile.name, "rb") as handle:
            return File(io.BytesIO(handle.read()), name=f"copy{suffix(fieldfile.name)}")
    except OSError:
        return None


# --- Serving -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stored:
    name: str
    storage: object

    @property
    def served_name(self) -> str:
        return PurePosixPath(self.name).name


def picture_response(request, fieldfile, name: str, *, public: bool):
    """Send the rendition called ``name`` of the picture in ``fieldfile``; 404 for any other
    name. The caller has applied the access policy to the picture's object; ``public`` says
    that everyone may see it (see ``core.files.file_response``)."""
    if not fieldfile:
        raise Http404
    for rendition in renditions(fieldfile.name, fieldfile.field.widths):
        if rendition.served_name == name:
            return file_response(
                request, _Stored(rendition.name, fieldfile.storage), allowed=IMAGE_EXTENSIONS, public=public
            )
    raise Http404
