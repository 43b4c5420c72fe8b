"""Managing one exchange outside the admin: for its managers (members of a host organisation
the exchange names) and coordinators. Which exchanges a viewer manages is the policy's
``Exchange.objects.managed_by``; every view here starts from it, so another exchange's
address is a 404 for a manager."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.formats import number
from core.spreadsheets import csv_response, xlsx_response
from core.text import markdown_to_safe_html
from exchanges import services
from exchanges.exports import participants_queryset, participants_table
from exchanges.forms import (
    CheckInSearchForm,
    ExchangeDescriptionForm,
    HostOfferForm,
    ParticipantsEmailForm,
    QuestionForm,
    SessionForm,
)
from exchanges.models import (
    PARTICIPANT_STATES,
    WORKING_LANGUAGES,
    Answer,
    Exchange,
    HostOffer,
    Question,
    Registration,
    Session,
    host_offer_months_all,
    registration_id_for_code,
)
from network.models import Organisation

State = Registration.State
CHECK_IN_PER_PAGE = 50


def _managed_exchange(request, slug: str) -> Exchange:
    """The exchange if the viewer manages it (the policy), else 404."""
    return get_object_or_404(Exchange.objects.managed_by(request.viewer).with_translation(), slug=slug)


def _participant(exchange: Exchange, registration_id: int) -> Registration:
    registration = get_object_or_404(
        Registration.objects.select_related("user__member"), pk=registration_id, exchange=exchange
    )
    registration.exchange = exchange
    return registration


# --- check-in ------------------------------------------------------------------------------


def _check_in_query(request) -> dict:
    """The search and code to go back to after a tap (only well-formed values)."""
    form = CheckInSearchForm(request.POST)
    if not form.is_valid():
        return {}
    return {k: v for k, v in form.cleaned_data.items() if v}


def _back_to_check_in(request, exchange: Exchange, registration_id: int):
    query = _check_in_query(request)
    url = reverse("exchanges:check_in", kwargs={"slug": exchange.slug})
    return redirect(f"{url}{'?' + urlencode(query) if query else ''}#registration-{registration_id}")


def _check_in_rows(registrations, *, code: str) -> SafeString:
    """The people on the check-in list, one ``<li>`` each: the page's page of them, or the one
    row a tap sent by static/js/check-in.js gets back to put in place of the old one.

    Written here rather than in a template: the 50 rows cost 6 ms of the 500-person list's 15
    through Django's template engine (a ``with``, two ``blocktranslate`` and a dozen tags per
    row), and issue 14 holds the page to 10x the floor (``make bench``). The markup and the
    message ids are those the template had; tests/exchanges/test_manage.py reads them."""
    highlighted = " is-highlighted" if code else ""
    checked_in = _("checked in")
    rows = []
    for registration in registrations:
        name = registration.user.public_name
        pk = str(registration.pk)
        attended = registration.state == Registration.State.ATTENDED
        badge = ""
        if attended:
            at = registration.checked_in_at
            badge = format_html(
                '<span class="badge">{}{}</span>',
                checked_in,
                f" {time_format(timezone.localtime(at), 'H:i')}" if at else "",
            )
            button = format_html(
                '<button type="submit" name="undo" value="{}" class="button secondary">{}</button>',
                pk,
                mark_safe(_('Undo<span class="visually-hidden"> check-in of %(name)s</span>') % {"name": escape(name)}),
            )
        else:
            button = format_html(
                '<button type="submit" name="check_in" value="{}">{}</button>',
                pk,
                mark_safe(_('Check in<span class="visually-hidden"> %(name)s</span>') % {"name": escape(name)}),
            )
        rows.append(
            format_html(
                '<li id="registration-{}" class="check-in-row{}">\n    <div>\n      <strong>{}</strong>\n'
                '      <span class="meta">{}</span>\n      {}\n    </div>\n    {}\n  </li>\n',
                pk,
                highlighted,
                name,
                registration.user.email,
                badge,
                button,
            )
        )
    return mark_safe("".join(rows))


@login_required
@require_GET
def check_in(request, slug):
    """The check-in list: participants by name, a search, the counts, and per person one
    button (check in, or undo). A personal code (``?code=``, from the participant's QR code)
    narrows the list to that one participant."""
    exchange = _managed_exchange(request, slug)
    form = CheckInSearchForm(request.GET or None)
    query = form.cleaned_data if form.is_valid() else {}
    participants = Registration.objects.filter(exchange=exchange, state__in=PARTICIPANT_STATES)
    counts = _check_in_counts(exchange)
    rows = participants.select_related("user__member").order_by("user__member__display_name", "pk")
    code = query.get("code")
    search = query.get("q")
    if code:
        registration_id = registration_id_for_code(code, exchange_id=exchange.pk)
        rows = rows.filter(pk=registration_id) if registration_id else rows.none()
        if registration_id is None:
            messages.error(request, _("This code does not belong to a participant of this exchange."))
    elif search:
        rows = rows.filter(
            Q(user__member__display_name__icontains=search)
            | Q(user__first_name__icontains=search)
            | Q(user__last_name__icontains=search)
            | Q(user__email__icontains=search)
        )
    paginator = Paginator(rows, CHECK_IN_PER_PAGE)
    if not code and not search:
        # The whole list: the counts above already know its length (one query fewer).
        paginator.count = counts["expected"]
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "exchanges/manage_check_in.html",
        {
            "exchange": exchange,
            "text": exchange.text(),
            "form": form if form.is_bound else CheckInSearchForm(),
            "page": page,
            "rows": _check_in_rows(page.object_list, code=code or ""),
            "counts": counts,
            "search": search or "",
            "code": code or "",
            "query": urlencode({k: v for k, v in query.items() if v}),
            "opens": exchange.check_in_opens().date(),
        },
    )


def _check_in_counts(exchange: Exchange) -> dict:
    """How many participants the exchange expects and how many are checked in: one query."""
    return Registration.objects.filter(exchange=exchange, state__in=PARTICIPANT_STATES).aggregate(
        expected=Count("pk"), checked_in=Count("pk", filter=Q(state=State.ATTENDED))
    )


def _counts_answer(exchange: Exchange) -> dict:
    """The counts with their words, written in the viewer's language (the script that shows
    them needs no translations)."""
    counts = _check_in_counts(exchange)
    expected = counts["expected"]
    label = ngettext("of %(total)s participant checked in", "of %(total)s participants checked in", expected)
    return {**counts, "checked_in_text": number(counts["checked_in"]), "label": label % {"total": number(expected)}}


@login_required
@require_GET
def check_in_counts(request, slug):
    """The check-in page's counts as JSON, for its optional live refresh (``static/js/check-in.js``
    asks every few seconds, so the counts follow other managers' taps without a reload). The
    same access as the page: whoever the policy lets manage the exchange; anyone else a 404.
    The words come written in the viewer's language, so the script needs no translations."""
    return JsonResponse(_counts_answer(_managed_exchange(request, slug)))


