"""The dashboard's rollups, maintained on write.

The funder dashboard's unfiltered figures (key figures, their comparison, the breakdowns by
country, theme, process dimension, outcome type and quarter, the indicators' actuals and the
splits) are sums over the published records an audience may read. Computing them from the
records on every cold load rebuilt each audience's visible set (the consent rule included) and
joined every metric value; the rollup tables (``RecordRollup``, ``FacetRollup``,
``MetricRollup``, ``LatestRollup``, ``SplitRollup`` in ``evidence.models``) hold those sums per *audience class*
instead, a few hundred rows that the dashboard reads in a few milliseconds
(``evidence.dashboard.rollup_figures``).

The policy stays the one owner: a record's class is what ``visible_to`` itself answers for each
audience's representative (``EvidenceRecordQuerySet.audience_classes``), together with the day
its consent expires (expiry passes without a write, so the dashboard drops rows whose consent has
expired). Nothing here restates who may see what.

Maintenance: ``refresh(record_ids)`` runs in the transaction of every write to evidence (model
signals and ``core.signals.content_changed``, connected in ``evidence.signals``, so the services,
the admin's inlines and the workflow's ``.update()`` steps alike). It takes away what each record
added before (kept in ``RecordRollupState``), adds what it adds now, and drops rows that reach
zero; increments are upserts, so concurrent writes to different records add up. The "latest"
value of a metric row is not a sum: it is recomputed for the rows a write touched.

``rebuild()`` (``manage.py evidence_rollups_rebuild``) recomputes everything from scratch: after
bulk loads that bypass signals (``seed_bench``), or to repair drift after writes made with
``QuerySet.update()`` outside the services. A test holds ``refresh`` to ``rebuild`` after
generated sequences of writes, and the rollup figures to the ``visible_to`` figures for every
audience.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models import Count
from django.db.models.functions import Coalesce, TruncDate

from core.policy import AUDIENCES
from evidence.models import (
    CONSENT_KINDS,
    AudienceClass,
    EvidenceRecord,
    FacetRollup,
    LatestRollup,
    MetricRollup,
    MetricSplit,
    MetricUpdate,
    RecordCountry,
    RecordRollup,
    RecordRollupState,
    SplitRollup,
)

CLASS_FIELDS = AudienceClass.CLASS_FIELDS
# The key figures a record adds to its day's ``RecordRollup`` row, in that row's column order
# (``records``, the count that decides whether the row still exists, last).
V = EvidenceRecord.Verification
FIGURES = (
    ("process", lambda r: r["layer"] == EvidenceRecord.Layer.PROCESS),
    ("outcome", lambda r: r["layer"] == EvidenceRecord.Layer.OUTCOME),
    ("both", lambda r: r["layer"] == EvidenceRecord.Layer.BOTH),
    ("stories", lambda r: r["kind"] == EvidenceRecord.Kind.STORY),
    ("outcomes", lambda r: r["kind"] == EvidenceRecord.Kind.OUTCOME),
    ("cross_border", lambda r: r["cross_border"]),
    ("needs_consent", lambda r: r["kind"] in CONSENT_KINDS),
    ("self_reported", lambda r: r["verification"] == V.SELF_REPORTED),
    ("peer_reviewed", lambda r: r["verification"] == V.PEER_REVIEWED),
    ("substantiated", lambda r: r["verification"] == V.SUBSTANTIATED),
    ("evaluated", lambda r: r["verification"] == V.EVALUATED),
    ("records", lambda r: True),
)
# Per additive table: the key columns (after the class) and the amounts, the count last.
TABLES = {
    "records": (RecordRollup, ("day",), tuple(name for name, _test in FIGURES)),
    "facets": (FacetRollup, ("facet", "value"), ("records",)),
    "metrics": (MetricRollup, ("indicator_id", "period_start"), ("total", "updates")),
    "splits": (SplitRollup, ("indicator_id", "category"), ("total", "parts")),
}
FACETS = (
    ("theme", EvidenceRecord.themes.through, "theme_id"),
    ("dimension", EvidenceRecord.dimensions.through, "processdimension_id"),
    ("outcome_type", EvidenceRecord.outcome_types.through, "outcometype_id"),
)


def enabled() -> bool:
    """The rollups are kept on PostgreSQL (production, tests, the bench); the SQLite demo
    computes the dashboard from the records."""
    return connection.vendor == "postgresql"


def _iso(value):
    return value.isoformat() if value is not None else None


def contributions(record_ids: Iterable[int]) -> dict[int, dict]:
    """What each record adds to the rollups now: ``{record_id: {"class": [...], "records":
    [...], "facets": [...], "metrics": [...], "splits": [...]}}`` in JSON-ready form (keys and
    amounts as lists), for the records some audience sees; the others add nothing."""
    ids = sorted(set(record_ids))
    classes = EvidenceRecord.objects.audience_classes(ids)
    seen = [pk for pk, audiences in classes.items() if audiences]
    if not seen:
        return {}
    cross_border = set(
        RecordCountry.objects.filter(record_id__in=seen)
        .values("record_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("record_id", flat=True)
    )
    out: dict[int, dict] = {}
    for pk, kind, layer, verification, day, expires in (
        EvidenceRecord.objects.filter(pk__in=seen)
        .annotate(day=Coalesce("period_start", TruncDate("published_at")))
        .values_list("pk", "kind", "layer", "verification", "day", "consent__expires_on")
    ):
        expires = expires if kind in CONSENT_KINDS else None
        facts = {"kind": kind, "layer": layer, "verification": verification, "cross_border": pk in cross_border}
        out[pk] = {
            "class": [audience in classes[pk] for audience in AUDIENCES] + [_iso(expires)],
            "records": [[_iso(day), *(int(test(facts)) for _name, test in FIGURES)]],
            "facets": [],
            "metrics": [],
            "splits": [],
            "latest": [],
        }
    for pk, country in RecordCountry.objects.filter(record_id__in=seen).values_list("record_id", "country"):
        out[pk]["facets"].append(["country", str(country), 1])
    for facet, through, column in FACETS:
        for pk, value in through.objects.filter(evidencerecord_id__in=seen).values_list("evidencerecord_id", column):
            out[pk]["facets"].append([facet, str(value), 1])
    for pk, indicator, organisation, start, value in MetricUpdate.objects.filter(record_id__in=seen).values_list(
        "record_id", "indicator_id", "organisation_id", "period_start", "value"
    ):
        out[pk]["metrics"].append([indicator, _iso(start), str(value), 1])
        out[pk]["latest"].append([indicator, organisation, _iso(_quarter(start))])
    for pk, indicator, category, value in MetricSplit.objects.filter(update__record_id__in=seen).values_list(
        "update__record_id", "update__indicator_id", "category", "value"
    ):
        out[pk]["splits"].append([indicator, category, str(value), 1])
    return out


def _quarter(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add(deltas: dict, contribution: dict, sign: int) -> None:
    klass = tuple(contribution["class"])
    for table, (_model, keys, amounts) in TABLES.items():
        for row in contribution[table]:
            key = klass + tuple(row[: len(keys)])
            totals = deltas[table].setdefault(key, [Decimal(0)] * len(amounts))
            for i, amount in enumerate(row[len(keys) :]):
                totals[i] += sign * Decimal(amount)


def _upsert(table: str, changes: dict[tuple, list[Decimal]]) -> None:
    """Add ``changes`` (key → amounts) to ``table``'s rows, creating missing rows; then drop
    the rows that reached zero."""
    model, keys, amounts = TABLES[table]
    columns = [*CLASS_FIELDS, *keys, *amounts]
    db_table = model._meta.db_table
    constraint = model._meta.constraints[0].name
    # Counts go to integer columns, sums to decimal ones.
    whole = [isinstance(model._meta.get_field(a), models.IntegerField) for a in amounts]
    rows = [
        (*key, *(int(v) if w else v for v, w in zip(values, whole, strict=True)))
        for key, values in changes.items()
        if any(values)
    ]
    if rows:
        placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        q = connection.ops.quote_name  # "both" is a keyword
        updates = ", ".join(f"{q(a)} = {db_table}.{q(a)} + EXCLUDED.{q(a)}" for a in amounts)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {db_table} ({', '.join(q(c) for c in columns)}) VALUES "  # noqa: S608 — our own names
                + ", ".join([placeholders] * len(rows))
                + f" ON CONFLICT ON CONSTRAINT {constraint} DO UPDATE SET {updates}"
                + f" RETURNING id, {q(amounts[-1])}",
                [value for row in rows for value in row],
            )
            # A row whose count reached zero sums nothing any more.
            emptied = [pk for pk, count in cursor.fetchall() if count == 0]
        if emptied:
            model.objects.filter(pk__in=emptied).delete()


def _latest(keys: Iterable[tuple]) -> None:
    """Recompute the ``LatestRollup`` rows of ``keys`` (class, indicator, organisation, quarter)
    from the metric values whose records now have that class (``RecordRollupState``)."""
    for key in set(keys):
        klass = dict(zip(CLASS_FIELDS, key[: len(CLASS_FIELDS)], strict=True))
        indicator, organisation, quarter = key[len(CLASS_FIELDS) :]
        start = datetime.date.fromisoformat(quarter) if isinstance(quarter, str) else quarter
        end = datetime.date(start.year + start.month // 10, (start.month + 2) % 12 + 1, 1)
        row = dict(klass, indicator_id=indicator, organisation_id=organisation, quarter=start)
        newest = (
            MetricUpdate.objects.filter(
                indicator_id=indicator,
                organisation_id=organisation,
                period_start__gte=start,
                period_start__lt=end,
                record_id__in=RecordRollupState.objects.filter(**klass).values("record_id"),
            )
            .order_by("-period_end", "-pk")
            .values_list("period_end", "pk", "value")
            .first()
        )
        if newest is None:
            LatestRollup.objects.filter(**row).delete()
        else:
            period_end, pk, value = newest
            LatestRollup.objects.update_or_create(
                **row, defaults={"period_end": period_end, "update_id": pk, "value": value}
            )


def _state(record_id: int, contribution: dict) -> RecordRollupState:
    klass = dict(zip(CLASS_FIELDS, contribution["class"], strict=True))
    return RecordRollupState(record_id=record_id, contribution=contribution, **klass)


@transaction.atomic
def refresh(record_ids: Iterable[int]) -> None:
    """Bring the rollups up to date with the current state of ``record_ids`` (created, changed
    or deleted). Idempotent; call it inside the transaction of the write."""
    if not enabled():
        return
    ids = sorted({int(pk) for pk in record_ids if pk is not None})
    if not ids:
        return
    # Locks the records' states: two writes to one record take turns.
    before = {
        state.record_id: state
        for state in RecordRollupState.objects.select_for_update().filter(record_id__in=ids).order_by("record_id")
    }
    after = contributions(ids)
    deltas: dict[str, dict] = {table: {} for table in TABLES}
    for state in before.values():
        _add(deltas, state.contribution, -1)
    for contribution in after.values():
        _add(deltas, contribution, +1)
    for table, changes in deltas.items():
        _upsert(table, changes)
    RecordRollupState.objects.filter(record_id__in=ids).delete()
    RecordRollupState.objects.bulk_create(_state(pk, c) for pk, c in after.items())
    # Every "latest" row the write touched, before and after.
    touched = [
        (*c["class"], *row)
        for c in [*(state.contribution for state in before.values()), *after.values()]
        for row in c["latest"]
    ]
    _latest(tuple(key) for key in touched)


@transaction.atomic
def rebuild(batch: int = 2000) -> int:
    """Recompute every rollup from the records (after bulk loads, or to repair drift). Returns
    the number of records that count for some audience."""
    for model in (RecordRollup, FacetRollup, MetricRollup, LatestRollup, SplitRollup, RecordRollupState):
        model.objects.all().delete()
    ids = list(EvidenceRecord.objects.published().order_by("pk").values_list("pk", flat=True))
    deltas: dict[str, dict] = {table: {} for table in TABLES}
    states = []
    for i in range(0, len(ids), batch):
        for pk, contribution in contributions(ids[i : i + batch]).items():
            _add(deltas, contribution, +1)
            states.append(
                RecordRollupState(
                    record_id=pk,
                    contribution=contribution,
                    **dict(zip(CLASS_FIELDS, contribution["class"], strict=True)),
                )
            )
    RecordRollupState.objects.bulk_create(states, batch_size=batch)
    for table, changes in deltas.items():
        items = list(changes.items())
        for i in range(0, len(items), batch):
            _upsert(table, dict(items[i : i + batch]))
    _latest_all()
    return len(states)


def _latest_all() -> None:
    """Every ``LatestRollup`` row in one statement (``_latest`` is for the few rows one write
    touches): per class, indicator, organisation and quarter, the value with the latest period
    end, then the newest."""
    klass = ", ".join(f"s.{f}" for f in CLASS_FIELDS)
    columns = ", ".join(CLASS_FIELDS)
    quarter = "DATE_TRUNC('quarter', u.period_start)::date"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LatestRollup._meta.db_table} ({columns}, indicator_id, "  # noqa: S608 — our own names
            "organisation_id, quarter, period_end, update_id, value) "
            f"SELECT DISTINCT ON ({klass}, u.indicator_id, u.organisation_id, {quarter}) "
            f"{klass}, u.indicator_id, u.organisation_id, {quarter}, u.period_end, u.id, u.value "
            f"FROM {MetricUpdate._meta.db_table} AS u "
            f"JOIN {RecordRollupState._meta.db_table} AS s ON s.record_id = u.record_id "
            f"ORDER BY {klass}, u.indicator_id, u.organisation_id, {quarter}, u.period_end DESC, u.id DESC"
        )


def snapshot() -> dict[str, set]:
    """Every rollup row as comparable tuples (for the test that holds ``refresh`` to ``rebuild``)."""
    out = {}
    for table, (model, keys, amounts) in TABLES.items():
        fields = [*CLASS_FIELDS, *keys, *amounts]
        out[table] = set(model.objects.values_list(*fields))
    latest = ["indicator_id", "organisation_id", "quarter", "period_end", "update_id", "value"]
    out["latest"] = set(LatestRollup.objects.values_list(*CLASS_FIELDS, *latest))
    return out
