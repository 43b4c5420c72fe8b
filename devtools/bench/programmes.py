"""Benchmarks for programmes and matchmaking (issue 14), against seed_bench's 200 programmes,
5,000 host offers and 10,000 members in 2,000 organisations: the programmes list and a
programme page (10x the floor), an organiser's suggestions (/matches/, median ≤ 50 ms) and
the coordinators' pairing page for 50 organisations (/matches/pairs/, median ≤ 500 ms)."""

from __future__ import annotations

from django.db.models import Count

from devtools.bench.exchanges import _coordinator
from exchanges.models import HostOffer
from network.models import Member, User
from programmes.models import Programme

SUGGESTIONS_TARGET_MS = 50
PAIRS_TARGET_MS = 500


def _against(ctx, label: str, result, target_ms: float) -> None:
    """Issue 14 sets these two pages an absolute target, printed below their figures."""
    verdict = "" if result.median_ms <= target_ms else f"  !! median > {target_ms} ms"
    ctx.report(f"{label}: target", median_ms=round(result.median_ms, 2), target_ms=f"{target_ms}{verdict}")


def run(ctx) -> None:
    programme = (
        Programme.objects.filter(slug__startswith="bench-programme-", status=Programme.Status.PUBLISHED)
        .annotate(n=Count("exchanges"))
        .order_by("-n", "pk")
        .first()
    )
    if programme is None:
        ctx.report("programmes", note="no bench programmes: run seed_bench first")
        return
    ctx.report(
        "programmes data",
        programmes=Programme.objects.count(),
        host_offers=HostOffer.objects.count(),
        members=Member.objects.count(),
    )
    member = User.objects.get(email="member1@bench.example.org")
    ctx.measure_page("programmes list", "/programmes/")
    ctx.measure_page("programmes list (member)", "/programmes/", member)
    ctx.measure_page(f"programme page ({programme.n} exchanges)", programme.get_absolute_url())
    ctx.measure_page(f"programme page ({programme.n} exchanges, member)", programme.get_absolute_url(), member)
    # An organiser with themes, languages and an approved membership: what the score reads.
    organiser = (
        User.objects.filter(email__endswith="@bench.example.org", member__memberships__state="approved")
        .annotate(n=Count("member__themes"))
        .filter(n__gt=0)
        .order_by("pk")
        .first()
    ) or member
    suggestions = ctx.measure_page("matches: suggestions for one organiser", "/matches/", organiser, checked=False)
    _against(ctx, "matches: suggestions for one organiser", suggestions, SUGGESTIONS_TARGET_MS)
    pairs = ctx.measure_page("matches: pairs for 50 organisations", "/matches/pairs/", _coordinator(), checked=False)
    _against(ctx, "matches: pairs for 50 organisations", pairs, PAIRS_TARGET_MS)