def _wants_json(request) -> bool:
    """A tap sent by the page's script (``Accept: application/json``), not the plain form."""
    return "application/json" in request.headers.get("Accept", "")


def _tap_answer(request, exchange: Exchange, registration: Registration, message: str, level: str, *, refused=False):
    """What a check-in tap answers, after the service has decided: for the plain form the
    message and a redirect back to the list (the person's row); for the page's script
    (``_wants_json``) JSON with the message, the person's row as it now is (written by the
    list's own ``_check_in_rows``) and the counts. A refusal (``refused``) is a 409: nothing changed."""
    if not _wants_json(request):
        getattr(messages, level)(request, message)
        return _back_to_check_in(request, exchange, registration.pk)
    # The service changed the row with a conditional update: read what it is now.
    registration.refresh_from_db(fields=["state", "checked_in_at"])
    row = _check_in_rows([registration], code=_check_in_query(request).get("code", ""))
    return JsonResponse(
        {
            "ok": not refused,
            "message": message,
            "level": level,
            "registration": registration.pk,
            "state": registration.state,
            "row": row,
            "counts": _counts_answer(exchange),
        },
        status=409 if refused else 200,
    )


def _check_in(request, exchange: Exchange, registration_id: int):
    registration = _participant(exchange, registration_id)
    name = registration.user.public_name
    try:
        done = services.check_in(registration=registration)
    except services.ExchangeError as error:
        return _tap_answer(request, exchange, registration, error.message, "error", refused=True)
    if done:
        return _tap_answer(request, exchange, registration, _("%(name)s is checked in.") % {"name": name}, "success")
    return _tap_answer(request, exchange, registration, _("%(name)s was already checked in.") % {"name": name}, "info")


def _check_in_undo(request, exchange: Exchange, registration_id: int):
    registration = _participant(exchange, registration_id)
    name = registration.user.public_name
    if services.check_in_undo(registration=registration):
        return _tap_answer(
            request, exchange, registration, _("Check-in undone for %(name)s.") % {"name": name}, "success"
        )
    # Nothing to undo (another manager did, or it never was): the plain form says nothing, as
    # before; the script is told the row as it is.
    if not _wants_json(request):
        return _back_to_check_in(request, exchange, registration.pk)
    return _tap_answer(request, exchange, registration, _("%(name)s is not checked in.") % {"name": name}, "info")


