"""The funder dashboard's figures. Every number is aggregated in SQL (aggregate/annotate/values,
TruncQuarter); Python only shapes the handful of aggregated rows for charts and tables.

All functions take ``records``: a queryset already narrowed by ``visible_to(viewer).published()``
and the dashboard filters, so visibility and consent hold for every figure.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf, TruncDate, TruncQuarter
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django_countries import countries as country_names

from core.formats import medium_date, number
from core.replica import reporting_cursor
from evidence.filters import DashboardFilter
from evidence.models import (
    CONSENT_KINDS,
    EvidenceRecord,
    FacetRollup,
    Indicator,
    LatestRollup,
    MetricRollup,
    MetricSplit,
    MetricUpdate,
    OutcomeType,
    ProcessDimension,
    RecordCountry,
    RecordRollup,
    SplitRollup,
    Target,
)
from network.models import Organisation, Theme


@dataclass
class Row:
    label: str
    value: float
    url_query: str = ""
    extra: dict = field(default_factory=dict)


def _record_counts(where: Q | None, *, today: datetime.date) -> dict:
    """The aggregates behind the key figures, each counting only the records ``where`` selects
    (all records for None): counts by layer, kind, verification, consent and cross-border."""

    def only(condition: Q | None = None) -> Q | None:
        if condition is None:
            return where
        return condition if where is None else condition & where

    # Records observed in more than one country: one grouped pass over the country rows, which
    # PostgreSQL hashes once (a correlated count per record cost a subplan loop per row).
    cross_border_ids = RecordCountry.objects.values("record").annotate(n=Count("pk")).filter(n__gt=1).values("record")
    live_consent = Q(consent__withdrawn_at__isnull=True) & (
        Q(consent__expires_on__isnull=True) | Q(consent__expires_on__gte=today)
    )
    V = EvidenceRecord.Verification
    return {
        "total": Count("pk", filter=only()),
        "process": Count("pk", filter=only(Q(layer=EvidenceRecord.Layer.PROCESS))),
        "outcome": Count("pk", filter=only(Q(layer=EvidenceRecord.Layer.OUTCOME))),
        "both": Count("pk", filter=only(Q(layer=EvidenceRecord.Layer.BOTH))),
        "stories": Count("pk", filter=only(Q(kind=EvidenceRecord.Kind.STORY))),
        "outcomes": Count("pk", filter=only(Q(kind=EvidenceRecord.Kind.OUTCOME))),
        "cross_border": Count("pk", filter=only(Q(pk__in=cross_border_ids))),
        "needs_consent": Count("pk", filter=only(Q(kind__in=CONSENT_KINDS))),
        "with_consent": Count("pk", filter=only(Q(kind__in=CONSENT_KINDS) & live_consent)),
        "self_reported": Count("pk", filter=only(Q(verification=V.SELF_REPORTED))),
        "peer_reviewed": Count("pk", filter=only(Q(verification=V.PEER_REVIEWED))),
        "substantiated": Count("pk", filter=only(Q(verification=V.SUBSTANTIATED))),
        "evaluated": Count("pk", filter=only(Q(verification=V.EVALUATED))),
    }


def _with_shares(figures: dict) -> dict:
    """``figures`` with the three shares (whole percentages) derived from its counts."""
    total = figures["total"] or 0

    def share(n):
        return round(100 * n / total) if total else 0

    figures["cross_border_share"] = share(figures["cross_border"])
    figures["verified_share"] = share(total - figures["self_reported"])
    figures["consent_share"] = (
        round(100 * figures["with_consent"] / figures["needs_consent"]) if figures["needs_consent"] else 100
    )
    return figures


def headline(records, *, rollup: str | None = None) -> dict:
    """One query: counts by layer, kind, verification, consent coverage and cross-border share
    (from the rollups of audience ``rollup`` when given: see ``rollup_rows``)."""
    if rollup:
        # Named apart from the columns they sum (an aggregate may not shadow a column it reads).
        figures = rollup_rows(RecordRollup, rollup).aggregate(
            **{f"all__{key}": value for key, value in _rollup_counts(None).items()}
        )
        return _with_shares({key.removeprefix("all__"): value for key, value in figures.items()})
    return _with_shares(records.aggregate(**_record_counts(None, today=timezone.localdate())))


# --- From the rollups ---------------------------------------------------------------------------
#
# The unfiltered dashboard reads its figures from the rollups (``evidence.rollups``): sums per
# audience class kept up to date on every write. Filters the rollups cannot answer fall back to
# the queries on the records (``_dashboard_figures`` in ``evidence.views`` decides): country,
# theme, organisation and process dimension (a record counts under several values of each, and
# the figures narrow to the records that have one), and the period (it selects records whose
# observed period overlaps it, which no per-day sum can answer).


def rollup_rows(model, audience: str):
    """The rows of a rollup ``model`` that ``audience`` sees today: its class reaches the
    audience and its consent, if any, has not expired (expiry passes without a write)."""
    today = timezone.localdate()
    return model.objects.filter(**{f"reaches_{audience}": True}).filter(
        Q(consent_expires_on__isnull=True) | Q(consent_expires_on__gte=today)
    )


def library_total(audience: str) -> int:
    """How many published records ``audience`` may read today: the library's unfiltered count,
    one sum over the rollup rows (``rollup_rows``) instead of a count over the records."""
    return rollup_rows(RecordRollup, audience).aggregate(n=Coalesce(Sum("records"), 0))["n"]


def _rollup_counts(where: Q | None) -> dict:
    """``_record_counts`` over ``RecordRollup`` rows: the sum of each figure's column. Every
    row counts records whose consent is live (the class requires it), so the consent coverage's
    numerator is its denominator, as ``_record_counts`` finds on the records."""

    def total(column: str):
        return Coalesce(Sum(column, filter=where), 0)

    figures = {"total": total("records")}
    for column in (
        "process",
        "outcome",
        "both",
        "stories",
        "outcomes",
        "cross_border",
        "needs_consent",
        "self_reported",
        "peer_reviewed",
        "substantiated",
        "evaluated",
    ):
        figures[column] = total(column)
    figures["with_consent"] = total("needs_consent")
    return figures


def _rollup_comparison(audience: str, current, previous) -> dict[str, dict]:
    aggregates = {}
    for name, window in (("current", current), ("previous", previous)):
        inside = Q(day__gte=window.start, day__lte=window.end)
        for key, aggregate in _rollup_counts(inside).items():
            aggregates[f"{name}__{key}"] = aggregate
    figures = rollup_rows(RecordRollup, audience).aggregate(**aggregates)
    result: dict[str, dict] = {"current": {}, "previous": {}}
    for key, value in figures.items():
        name, _sep, figure = key.partition("__")
        result[name][figure] = value
    return {name: _with_shares(values) for name, values in result.items()}


def _rollup_breakdowns(audience: str) -> dict[str, list[Row]]:
    """``breakdowns`` from the rollups: three queries (the facets' sums, the listed names, the
    quarters' sums), the rows shaped and ordered as ``breakdowns`` shapes them."""
    sums: dict[tuple[str, str], int] = {
        (facet, value): n
        for facet, value, n in rollup_rows(FacetRollup, audience)
        .values("facet", "value")
        .annotate(n=Sum("records"))
        .values_list("facet", "value", "n")
        .order_by()
    }
    listed = None
    for model, group, position in (
        (ProcessDimension, "dimension", F("order")),
        (OutcomeType, "outcome_type", F("order")),
        (Theme, "theme", Value(0, output_field=IntegerField())),
    ):
        qs = (
            model.objects.annotate(grp=Value(group), label=translated("name"), position=position)
            .values_list("grp", "pk", "slug", "label", "position")
            .order_by()
        )
        listed = qs if listed is None else listed.union(qs, all=True)
    rows: dict[str, list[Row]] = {"dimension": [], "outcome_type": [], "theme": [], "country": [], "quarter": []}
    for group, pk, slug, label, _position in sorted(listed, key=lambda r: (r[0], r[4], r[2])):
        rows[group].append(Row(label, sums.get((group, str(pk)), 0), f"{group}={slug}", {"slug": slug}))
    for (facet, code), n in sorted(sums.items()):
        if facet == "country" and n:
            rows["country"].append(Row(str(country_names.name(code)), n, f"country={code}", {"code": code}))
    rows["country"].sort(key=lambda row: (-row.value, row.extra["code"]))
    quarters = (
        rollup_rows(RecordRollup, audience)
        .filter(day__isnull=False)
        .annotate(quarter=TruncQuarter("day"))
        .values("quarter")
        .annotate(n=Sum("records"))
        .values_list("quarter", "n")
        .order_by("quarter")
    )
    for day, n in quarters:
        rows["quarter"].append(Row(quarter_label(day), n, quarter_query(day)))
    return rows


def _actual_rows(rows) -> list[dict]:
    """The indicators' quarterly rows of a raw cursor as dicts. A raw cursor skips Django's
    converters: the quarter comes back as a timestamp."""
    return [
        {
            "indicator": indicator,
            "quarter": quarter.date() if hasattr(quarter, "date") else quarter,
            "total": total,
            "average": average,
            "latest": latest,
            "name": name,
            "unit": unit,
            "aggregation": aggregation,
            "order": order,
        }
        for indicator, quarter, total, average, latest, name, unit, aggregation, order in rows
    ]


def _rollup_actuals(audience: str) -> list[dict]:
    """``_actuals`` from the rollups: ``MetricRollup``'s sums and counts per period summed per
    quarter, and ``LatestRollup``'s value per organisation and quarter (the one with the latest
    end, then the newest, over the audience's classes) summed over organisations. One statement."""
    lang = _language_column()
    sums_sql, sums_params = (
        rollup_rows(MetricRollup, audience)
        .values_list("indicator_id", "period_start", "total", "updates")
        .order_by()
        .query.sql_with_params()
    )
    latest_sql, latest_params = (
        rollup_rows(LatestRollup, audience)
        .filter(indicator_id__in=Indicator.objects.filter(aggregation=Indicator.Aggregation.LATEST).values("pk"))
        .order_by("indicator_id", "quarter", "organisation_id", "-period_end", "-update_id")
        .distinct("indicator_id", "quarter", "organisation_id")
        .values_list("indicator_id", "quarter", "value")
        .query.sql_with_params()
    )
    sql = (
        "SELECT s.indicator_id, s.quarter, s.total, s.average, l.latest, "  # noqa: S608 — compiled querysets; lang is whitelisted
        f"COALESCE(NULLIF(i.name_{lang}, ''), i.name_en), COALESCE(NULLIF(i.unit_{lang}, ''), i.unit_en), "
        'i.aggregation, i."order" '
        "FROM (SELECT p.indicator_id, DATE_TRUNC('quarter', p.period_start) AS quarter, SUM(p.total) AS total, "
        "SUM(p.total) / SUM(p.n) AS average FROM (SELECT m.indicator_id, m.period_start, SUM(m.total) AS total, "
        f"SUM(m.n) AS n FROM ({sums_sql}) AS m (indicator_id, period_start, total, n) GROUP BY 1, 2) AS p "
        "GROUP BY 1, 2) AS s "
        "JOIN evidence_indicator AS i ON i.id = s.indicator_id "
        f"LEFT JOIN (SELECT d.indicator_id, d.quarter, SUM(d.value) AS latest FROM ({latest_sql}) "
        "AS d (indicator_id, quarter, value) GROUP BY d.indicator_id, d.quarter) AS l "
        "ON l.indicator_id = s.indicator_id AND l.quarter = s.quarter "
        "ORDER BY s.indicator_id, s.quarter"
    )
    with reporting_cursor() as cursor:
        cursor.execute(sql, (*sums_params, *latest_params))
        rows = cursor.fetchall()
    return _actual_rows(rows)


def _rollup_splits(audience: str):
    """The rows ``splits`` groups, from ``SplitRollup``."""
    indicator = Indicator.objects.filter(pk=OuterRef("indicator_id"))
    return (
        rollup_rows(SplitRollup, audience)
        .values("indicator_id", "category")
        .annotate(
            name=Subquery(indicator.annotate(v=translated("name")).values("v")[:1]),
            categories=Subquery(indicator.values("split_categories")[:1]),
            total=Sum("total"),
        )
        .values_list("indicator_id", "category", "name", "categories", "total")
        .order_by("indicator_id", "category")
    )


@dataclass(frozen=True)
class Window:
    """A period of whole days, both ends included."""

    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def comparison_windows(period_from=None, period_to=None, *, today: datetime.date) -> tuple[Window, Window]:
    """The period the key figures are compared over, and the one of equal length just before
    it: the filtered period (an open end runs to today, an open start one year back from the
    end), or else the last twelve months."""
    end = period_to or today
    start = min(period_from or _days_before(end, 364), end)
    current = Window(start, end)
    return current, Window(_days_before(start, current.days), _days_before(start, 1))


def _days_before(day: datetime.date, days: int) -> datetime.date:
    """``day`` less ``days``, or the first representable day (a period from the year 1)."""
    try:
        return day - datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.min


# The day a record counts on when periods are compared (as in the quarter chart): the start of
# the period it observed, else the day it was published.
RECORD_DAY = Coalesce("period_start", TruncDate("published_at"))


def comparison(records, current: Window, previous: Window, *, rollup: str | None = None) -> dict[str, dict]:
    """One query: the key figures' counts (and shares) of the records whose day (``RECORD_DAY``)
    falls in ``current`` and of those in ``previous``: ``{"current": {...}, "previous": {...}}``.
    ``records`` carries every dashboard filter except the period, which the windows replace
    (or the rollups of audience ``rollup``, when no filter is in effect)."""
    if rollup:
        return _rollup_comparison(rollup, current, previous)
    today = timezone.localdate()
    aggregates = {}
    for name, window in (("current", current), ("previous", previous)):
        inside = Q(record_day__gte=window.start, record_day__lte=window.end)
        for key, aggregate in _record_counts(inside, today=today).items():
            aggregates[f"{name}__{key}"] = aggregate
    figures = records.annotate(record_day=RECORD_DAY).aggregate(**aggregates)
    result: dict[str, dict] = {"current": {}, "previous": {}}
    for key, value in figures.items():
        name, _sep, figure = key.partition("__")
        result[name][figure] = value
    return {name: _with_shares(values) for name, values in result.items()}


def _change(current, previous, *, percent: bool = False) -> dict:
    """How a figure moved from ``previous`` to ``current``: a direction (up, down, same, or
    none when there is nothing to compare with), the signed difference to show beside an arrow,
    and a sentence that says all of it for screen readers and print."""
    if previous is None:
        return {"direction": "none", "short": "", "sentence": _("No records to compare with.")}
    delta = current - previous
    shown = (lambda v: _("%(value)s%%") % {"value": number(v)}) if percent else number
    values = {"current": shown(current), "previous": shown(previous), "delta": number(abs(delta))}
    if delta > 0:
        direction, sign = "up", "+"
        sentence = (
            ngettext(
                "Up %(delta)s percentage point on the previous period: %(current)s against %(previous)s.",
                "Up %(delta)s percentage points on the previous period: %(current)s against %(previous)s.",
                abs(delta),
            )
            if percent
            else _("Up %(delta)s on the previous period: %(current)s against %(previous)s.")
        )
    elif delta < 0:
        direction, sign = "down", "−"
        sentence = (
            ngettext(
                "Down %(delta)s percentage point on the previous period: %(current)s against %(previous)s.",
                "Down %(delta)s percentage points on the previous period: %(current)s against %(previous)s.",
                abs(delta),
            )
            if percent
            else _("Down %(delta)s on the previous period: %(current)s against %(previous)s.")
        )
    else:
        direction, sign = "same", "±"
        sentence = _("No change on the previous period: %(current)s in both.")
    short = f"{sign}{values['delta']}" + (" " + _("pp") if percent and delta else "")
    return {
        "direction": direction,
        "short": short,
        "versus": _("%(current)s against %(previous)s") % values,
        "sentence": sentence % values,
        "delta": delta,
    }


def key_figures(head: dict, compared: dict[str, dict]) -> list[dict]:
    """The tiles at the top of the dashboard: each figure under the page's filters, and how it
    moved between the two comparison windows."""
    now, before = compared["current"], compared["previous"]

    def percent(value) -> str:
        return _("%(value)s%%") % {"value": number(value)}

    def share_change(key: str, base: str):
        # A share of nothing (no records in a window) has nothing to compare.
        if not now[base] or not before[base]:
            return _change(None, None)
        return _change(now[key], before[key], percent=True)

    return [
        {
            "id": "count-total",
            "label": _("Published records"),
            "value": number(head["total"]),
            "change": _change(now["total"], before["total"]),
        },
        {
            "id": "count-stories",
            "label": _("Stories"),
            "value": number(head["stories"]),
            "change": _change(now["stories"], before["stories"]),
        },
        {
            "id": "count-outcomes",
            "label": _("Outcome statements"),
            "value": number(head["outcomes"]),
            "change": _change(now["outcomes"], before["outcomes"]),
        },
        {
            "id": "share-cross-border",
            "label": _("Cross-border share"),
            "value": percent(head["cross_border_share"]),
            "detail": ngettext(
                "%(count)s record from more than one country",
                "%(count)s records from more than one country",
                head["cross_border"],
            )
            % {"count": number(head["cross_border"])},
            "change": share_change("cross_border_share", "total"),
        },
        {
            "id": "share-verified",
            "label": _("Verified beyond self-report"),
            "value": percent(head["verified_share"]),
            "change": share_change("verified_share", "total"),
        },
        {
            "id": "share-consent",
            "label": _("Consent coverage"),
            "value": percent(head["consent_share"]),
            "detail": _("%(with)s of %(needing)s stories and testimonies")
            % {"with": number(head["with_consent"]), "needing": number(head["needs_consent"])},
            "change": share_change("consent_share", "needs_consent"),
        },
    ]


def translated(path: str):
    """The current language's value of a modeltranslation field, falling back to English, in SQL."""
    lang = (get_language() or "en")[:2]
    if lang not in {code for code, _name in settings.LANGUAGES}:
        lang = "en"
    return Coalesce(NullIf(F(f"{path}_{lang}"), Value("")), F(f"{path}_en"), output_field=CharField())


VISIBLE_IDS = RawSQL("SELECT id FROM visible_records", ())
# The quarter a record is counted in: the start of the period observed, else its publication day.
RECORD_QUARTER = TruncQuarter(Coalesce("period_start", TruncDate("published_at")))


def _execute_with_visible(records, sql: str, params) -> list[tuple]:
    """Run ``sql`` (which refers to ``VISIBLE_IDS``) with the ids of ``records`` computed once,
    as a materialised CTE, however often the statement refers to them."""
    visible_sql, visible_params = (
        records.order_by()
        .annotate(record_quarter=RECORD_QUARTER)
        .values_list("pk", "record_quarter")
        .query.sql_with_params()
    )
    with reporting_cursor() as cursor:
        cursor.execute(
            f"WITH visible_records (id, quarter) AS MATERIALIZED ({visible_sql}) {sql}",  # noqa: S608 — compiled querysets
            (*visible_params, *params),
        )
        return cursor.fetchall()


def breakdowns(records, *, rollup: str | None = None) -> dict[str, list[Row]]:
    """Record counts by process dimension, outcome type, theme, country and quarter (the keys
    ``dimension``, ``outcome_type``, ``theme``, ``country``, ``quarter``): one UNION statement,
    the visible records computed once for all five (or from the rollups of ``rollup``)."""
    if rollup:
        return _rollup_breakdowns(rollup)
    counted = Q(evidence_records__in=VISIBLE_IDS)

    def counts(model, group: str, position):
        return (
            model.objects.annotate(
                grp=Value(group),
                key=F("slug"),
                label=translated("name"),
                n=Count("evidence_records", filter=counted),
                position=position,
            )
            .values_list("grp", "key", "label", "n", "position")
            .order_by()
        )

    parts, params = [], []
    for qs in (
        counts(ProcessDimension, "dimension", F("order")),
        counts(OutcomeType, "outcome_type", F("order")),
        counts(Theme, "theme", Value(0, output_field=IntegerField())),
    ):
        # The ORM orders a SELECT's annotations its own way: name the columns explicitly.
        part_sql, part_params = qs.query.sql_with_params()
        parts.append(f"SELECT b.grp, b.key, b.label, b.n, b.position FROM ({part_sql}) AS b")  # noqa: S608
        params.extend(part_params)
    table = RecordCountry._meta.db_table
    parts.append(
        # A join (a record's countries are unique, so COUNT(*) counts records): hashed, where
        # an IN over the CTE was planned as one index lookup per visible record.
        f"SELECT 'country', rc.country, rc.country, COUNT(*), 0 FROM visible_records AS v JOIN {table} AS rc "  # noqa: S608
        "ON rc.record_id = v.id GROUP BY rc.country"
    )
    # The quarter's first day as ISO text ('2026-10-01'); SQLite (the demo) has no casts.
    day = "v.quarter::date" if connection.vendor == "postgresql" else "date(v.quarter)"
    parts.append(
        f"SELECT 'quarter', CAST({day} AS TEXT), '', COUNT(*), 0 FROM visible_records AS v "  # noqa: S608 — fixed text
        f"WHERE v.quarter IS NOT NULL GROUP BY {day}"
    )
    rows: dict[str, list[Row]] = {"dimension": [], "outcome_type": [], "theme": [], "country": [], "quarter": []}
    result = _execute_with_visible(records, " UNION ALL ".join(parts), params)
    for group, key, label, n, _position in sorted(result, key=lambda r: (r[0], r[4], r[1])):
        if group == "country":
            rows[group].append(Row(str(country_names.name(key)), n, f"country={key}", {"code": key}))
        elif group == "quarter":
            day = datetime.date.fromisoformat(key)
            rows[group].append(Row(quarter_label(day), n, quarter_query(day)))
        else:
            rows[group].append(Row(label, n, f"{group}={key}", {"slug": key}))
    rows["country"].sort(key=lambda row: (-row.value, row.extra["code"]))
    return rows


def quarter_label(day) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def quarter_query(day) -> str:
    end_month = day.month + 2
    last = datetime.date(day.year + (end_month // 12), end_month % 12 + 1, 1) - datetime.timedelta(days=1)
    return f"period_from={day.isoformat()}&period_to={last.isoformat()}"


def _language_column() -> str:
    """The suffix of the current language's modeltranslation columns (a known language only)."""
    lang = (get_language() or "en")[:2]
    return lang if lang in {code for code, _name in settings.LANGUAGES} else "en"


def _actuals(records, *, organisation=None, country=None) -> list[dict]:
    """Per indicator and quarter: sum, average and, for indicators aggregated as "latest", each
    organisation's most recent value summed over organisations (DISTINCT ON), with the
    indicator's name, unit, aggregation and order joined in. One statement: the visible records
    are computed once (a materialised CTE) and shared by both aggregations; the grouping stays
    on (indicator, quarter) and the names are joined to the few aggregated rows only."""
    if connection.vendor != "postgresql":
        return _actuals_portable(records, organisation=organisation, country=country)
    visible_sql, visible_params = records.order_by().values_list("pk").query.sql_with_params()
    updates = MetricUpdate.objects.filter(record_id__in=RawSQL("SELECT id FROM visible_records", ()))
    if organisation:
        updates = updates.filter(organisation__slug=organisation)
    if country:
        updates = updates.filter(organisation__country=country)
    # Summed per (indicator, period start) first and only then per quarter: periods mostly
    # start on a handful of days, so DATE_TRUNC runs on a few grouped rows, not on every value.
    sums_sql, sums_params = (
        updates.values("indicator_id", "period_start")
        .annotate(total=Sum("value"), n=Count("pk"))
        .values_list("indicator_id", "period_start", "total", "n")
        .order_by()
        .query.sql_with_params()
    )
    updates = updates.annotate(quarter=TruncQuarter("period_start"))
    latest_sql, latest_params = (
        updates.filter(indicator__aggregation=Indicator.Aggregation.LATEST)
        .order_by("indicator_id", "quarter", "organisation_id", "-period_end", "-pk")
        .distinct("indicator_id", "quarter", "organisation_id")
        .values_list("indicator_id", "quarter", "value")
        .query.sql_with_params()
    )
    lang = _language_column()
    sql = (
        f"WITH visible_records (id) AS MATERIALIZED ({visible_sql}) "  # noqa: S608 — compiled querysets; lang is whitelisted
        "SELECT s.indicator_id, s.quarter, s.total, s.average, l.latest, "
        f"COALESCE(NULLIF(i.name_{lang}, ''), i.name_en), COALESCE(NULLIF(i.unit_{lang}, ''), i.unit_en), "
        'i.aggregation, i."order" '
        "FROM (SELECT p.indicator_id, DATE_TRUNC('quarter', p.period_start) AS quarter, SUM(p.total) AS total, "
        f"SUM(p.total) / SUM(p.n) AS average FROM ({sums_sql}) AS p (indicator_id, period_start, total, n) "
        "GROUP BY 1, 2) AS s "
        "JOIN evidence_indicator AS i ON i.id = s.indicator_id "
        f"LEFT JOIN (SELECT d.indicator_id, d.quarter, SUM(d.value) AS latest FROM ({latest_sql}) "
        "AS d (indicator_id, quarter, value) GROUP BY d.indicator_id, d.quarter) AS l "
        "ON l.indicator_id = s.indicator_id AND l.quarter = s.quarter "
        "ORDER BY s.indicator_id, s.quarter"
    )
    with reporting_cursor() as cursor:
        cursor.execute(sql, (*visible_params, *sums_params, *latest_params))
        rows = cursor.fetchall()
    return _actual_rows(rows)


def _actuals_portable(records, *, organisation=None, country=None) -> list[dict]:
    """``_actuals`` for the SQLite demo, which has neither DISTINCT ON nor DATE_TRUNC: the
    same figures from the demo's few values, summed in Python. Production and the tests run
    the SQL above on PostgreSQL; a test holds the two to each other."""
    lang = _language_column()
    updates = metric_updates(records, organisation=organisation, country=country).select_related("indicator").order_by()
    groups: dict[tuple, dict] = {}
    # Per (indicator, quarter, organisation): the value with the latest end (then the newest row).
    latest: dict[tuple, tuple] = {}
    for update in updates:
        start = update.period_start
        quarter = datetime.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
        indicator = update.indicator
        entry = groups.setdefault(
            (indicator.pk, quarter),
            {
                "indicator": indicator.pk,
                "quarter": quarter,
                "total": Decimal(0),
                "n": 0,
                "latest": None,
                "name": getattr(indicator, f"name_{lang}", "") or indicator.name_en,
                "unit": getattr(indicator, f"unit_{lang}", "") or indicator.unit_en,
                "aggregation": indicator.aggregation,
                "order": indicator.order,
            },
        )
        entry["total"] += update.value
        entry["n"] += 1
        if indicator.aggregation == Indicator.Aggregation.LATEST:
            key = (indicator.pk, quarter, update.organisation_id)
            candidate = (update.period_end, update.pk, update.value)
            if key not in latest or candidate[:2] > latest[key][:2]:
                latest[key] = candidate
    for (indicator_pk, quarter, _organisation), (_end, _pk, value) in latest.items():
        entry = groups[(indicator_pk, quarter)]
        entry["latest"] = (entry["latest"] or Decimal(0)) + value
    result = []
    for key in sorted(groups):
        entry = groups[key]
        n = entry.pop("n")
        entry["average"] = entry["total"] / n
        result.append(entry)
    return result


def metric_updates(records, *, organisation=None, country=None):
    """The values carried by ``records``; narrowed to the organisation (or its country) a
    filter names, since one metric record may carry values of several organisations."""
    updates = MetricUpdate.objects.filter(record__in=records.values("pk"))
    if organisation:
        updates = updates.filter(organisation__slug=organisation)
    if country:
        updates = updates.filter(organisation__country=country)
    return updates


def indicator_quarters(
    records, *, organisation=None, country=None, period_from=None, period_to=None, rollup: str | None = None
) -> list[dict]:
    """Per indicator and quarter: the aggregated actual (by the indicator's own aggregation) and
    the summed target. Two queries; indicator names come joined in. With ``rollup`` (an
    audience, no filter in effect) the actuals come from the rollups."""
    if rollup:
        actuals = _rollup_actuals(rollup)
    else:
        actuals = _actuals(records, organisation=organisation, country=country)
    targets = Target.objects.all()
    if organisation:
        targets = targets.filter(organisation__slug=organisation)
    if country:
        targets = targets.filter(organisation__country=country)
    if period_from:
        targets = targets.filter(period_end__gte=period_from)
    if period_to:
        targets = targets.filter(period_start__lte=period_to)
    target_rows = (
        targets.annotate(quarter=TruncQuarter("period_start"))
        .values("indicator", "quarter")
        .annotate(
            name=translated("indicator__name"),
            unit=translated("indicator__unit"),
            order=F("indicator__order"),
            target=Sum("value"),
        )
        .order_by()
    )
    out: dict[int, dict] = {}
    for r in actuals:
        value = {"sum": r["total"], "average": r["average"]}.get(r["aggregation"])
        if r["aggregation"] == "latest":
            value = r["latest"]
        entry = out.setdefault(
            r["indicator"],
            {
                "name": r["name"],
                "unit": r["unit"],
                "order": r["order"],
                "aggregation": r["aggregation"],
                "quarters": {},
            },
        )
        entry["quarters"][r["quarter"]] = {
            "label": quarter_label(r["quarter"]),
            "query": quarter_query(r["quarter"]),
            "actual": Decimal(value or 0).quantize(Decimal("0.01")),
            "target": None,
        }
    for r in target_rows:
        entry = out.setdefault(
            r["indicator"],
            {"name": r["name"], "unit": r["unit"], "order": r["order"], "aggregation": "sum", "quarters": {}},
        )
        quarter = entry["quarters"].setdefault(
            r["quarter"],
            {
                "label": quarter_label(r["quarter"]),
                "query": quarter_query(r["quarter"]),
                "actual": None,
                "target": None,
            },
        )
        quarter["target"] = r["target"]
    result = []
    for pk, entry in sorted(out.items(), key=lambda item: (item[1]["order"], item[0])):
        quarters = [entry["quarters"][key] for key in sorted(entry["quarters"])]
        result.append({**entry, "pk": pk, "quarters": quarters})
    return result


def splits(records, *, organisation=None, country=None, rollup: str | None = None) -> list[dict]:
    """Per indicator and split category: the summed split values, with their total beside (the
    service guarantees that the splits of each update add up to its value). From the rollups of
    audience ``rollup`` when given."""
    if rollup:
        split_rows = _rollup_splits(rollup)
    else:
        updates = metric_updates(records, organisation=organisation, country=country)
        split_rows = (
            MetricSplit.objects.filter(update__in=updates.values("pk"))
            .values("update__indicator", "category")
            .annotate(
                name=Max(translated("update__indicator__name")),
                categories=F("update__indicator__split_categories"),
                total=Sum("value"),
            )
            .values_list("update__indicator", "category", "name", "categories", "total")
            .order_by("update__indicator", "category")
        )
    out: dict[int, dict] = {}
    for indicator, category, name, categories, total in split_rows:
        entry = out.setdefault(indicator, {"name": name, "total": Decimal(0), "rows": [], "order": categories})
        entry["rows"].append(Row(category, total))
        entry["total"] += total
    for entry in out.values():
        # Categories in the order the indicator defines them (e.g. age bands from young to old).
        order = entry.pop("order") or []
        entry["rows"].sort(key=lambda row: order.index(row.label) if row.label in order else len(order))
    return list(out.values())


def selected_stories(records, limit: int = 3):
    return list(
        records.filter(kind=EvidenceRecord.Kind.STORY)
        .select_related("consent")
        .order_by("-featured", "-published_at")[:limit]
    )


def active_filters(data: dict) -> list[dict]:
    """Each filter in effect, in the form's order, as ``{"name", "label", "value"}`` with the
    value in words ("Country", "Sweden"): dates in the language's format, names of themes,
    organisations and dimensions looked up (one small query for each such filter in effect)."""
    named = {
        "theme": lambda slug: Theme.objects.filter(slug=slug).values_list(translated("name"), flat=True).first(),
        "organisation": lambda slug: Organisation.objects.filter(slug=slug).values_list("name", flat=True).first(),
        "dimension": lambda slug: (
            ProcessDimension.objects.filter(slug=slug).values_list(translated("name"), flat=True).first()
        ),
    }
    result = []
    for name, spec in DashboardFilter.base_filters.items():
        value = data.get(name)
        if not value:
            continue
        if isinstance(value, datetime.date):
            text = medium_date(value)
        elif name == "country":
            text = str(country_names.name(value)) or value
        elif name in named:
            text = named[name](value) or value
        else:
            text = str(value)
        result.append({"name": name, "label": capfirst(str(spec.label)), "value": capfirst(text)})
    return result
