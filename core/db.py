"""Database expressions that PostgreSQL (production, tests) and SQLite (the ``make run``
demo) both run."""

from __future__ import annotations

import json

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Q


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