@login_required
@require_POST
def check_in_do(request, slug, registration_id):
    return _check_in(request, _managed_exchange(request, slug), registration_id)


@login_required
@require_POST
def check_in_undo(request, slug, registration_id):
    return _check_in_undo(request, _managed_exchange(request, slug), registration_id)


@login_required
@require_POST
def check_in_post(request, slug):
    """The check-in list's one form: the pressed button says whom (``check_in`` or ``undo``
    with the registration's id), so the page carries one form and one CSRF token, not one per
    row, and still works without JavaScript. The page's script posts the same form asking for
    JSON (``_tap_answer``): same access, same service, no reload."""
    exchange = _managed_exchange(request, slug)
    for name, action in (("check_in", _check_in), ("undo", _check_in_undo)):
        value = request.POST.get(name, "")
        # A plain, short number (no 500 on overlong or odd digits).
        if value.isascii() and value.isdigit() and len(value) <= 9:
            return action(request, exchange, int(value))
    raise Http404


# --- the exchange's own page for its managers ------------------------------------------------

REGISTRATIONS_PER_PAGE = 50
# Who a manager's list shows: everyone still in the exchange or who took part.
LISTED_STATES = (*PARTICIPANT_STATES, State.APPLIED, State.WAITLISTED, State.OFFERED)


# What the list shows of each registration and its person (``User.public_name`` included):
# not the rest of three wide rows, fifty times.
REGISTRATION_FIELDS = (
    "pk",
    "exchange_id",
    "state",
    "hope_to_learn",
    "will_bring",
    "access_needs",
    "dietary_needs",
    "interpretation_needs",
    "user__id",
    "user__email",
    "user__first_name",
    "user__last_name",
    "user__deleted_at",
    "user__member__id",
    "user__member__display_name",
)


def _registrations(exchange: Exchange, *, with_answers: bool = True):
    """The exchange's registrations with what the list shows, in a constant number of queries
    (one, and one for the answers when the exchange asks questions of its own)."""
    registrations = (
        Registration.objects.filter(exchange=exchange, state__in=LISTED_STATES)
        .select_related("user__member")
        .only(*REGISTRATION_FIELDS)
        .order_by("state", "user__member__display_name", "pk")
    )
    if not with_answers:
        return registrations
    answers = Answer.objects.select_related("question").order_by("question__position", "question_id")
    # A plain list per row: the template reads it without building a queryset per row.
    return registrations.prefetch_related(Prefetch("answers", queryset=answers, to_attr="answer_list"))


@login_required
@require_GET
def manage(request, slug):
    """The exchange at a glance for its managers: counts, the registrations with every answer
    (access and dietary needs and sensitive answers included: hosts need them to host, and
    the policy gives them to whoever manages the exchange), and what they can do."""
    exchange = _managed_exchange(request, slug)
    counts = Registration.objects.filter(exchange=exchange).aggregate(
        participants=Count("pk", filter=Q(state__in=PARTICIPANT_STATES)),
        checked_in=Count("pk", filter=Q(state=State.ATTENDED)),
        applied=Count("pk", filter=Q(state=State.APPLIED)),
        waitlisted=Count("pk", filter=Q(state=State.WAITLISTED)),
        listed=Count("pk", filter=Q(state__in=LISTED_STATES)),
    )
    questions = list(exchange.questions.select_related("show_if_question"))
    # Answers are to the exchange's own questions: without any, there is nothing to read.
    paginator = Paginator(_registrations(exchange, with_answers=bool(questions)), REGISTRATIONS_PER_PAGE)
    # The counts above already know the list's length (one query fewer).
    paginator.count = counts["listed"]
    page = paginator.get_page(request.GET.get("page"))
    # Each state's label translated once: ``get_state_display`` in the template hashed every
    # choice (translating each) once per row, a fifth of the page's time.
    states = {value: str(label) for value, label in State.choices}
    page.object_list = list(page.object_list)
    # Translated once, not once per registration.
    labels = {
        "hope_to_learn": _("What do you hope to learn?"),
        "will_bring": _("What do you bring to the exchange?"),
        "access_needs": _("Access needs"),
        "dietary_needs": _("Dietary needs"),
        "interpretation_needs": _("Interpretation needs"),
    }
    for registration in page.object_list:
        registration.state_label = states.get(registration.state, registration.state)
        # What the row lists, label and answer, gathered here: the template draws one loop
        # instead of testing five fields and walking the answers (most of the page's time).
        registration.facts = [
            (label, getattr(registration, field)) for field, label in labels.items() if getattr(registration, field)
        ]
        if questions:
            registration.facts += [(answer.question.label, answer.display) for answer in registration.answer_list]
    return render(
        request,
        "exchanges/manage.html",
        {
            "exchange": exchange,
            "text": exchange.text(),
            "counts": counts,
            "page": page,
            "sessions": list(exchange.sessions.all()),
            "questions": questions,
        },
    )


