"""Validators shared by every upload and text field."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


def validate_upload_size(upload) -> None:
    """Django does not cap upload sizes by itself; every file field must call this."""
    limit = settings.MAX_UPLOAD_SIZE
    if upload is not None and getattr(upload, "size", 0) > limit:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )


def validate_no_nul(value: str) -> None:
    if value and "\x00" in value:
        raise ValidationError(_("The text contains a character that is not allowed."), code="nul")


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Make a cell value safe for CSV/XLSX: text starting like a formula is prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
