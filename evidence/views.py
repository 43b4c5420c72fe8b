"""Evidence pages. Thin: parse, check access, call a QuerySet or a service, render or redirect.

Access in one line per view through the helpers below; what anyone may read always comes from
``EvidenceRecord.objects.visible_to(request.viewer)`` (the request's ``core.policy.Viewer``).
"""

from __future__ import annotations

import csv
import io
import itertools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, OuterRef
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_countries import countries

from core import cache
from core.citation import Citation, permalink_path
from core.db import ListSubquery
from core.formats import decimals_needed
from core.licences import licence_url
from core.policy import representative
from core.replica import reads_from_replica
from core.text import markdown_to_safe_html
from core.validators import spreadsheet_safe
from evidence import assessment, charts, dashboard, rollups, services
from evidence.filters import DashboardFilter, LibraryFilter
from evidence.forms import (
    KIND_HELP,
    AttachmentForm,
    ConsentForm,
    EvidenceForm,
    MetricUpdateForm,
    ResponseForm,
    WithdrawConsentForm,
)
from evidence.models import (
    CONSENT_KINDS,
    Consent,
    EvidenceRecord,
    OutcomeType,
    ProcessDimension,
    Question,
    RecordCountry,
    Round,
)
from network.models import Organisation, Theme
from network.options import organisation_options

PAGE_SIZE = 20


# --- access helpers ----------------------------------------------------------------------


def _require_author(request):
    """Organisers and coordinators write evidence; anyone else is turned away."""
    if not request.viewer.can_author:
        raise PermissionDenied


def _get_editable(request, pk: int) -> EvidenceRecord:
    _require_author(request)
    record = EvidenceRecord.objects.filter(pk=pk).first()
    if record is None:
        raise Http404
    if not EvidenceRecord.objects.editable_by(request.viewer).filter(pk=pk).exists():
        raise PermissionDenied
    return record


def _dashboard_viewer(request):
    """Funders and coordinators only; the anonymous are sent to log in, everyone else gets 403."""
    viewer = request.viewer
    if viewer.is_anonymous:
        return redirect_to_login(request.get_full_path())
    if not (viewer.is_funder or viewer.is_coordinator):
        raise PermissionDenied
    return None


def _filter_error_message(request, filterset) -> None:
    if filterset.is_bound and filterset.form.errors:
        fields = ", ".join(
            str(filterset.form.fields[name].label) for name in filterset.form.errors if name in filterset.form.fields
        )
        messages.warning(
            request, _("Some filters were not understood and were ignored: %(fields)s.") % {"fields": fields}
        )


def _with_lists(qs):
    """Names of organisations, themes and countries as lists from correlated subqueries: the
    page costs one query however many records it shows."""
    return qs.annotate(
        organisation_names=ListSubquery(
            Organisation.objects.filter(evidence_records=OuterRef("pk"))
            .order_by("name")
            .annotate(v=F("name"))
            .values_list("v")
        ),
        theme_names=ListSubquery(
            Theme.objects.filter(evidence_records=OuterRef("pk"))
            .order_by("slug")
            .annotate(v=dashboard.translated("name"))
            .values_list("v")
        ),
        country_codes=ListSubquery(
            RecordCountry.objects.filter(record=OuterRef("pk"))
            .order_by("country")
            .annotate(v=F("country"))
            .values_list("v")
        ),
    )


def _filter_options():
    """(value, label) pairs for the library's selects: four small lookup queries."""
    return {
        "themes": [(t.slug, t.name) for t in Theme.objects.all()],
        "dimensions": [(d.slug, d.name) for d in ProcessDimension.objects.all()],
        "outcome_types": [(o.slug, o.name) for o in OutcomeType.objects.all()],
        "organisations": organisation_options(),
    }


# --- library and record pages ---------------------------------------------------------------


# What the library and the dashboard show: evidence, and names from the network.
DEPENDS_ON = ("evidence", "network")