def _export_rows(request, exchange: Exchange):
    registrations = Registration.objects.filter(exchange=exchange, state__in=PARTICIPANT_STATES).order_by("created_at")
    # Managers see the sensitive answers of the exchanges the policy lets them manage.
    sensitive = Exchange.objects.managed_by(request.viewer).filter(pk=exchange.pk).exists()
    return participants_table(participants_queryset(registrations), sensitive=sensitive)


@login_required
@require_GET
def export_csv(request, slug):
    exchange = _managed_exchange(request, slug)
    header, rows = _export_rows(request, exchange)
    return csv_response(f"{exchange.slug[:60]}-participants.csv", header, rows)


@login_required
@require_GET
def export_xlsx(request, slug):
    exchange = _managed_exchange(request, slug)
    header, rows = _export_rows(request, exchange)
    return xlsx_response(f"{exchange.slug[:60]}-participants.xlsx", _("Participants"), header, rows)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug):
    exchange = _managed_exchange(request, slug)
    form = ExchangeDescriptionForm(request.POST or None, instance=Exchange.objects.get(pk=exchange.pk))
    if request.method == "POST" and form.is_valid():
        services.exchange_update(exchange=form.instance, **{f: form.cleaned_data[f] for f in form.changed_data})
        messages.success(request, _("The description is saved."))
        return redirect("exchanges:manage", slug=exchange.slug)
    return _form_page(request, exchange, form, _("Edit the description"))


def _form_page(request, exchange, form, title, *, action=None):
    return render(
        request,
        "exchanges/manage_form.html",
        {"exchange": exchange, "text": exchange.text(), "form": form, "title": title, "action": action},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_add(request, slug):
    exchange = _managed_exchange(request, slug)
    form = SessionForm(request.POST or None, instance=Session(exchange=exchange))
    if request.method == "POST" and form.is_valid():
        services.session_save(session=form.instance)
        messages.success(request, _("The session is added to the programme."))
        return redirect("exchanges:manage", slug=exchange.slug)
    return _form_page(request, exchange, form, _("Add a session"))


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, slug, session_id):
    exchange = _managed_exchange(request, slug)
    session = get_object_or_404(Session, pk=session_id, exchange=exchange)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        services.session_save(session=form.instance)
        messages.success(request, _("The session is saved."))
        return redirect("exchanges:manage", slug=exchange.slug)
    return _form_page(request, exchange, form, _("Edit the session"))


@login_required
@require_POST
def session_delete(request, slug, session_id):
    exchange = _managed_exchange(request, slug)
    session = get_object_or_404(Session, pk=session_id, exchange=exchange)
    services.session_delete(session=session)
    messages.success(request, _("The session is removed from the programme."))
    return redirect("exchanges:manage", slug=exchange.slug)


@login_required
@require_http_methods(["GET", "POST"])
def question_add(request, slug):
    exchange = _managed_exchange(request, slug)
    form = QuestionForm(request.POST or None, instance=Question(exchange=exchange))
    if request.method == "POST" and form.is_valid():
        services.question_save(question=form.instance)
        messages.success(request, _("The question is added to the sign-up form."))
        return redirect("exchanges:manage", slug=exchange.slug)
    return _form_page(request, exchange, form, _("Add a question"))


@login_required
@require_POST
def question_delete(request, slug, question_id):
    exchange = _managed_exchange(request, slug)
    question = get_object_or_404(Question, pk=question_id, exchange=exchange)
    services.question_delete(question=question)
    messages.success(request, _("The question and its answers are removed."))
    return redirect("exchanges:manage", slug=exchange.slug)


def _decide(request, slug, registration_id, service, done):
    exchange = _managed_exchange(request, slug)
    registration = _participant(exchange, registration_id)
    try:
        service(registration=registration)
    except services.ExchangeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"name": registration.user.public_name})
    return redirect("exchanges:manage", slug=exchange.slug)


@login_required
@require_POST
def application_accept(request, slug, registration_id):
    return _decide(
        request, slug, registration_id, services.application_accept, _("%(name)s is accepted and told by email.")
    )


@login_required
@require_POST
def application_decline(request, slug, registration_id):
    return _decide(
        request, slug, registration_id, services.application_decline, _("%(name)s is declined and told by email.")
    )


