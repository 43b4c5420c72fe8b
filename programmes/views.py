"""Programme pages: the list, a programme's timeline, who takes part, its exchanges, evidence
and guides, the reciprocal visits and, for a cohort, enrolment and progress; the coordinators'
attendance across the programme."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_countries import countries as country_names

from core import cache
from core.policy import representative
from core.text import markdown_to_safe_html
from evidence.models import EvidenceRecord
from exchanges.models import PARTICIPANT_STATES, Exchange, Registration, Session
from network.models import Membership, Organisation
from practice.models import Guide
from programmes import services
from programmes.models import Enrolment, Programme


def _programme_for(request, slug: str) -> Programme:
    return get_object_or_404(Programme.objects.visible_to(request.viewer), slug=slug)


def _programme_with_own_enrolment(request, slug: str) -> Programme:
    """The programme, with the viewer's enrolment state (``own_enrolment_state``, or None)."""
    own = Enrolment.objects.filter(programme=OuterRef("pk"), user_id=request.viewer.user_id).values("state")[:1]
    return get_object_or_404(
        Programme.objects.visible_to(request.viewer).annotate(own_enrolment_state=Subquery(own)), slug=slug
    )


def _who_takes_part(viewer, exchange_ids: list[int]) -> str:
    """The "who takes part" section: counts by country and by organisation (public facts,
    never names) of the participants of these exchanges. The same for everyone whose
    exchanges these are, so rendered once for the viewer's audience, keyed by the exchanges
    (``core.cache``), until an exchange, a registration or a membership changes. Two grouped
    queries when not cached."""

    def render_section() -> str:
        countries, organisations = [], []
        if exchange_ids:
            participants = Registration.objects.filter(exchange_id__in=exchange_ids, state__in=PARTICIPANT_STATES)
            countries = [
                (country_names.name(row["user__member__country"]), row["n"])
                for row in participants.exclude(user__member__country="")
                .values("user__member__country")
                .annotate(n=Count("user", distinct=True))
                .order_by("-n", "user__member__country")
            ]
            organisations = list(
                Organisation.objects.filter(
                    memberships__state=Membership.State.APPROVED,
                    memberships__member__user__registrations__in=participants,
                )
                .only("pk", "name", "slug")
                .annotate(n=Count("memberships__member", distinct=True))
                .order_by("-n", "name")[:30]
            )
        return render_to_string(
            "programmes/includes/who_takes_part.html", {"countries": countries, "organisations": organisations}
        )

    return cache.fragment(
        "programme-who-takes-part",
        depends_on=("exchanges", "network"),
        audience=viewer.audience,
        parts=sorted(exchange_ids),
        render=render_section,
    )


# Programmes per page of the list: the network may run hundreds over the years.
PER_PAGE = 20


@require_GET
def index(request):
    # Each listed programme's exchanges counted by a subquery per row of the page, not by a
    # GROUP BY over every visible programme's exchanges before the page is cut (issue 16).
    linked = (
        Programme.exchanges.through.objects.filter(programme_id=OuterRef("pk"))
        .order_by()
        .values("programme_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    programmes = (
        Programme.objects.visible_to(request.viewer)
        .annotate(exchange_count=Coalesce(Subquery(linked), 0))
        .order_by("-starts_on", "pk")
    )
    page = Paginator(programmes, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "programmes/programme_list.html", {"programmes": page.object_list, "page": page})


def _exchanges(programme: Programme, viewer):
    return list(
        Exchange.objects.visible_to(viewer)
        .filter(programmes=programme)
        .with_translation()
        .select_related("return_visit")
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("starts_at")))
        .order_by("starts_at", "pk")
    )


