"""A participant's personal check-in code as a link and a QR code.

The code (``Registration.check_in_code``) opens the participant's row on the exchange's
check-in page, for whoever may manage that exchange (the policy decides when the link is
opened); to anyone else the link is a 404. The QR code holds that link, so a manager's phone
camera opens the row directly.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
from django.urls import reverse

from exchanges.models import Registration
from outbox.services import Attachment, absolute_url


def check_in_path(registration: Registration, *, slug: str) -> str:
    """The check-in page filtered to this registration (a path, in the active language)."""
    base = reverse("exchanges:check_in", kwargs={"slug": slug})
    return f"{base}?{urlencode({'code': registration.check_in_code})}"


def check_in_url(registration: Registration, *, slug: str) -> str:
    return absolute_url(check_in_path(registration, slug=slug))


def qr_svg_document(url: str, *, title: str) -> str:
    """The QR code of ``url`` as a standalone SVG document (for an image address)."""
    return segno.make(url, error="m").svg_inline(scale=4, title=title, border=4, dark="#000", light="#fff")


def qr_attachment(url: str) -> Attachment:
    """The QR code of ``url`` as a PNG, for an email (mail clients show PNG, not SVG)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=4)
    return Attachment(filename="check-in-code.png", content=buffer.getvalue(), mimetype="image/png")
