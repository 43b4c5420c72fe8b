"""Exchange pages: thin views that check access, call a QuerySet or a service, and render
or redirect. Every state change is a CSRF-protected POST; GET never changes anything."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import cache
from core.db import ListSubquery
from core.policy import representative, viewer_for
from core.text import markdown_to_safe_html
from exchanges import services
from exchanges.check_in import check_in_url, qr_svg_document
from exchanges.filters import ExchangeFilter
from exchanges.forms import ReflectionForm, RegistrationForm
from exchanges.ics import calendar_bytes
from exchanges.models import PARTICIPANT_STATES, CalendarFeed, Exchange, Registration, Session
from exchanges.structured import event_json_ld
from network.models import Member, Membership, Organisation, Theme

PER_PAGE = 20
State = Registration.State


def _waitlist_ahead():
    """Subquery: how many are ahead of this registration on its exchange's waitlist."""
    return Subquery(
        Registration.objects.filter(
            exchange_id=OuterRef("exchange_id"),
            state=State.WAITLISTED,
            waitlist_position__lt=OuterRef("waitlist_position"),
        )
        .order_by()
        .values("exchange_id")
        .annotate(n=Count("pk"))
        .values("n")
    )


def _exchange_for(request, slug: str, *, counts: bool = False) -> Exchange:
    """The exchange if the viewer may see it (drafts: coordinators only), else 404."""
    qs = Exchange.objects.visible_to(request.viewer).with_translation()
    if counts:
        qs = qs.with_place_counts()
    return get_object_or_404(qs, slug=slug)


def _own_registration(request, exchange: Exchange) -> Registration:
    return get_object_or_404(Registration.objects.select_related("user__member"), exchange=exchange, user=request.user)


def _refuse(request, exchange: Exchange, error: services.ExchangeError):
    messages.error(request, error.message)
    return redirect(exchange.get_absolute_url())


# What the list and detail pages show: exchanges, and names from the network.
DEPENDS_ON = ("exchanges", "network")


def _results(request, viewer, *, past: bool) -> cache.Expiring:
    """The list's pieces for ``viewer``'s audience (a representative: nothing about a person),
    valid until the next visible exchange ends: the filter form, the count, each card's HTML
    with its exchange's key (the page template adds the viewer's own state to each card) and
    where the page is among the pages."""
    now = timezone.now()
    visible = Exchange.objects.visible_to(viewer)
    base = visible.with_places_taken().with_translation()
    base = base.past(now).order_by("-starts_at", "pk") if past else base.upcoming(now).order_by("starts_at", "pk")
    filterset = ExchangeFilter(request.GET or None, queryset=base, request=request)
    # Each card's hosts' names and themes' ids in the same query (no prefetching: its
    # machinery costs more than the two queries it would make), the themes (a handful) in one.
    exchanges = filterset.qs.annotate(
        host_names=ListSubquery(
            Organisation.objects.filter(hosted_exchanges=OuterRef("pk"))
            .order_by("name", "pk")
            .annotate(v=F("name"))
            .values_list("v")
        ),
        theme_ids=ListSubquery(
            Theme.objects.filter(exchanges=OuterRef("pk")).order_by("slug", "pk").annotate(v=F("pk")).values_list("v")
        ),
    )
    # When the next change is due (see below) and, unless filters narrow the list, how many it
    # holds: one query over the visible exchanges instead of a count and an aggregate.
    upcoming = Q(ends_at__gte=now)
    moments = {
        "end": Min("ends_at", filter=upcoming),
        "start": Min("starts_at", filter=upcoming & Q(starts_at__gt=now)),
        "opens": Min("registration_opens_at", filter=upcoming & Q(registration_opens_at__gt=now)),
        "closes": Min("registration_closes_at", filter=upcoming & Q(registration_closes_at__gt=now)),
    }
    filtered = filterset.is_bound and any(
        value not in (None, "", False) for value in filterset.form.cleaned_data.values()
    )
    paginator = Paginator(exchanges, PER_PAGE)
    if not filtered:
        moments["count"] = Count("pk", filter=~upcoming if past else upcoming)
    moments = visible.order_by().aggregate(**moments)
    if not filtered:
        paginator.count = moments.pop("count")
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filters = render_to_string("exchanges/includes/exchange_filters.html", {"filter": filterset, "past": past})
    # The themes as the filter's select just read them (every theme, a handful: no query here).
    themes = {theme.pk: theme for theme in filterset.form.fields["theme"].queryset}
    card = get_template("exchanges/includes/exchange_card.html")
    cards = []
    for exchange in page.object_list:
        exchange.theme_list = [themes[pk] for pk in exchange.theme_ids]
        status, url = exchange.place_status(now), exchange.get_absolute_url()
        cards.append(
            {
                "pk": exchange.pk,
                "html": card.render({"exchange": exchange, "status": status, "url": url}),
                "url": url,
                "action": status.action,
            }
        )
    results = {
        "filters": filters,
        "count": page.paginator.count,
        "cards": cards,
        "number": page.number,
        "num_pages": page.paginator.num_pages,
        "previous": page.previous_page_number() if page.has_previous() else None,
        "next": page.next_page_number() if page.has_next() else None,
        "querystring": query.urlencode(),
    }
    # The moment the next exchange ends it moves from upcoming to past, and the moment one starts
    # or its registration opens or closes its card's sign-up wording changes: render again then.
    next_change = min((m for m in moments.values() if m is not None), default=None)
    return cache.Expiring(results, next_change + timedelta(microseconds=1) if next_change else None)


