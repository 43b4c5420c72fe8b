"""Word-level differences between two texts, as HTML with ``<del>`` and ``<ins>``.

Used for the tracked change of an amendment (the section's text against the proposal) and
for the section-by-section diff between two versions. The texts are Markdown source, shown
as source (escaped, line breaks kept): a reader sees exactly which words changed. Each change
also carries visually hidden words ("deleted:", "inserted:") because screen readers do not
announce ``<del>``/``<ins>`` by default.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

_TOKENS = re.compile(r"\s+|[^\s]+")


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text or "")


def _chunk(tokens: list[str]) -> str:
    return escape("".join(tokens)).replace("\n", "<br>\n")


def diff_html(old: str, new: str) -> SafeString:
    """``new`` against ``old``, words removed in ``<del>`` and words added in ``<ins>``.

    A pure function of the two texts and the language of its hidden labels, so its results are
    kept (bounded, per process): an amendment's diff is drawn once, not on every page view."""
    if len(old) + len(new) > _MEMO_MAX_CHARS:
        return _diff_html(old, new, get_language())
    return _diff_html_memo(old, new, get_language())


# Texts longer than this are diffed each time rather than kept (memory stays bounded).
_MEMO_MAX_CHARS = 20_000


def _diff_html(old: str, new: str, language: str | None) -> SafeString:
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    deleted, inserted = escape(_("deleted:")), escape(_("inserted:"))
    parts: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(_chunk(a[i1:i2]))
            continue
        if op in ("delete", "replace"):
            parts.append(f'<del><span class="visually-hidden">{deleted} </span>{_chunk(a[i1:i2])}</del>')
        if op in ("insert", "replace"):
            parts.append(f'<ins><span class="visually-hidden">{inserted} </span>{_chunk(b[j1:j2])}</ins>')
    return mark_safe("".join(parts))  # noqa: S308 — every piece of text is escaped above.


_diff_html_memo = functools.lru_cache(maxsize=2048)(_diff_html)


@dataclass(frozen=True)
class SectionDiff:
    key: str
    heading: str
    changed: bool
    html: SafeString


def sections_diff(sections, old: dict, new: dict) -> list[SectionDiff]:
    """One entry per section (in order) comparing two versions' texts by key."""
    result = []
    for section in sections:
        before, after = str(old.get(section.key, "") or ""), str(new.get(section.key, "") or "")
        result.append(
            SectionDiff(
                key=section.key, heading=section.heading, changed=before != after, html=diff_html(before, after)
            )
        )
    return result
