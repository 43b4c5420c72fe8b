"""Self-assessment results, aggregated in SQL.

Funders and community members see aggregates only: averages per dimension, and per respondent
group only where the group has at least ``MIN_GROUP_SIZE`` respondents, so that a group average
can never reveal one person's answers. Single answers and comments are for coordinators only.
"""

from __future__ import annotations

from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from evidence import charts
from evidence.models import Answer, AssessmentDimension, Response, Round

MIN_GROUP_SIZE = 3


def _dimension_averages(round_obj: Round) -> dict[int, dict]:
    rows = (
        Answer.objects.filter(response__round=round_obj)
        .values("question__dimension")
        .annotate(avg=Avg("score"), n=Count("response", distinct=True))
        .order_by()
    )
    return {r["question__dimension"]: r for r in rows}


def round_results(round_obj: Round, *, show_single_answers: bool = False) -> dict:
    dimensions = list(AssessmentDimension.objects.filter(framework=round_obj.framework).order_by("order", "pk"))
    current = _dimension_averages(round_obj)
    previous_round = round_obj.previous()
    previous = _dimension_averages(previous_round) if previous_round else {}
    group_sizes = {
        r["group"]: r["n"]
        for r in Response.objects.filter(round=round_obj).values("group").annotate(n=Count("pk")).order_by()
    }
    group_rows = (
        Answer.objects.filter(response__round=round_obj)
        .values("question__dimension", "response__group")
        .annotate(avg=Avg("score"))
        .order_by()
    )
    by_group: dict[tuple[int, str], float] = {}
    for r in group_rows:
        if show_single_answers or group_sizes.get(r["response__group"], 0) >= MIN_GROUP_SIZE:
            by_group[(r["question__dimension"], r["response__group"])] = round(float(r["avg"]), 2)
    groups = [(value, label) for value, label in Response.Group.choices if value in group_sizes]
    table = []
    for d in dimensions:
        now = current.get(d.pk, {}).get("avg")
        before = previous.get(d.pk, {}).get("avg")
        group_values = [by_group.get((d.pk, g)) for g, _label in groups]
        present = [v for v in group_values if v is not None]
        table.append(
            {
                "dimension": d,
                "average": round(float(now), 2) if now is not None else None,
                "previous": round(float(before), 2) if before is not None else None,
                "change": round(float(now) - float(before), 2) if now is not None and before is not None else None,
                "groups": group_values,
                "spread": round(max(present) - min(present), 2) if len(present) > 1 else None,
            }
        )
    series = [{"name": str(round_obj), "values": [row["average"] or 0 for row in table], "css": "current"}]
    if previous_round:
        series.insert(
            0, {"name": str(previous_round), "values": [row["previous"] or 0 for row in table], "css": "previous"}
        )
    comments = []
    if show_single_answers:
        comments = list(
            Answer.objects.filter(response__round=round_obj)
            .exclude(comment="")
            .select_related("question", "response", "evidence")
            .order_by("question__dimension__order", "question__order")
        )
    return {
        "table": table,
        "groups": [
            (g, label, group_sizes[g], group_sizes[g] >= MIN_GROUP_SIZE or show_single_answers) for g, label in groups
        ],
        "respondents": sum(group_sizes.values()),
        "previous_round": previous_round,
        "radar": charts.radar([d.name for d in dimensions], series),
        "comments": comments,
        "min_group_size": MIN_GROUP_SIZE,
        "suppressed_note": _("Groups with fewer than %(n)s respondents are not shown separately.")
        % {"n": MIN_GROUP_SIZE},
    }
