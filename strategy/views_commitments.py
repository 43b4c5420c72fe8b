"""Convening commitments: the list (filtered by organisation, theme, status, convening), a
page per convening (its shared objectives and the commitments made there, by objective) and a
page per commitment, where its holders post progress. Access through
``Commitment.objects.visible_to`` / ``updatable_by``; the list reads a constant number of
queries (tests/strategy/test_commitments.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import cache
from core.policy import representative
from core.text import markdown_to_safe_html
from evidence.models import EvidenceRecord
from exchanges.models import Exchange
from network.models import Organisation
from strategy import services
from strategy.filters import CommitmentFilter
from strategy.forms import CommitmentUpdateForm
from strategy.models import Commitment, CommitmentStatus

PAGE_SIZE = 50
# What the commitment pages show: commitments (strategy), their convenings (exchanges), holders
# and themes (network).
DEPENDS_ON = ("strategy", "exchanges", "network")


def _exchange_titles(exchange_ids) -> dict[int, Exchange]:
    """The convenings with their title in the reader's language (one query)."""
    return {e.pk: e for e in Exchange.objects.filter(pk__in=set(exchange_ids)).with_translation()}


def _commitment_list_body(request, viewer) -> str:
    """The filters and one page of the list as everyone of ``viewer``'s audience sees them
    (``viewer`` is its representative): nothing in it belongs to the person asking."""
    commitments = (
        Commitment.objects.visible_to(viewer)
        .select_related("theme")
        .prefetch_related(Prefetch("organisations", queryset=Organisation.objects.only("pk", "name", "slug")))
        .order_by("due_on", "pk")
    )
    filterset = CommitmentFilter(request.GET or None, queryset=commitments, viewer=viewer)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    convenings = _exchange_titles(c.exchange_id for c in page.object_list)
    today = timezone.localdate()
    for commitment in page.object_list:
        commitment.convening = convenings.get(commitment.exchange_id)
        commitment.overdue = commitment.is_overdue(today)
    return render_to_string(
        "strategy/includes/commitment_list_body.html",
        {"filter": filterset, "page": page},
        request=request,
    )


def commitment_list(request):
    # The same for everyone of an audience: cached until commitments, convenings or holders
    # change, and until midnight (a commitment becomes overdue with the date alone).
    audience = request.viewer.audience
    body = cache.fragment(
        "commitment_list",
        depends_on=DEPENDS_ON,
        audience=audience,
        query=request.GET,
        valid_until=cache.end_of_today(),
        render=lambda: _commitment_list_body(request, representative(audience)),
    )
    return render(request, "strategy/commitment_list.html", {"body": body})


def _convening_body(convening: Exchange, viewer) -> dict:
    """The convening's outcomes (``html``) and their number (``total``) as everyone of
    ``viewer``'s audience sees them (``viewer`` is its representative): the commitments by
    objective, the count per status (counted in SQL) and of overdue ones."""
    visible = Commitment.objects.visible_to(viewer).filter(exchange=convening)
    commitments = list(
        visible.select_related("theme")
        .prefetch_related(Prefetch("organisations", queryset=Organisation.objects.only("pk", "name", "slug")))
        .order_by("due_on", "pk")
    )
    today = timezone.localdate()
    by_objective: dict[int | None, list[Commitment]] = {}
    for commitment in commitments:
        commitment.overdue = commitment.is_overdue(today)
        by_objective.setdefault(commitment.objective_id, []).append(commitment)
    objectives = list(convening.objectives.all())
    groups = [(objective, by_objective.get(objective.pk, [])) for objective in objectives]
    if by_objective.get(None):
        groups.append((None, by_objective[None]))
    counts = dict(visible.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    total = sum(counts.values())
    html = render_to_string(
        "strategy/includes/convening_body.html",
        {
            "convening": convening,
            "groups": groups,
            "total": total,
            "overdue": sum(1 for c in commitments if c.overdue),
            "counts": [(label, counts.get(status, 0)) for status, label in CommitmentStatus.choices],
        },
    )
    return {"total": total, "html": html}


def convening_detail(request, slug):
    """One funder convening's outcomes: its shared objectives, each with the commitments made
    towards it (then those towards none), their status and holders, and the count per status.
    What the viewer may see of it: the convening as ``Exchange.objects.visible_to`` allows, its
    commitments as ``Commitment.objects.visible_to`` does (members-only ones for members). The
    same for everyone of an audience: cached until something it shows changes, or midnight."""
    viewer = request.viewer
    convening = get_object_or_404(
        Exchange.objects.visible_to(viewer).filter(kind=Exchange.Kind.CONVENING).with_translation(), slug=slug
    )
    audience = viewer.audience
    body = cache.fragment(
        "convening_outcomes",
        depends_on=DEPENDS_ON,
        audience=audience,
        parts=(convening.pk,),
        valid_until=cache.end_of_today(),
        render=lambda: _convening_body(convening, representative(audience)),
    )
    return render(request, "strategy/convening_detail.html", {"convening": convening, "body": body})


def _visible(request, pk) -> Commitment:
    return get_object_or_404(
        Commitment.objects.visible_to(request.viewer).select_related("theme", "objective", "owner"), pk=pk
    )


def commitment_detail(request, pk):
    viewer = request.viewer
    commitment = _visible(request, pk)
    commitment.convening = _exchange_titles([commitment.exchange_id]).get(commitment.exchange_id)
    updates = list(commitment.updates.select_related("created_by", "record"))
    readable = set(
        EvidenceRecord.objects.visible_to(viewer)
        .filter(pk__in=[u.record_id for u in updates if u.record_id])
        .values_list("pk", flat=True)
    )
    for update in updates:
        update.visible_record = update.record if update.record_id in readable else None
    can_update = Commitment.objects.updatable_by(viewer).filter(pk=commitment.pk).exists()
    return render(
        request,
        "strategy/commitment_detail.html",
        {
            "commitment": commitment,
            "description": markdown_to_safe_html(commitment.description),
            "organisations": commitment.organisations.order_by("name"),
            "objectives": commitment.exchange.objectives.all(),
            "updates": updates,
            "overdue": commitment.is_overdue(),
            "form": CommitmentUpdateForm(viewer=viewer, initial={"status": commitment.status}) if can_update else None,
        },
    )


@require_POST
@login_required
def commitment_update_add(request, pk):
    commitment = _visible(request, pk)
    if not Commitment.objects.updatable_by(request.viewer).filter(pk=commitment.pk).exists():
        raise PermissionDenied
    form = CommitmentUpdateForm(request.POST, viewer=request.viewer)
    if form.is_valid():
        services.commitment_update_add(
            commitment=commitment,
            user=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            record=form.cleaned_data["record"],
            submission=form.cleaned_data["submission"],
        )
        messages.success(request, _("Progress posted."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(commitment)
