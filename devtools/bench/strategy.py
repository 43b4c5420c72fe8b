"""Benchmarks for the strategy app (issue 13), against seed_bench's bench strategy (12
sections; a closed and an open round of 2,000 comments and 300 amendments each) and 1,000
commitments with 5,000 updates: the document page (a visitor reads the published version, a
member the open consultation), the synthesis of the closed round (members only) and the
commitments list. Targets: constant queries, median ≤ 10x the floor."""

from __future__ import annotations

from devtools.seed.strategy import BENCH_SLUG
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
    ctx.measure_page("strategy document (anonymous)", document)
    ctx.measure_page("strategy document, open consultation (member)", document, member)
    ctx.measure_page("strategy synthesis (member)", f"{document}synthesis/", member)
    ctx.measure_page("commitments list (anonymous)", "/commitments/")
    ctx.measure_page("commitments list (member)", "/commitments/", member)
    ctx.measure_page("commitments list, page 10 (member)", "/commitments/?page=10", member)
