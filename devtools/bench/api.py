"""Benchmarks of the public API's lists (``make bench``): a page of 50 of each resource, as a
visitor and with a member's personal access token, held to the floor's target like pages."""

from __future__ import annotations

from django.test import override_settings

from api.services import token_create
from network.models import User


def run(ctx) -> None:
    member = User.objects.get(email="member1@bench.example.org")
    raw = token_create(user=member, name="bench", expires_in_days=1).raw
    resources = ["organisations", "exchanges", "guides", "joint-actions", "evidence", "indicators"]
    # The bench asks hundreds of times a minute from one address: lift the rate limits.
    with override_settings(API_RATE_LIMIT_ANONYMOUS=10**9, API_RATE_LIMIT_TOKEN=10**9):
        for resource in resources:
            ctx.measure_page(f"API {resource} (50)", f"/api/v1/{resource}/?limit=50")
        ctx.measure_page("API evidence (50), filtered", "/api/v1/evidence/?limit=50&kind=outcome&q=a")
        ctx.measure_page(
            "API evidence (50), with a member's token",
            "/api/v1/evidence/?limit=50",
            headers={"Authorization": f"Bearer {raw}"},
        )