def index(request):
    # Taken before the queryset is built: a render that crosses midnight holds the new day's
    # (stricter) records and is not kept, never the old day's records under the new day.
    valid_until = cache.end_of_today()
    # The library shows published records only: the same for everyone of one audience.
    records = EvidenceRecord.objects.visible_to(representative(request.viewer.audience)).published()
    filterset = LibraryFilter(request.GET or None, queryset=records)
    _filter_error_message(request, filterset)
    query = request.GET.copy()
    query.pop("page", None)

    def render_results() -> str:
        qs = _with_lists(filterset.qs.select_related("consent")).order_by("-published_at", "-pk")
        paginator = Paginator(qs, PAGE_SIZE)
        if rollups.enabled() and not (filterset.is_bound and any(filterset.form.cleaned_data.values())):
            # Unfiltered, the library lists exactly what the dashboard's rollups count for the
            # audience (the published records it may read today), kept on write: their sum
            # replaces a count over every visible record and its consent.
            paginator.count = dashboard.library_total(request.viewer.audience)
        page = paginator.get_page(request.GET.get("page"))
        return render_to_string(
            "evidence/includes/library_results.html",
            {
                "request": request,
                "page": page,
                "query": query.urlencode(),
                "kinds": EvidenceRecord.Kind.choices,
                "layers": EvidenceRecord.Layer.choices,
                "verifications": EvidenceRecord.Verification.choices,
                "countries": DashboardFilter.base_filters["country"].extra["choices"](),
                **_filter_options(),
            },
        )

    # The library lists published records only, so what it shows depends on the viewer's class
    # and the query, never on the person: filters and results are one fragment per audience,
    # language, time zone, day and query (the page number included).
    results = cache.fragment(
        "evidence_library",
        depends_on=DEPENDS_ON,
        audience=request.viewer.audience,
        query=request.GET,
        valid_until=valid_until,
        render=render_results,
    )
    return render(
        request,
        "evidence/record_list.html",
        {
            "results": results,
            "can_submit": request.viewer.can_author,
        },
    )


def _citation(record: EvidenceRecord) -> Citation | None:
    """Published records only: a draft is not yet something to cite. Authors are the record's
    organisations (the page names no person)."""
    if record.status != EvidenceRecord.Status.PUBLISHED:
        return None
    return Citation(
        key=f"learninglab-evidence-{record.pk}",
        title=record.title,
        path=permalink_path(record),
        issued=record.published_at.date() if record.published_at else None,
        authors=[o.name for o in record.organisations.all()],
        kind="report",
        language=record.original_language,
        licence=record.licence,
    )


def detail(request, pk: int):
    record = get_object_or_404(
        EvidenceRecord.objects.visible_to(request.viewer).select_related("consent", "created_by"), pk=pk
    )
    can_edit = EvidenceRecord.objects.editable_by(request.viewer).filter(pk=pk).exists()
    can_manage_consent = _may_manage_consent(request.viewer, record)
    return render(
        request,
        "evidence/record_detail.html",
        {
            "record": record,
            "body_html": markdown_to_safe_html(record.body),
            "organisations": record.organisations.all(),
            "themes": record.themes.all(),
            "countries": [str(rc.country.name) for rc in record.record_countries.all()],
            "dimensions": record.dimensions.all(),
            "outcome_types": record.outcome_types.all(),
            "attachments": record.attachments.all(),
            "metric_updates": record.metric_updates.select_related("indicator", "organisation").prefetch_related(
                "splits"
            ),
            "consent": record.consent_or_none() if record.needs_consent else None,
            "can_edit": can_edit,
            "can_manage_consent": can_manage_consent,
            "revisions": record.revisions.select_related("user")[:20] if (can_edit or can_manage_consent) else [],
            "withdraw_form": WithdrawConsentForm(),
            "licence_url": licence_url(record.licence),
            "citation": _citation(record),
        },
    )


def _may_manage_consent(viewer, record) -> bool:
    return EvidenceRecord.objects.consent_manageable_by(viewer).filter(pk=record.pk).exists()


@login_required
def mine(request):
    _require_author(request)
    records = _with_lists(EvidenceRecord.objects.mine(request.viewer).select_related("consent")).order_by("-updated_at")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    from exchanges.models import Exchange, Reflection

    reflections = list(
        Reflection.objects.filter(registration__user=request.user)
        .select_related("registration__exchange")
        # Each exchange's title in the page's language, in the same query.
        .annotate(**Exchange.objects.translation_annotations(outer="registration__exchange_id"))
    )
    for reflection in reflections:
        Exchange.objects.translation_from(reflection, reflection.registration.exchange)
    return render(request, "evidence/record_mine.html", {"page": page, "reflections": reflections})


@login_required
def choose_kind(request):
    _require_author(request)
    return render(
        request,
        "evidence/record_choose.html",
        {"kinds": [(k, label, KIND_HELP[k]) for k, label in EvidenceRecord.Kind.choices]},
    )