@require_GET
def index(request):
    viewer = request.viewer
    past = request.GET.get("when") == "past"
    audience = viewer.audience
    results = cache.fragment(
        "exchange_list",
        depends_on=DEPENDS_ON,
        audience=audience,
        query=request.GET,
        render=lambda: _results(request, representative(audience), past=past),
    )
    # The viewer's own state on each card, beside the shared card (one query, signed in only).
    pks = [card["pk"] for card in results["cards"]]
    own = {}
    if viewer.is_authenticated and pks:
        own = dict(
            Registration.objects.filter(user_id=viewer.user_id, exchange_id__in=pks)
            .exclude(state=State.CANCELLED)
            .values_list("exchange_id", "state")
        )
    cards = [{**card, "own_state": State(own[card["pk"]]) if card["pk"] in own else None} for card in results["cards"]]
    return render(
        request,
        "exchanges/exchange_list.html",
        {"past": past, "results": results, "cards": cards},
    )


def _detail_content(exchange_pk: int, viewer) -> dict:
    """The detail page's parts that are the same for everyone of ``viewer``'s audience (``viewer`` is
    its representative): the facts without the private details, and the body."""
    exchange = (
        Exchange.objects.visible_to(viewer)
        .with_place_counts()
        .with_translation(description=True)
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.all(), to_attr="theme_list"),
            # Facilitators are named only where the audience may see their profile (the policy's
            # ``Member.objects.listed``); the others are counted.
            Prefetch(
                "sessions",
                queryset=Session.objects.prefetch_related(
                    Prefetch(
                        "facilitators",
                        queryset=Member.objects.annotate(
                            named=Exists(Member.objects.listed(viewer).filter(pk=OuterRef("pk")))
                        ).order_by("display_name", "pk"),
                    )
                ),
            ),
        )
        .get(pk=exchange_pk)
    )
    # Hosts and partners in one query, found through their links (not by asking every
    # organisation of the network whether it is one).
    hosts = Exchange.hosts.through.objects.filter(exchange_id=exchange.pk)
    partners = Exchange.partners.through.objects.filter(exchange_id=exchange.pk)
    organisations = list(
        Organisation.objects.filter(pk__in=hosts.values("organisation_id").union(partners.values("organisation_id")))
        .annotate(
            is_host=Exists(hosts.filter(organisation_id=OuterRef("pk"))),
            is_partner=Exists(partners.filter(organisation_id=OuterRef("pk"))),
        )
        .order_by("name")
    )
    signed_in = viewer.is_authenticated
    going = []
    if signed_in:
        going = list(
            Registration.objects.filter(exchange=exchange, state__in=PARTICIPANT_STATES, consent_show_name=True)
            .select_related("user__member")
            # Their organisations' names in the same query.
            .annotate(
                organisation_names=ListSubquery(
                    Organisation.objects.filter(
                        memberships__member__user=OuterRef("user_id"), memberships__state=Membership.State.APPROVED
                    )
                    .order_by("name")
                    .annotate(v=F("name"))
                    .values_list("v")
                )
            )
            .order_by("created_at")[:300]
        )
    hosts = [o for o in organisations if o.is_host]
    facts = render_to_string(
        "exchanges/includes/exchange_facts.html",
        {"exchange": exchange, "status": exchange.place_status(), "hosts": hosts},
    )
    body = render_to_string(
        "exchanges/includes/exchange_body.html",
        {
            "exchange": exchange,
            "description_html": markdown_to_safe_html(exchange.text().description),
            "partners": [o for o in organisations if o.is_partner and not o.is_host],
            "going": going,
            "signed_in": signed_in,
            "agenda": _agenda(exchange),
        },
    )
    return {"facts": facts, "body": body, "places_left": exchange.places_left_db}


