"""What bumps the ``strategy`` namespace of the fragment cache (``core.cache``)."""

from core import cache
from strategy.models import (
    NAMESPACE,
    Amendment,
    Comment,
    Document,
    Question,
    Round,
    Section,
    Support,
    Version,
    VersionText,
)

cache.watch(NAMESPACE, Document, Section, Version, VersionText, Round, Question, Comment, Amendment, Support)