@login_required
@require_POST
def application_decide(request, slug):
    """The manager's list's one form: the pressed button says what and whom (``accept`` or
    ``decline`` with the registration's id): one form and one CSRF token for the page, not
    two per application, and no JavaScript needed."""
    decisions = (
        ("accept", services.application_accept, _("%(name)s is accepted and told by email.")),
        ("decline", services.application_decline, _("%(name)s is declined and told by email.")),
    )
    for name, service, done in decisions:
        value = request.POST.get(name, "")
        # A plain, short number (no 500 on overlong or odd digits).
        if value.isascii() and value.isdigit() and len(value) <= 9:
            return _decide(request, slug, int(value), service, done)
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def message(request, slug):
    exchange = _managed_exchange(request, slug)
    form = ParticipantsEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count = services.exchange_email_participants(
            exchange=Exchange.objects.get(pk=exchange.pk),
            subject=form.cleaned_data["subject"],
            message=form.cleaned_data["message"],
        )
        messages.success(
            request, ngettext("%(count)d email queued.", "%(count)d emails queued.", count) % {"count": count}
        )
        return redirect("exchanges:manage", slug=exchange.slug)
    return _form_page(request, exchange, form, _("Message the participants"))


# --- offers to host and proposed exchanges ---------------------------------------------------


def _host_organisations(request):
    """The organisations the viewer may offer for: those of their approved memberships, for a
    member (funders and coordinators offer nothing here; coordinators use the admin)."""
    viewer = request.viewer
    if not viewer.is_member:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=viewer.organisation_ids).order_by("name")


def _host_form_data(form) -> tuple[dict, list]:
    data = {k: v for k, v in form.cleaned_data.items() if k != "themes"}
    return data, list(form.cleaned_data.get("themes") or [])


@login_required
@require_http_methods(["GET", "POST"])
def host(request):
    """Offer to host, or propose an exchange, for one of your organisations; your offers and
    what the coordinators said."""
    organisations = _host_organisations(request)
    may_offer = organisations.exists()
    form = HostOfferForm(request.POST or None, organisations=organisations) if may_offer else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data, themes = _host_form_data(form)
            services.host_offer_submit(user=request.user, data=data, themes=themes)
            messages.success(request, _("Thank you. The coordinators will review it and tell you by email."))
            return redirect("exchanges:host")
    offers = list(
        HostOffer.objects.visible_to(request.viewer)
        .filter(created_by_id=request.user.pk)
        .select_related("organisation", "exchange")
    )
    return render(
        request,
        "exchanges/host.html",
        {"form": form, "offers": offers, "may_offer": may_offer},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def host_offer_detail(request, pk):
    """An offer to host as the network may read it once coordinators approved it (the offer's
    author also reads their own in any state, coordinators every offer): the offer's words, the
    host organisation, when, in which languages and on which themes; never who made it, the
    coordinators' comment or the capacity. An offer that became an exchange leads to it."""
    offer = get_object_or_404(
        HostOffer.objects.visible_to(request.viewer).select_related("organisation").prefetch_related("themes"), pk=pk
    )
    exchange = None
    if offer.exchange_id:
        exchange = Exchange.objects.visible_to(request.viewer).filter(pk=offer.exchange_id).with_translation().first()
    months = dict(host_offer_months_all(offer.months))
    languages = dict(WORKING_LANGUAGES)
    return render(
        request,
        "exchanges/host_offer_detail.html",
        {
            "offer": offer,
            "exchange": exchange,
            "description": markdown_to_safe_html(offer.description),
            "months": [months.get(m, m) for m in offer.months or []],
            "languages": [languages.get(code, code) for code in offer.working_languages or []],
            "is_public": offer.status == HostOffer.Status.APPROVED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def host_offer_edit(request, pk):
    """Change an offer the coordinators asked changes for, and send it again."""
    offer = get_object_or_404(HostOffer.objects.visible_to(request.viewer).filter(created_by_id=request.user.pk), pk=pk)
    if not offer.editable:
        messages.info(request, _("This offer can be changed only when the coordinators ask for changes."))
        return redirect("exchanges:host")
    form = HostOfferForm(request.POST or None, instance=offer, organisations=_host_organisations(request))
    if request.method == "POST" and form.is_valid():
        data, themes = _host_form_data(form)
        try:
            services.host_offer_resubmit(offer=offer, user=request.user, data=data, themes=themes)
        except services.ExchangeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Sent again to the coordinators."))
        return redirect("exchanges:host")
    return render(
        request,
        "exchanges/host_edit.html",
        {"form": form, "offer": offer},
        status=400 if request.method == "POST" else 200,
    )