def _save_record(request, *, kind, record=None, initial=None, template="evidence/record_form.html"):
    needs_consent = kind in ("story", "testimony", "media")
    consent = record.consent_or_none() if record else None
    if request.method == "POST":
        form = EvidenceForm(request.POST, instance=record, viewer=request.viewer, kind=kind)
        consent_form = ConsentForm(request.POST, instance=consent, prefix="consent") if needs_consent else None
        if form.is_valid() and (consent_form is None or consent_form.is_valid()):
            try:
                if record is None:
                    record = services.record_create(user=request.user, data=form.record_data())
                else:
                    record = services.record_update(record=record, user=request.user, data=form.record_data())
                if consent_form is not None:
                    services.consent_save(record=record, user=request.user, data=consent_form.consent_data())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if "submit" in request.POST:
                    try:
                        services.record_transition(record=record, user=request.user, step="submit")
                        messages.success(request, _("Thank you: your evidence was submitted for review."))
                    except ValidationError as error:
                        messages.error(request, " ".join(error.messages))
                else:
                    messages.success(request, _("Saved as a draft."))
                return redirect(record.get_absolute_url())
    else:
        form = EvidenceForm(instance=record, viewer=request.viewer, kind=kind, initial=initial)
        consent_form = ConsentForm(instance=consent, prefix="consent") if needs_consent else None
    return render(
        request,
        template,
        {
            "form": form,
            "consent_form": consent_form,
            "kind": kind,
            "kind_label": EvidenceRecord.Kind(kind).label,
            "kind_help": KIND_HELP[kind],
            "record": record,
        },
    )


@login_required
def create(request, kind: str):
    _require_author(request)
    if kind not in EvidenceRecord.Kind.values:
        raise Http404
    return _save_record(request, kind=kind)


@login_required
def edit(request, pk: int):
    record = _get_editable(request, pk)
    return _save_record(request, kind=record.kind, record=record)


@login_required
def from_reflection(request, reflection_pk: int):
    """Turn one of my exchange reflections into a story draft, prefilled."""
    _require_author(request)
    from exchanges.models import Reflection

    reflection = get_object_or_404(
        Reflection.objects.select_related("registration__exchange"), pk=reflection_pk, registration__user=request.user
    )
    exchange = reflection.registration.exchange
    body = reflection.learned
    if reflection.will_try:
        body += "\n\n" + _("What I will try at home:") + "\n\n" + reflection.will_try
    initial = {
        "title": _("What changed after %(exchange)s") % {"exchange": exchange.title},
        "body": body,
        "reflections": [reflection.pk],
        "exchanges": [exchange.pk],
        "themes": list(exchange.themes.values_list("pk", flat=True)),
        "layer": EvidenceRecord.Layer.PROCESS,
    }
    return _save_record(request, kind=EvidenceRecord.Kind.STORY, initial=initial)


