"""Database expressions that PostgreSQL (production, tests) and SQLite (the ``make run``
demo) both run."""

from __future__ import annotations

import json

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.encoding import force_str


class ListSubquery(ArraySubquery):
    """The values of a one-column subquery as a Python list, in the subquery's order.

    PostgreSQL builds an ``ARRAY(...)``; SQLite, which has no arrays, a JSON array
    (``json_group_array``) that is read back as a list. The subquery's one column must be
    named ``v`` (``.annotate(v=F("name")).values_list("v")``) so that SQLite can aggregate
    it; ``values(v=...)`` would not do, as translated models add their own columns to it.
    """

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(SELECT json_group_array(v) FROM (%(subquery)s))",
            **extra_context,
        )

    def get_db_converters(self, connection):
        if connection.vendor == "sqlite":
            return [_json_list]
        return super().get_db_converters(connection)


def _json_list(value, expression, connection):
    if isinstance(value, str):
        return json.loads(value)
    return list(value or [])


def list_contains(field: str, value: str) -> Q:
    """Rows whose JSON list ``field`` holds ``value``.

    JSON containment on PostgreSQL (which a GIN index can serve); on SQLite (the demo),
    which has no containment, a match on the value as JSON writes it, quotes included.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [value]})
    return Q(**{f"{field}__icontains": json.dumps(value)})


def distinct_values(queryset, field: str) -> list[str]:
    """The distinct non-empty values of the indexed text ``field`` among ``queryset``'s rows,
    sorted, at a cost that grows with the number of values (a few dozen countries), not with
    the number of rows (issue 16: a hundred thousand members).

    PostgreSQL reads ``DISTINCT`` by visiting every row. Here one query walks the field's
    index from one value to the next (a "loose index scan": a recursive CTE that asks for the
    smallest value above the last one) and keeps each value for which the queryset, with its
    filters and joins, has a row: a scalar subquery with ``LIMIT 1`` that stops at the first
    (PostgreSQL would turn an ``EXISTS`` into a join over every row). SQLite (the demo) runs
    the plain ``DISTINCT``.
    """
    base = queryset.exclude(**{field: ""}).order_by()
    if connection.vendor != "postgresql":
        return list(base.values_list(field, flat=True).distinct().order_by(field))
    column = connection.ops.quote_name(queryset.model._meta.get_field(field).column)
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    # The queryset's own SQL, with the candidate value of the walk as the field's value.
    try:
        exists_sql, params = (
            base.filter(**{field: RawSQL("walk.value", ())}).values_list("pk", flat=True)[:1].query.sql_with_params()
        )
    except EmptyResultSet:  # ``.none()``, or a filter that can match nothing
        return []
    sql = f"""
        WITH RECURSIVE walk(value) AS (
            (SELECT {column} FROM {table} WHERE {column} > '' ORDER BY {column} LIMIT 1)
            UNION ALL
            SELECT (SELECT {column} FROM {table} WHERE {column} > walk.value ORDER BY {column} LIMIT 1)
            FROM walk WHERE walk.value IS NOT NULL
        )
        SELECT value FROM walk WHERE value IS NOT NULL AND ({exists_sql}) IS NOT NULL ORDER BY value
    """  # noqa: S608 — the names are the model's own; the values go as parameters.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


class ChoiceDisplayMixin:
    """A model's ``get_FOO_display()`` that translates the label of the stored value only.

    Django's builds a dictionary of every choice on each call and hashes each (lazy, translated)
    label on the way: one translation lookup per choice per call, which a page of twenty cards
    with three or four labels each pays hundreds of times. Same answer: the label of the first
    choice equal to the value, else the value itself."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        for choice, label in field.flatchoices:
            if choice == value:
                return force_str(label, strings_only=True)
        return force_str(value, strings_only=True)
