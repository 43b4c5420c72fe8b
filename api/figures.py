"""Indicator figures for open data, with small cells suppressed or merged.

The one owner of the rule that keeps disaggregated counts from singling anyone out: a cell
(indicator × quarter, or indicator × quarter × split category) built from fewer than
``settings.OPEN_DATA_MIN_CELL_SIZE`` contributing records (default 5) carries no value.

* A total below the threshold is suppressed (``value`` null, ``suppressed`` true), and so are
  all its splits.
* When any split category of a shown total is below the threshold, the splits are merged back
  into the total: none of them is shown (the total minus the others would reveal the small one).

Records come from the caller, already narrowed by the access policy (``visible_to``) and, for
open data, to open licences.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, F, Max, Sum
from django.db.models.functions import TruncQuarter

from evidence.models import Indicator, MetricSplit, MetricUpdate


def min_cell_size() -> int:
    return int(getattr(settings, "OPEN_DATA_MIN_CELL_SIZE", 5))


def _value(aggregation: str, row: dict) -> Decimal | None:
    value = {"sum": row.get("total"), "average": row.get("average"), "latest": row.get("latest")}.get(aggregation)
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def indicator_figures(records, indicators=None) -> dict[int, list[dict]]:
    """Per indicator (pk): its quarters, oldest first, each ``{"period_start", "period_end",
    "value", "contributors", "suppressed", "splits": [...]}``. Two queries for any number of
    indicators."""
    threshold = min_cell_size()
    updates = MetricUpdate.objects.filter(record__in=records.values("pk"))
    if indicators is not None:
        updates = updates.filter(indicator__in=indicators)
    totals = (
        updates.annotate(quarter=TruncQuarter("period_start"))
        .values("indicator", "quarter")
        .annotate(
            aggregation=F("indicator__aggregation"),
            total=Sum("value"),
            average=Avg("value"),
            latest=Max("value"),
            contributors=Count("record", distinct=True),
        )
        .order_by("indicator", "quarter")
    )
    split_rows = (
        MetricSplit.objects.filter(update__in=updates.values("pk"))
        .annotate(quarter=TruncQuarter("update__period_start"))
        .values("update__indicator", "quarter", "category")
        .annotate(total=Sum("value"), contributors=Count("update__record", distinct=True))
        .order_by()
    )
    splits: dict[tuple, list[dict]] = defaultdict(list)
    for row in split_rows:
        splits[(row["update__indicator"], row["quarter"])].append(row)

    out: dict[int, list[dict]] = defaultdict(list)
    for row in totals:
        quarter = row["quarter"]
        end_month = quarter.month + 2
        period_end = quarter.replace(month=end_month, day=31 if end_month in (3, 12) else 30)
        suppressed = row["contributors"] < threshold
        cell = {
            "period_start": quarter,
            "period_end": period_end,
            "value": None if suppressed else _value(row["aggregation"], row),
            "contributors": None if suppressed else row["contributors"],
            "suppressed": suppressed,
            "splits": [] if suppressed else _safe_splits(splits.get((row["indicator"], quarter), []), threshold),
        }
        out[row["indicator"]].append(cell)
    return out


def _safe_splits(rows: list[dict], threshold: int) -> list[dict]:
    """The split cells of one total, or none. Showing the other categories beside a total
    would let anyone subtract their way to a small one, so one small category merges every
    split back into the total."""
    if any(r["contributors"] < threshold for r in rows):
        return []
    return [
        {
            "category": r["category"],
            "value": Decimal(r["total"]).quantize(Decimal("0.01")),
            "contributors": r["contributors"],
        }
        for r in sorted(rows, key=lambda r: r["category"])
    ]


def indicators():
    return Indicator.objects.select_related("dimension", "outcome_type").order_by("order", "slug")
