"""What bumps the ``strategy`` namespace of the fragment cache (``core.cache``), and the signals
strategy sends for the apps above it (which strategy may not import)."""

from django.dispatch import Signal

from core import cache
from strategy.models import (
    NAMESPACE,
    Amendment,
    Citation,
    Comment,
    Commitment,
    CommitmentUpdate,
    Document,
    Objective,
    Question,
    Round,
    Section,
    Support,
    Version,
    VersionText,
)

# Commitments, their holders, objectives and progress too: the commitment pages' fragments
# depend on this namespace.
cache.watch(
    NAMESPACE,
    Document,
    Section,
    Version,
    VersionText,
    Round,
    Question,
    Comment,
    Amendment,
    Support,
    Citation,
    Objective,
    Commitment,
    Commitment.organisations.through,
    CommitmentUpdate,
)

# Sent inside the transaction that opens a consultation round (``consultation=Round``): a
# receiver writes its emails to the outbox in that same transaction (digests: the members who
# opted in).
consultation_opened = Signal()

# Sent inside the transaction that publishes a new version (``version=Version``), once: a
# receiver writes its emails to the outbox in that same transaction (digests: the members who
# opted in to hear about the strategy, the audience of ``consultation_opened``).
version_published = Signal()
