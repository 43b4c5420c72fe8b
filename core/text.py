"""User-written text: Markdown rendered, then cleaned, so nothing a user types can run."""

from __future__ import annotations

import functools
import html
import re
import threading

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
}  # fmt: skip
# Only links a reader can follow safely; no javascript:, data: or vbscript: URLs.
URL_SCHEMES = {"http", "https", "mailto"}
_NUL = re.compile("\x00")


# Rendered texts kept per process: the HTML is a pure function of the source text (and the
# extensions), the same for every reader, so a text shown on every view of a page (a strategy's
# sections, the comments under them) is converted once. Longer texts are converted each time,
# so that the memory kept stays bounded (2,048 texts of at most 20,000 characters).
_MEMO_SIZE = 2048
_MEMO_MAX_CHARS = 20_000
_DEFAULT_EXTENSIONS = ("extra", "sane_lists")
_converters = threading.local()


def _converter(extensions: tuple[str, ...]) -> markdown.Markdown:
    """A Markdown converter per thread and set of extensions, reset before each use: building
    one loads its extensions, which costs more than converting a short text."""
    cache = getattr(_converters, "by_extensions", None)
    if cache is None:
        cache = _converters.by_extensions = {}
    if extensions not in cache:
        cache[extensions] = markdown.Markdown(extensions=list(extensions), output_format="html")
    return cache[extensions].reset()


def markdown_to_safe_html(text: str, *, extensions: list | None = None) -> SafeString:
    """Render Markdown to HTML and clean it with nh3 (an allow-list sanitiser).

    Raw HTML in the source is escaped by the cleaner unless it is on the allow-list; event
    handlers, scripts, iframes, styles and unsafe URL schemes never survive. Links get
    ``rel="noopener noreferrer nofollow"``.
    """
    key = tuple(extensions or _DEFAULT_EXTENSIONS)
    if len(text or "") > _MEMO_MAX_CHARS:
        return _render(text or "", key)
    return _render_memo(text or "", key)


def _render(text: str, extensions: tuple[str, ...]) -> SafeString:
    source = _NUL.sub("", text)
    html = _converter(extensions).convert(source)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 — cleaned by nh3 just above.


_render_memo = functools.lru_cache(maxsize=_MEMO_SIZE)(_render)


def markdown_to_text(text: str) -> str:
    """The words of Markdown text without its markup, for search indexes and their snippets.

    Rendered as for the page, then every tag dropped (the contents of scripts and styles
    with them) and entities turned back into characters: the text a reader sees.
    """
    source = _NUL.sub("", text or "")
    rendered = markdown.markdown(source, extensions=["extra", "sane_lists"], output_format="html")
    return html.unescape(nh3.clean(rendered, tags=set(), attributes={}, strip_comments=True)).strip()
