"""Benchmarks for the strategy app (issue 13), against seed_bench's bench strategy (12
sections; a closed and an open round of 2,000 comments and 300 amendments each) and 1,000
commitments with 5,000 updates: the document page (a visitor reads the published version, a
member the open consultation), a section's page, the synthesis of the closed round (members
only), the case for investment, the commitments list and a convening's outcomes. Targets:
constant queries, median ≤ 10x the floor.

The consultation, the section page, the synthesis and the commitment pages serve fragments
cached for the reader's audience (``core.cache``): they are measured as readers meet them
(cached until the strategy changes) and, for information, cold (the ``strategy`` namespace
bumped before every request)."""

from __future__ import annotations

from core import cache
from devtools.seed.strategy import BENCH_SLUG
from exchanges.models import Exchange
from network.models import User
from strategy.models import Comment, Commitment, Document


def run(ctx) -> None:
    if not Document.objects.filter(slug=BENCH_SLUG).exists():
        ctx.report("strategy", note="no bench strategy: run seed_bench first")
        return
    member = User.objects.get(email="member1@bench.example.org")
    ctx.report(
        "strategy data",
        comments=Comment.objects.filter(section__document__slug=BENCH_SLUG).count(),
        commitments=Commitment.objects.count(),
    )
    document = f"/strategy/{BENCH_SLUG}/"
    convening = Exchange.objects.filter(slug__startswith="bench-convening-").order_by("pk").first()
    pages = [
        ("strategy document, open consultation (member)", document, member),
        ("strategy section page (member)", f"{document}sections/part-1/", member),
        ("strategy synthesis (member)", f"{document}synthesis/", member),
        ("commitments list (anonymous)", "/commitments/", None),
        ("commitments list (member)", "/commitments/", member),
        ("commitments list, page 10 (member)", "/commitments/?page=10", member),
        ("convening outcomes (member)", f"/commitments/convenings/{convening.slug}/", member),
    ]
    ctx.measure_page("strategy document (anonymous)", document)
    ctx.measure_page("strategy case for investment (anonymous)", f"{document}case/")
    for label, url, user in pages:
        ctx.measure_page(label, url, user)
    for label, url, user in pages:
        ctx.measure_page(f"{label}, cold", url, user=user, before_each=lambda: cache.changed("strategy"), checked=False)
