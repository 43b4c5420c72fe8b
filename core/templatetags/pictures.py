"""``{% load pictures %}``: responsive pictures and avatars (see ``core.pictures``).

* ``{% picture obj.cover obj.cover_alt sizes="(min-width: 50rem) 48rem, 100vw" %}`` renders a
  ``<picture>`` with a WebP ``<source>`` and an ``<img>`` whose ``srcset`` lists the stored
  widths, with ``width`` and ``height`` set (no layout shift), lazy unless ``lazy=False``.
  Nothing when there is no picture.
* ``{% avatar member.display_name member.photo member.photo_alt %}`` renders the photo (or
  logo) as a round avatar, or without one the name's initials on a colour chosen from the name
  (every colour has at least 4.5:1 contrast with the white letters). The initials are
  ``aria-hidden`` when the name is shown beside them (``beside_name=False`` makes them an image
  named by the name). ``large=True`` for a page's main avatar; ``logo=True`` for an
  organisation's logo (square, never cropped).

Everything here is worked out from the stored names: no query, no file read.
"""

from __future__ import annotations

import unicodedata
import zlib

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.pictures import renditions

register = template.Library()

# How many colours ``.avatar.tone-N`` in site.css defines.
AVATAR_TONES = 8
SMALL_AVATAR = "48px"
TINY_AVATAR = "32px"
LARGE_AVATAR = "128px"


def _stored(fieldfile) -> bool:
    """A picture that is stored (not one a form holds while it shows its errors)."""
    return bool(fieldfile) and getattr(fieldfile, "_committed", True)


def _picture_html(fieldfile, alt: str, *, sizes: str, img_class: str, lazy: bool) -> str:
    if not _stored(fieldfile):
        return ""
    files = renditions(fieldfile.name, fieldfile.field.widths)
    url = fieldfile.url
    folder = url[: url.rfind("/") + 1]
    main = files[0]
    fallback = [r for r in files if r.ext == main.ext and r.width]
    webp = [r for r in files if r.ext == ".webp"]

    def srcset(items) -> str:
        ordered = sorted(items, key=lambda r: r.width)
        return ", ".join(f"{folder}{r.served_name} {r.width}w" for r in ordered)

    attrs = [("src", url), ("alt", alt or ""), ("class", img_class), ("decoding", "async")]
    if main.width:
        attrs += [("width", main.width), ("height", main.height), ("srcset", srcset(fallback)), ("sizes", sizes)]
    if lazy:
        attrs.append(("loading", "lazy"))
    img = format_html("<img{}>", format_html_join("", ' {}="{}"', attrs))
    if not webp:
        return img
    source = format_html('<source type="image/webp" srcset="{}" sizes="{}">', srcset(webp), sizes)
    return format_html("<picture>{}{}</picture>", source, img)


@register.simple_tag
def picture(fieldfile, alt="", sizes="100vw", lazy=True, class_name="picture"):
    return mark_safe(_picture_html(fieldfile, str(alt or ""), sizes=sizes, img_class=class_name, lazy=lazy))  # noqa: S308 — built with format_html


def initials(name: str) -> str:
    """Up to two letters: the first of the first and of the last word (``?`` for none)."""
    words = [w for w in unicodedata.normalize("NFC", str(name or "")).split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def tone(name: str) -> int:
    """A colour for ``name`` that is the same on every page and in every process."""
    return zlib.crc32(str(name or "").strip().casefold().encode()) % AVATAR_TONES


@register.simple_tag
def avatar(name, photo=None, alt="", large=False, beside_name=True, lazy=True, logo=False, small=False):
    size_class = "large" if large else "small" if small else ""
    classes = " ".join(c for c in ("avatar", size_class, "logo" if logo else "") if c)
    if _stored(photo):
        size = LARGE_AVATAR if large else TINY_AVATAR if small else SMALL_AVATAR
        return mark_safe(_picture_html(photo, str(alt or ""), sizes=size, img_class=classes, lazy=lazy))  # noqa: S308 — built with format_html
    hidden = mark_safe(' aria-hidden="true"') if beside_name else format_html(' role="img" aria-label="{}"', name)  # noqa: S308 — a constant
    return format_html(
        '<span class="{} avatar-initials tone-{}"{}>{}</span>', classes, tone(name), hidden, initials(name)
    )