def _body(viewer, programme: Programme) -> str:
    """The programme's shared sections: the timeline, its exchanges upcoming and past, the
    reciprocal visits, who takes part, the evidence and the guides. The same for everyone of
    the viewer's audience, so drawn for ``representative(audience)`` (nothing about the person)
    and rendered once for that audience, keyed by the programme (``core.cache``), until a
    programme, an exchange, a registration, a name, a record or a guide changes, until the next
    of its exchanges ends (it moves from upcoming to past), or until midnight (consent that
    expires). What is the person's own (the cohort, their progress) the page draws around it.
    Five queries when not cached, and who takes part's own two when that is not cached either."""
    audience = viewer.audience

    def render_body() -> cache.Expiring:
        shown_to = representative(audience)
        exchanges = _exchanges(programme, shown_to)
        ids = [e.pk for e in exchanges]
        now = timezone.now()
        timeline = sorted(
            [(e.starts_at, e, None) for e in exchanges]
            + [(s.starts_at, e, s) for e in exchanges for s in e.sessions.all()],
            key=lambda item: (item[0], item[2] is not None),
        )
        by_pk = {e.pk: e for e in exchanges}
        evidence = list(
            EvidenceRecord.objects.visible_to(shown_to)
            .filter(status=EvidenceRecord.Status.PUBLISHED, exchanges__in=ids)
            .distinct()
            .only("pk", "title", "published_at")
            .order_by("-published_at", "pk")[:12]
        )
        guides = list(
            Guide.objects.visible_to(shown_to)
            .published()
            .filter(work__exchanges__in=ids)
            .distinct()
            .only("pk", "slug", "title", "language", "work_id")
            .order_by("title")[:12]
        )
        upcoming = [e for e in exchanges if e.ends_at >= now]
        html = render_to_string(
            "programmes/includes/programme_body.html",
            {
                "timeline": timeline,
                "upcoming": upcoming,
                "past": [e for e in exchanges if e.ends_at < now],
                "who_takes_part": _who_takes_part(shown_to, ids),
                "pairs": [(e, by_pk[e.return_visit_id]) for e in exchanges if e.return_visit_id in by_pk],
                "evidence": evidence,
                "guides": guides,
            },
        )
        return cache.Expiring(html, min((e.ends_at for e in upcoming), default=None))

    return cache.fragment(
        "programme-body",
        depends_on=("programmes", "exchanges", "network", "evidence", "practice"),
        audience=audience,
        parts=[programme.pk],
        # Consent that expires today hides a story at midnight, with no write to tell the cache.
        valid_until=cache.end_of_today(),
        render=render_body,
    )


@require_GET
def detail(request, slug):
    viewer = request.viewer
    programme = _programme_with_own_enrolment(request, slug)
    enrolment = None
    progress = []
    if viewer.is_authenticated and programme.has_cohort and programme.own_enrolment_state:
        # Read with the programme (one query fewer): only its state is shown.
        enrolment = Enrolment(programme=programme, user_id=viewer.user_id, state=programme.own_enrolment_state)
        if enrolment.state == Enrolment.State.ENROLLED:
            exchanges = _exchanges(programme, viewer)
            own = dict(
                Registration.objects.filter(
                    user_id=viewer.user_id, exchange_id__in=[e.pk for e in exchanges]
                ).values_list("exchange_id", "state")
            )
            progress = [(e, own.get(e.pk)) for e in exchanges]
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "description_html": markdown_to_safe_html(programme.description),
            "body": _body(viewer, programme),
            "enrolment": enrolment,
            "progress": progress,
            "may_enrol": programme.has_cohort and viewer.is_authenticated and not viewer.is_funder,
        },
    )


@login_required
@require_POST
def enrol(request, slug):
    programme = _programme_for(request, slug)
    enrolment = services.enrolment_create(programme=programme, user=request.user)
    if enrolment.state == Enrolment.State.APPLIED:
        messages.success(request, _("Thank you for applying. The coordinators will let you know."))
    else:
        messages.success(request, _("You are enrolled in this programme."))
    return redirect(programme.get_absolute_url())


@login_required
@require_POST
def leave(request, slug):
    programme = _programme_for(request, slug)
    services.enrolment_leave(programme=programme, user=request.user)
    messages.success(request, _("You have left the programme."))
    return redirect(programme.get_absolute_url())


@login_required
@require_GET
def attendance(request, slug):
    """Coordinators: each enrolled member's state on every exchange of the programme."""
    if not request.viewer.is_coordinator:
        raise PermissionDenied
    programme = _programme_for(request, slug)
    exchanges = _exchanges(programme, request.viewer)
    enrolments = list(programme.enrolments.filter(state=Enrolment.State.ENROLLED).select_related("user__member"))
    states = {
        (user_id, exchange_id): state
        for user_id, exchange_id, state in Registration.objects.filter(
            exchange__in=[e.pk for e in exchanges], user_id__in=[e.user_id for e in enrolments]
        ).values_list("user_id", "exchange_id", "state")
    }
    labels = dict(Registration.State.choices)
    rows = [
        (
            enrolment,
            [labels.get(states.get((enrolment.user_id, e.pk)), "") for e in exchanges],
            sum(states.get((enrolment.user_id, e.pk)) == Registration.State.ATTENDED for e in exchanges),
        )
        for enrolment in enrolments
    ]
    return render(
        request,
        "programmes/programme_attendance.html",
        {"programme": programme, "exchanges": exchanges, "rows": rows},
    )
