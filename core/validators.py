"""Validators shared by every upload and text field."""

from __future__ import annotations

import re

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


# Characters a name or title typed on one line never needs, and that do harm where names go:
# line breaks (CR, LF, NEL, U+2028/9) split email headers, CSV rows and log lines; NUL breaks
# PostgreSQL; other C0/C1 controls and DEL garble terminals and exports; bidirectional
# embeddings, overrides and isolates make a name display as something else ("Trojan Source").
# Left-to-right/right-to-left *marks* (U+200E/F) and joiners stay: some scripts need them.
NOT_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def validate_single_line(value: str) -> None:
    """Refuse control characters, line breaks and text-direction overrides in a single-line
    field people type (names, titles, pseudonyms, places). Used as a model field validator
    (so every ModelForm and the admin check it) and by forms and imports that are not model forms."""
    if value and NOT_IN_A_LINE.search(value):
        raise ValidationError(
            _("Use a single line of text without line breaks, control or text-direction characters."),
            code="not_single_line",
        )


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Make a cell value safe for CSV/XLSX: text starting like a formula is prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