def _agenda(exchange: Exchange) -> list[dict]:
    """The programme as days (in the exchange's time zone), each with its sessions and their
    named facilitators and the number of those not named."""
    days: list[dict] = []
    tz = exchange.tz
    for session in exchange.sessions.all():
        day = session.starts_at.astimezone(tz).date()
        if not days or days[-1]["date"] != day:
            days.append({"date": day, "sessions": []})
        facilitators = list(session.facilitators.all())
        days[-1]["sessions"].append(
            {
                "session": session,
                "facilitators": [f for f in facilitators if f.named],
                "unnamed": sum(1 for f in facilitators if not f.named),
            }
        )
    return days


@require_GET
def detail(request, slug):
    viewer = request.viewer
    exchanges = Exchange.objects.visible_to(viewer).with_translation()
    if viewer.is_authenticated:
        # The address and the joining link: for whom the policy says, asked in the same query.
        exchanges = exchanges.annotate(
            private_details=Exists(Exchange.objects.with_private_details_for(viewer).filter(pk=OuterRef("pk")))
        )
    exchange = get_object_or_404(exchanges, slug=slug)
    registration = None
    if viewer.is_authenticated:
        registration = (
            Registration.objects.filter(exchange=exchange, user_id=viewer.user_id)
            .annotate(ahead=_waitlist_ahead())
            .first()
        )
    # The facts and the body are the same for everyone of the audience; the private details
    # and everything about the viewer's own place are drawn around them by the page template.
    audience = viewer.audience
    content = cache.fragment(
        "exchange_detail",
        depends_on=DEPENDS_ON,
        audience=audience,
        parts=(exchange.pk,),
        render=lambda: _detail_content(exchange.pk, representative(audience)),
    )
    exchange.places_left_db = content["places_left"]
    now = timezone.now()
    participant = registration is not None and registration.is_participant
    return render(
        request,
        "exchanges/exchange_detail.html",
        {
            "exchange": exchange,
            "facts": content["facts"],
            "body": content["body"],
            "private_details": getattr(exchange, "private_details", False),
            "registration": registration,
            "waitlist_rank": (registration.ahead or 0) + 1
            if registration and registration.state == State.WAITLISTED
            else None,
            "status": exchange.place_status(now),
            "text": exchange.text(),
            "may_join": exchange.joinable_by(viewer) if viewer.is_authenticated else True,
            "can_cancel": registration is not None
            and registration.state in ("confirmed", "accepted", "applied")
            and not exchange.starts_at <= now,
            "can_reflect": participant and exchange.starts_at <= now,
            "can_manage": viewer.is_authenticated
            and Exchange.objects.managed_by(viewer).filter(pk=exchange.pk).exists(),
            "json_ld": event_json_ld(exchange, exchange.text()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def register(request, slug):
    exchange = _exchange_for(request, slug)
    existing = Registration.objects.filter(exchange=exchange, user=request.user).exclude(state=State.CANCELLED).first()
    if existing is not None:
        messages.info(request, _("You are already registered for this exchange."))
        return redirect(exchange.get_absolute_url())
    reason = exchange.signup_closed_reason()
    if reason:
        messages.error(request, reason)
        return redirect(exchange.get_absolute_url())
    if not exchange.joinable_by(request.viewer):
        return _refuse(request, exchange, services.NotAllowed())
    form = RegistrationForm(request.POST or None, exchange=exchange)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.registration_create(
                exchange=exchange,
                user=request.user,
                answers=form.cleaned_data,
                question_answers=form.question_answers(),
            )
        except services.ExchangeError as error:
            return _refuse(request, exchange, error)
        state = result.registration.state
        if not result.created:
            messages.info(request, _("You are already registered for this exchange."))
        elif state == State.CONFIRMED:
            messages.success(request, _("You are signed up. A confirmation is on its way by email."))
        elif state == State.WAITLISTED:
            messages.success(
                request, _("The exchange is full: you are on the waitlist. We email you when a place frees.")
            )
        else:
            messages.success(request, _("Thank you for applying. The coordinators will let you know."))
        return redirect(exchange.get_absolute_url())
    return render(
        request,
        "exchanges/registration_form.html",
        {"exchange": exchange, "form": form, "status": exchange.place_status(), "text": exchange.text()},
        status=400 if request.method == "POST" else 200,
    )


def _own_registration_action(request, slug, action, success_message):
    """Apply ``action`` (a service taking ``registration=``) to the viewer's own registration,
    then go back to the exchange with a message; a refused action explains why."""
    exchange = _exchange_for(request, slug)
    registration = _own_registration(request, exchange)
    try:
        action(registration=registration)
    except services.ExchangeError as error:
        return _refuse(request, exchange, error)
    messages.success(request, success_message)
    return redirect(exchange.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, slug):
    """GET: what cancelling means (a held place goes to the next person waiting), with the button
    that does it; POST: cancel, and the member gets a confirmation by email."""
    if request.method == "POST":
        return _own_registration_action(
            request,
            slug,
            services.registration_cancel,
            _("Your registration is cancelled. A confirmation is on its way by email."),
        )
    exchange = _exchange_for(request, slug, counts=True)
    registration = _own_registration(request, exchange)
    if registration.state not in ("confirmed", "accepted", "applied", "offered"):
        messages.info(request, _("There is nothing to cancel on this exchange."))
        return redirect(exchange.get_absolute_url())
    return render(
        request,
        "exchanges/registration_cancel.html",
        {
            "exchange": exchange,
            "registration": registration,
            "others_waiting": exchange.waitlisted_count > 0,
        },
    )


@login_required
@require_POST
def waitlist_leave(request, slug):
    return _own_registration_action(request, slug, services.waitlist_leave, _("You have left the waitlist."))


@login_required
@require_GET
def offer(request, slug):
    """The page the offer email links to: shows the offer with accept and decline buttons."""
    exchange = _exchange_for(request, slug)
    registration = _own_registration(request, exchange)
    if registration.state != State.OFFERED:
        messages.info(request, _("There is no open offer for you on this exchange."))
        return redirect(exchange.get_absolute_url())
    return render(request, "exchanges/offer_confirm.html", {"exchange": exchange, "registration": registration})


@login_required
@require_POST
def offer_accept(request, slug):
    return _own_registration_action(
        request, slug, services.offer_accept, _("The place is yours. A confirmation is on its way by email.")
    )


@login_required
@require_POST
def offer_decline(request, slug):
    return _own_registration_action(
        request, slug, services.offer_decline, _("You declined the place; it goes to the next person waiting.")
    )


@login_required
@require_http_methods(["GET", "POST"])
def reflection(request, slug):
    exchange = _exchange_for(request, slug)
    registration = _own_registration(request, exchange)
    if (
        registration.state not in (State.CONFIRMED, State.ACCEPTED, State.ATTENDED)
        or exchange.starts_at > timezone.now()
    ):
        messages.error(request, _("You can write a reflection once you have taken part in the exchange."))
        return redirect(exchange.get_absolute_url())
    instance = getattr(registration, "reflection", None)
    form = ReflectionForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_save(registration=registration, data=form.cleaned_data)
        except services.ExchangeError as error:
            return _refuse(request, exchange, error)
        messages.success(request, _("Thank you for your reflection."))
        return redirect("exchanges:mine")
    return render(
        request,
        "exchanges/reflection_form.html",
        {"exchange": exchange, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def check_in_qr(request, registration_id: int):
    """The QR code of the signed-in member's own check-in code, as an SVG image; a 404 for any
    other registration, a cancelled one, or one of a cancelled or past exchange."""
    registration = get_object_or_404(
        Registration.objects.select_related("exchange")
        .filter(user=request.user, state__in=PARTICIPANT_STATES, exchange__ends_at__gte=timezone.now())
        .exclude(exchange__status=Exchange.Status.CANCELLED),
        pk=registration_id,
    )
    url = check_in_url(registration, slug=registration.exchange.slug)
    response = HttpResponse(
        qr_svg_document(url, title=_("QR code of your check-in code")), content_type="image/svg+xml"
    )
    # The member's own code: never in a shared cache, kept by their browser for a while.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def mine(request):
    now = timezone.now()
    registrations = list(
        Registration.objects.filter(user=request.user)
        .exclude(state=State.CANCELLED)
        .annotate(ahead=_waitlist_ahead())
        .select_related("exchange", "reflection")
        # Each exchange's title and summary in the page's language, in the same query.
        .annotate(**Exchange.objects.translation_annotations(outer="exchange_id"))
        .order_by("exchange__starts_at")
    )
    for registration in registrations:
        Exchange.objects.translation_from(registration, registration.exchange)
    groups = {"upcoming": [], "offered": [], "waitlisted": [], "applied": [], "past": []}
    for registration in registrations:
        exchange = registration.exchange
        if exchange.ends_at < now:
            if registration.state in PARTICIPANT_STATES:
                groups["past"].append(registration)
        elif registration.state == State.OFFERED:
            groups["offered"].append(registration)
        elif registration.state == State.WAITLISTED:
            groups["waitlisted"].append(registration)
        elif registration.state == State.APPLIED:
            groups["applied"].append(registration)
        elif registration.state in PARTICIPANT_STATES:
            groups["upcoming"].append(registration)
    groups["past"].reverse()
    for registration in groups["waitlisted"]:
        registration.rank = (registration.ahead or 0) + 1
    # The personal check-in code; its QR code (for the manager's phone at the door) is an image
    # of its own, drawn only when the member opens it: encoding one costs about 20 ms.
    for registration in groups["upcoming"]:
        registration.shows_check_in = registration.exchange.status != Exchange.Status.CANCELLED
    feed = CalendarFeed.objects.filter(user=request.user).first()
    # The exchanges this person is named to manage (and the policy lets them).
    managing = (
        Exchange.objects.managed_by(request.viewer)
        .filter(managers=request.viewer.member_id)
        .with_translation()
        .order_by("starts_at")
        if request.viewer.member_id
        else []
    )
    return render(
        request,
        "exchanges/registration_mine.html",
        {
            **groups,
            "managing": list(managing),
            "feed_url": request.build_absolute_uri(feed.private_url()) if feed else None,
        },
    )


@login_required
@require_POST
def feed_create(request):
    services.feed_get_or_create(user=request.user)
    messages.success(request, _("Your private calendar feed is ready."))
    return redirect("exchanges:mine")


@login_required
@require_POST
def feed_revoke(request):
    services.feed_revoke(user=request.user)
    messages.success(request, _("Your calendar feed has a new address; the old one no longer works."))
    return redirect("exchanges:mine")


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def calendar(request, slug):
    exchange = _exchange_for(request, slug)
    private = Exchange.objects.with_private_details_for(request.viewer).filter(pk=exchange.pk).exists()
    return _ics_response(calendar_bytes([exchange], private=private), f"{exchange.slug[:60]}.ics")


@require_GET
def feed(request, token):
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active or feed.user.deleted_at is not None:
        raise Http404
    # The feed is the person's own: what the policy lets them see the private details of.
    exchanges = (
        Exchange.objects.with_private_details_for(viewer_for(feed.user))
        .announced()
        .filter(registrations__user=feed.user, registrations__state__in=PARTICIPANT_STATES)
        .filter(ends_at__gte=timezone.now() - timezone.timedelta(days=365))
        .order_by("starts_at")
    )
    # In the member's own language, as their emails: a feed's address carries none.
    language = getattr(getattr(feed.user, "member", None), "preferred_language", None) or None
    with translation.override(language or translation.get_language()):
        body = calendar_bytes(exchanges.with_translation(), private=True, name=_("My Learning Lab exchanges"))
    response = _ics_response(body, "learning-lab.ics")
    # A personal feed: no shared cache or disk may keep it (calendar apps poll anyway).
    response["Cache-Control"] = "private, no-store"
    return response


def feed_url(user) -> str | None:
    feed = CalendarFeed.objects.filter(user=user).first()
    return reverse("exchanges:feed", kwargs={"token": feed.token}) if feed else None
