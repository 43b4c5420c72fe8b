"""Benchmarks of the network's pages (``make bench``), against seed_bench's data.

Each cached page is measured twice: as users meet it (its fragment cached, invalidated by
any change to the network) and "cold" (the cache invalidated before every request), so that
the cost of the queries and the rendering stays visible too.
"""

from __future__ import annotations

from django.db.models import Count

from core import cache
from devtools.benchlib import COLD_RATIO_TARGET
from network.models import Member, Organisation, User


def run(ctx) -> None:
    ctx.report("network data", organisations=Organisation.objects.count(), members=Member.objects.count())
    country = Organisation.objects.values("country").annotate(n=Count("id")).order_by("-n")[0]["country"]
    busiest = (
        Organisation.objects.filter(slug__startswith="bench-org-")
        .annotate(n=Count("memberships"))
        .order_by("-n")
        .first()
    )
    network = (
        Organisation.objects.filter(kind=Organisation.Kind.NETWORK, slug__startswith="bench-org-")
        .annotate(n=Count("network_members"))
        .order_by("-n")
        .first()
    )
    member = User.objects.get(email="member1@bench.example.org")
    pages = [
        ("organisation directory", "/organisations/", None),
        ("organisation directory, filtered", f"/organisations/?country={country}&kind=grassroots&q=1", None),
        ("organisation directory, page 40", "/organisations/?page=40", None),
        (f"organisation page ({busiest.n} memberships)", busiest.get_absolute_url(), None),
        (f"organisation page, signed in ({busiest.n} memberships)", busiest.get_absolute_url(), member),
        (f"network page ({network.n} member organisations)", network.get_absolute_url(), None),
        ("member directory (signed in)", "/members/", member),
        ("member directory, filtered (signed in)", "/members/?language=sv&country=SE", member),
    ]
    for label, url, user in pages:
        ctx.measure_page(label, url, user=user)
    for label, url, user in pages:
        ctx.measure_page(
            f"{label}, cold",
            url,
            user=user,
            before_each=lambda: cache.changed("network"),
            cold_target=COLD_RATIO_TARGET,
        )
    ctx.measure_page("where we are", "/where/")
    # Asking to join: the organisation is found by name (up to 20 shown), not chosen from a list
    # of every organisation (20,000 options at issue 16's ten times).
    ctx.measure_page("my organisations", "/me/organisations/", member)
    ctx.measure_page("my organisations, finding one by name", "/me/organisations/?find=organisation+1", member)
