"""Rate limits of the API, per token and per address, counted in the shared cache.

A fixed window per minute: the first call of a window creates its counter (``add``, atomic on
Redis) and every call increments it. Every process sees the same counters, so the limit holds
for the whole site, not per worker. The digest of a token, never the token, names its counter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends (for Retry-After)


def hit(subject: str, limit: int, *, now: float | None = None) -> Verdict:
    """Count one call by ``subject`` ("ip:…" or "token:<pk>") against ``limit`` a minute."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"api-rate:{subject}:{window}"
    retry_after = max(1, (window + 1) * WINDOW_SECONDS - int(now))
    try:
        cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
        count = cache.incr(key)
    except ValueError:
        # The counter expired between add and incr: this call opens a new one.
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    return Verdict(count <= limit, retry_after)


def client_address(request) -> str:
    """The caller's address: REMOTE_ADDR, or the first hop a trusted proxy names."""
    if getattr(settings, "API_TRUST_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]