@login_required
@require_POST
def submit(request, pk: int):
    record = _get_editable(request, pk)
    try:
        services.record_transition(record=record, user=request.user, step="submit")
        messages.success(request, _("Thank you: your evidence was submitted for review."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(record.get_absolute_url())


@login_required
@require_POST
def consent_withdraw(request, pk: int):
    record = get_object_or_404(EvidenceRecord.objects.select_related("consent"), pk=pk)
    if not _may_manage_consent(request.viewer, record):
        raise PermissionDenied
    consent = record.consent_or_none()
    if consent is None:
        raise Http404
    form = WithdrawConsentForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.consent_withdraw(consent=consent, user=request.user, note=note)
    messages.success(request, _("The consent was withdrawn. The record is no longer shown anywhere."))
    return redirect("evidence:mine")


@login_required
def attachment_add(request, pk: int):
    record = _get_editable(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None, instance=None)
    if request.method == "POST" and form.is_valid():
        services.attachment_add(
            record=record,
            user=request.user,
            file=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            alt_text=form.cleaned_data["alt_text"],
        )
        messages.success(request, _("The file was attached."))
        return redirect(record.get_absolute_url())
    return render(request, "evidence/attachment_form.html", {"form": form, "record": record})


@login_required
def metric_add(request, pk: int):
    record = _get_editable(request, pk)
    if record.kind != EvidenceRecord.Kind.METRIC:
        raise Http404
    form = MetricUpdateForm(request.POST or None, record=record)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.metric_update_create(
                record=record,
                user=request.user,
                indicator=data["indicator"],
                organisation=data["organisation"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                value=data["value"],
                splits=data["splits"],
            )
        except ValidationError as error:
            form.add_error("splits" if not hasattr(error, "error_dict") else None, error)
        else:
            messages.success(request, _("The value was added."))
            return redirect(record.get_absolute_url())
    return render(request, "evidence/metric_form.html", {"form": form, "record": record})


# --- dashboard --------------------------------------------------------------------------------


def _dashboard_records(request, *, period: bool = True):
    """The dashboard's filterset and records. ``period=False``: every filter but the period's
    (the key figures' comparison sets its own periods)."""
    # Published records only: the same for everyone of one audience (figures are cached per audience).
    records = EvidenceRecord.objects.visible_to(representative(request.viewer.audience)).published()
    data = request.GET
    if not period:
        data = request.GET.copy()
        for name in PERIOD_FILTERS:
            data.pop(name, None)
    filterset = DashboardFilter(data or None, queryset=records)
    if period:
        _filter_error_message(request, filterset)
    return filterset, filterset.qs


PERIOD_FILTERS = ("period_from", "period_to")


def _removal_links(request, active: list[dict]) -> list[dict]:
    """Each active filter with the dashboard's query string without it (the other filters kept)."""
    links = []
    for item in active:
        query = request.GET.copy()
        query.pop(item["name"], None)
        links.append({**item, "remove_query": query.urlencode()})
    return links


def _dashboard_context(request, *, report: bool = False):
    """The dashboard's filter block and body as cached fragments (``core.cache``): the figures
    are computed only when one of them is not cached, and then once for both. The report's body
    differs from the page's (no in-page navigation or removal links, tables open for print), so
    the two are cached apart."""
    valid_until = cache.end_of_today()  # before the queryset: see ``index``
    filterset, records = _dashboard_records(request)
    data = filterset.form.cleaned_data if filterset.is_bound else {}
    audience = request.viewer.audience
    computed: dict = {}

    def fragment_context() -> dict:
        if not computed:
            computed.update(_dashboard_figures(request, records, data))
        return {
            **computed,
            "request": request,
            "filter": filterset,
            "countries": DashboardFilter.base_filters["country"].extra["choices"](),
            "query": request.GET.urlencode(),
            "report": report,
        }

    context = {
        "filter": filterset,
        "query": request.GET.urlencode(),
        "generated_at": timezone.now(),
        "body_html": cache.fragment(
            "evidence_dashboard_body",
            depends_on=DEPENDS_ON,
            audience=audience,
            valid_until=valid_until,
            query=request.GET,
            parts=("report" if report else "page",),
            render=lambda: render_to_string("evidence/includes/dashboard_body.html", fragment_context()),
        ),
    }
    fragments = {"filters_html": "evidence/includes/dashboard_filters.html"}
    if report:
        fragments = {"summary_html": "evidence/includes/dashboard_report_filters.html"}
    for key, template in fragments.items():
        context[key] = cache.fragment(
            f"evidence_dashboard_{key}",
            depends_on=DEPENDS_ON,
            audience=audience,
            valid_until=valid_until,
            query=request.GET,
            render=lambda template=template: render_to_string(template, fragment_context()),
        )
    return context


def _dashboard_figures(request, records, data) -> dict:
    """Every aggregated figure of the dashboard (rendered into its cached fragments)."""
    base_query = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if v}
    library = reverse("evidence:index")
    # With no filter in effect every figure but the selected stories comes from the rollups
    # (``evidence.rollups``), summed for the viewer's audience; any filter falls back to the
    # queries on the records (see ``evidence.dashboard.rollup_rows`` for why each does).
    rollup = request.viewer.audience if rollups.enabled() and not any(data.values()) else None
    counted = dashboard.breakdowns(records, rollup=rollup)
    dimension_rows, type_rows, theme_rows = counted["dimension"], counted["outcome_type"], counted["theme"]
    country_rows, quarter_rows = counted["country"], counted["quarter"]
    indicators = dashboard.indicator_quarters(
        records,
        organisation=data.get("organisation"),
        country=data.get("country"),
        period_from=data.get("period_from"),
        period_to=data.get("period_to"),
        rollup=rollup,
    )
    for entry in indicators:
        # Actual and target with one precision ("115" beside "111", "1.5" beside "2.0").
        entry["decimals"] = decimals_needed(
            [q["actual"] for q in entry["quarters"]] + [q["target"] for q in entry["quarters"]]
        )
        # The picture shows the latest quarters; the table below it has all of them.
        entry["chart"] = charts.target_chart(entry["quarters"][-CHART_QUARTERS:])
        entry["hidden_quarters"] = max(len(entry["quarters"]) - CHART_QUARTERS, 0)
        entry["latest"] = entry["quarters"][-1] if entry["quarters"] else None
    split_rows = dashboard.splits(
        records, organisation=data.get("organisation"), country=data.get("country"), rollup=rollup
    )
    for i, entry in enumerate(split_rows):
        entry["chart_id"] = f"chart-split-{i}"
        entry["chart"] = charts.bar_chart(entry["rows"], library_url=library)
    head = dashboard.headline(records, rollup=rollup)
    current, previous = dashboard.comparison_windows(
        data.get("period_from"), data.get("period_to"), today=timezone.localdate()
    )
    _unused, unperiodised = _dashboard_records(request, period=False)
    compared = dashboard.comparison(unperiodised, current, previous, rollup=rollup)
    # Themes by how much evidence they have, so that the picture's first bars are the largest.
    theme_rows = sorted(theme_rows, key=lambda row: -row.value)
    return {
        "headline": head,
        "key_figures": dashboard.key_figures(head, compared),
        "comparison": compared,
        "current_window": current,
        "previous_window": previous,
        "active_filters": _removal_links(request, dashboard.active_filters(data)),
        "balance": charts.bar_chart(
            [
                dashboard.Row(str(EvidenceRecord.Layer.PROCESS.label), head["process"], "layer=process"),
                dashboard.Row(str(EvidenceRecord.Layer.OUTCOME.label), head["outcome"], "layer=outcome"),
                dashboard.Row(str(EvidenceRecord.Layer.BOTH.label), head["both"], "layer=both"),
            ],
            library_url=library,
            base_query=base_query,
        ),
        "dimensions_chart": charts.bar_chart(
            dimension_rows, library_url=library, base_query=base_query, skip_empty=True
        ),
        "types_chart": charts.bar_chart(type_rows, library_url=library, base_query=base_query, skip_empty=True),
        "themes_chart": charts.bar_chart(
            theme_rows, library_url=library, base_query=base_query, limit=CHART_BARS, skip_empty=True
        ),
        "countries_chart": charts.bar_chart(country_rows, library_url=library, base_query=base_query, limit=CHART_BARS),
        "quarters_chart": charts.bar_chart(
            quarter_rows, library_url=library, base_query=base_query, limit=CHART_QUARTERS, keep="last"
        ),
        "indicators": indicators,
        "splits": split_rows,
        "stories": dashboard.selected_stories(records),
        "dimensions": [(row.extra["slug"], capfirst(row.label)) for row in dimension_rows],
        "themes": [(row.extra["slug"], capfirst(row.label)) for row in counted["theme"]],
        "organisations": organisation_options(),
    }


# A long list stays a short picture: the largest bars, the latest quarters (tables hold all).
CHART_BARS = 8
CHART_QUARTERS = 8


@reads_from_replica
def dashboard_view(request):
    if (response := _dashboard_viewer(request)) is not None:
        return response
    return render(request, "evidence/dashboard.html", _dashboard_context(request))


@reads_from_replica
def dashboard_report(request):
    if (response := _dashboard_viewer(request)) is not None:
        return response
    return render(request, "evidence/dashboard_report.html", _dashboard_context(request, report=True))


# The export's columns: a label in the request's language for people, and beside every coded
# value its code for whoever joins the file with other data ("Verification": "Peer-reviewed",
# "Verification code": "peer_reviewed").
EXPORT_HEADER = [
    gettext_lazy("ID"),
    gettext_lazy("Title"),
    gettext_lazy("Kind"),
    gettext_lazy("Kind code"),
    gettext_lazy("Layer"),
    gettext_lazy("Layer code"),
    gettext_lazy("Summary"),
    gettext_lazy("Organisations"),
    gettext_lazy("Countries"),
    gettext_lazy("Country codes"),
    gettext_lazy("Themes"),
    gettext_lazy("Theme codes"),
    gettext_lazy("Process dimensions"),
    gettext_lazy("Process dimension codes"),
    gettext_lazy("Outcome types"),
    gettext_lazy("Outcome type codes"),
    gettext_lazy("Level of change"),
    gettext_lazy("Level of change code"),
    gettext_lazy("Expected or unexpected"),
    gettext_lazy("Expected or unexpected code"),
    gettext_lazy("Period from"),
    gettext_lazy("Period until"),
    gettext_lazy("Verification"),
    gettext_lazy("Verification code"),
    gettext_lazy("Visibility"),
    gettext_lazy("Visibility code"),
    gettext_lazy("Storyteller"),
    gettext_lazy("Published"),
    gettext_lazy("Link"),
]


def _names_and_codes(model, *, translated_names: bool = True) -> dict:
    """A record's related ``model`` rows as two lists from correlated subqueries (names in the
    current language, and slugs), ordered alike."""
    related = model.objects.filter(evidence_records=OuterRef("pk")).order_by("slug")
    return {
        "names": ListSubquery(
            related.annotate(v=dashboard.translated("name") if translated_names else F("name")).values_list("v")
        ),
        "codes": ListSubquery(related.annotate(v=F("slug")).values_list("v")),
    }


def export_rows(records):
    """Header, then one row per visible record, streamed from one query (lists from subqueries).

    Everything that depends on the language is settled here, while the request's language is
    active (the rows are written later, as the response streams): the header, the choices'
    labels, the country names, and the query, whose names are chosen in SQL."""
    dimensions = _names_and_codes(ProcessDimension)
    types = _names_and_codes(OutcomeType)
    themes = _names_and_codes(Theme)
    # Columns, not instances: building 28,000 models (and parsing their unused dates) was a
    # third of the export's time, and a funder's export must finish well inside the web
    # server's timeout even on a busy machine.
    columns = (
        "pk", "title", "kind", "layer", "summary", "organisation_names", "country_codes",
        "theme_names", "theme_codes", "dimension_names", "dimension_codes", "type_names",
        "type_codes", "level_of_change", "expectedness", "period_start", "period_end",
        "verification", "visibility", "consent__identity_level", "consent__person_name",
        "consent__pseudonym", "published_at",
    )  # fmt: skip
    qs = (
        _with_lists(records)
        .annotate(
            theme_codes=themes["codes"],
            dimension_names=dimensions["names"],
            dimension_codes=dimensions["codes"],
            type_names=types["names"],
            type_codes=types["codes"],
        )
        .order_by("-published_at", "-pk")
        .values_list(*columns)
    )
    header = [str(label) for label in EXPORT_HEADER]
    R = EvidenceRecord

    def labels(choices) -> dict[str, str]:
        return {value: capfirst(str(label)) for value, label in choices}

    kinds, layers, levels = labels(R.Kind.choices), labels(R.Layer.choices), labels(R.Level.choices)
    expectedness, verifications = labels(R.Expectedness.choices), labels(R.Verification.choices)
    visibilities = labels(R.Visibility.choices)
    country_names = {code: str(name) for code, name in countries}
    # One reverse() for the whole export: the record URL only differs by its primary key.
    url_pattern = settings.SITE_URL.rstrip("/") + reverse("evidence:detail", kwargs={"pk": 999999999})

    def rows():
        yield header
        for (
            pk, title, kind, layer, summary, organisation_names, country_codes, theme_names,
            theme_codes, dimension_names, dimension_codes, type_names, type_codes, level_of_change,
            expected, period_start, period_end, verification, visibility, identity_level,
            person_name, pseudonym, published_at,
        ) in qs.iterator(chunk_size=2000):  # fmt: skip
            # The storyteller only for the kinds that carry a consent, as on the record's page.
            storyteller = (
                Consent.name_for(identity_level, person_name or "", pseudonym or "")
                if kind in CONSENT_KINDS and identity_level
                else ""
            )
            yield [
                pk,
                title,
                kinds.get(kind, kind),
                kind,
                layers.get(layer, layer),
                layer,
                summary,
                "; ".join(organisation_names),
                "; ".join(country_names.get(code, code) for code in country_codes),
                "; ".join(country_codes),
                "; ".join(capfirst(name) for name in theme_names),
                "; ".join(theme_codes),
                "; ".join(capfirst(name) for name in dimension_names),
                "; ".join(dimension_codes),
                "; ".join(capfirst(name) for name in type_names),
                "; ".join(type_codes),
                levels.get(level_of_change, level_of_change),
                level_of_change,
                expectedness.get(expected, expected),
                expected,
                period_start.isoformat() if period_start else "",
                period_end.isoformat() if period_end else "",
                verifications.get(verification, verification),
                verification,
                visibilities.get(visibility, visibility),
                visibility,
                storyteller,
                timezone.localtime(published_at).strftime("%Y-%m-%d %H:%M") if published_at else "",
                url_pattern.replace("999999999", str(pk)),
            ]

    return rows()


class _Echo:
    def write(self, value):
        return value


@reads_from_replica
def dashboard_export_csv(request):
    if (response := _dashboard_viewer(request)) is not None:
        return response
    _filterset, records = _dashboard_records(request)
    writer = csv.writer(_Echo())
    rows = export_rows(records)
    # Excel reads UTF-8 ("Göteborg", "Hjällbo") only after a byte-order mark.
    stream = itertools.chain(["\ufeff"], (writer.writerow([spreadsheet_safe(v) for v in row]) for row in rows))
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="learning-lab-evidence.csv"'
    return response


def _bold_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value=spreadsheet_safe(value))
    cell.font = Font(bold=True)
    return cell


SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@reads_from_replica
def dashboard_export_xlsx(request):
    if (response := _dashboard_viewer(request)) is not None:
        return response
    from openpyxl import Workbook

    _filterset, records = _dashboard_records(request)
    workbook = Workbook(write_only=True)
    # A sheet's name may not hold []:*?/\ and is at most 31 characters.
    sheet = workbook.create_sheet(str(_("Evidence")).translate(SHEET_NAME_FORBIDDEN)[:31])
    sheet.freeze_panes = "C2"
    rows = export_rows(records)
    header = next(rows)
    sheet.append([_bold_cell(sheet, label) for label in header])
    for row in rows:
        sheet.append([spreadsheet_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="learning-lab-evidence.xlsx"'
    return response


# --- self-assessment --------------------------------------------------------------------------


def _round_viewer(request, round_obj) -> str:
    """coordinator / funder (aggregates) / member (aggregates, may answer); others 403/login."""
    viewer = request.viewer
    if viewer.is_anonymous:
        raise PermissionDenied
    if viewer.is_coordinator:
        return "coordinator"
    if viewer.is_funder:
        return "funder"
    if Round.objects.answerable_by(viewer).filter(pk=round_obj.pk).exists():
        return "member"
    raise PermissionDenied


@login_required
def assessment_index(request):
    viewer = request.viewer
    rounds = Round.objects.select_related("framework", "community")
    if not (viewer.is_coordinator or viewer.is_funder):
        rounds = Round.objects.answerable_by(viewer).select_related("framework", "community")
    return render(
        request, "evidence/round_list.html", {"rounds": rounds.order_by("-opens_on"), "today": timezone.localdate()}
    )


@login_required
def round_answer(request, pk: int):
    round_obj = get_object_or_404(Round.objects.select_related("framework", "community"), pk=pk)
    if not Round.objects.answerable_by(request.viewer).filter(pk=pk).exists():
        raise PermissionDenied
    if not round_obj.is_open():
        messages.info(request, _("This round is closed."))
        return redirect("evidence:round_results", pk=pk)
    questions = Question.objects.filter(dimension__framework=round_obj.framework).select_related("dimension")
    evidence_qs = (
        EvidenceRecord.objects.visible_to(request.viewer)
        .published()
        .filter(organisations__in=round_obj.community.organisations.all())
        .distinct()
    )
    form = ResponseForm(request.POST or None, questions=questions, evidence_qs=evidence_qs)
    if request.method == "POST" and form.is_valid():
        services.response_save(
            round=round_obj, user=request.user, group=form.cleaned_data["group"], answers=form.answers()
        )
        messages.success(request, _("Thank you: your answers were saved."))
        return redirect("evidence:round_results", pk=pk)
    return render(request, "evidence/round_answer.html", {"round": round_obj, "form": form})


@login_required
def round_results(request, pk: int):
    round_obj = get_object_or_404(Round.objects.select_related("framework", "community"), pk=pk)
    who = _round_viewer(request, round_obj)
    results = assessment.round_results(round_obj, show_single_answers=(who == "coordinator"))
    return render(request, "evidence/round_results.html", {"round": round_obj, "results": results, "who": who})
