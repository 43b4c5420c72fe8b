"""/matches/: organisations an organiser could learn from; /matches/pairs/: host/visitor pairs
for coordinators, as a page or a CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.spreadsheets import csv_response
from matches.suggestions import pairs_propose, suggestions_for


@login_required
@require_GET
def suggestions(request):
    """For members (organisers): funders are guests of the network, not matched."""
    viewer = request.viewer
    if viewer.is_funder:
        raise PermissionDenied
    return render(request, "matches/suggestions.html", {"suggestions": suggestions_for(viewer)})


@login_required
@require_GET
def pairs(request):
    if not request.viewer.is_coordinator:
        raise PermissionDenied
    proposed = pairs_propose()
    if request.GET.get("format") == "csv":
        return csv_response(
            "visit-pairs.csv",
            ["host", "host country", "visitor", "visitor country", "shared themes"],
            (
                [p.host.name, p.host.country.code, p.visitor.name, p.visitor.country.code, ", ".join(p.themes)]
                for p in proposed
            ),
        )
    return render(request, "matches/pairs.html", {"pairs": proposed})
