"""Rendered fragments of the practice pages, cached until practice content changes.

The guide library (results and filter block, per query string and language), the joint-action
list and the shared body of a guide page (rendered Markdown, table of contents, facts and
links) are read far more often than guides change. They are cached with the shared mechanism
of ``network/cache.py`` under the ``"practice"`` namespace, whose version every change that could
alter them bumps (receivers in ``practice/signals.py``; services call ``practice_changed()``
after writes that send no signals, such as ``QuerySet.update``). A change therefore shows on
the next request.

What differs per reader never goes into a shared fragment: fragments are keyed by audience
(``Viewer.audience`` of ``core.policy``), and the
parts that depend on the one user — workflow buttons, CSRF tokens, drafts shown to their
authors, evidence records whose visibility follows the reader's organisations — are rendered
live around the fragments.

Rendered Markdown is also cached by *content* (``markdown_cached``): the HTML of a given text is
always the same, so it survives version bumps and a cold guide page skips Markdown entirely.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import transaction

from core.cache import cached_fragment, safe_get, safe_set, version_bump

NAMESPACE = "practice"
MARKDOWN_TIMEOUT = 24 * 60 * 60


def practice_changed(**kwargs) -> None:
    """Invalidate every cached practice fragment (usable as a signal receiver).

    Bumped at once and again after the transaction commits: a request that read the old rows
    while the transaction was open must not keep its fragment past the commit."""
    version_bump(NAMESPACE)
    transaction.on_commit(lambda: version_bump(NAMESPACE))


def fragment(name: str, *, parts: tuple = (), query=None, render: Callable):
    return cached_fragment(name, parts=parts, query=query, render=render, namespace=NAMESPACE)


def markdown_cached(text: str, *, variant: str, render: Callable[[], str]) -> str:
    """``render()``'s HTML for ``text``, cached by a digest of the text and ``variant`` (what
    else the rendering depends on, e.g. the anchor prefix)."""
    digest = hashlib.sha256(f"{variant}\x1f{text}".encode("utf-8", "replace")).hexdigest()
    key = f"{NAMESPACE}:markdown:{digest}"
    html = safe_get(key)
    if html is None:
        html = render()
        safe_set(key, html, MARKDOWN_TIMEOUT)
    return html
