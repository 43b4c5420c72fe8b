"""Reads that may lag a little: dashboards and exports from a read replica (README, "Capacity").

With ``DATABASE_REPLICA_URL`` set, the settings add a ``replica`` database and
``ReplicaRouter``. A view decorated with ``reads_from_replica`` then sends every read of its
own (ORM queries and ``reporting_cursor()``) to the replica; writes, and every request that is
not such a view, stay on ``default``. A replica is seconds behind at worst, which a dashboard
or an export can show; a page that must show what its member just saved cannot, and is never
decorated. Without a replica (or with ``REPLICA_READS`` off) everything reads ``default``.

Only the view's own body is covered: a streamed export that reads while it is sent reads
``default`` then, which is correct and only forgoes the offloading.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reporting: ContextVar[bool] = ContextVar("reads_from_replica", default=False)


def reporting_alias() -> str:
    """The database the current reads go to: ``replica`` inside a decorated view when one is
    configured, else ``default``."""
    if _reporting.get() and getattr(settings, "REPLICA_READS", False) and REPLICA in settings.DATABASES:
        return REPLICA
    return DEFAULT_DB_ALIAS


def reporting_cursor():
    """A cursor for raw SQL that reads like the ORM around it (see ``reporting_alias``)."""
    return connections[reporting_alias()].cursor()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = reporting_alias()
        return alias if alias == REPLICA else None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as default.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def reads_from_replica(view):
    """Decorate a read-only view (a dashboard, an export) whose reads may go to the replica."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        token = _reporting.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _reporting.reset(token)

    return wrapped
