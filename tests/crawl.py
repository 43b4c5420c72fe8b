"""Every page of the project, discovered rather than listed, for generated tests.

* ``routes()`` walks the URL resolver (the admin included) at import time, so a new URL is a
  new test case without anyone writing it down.
* ``Crawl`` fills each route's path arguments from rows that exist (a pk or slug of a demo row
  that answers something other than 404 to a superuser), and records which query parameters
  each page reads (``request.GET.get``/``getlist``/``[]``/``in``) for every role, so the
  hostile-input test sends its values exactly where the views look.
* ``filterset_parameters()`` lists the query parameters of every django-filter FilterSet in
  ``<app>/filters.py``; ``changelist_parameters()`` those of an admin changelist (its list
  filters, date hierarchy, search, ordering and paging).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

import django_filters
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.db import models
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter

from core.policy import viewer_for

ROLES = ("anonymous", "organiser", "coordinator", "superuser")
# The demo's logins (README); the superuser is made by the crawl.
ROLE_EMAILS = {
    "organiser": "organiser@example.org",
    "coordinator": "coordinator@example.org",
    "superuser": "crawl.superuser@example.org",
}


@dataclass(frozen=True)
class Route:
    """One URL pattern: its reversible name, its path arguments and what serves it."""

    name: str
    pattern: str
    kwargs: tuple[str, ...]
    int_kwargs: frozenset[str]
    # Arguments matched by ``str``, ``path`` or a regular expression: not a number, not a slug.
    text_kwargs: frozenset[str]
    callback: object = field(compare=False, repr=False)

    @property
    def model_admin(self) -> admin.ModelAdmin | None:
        """The ModelAdmin behind an admin view (Django's own URLs and custom ``get_urls``)."""
        view = self.callback
        while view is not None:
            found = getattr(view, "model_admin", None) or getattr(view, "__self__", None)
            if isinstance(found, admin.ModelAdmin):
                return found
            view = getattr(view, "__wrapped__", None)
        return None

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    @property
    def is_changelist(self) -> bool:
        return self.is_admin and self.model_admin is not None and self.name.endswith("_changelist")

    @property
    def app_label(self) -> str:
        return getattr(self.callback, "__module__", "").split(".")[0]


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            regex = entry.pattern.regex
            converters = getattr(entry.pattern, "converters", {})
            yield Route(
                name=namespace + entry.name,
                pattern=prefix + str(entry.pattern),
                kwargs=tuple(regex.groupindex),
                int_kwargs=frozenset(k for k, c in converters.items() if isinstance(c, IntConverter)),
                text_kwargs=frozenset(
                    k for k in regex.groupindex if not isinstance(converters.get(k), IntConverter | SlugConverter)
                ),
                callback=entry.callback,
            )


def routes() -> list[Route]:
    """Every named URL pattern, once (the first of several patterns sharing a name)."""
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns):
        seen.setdefault(route.name, route)
    return list(seen.values())


def filterset_parameters() -> dict[str, list[str]]:
    """``{"evidence.filters.LibraryFilter": ["q", "kind", ...]}`` for every FilterSet declared in
    an app's ``filters.py``: each filter's form field name, with a multi-widget's suffixes."""
    found: dict[str, list[str]] = {}
    for app in settings.LEARNINGLAB_APPS:
        if find_spec(f"{app}.filters") is None:
            continue
        module = import_module(f"{app}.filters")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, django_filters.FilterSet) or cls.__module__ != module.__name__:
                continue
            params = []
            for filter_name, filter_ in cls.base_filters.items():
                suffixes = getattr(filter_.field_class.widget, "suffixes", None) or [""]
                params += [f"{filter_name}_{s}" if s else filter_name for s in suffixes]
            found[f"{module.__name__}.{name}"] = params
    return found


def changelist_parameters(route: Route, superuser) -> list[str]:
    """The query parameters an admin changelist understands: each list filter's expected
    parameters, the date hierarchy's year/month/day, search, ordering and page."""
    model_admin = route.model_admin
    request = RequestFactory().get("/")
    request.user = superuser
    request.viewer = viewer_for(superuser)  # as core.middleware.ViewerMiddleware sets it
    changelist = model_admin.get_changelist_instance(request)
    params: list[str] = []
    for spec in changelist.filter_specs:
        params += [p for p in spec.expected_parameters() if p]
    if model_admin.date_hierarchy:
        params += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    params += [SEARCH_VAR, ORDER_VAR, PAGE_VAR]
    return list(dict.fromkeys(params))


@contextlib.contextmanager
def recording_query_reads() -> Iterator[set[str]]:
    """Every key asked of any QueryDict while the block runs: the parameters a view reads."""
    names: set[str] = set()
    patched = ("get", "getlist", "__getitem__", "__contains__")
    own = {attr: QueryDict.__dict__.get(attr) for attr in patched}

    def recorder(original):
        def read(self, key, *args, **kwargs):
            if isinstance(key, str):
                names.add(key)
            return original(self, key, *args, **kwargs)

        return read

    for attr in patched:
        setattr(QueryDict, attr, recorder(getattr(QueryDict, attr)))
    try:
        yield names
    finally:
        for attr, original in own.items():
            if original is None:
                delattr(QueryDict, attr)
            else:
                setattr(QueryDict, attr, original)


def _our_models() -> list[type[models.Model]]:
    return [m for app in settings.LEARNINGLAB_APPS for m in apps.get_app_config(app).get_models()]


class Crawl:
    """The demo's rows, a logged-in client per role, and for each route a path that answers."""

    def __init__(self, superuser):
        self.superuser = superuser
        self.clients = {role: self._client(role) for role in ROLES}
        self._paths: dict[str, str | None] = {}
        self._reads: dict[tuple[str, tuple[str, ...]], set[str]] = {}

    def _client(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(apps.get_model(settings.AUTH_USER_MODEL).objects.get(email=ROLE_EMAILS[role]))
        return client

    # --- filling path arguments ----------------------------------------------------------
    def _pool(self, first_app: str) -> tuple[list[str], list[str]]:
        """Candidate values for int and for text path arguments, the route's own app first:
        a pk and a slug of the first rows of each model, and the values of choice fields."""
        ints: list[str] = []
        texts: list[str] = []
        for model in sorted(_our_models(), key=lambda m: m._meta.app_label != first_app):
            pks = [str(pk) for pk in model.objects.order_by("pk").values_list("pk", flat=True)[:2]]
            ints += pks
            names = {f.name for f in model._meta.fields}
            if "slug" in names:
                texts += [s for s in model.objects.order_by("pk").values_list("slug", flat=True)[:2] if s]
            for f in model._meta.fields:
                if isinstance(f, models.CharField) and f.choices:
                    texts += [str(value) for value, _label in (f.flatchoices or [])[:3]]
            texts += pks
        return list(dict.fromkeys(ints)), list(dict.fromkeys(texts))

    def _admin_kwargs(self, route: Route) -> dict[str, str]:
        model_admin = route.model_admin
        model = model_admin.model if model_admin else next(iter(admin.site._registry))
        pk = model.objects.order_by("pk").values_list("pk", flat=True).first() or 1
        from django.contrib.contenttypes.models import ContentType

        values = {
            "object_id": str(pk),
            "id": str(pk),
            "app_label": model._meta.app_label,
            "content_type_id": str(ContentType.objects.get_for_model(model).pk),
            "url": "nowhere/",
        }
        return {k: values.get(k, str(pk)) for k in route.kwargs}

    def path(self, route: Route) -> str | None:
        """A path for ``route`` with existing rows in its arguments (None: not reversible)."""
        if route.name not in self._paths:
            self._paths[route.name] = self._find_path(route)
        return self._paths[route.name]

    def _find_path(self, route: Route) -> str | None:
        if not route.kwargs:
            return reverse(route.name)
        if route.name == "open_data:file":
            # A package is named by its day, a file by the package's list: the demo's package.
            from api.models import OpenDataPackage

            package = OpenDataPackage.objects.order_by("-name").first()
            kwargs = {"name": package.name, "filename": "datapackage.json"} if package else None
            return reverse(route.name, kwargs=kwargs) if kwargs else None
        if route.is_admin:
            try:
                return reverse(route.name, kwargs=self._admin_kwargs(route))
            except NoReverseMatch:
                return None
        ints, texts = self._pool(route.app_label)
        tried: list[str] = []
        for i in range(max(len(ints), len(texts))):
            kwargs = {
                k: (ints if k in route.int_kwargs else texts)[i % len(ints if k in route.int_kwargs else texts)]
                for k in route.kwargs
            }
            try:
                path = reverse(route.name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            tried.append(path)
            try:
                found = self.clients["superuser"].get(path).status_code != 404
            except Exception:  # noqa: BLE001 — a page that fails is found: the tests report it
                found = True
            if found:
                return path
            if len(tried) >= 8:
                break
        return tried[0] if tried else None

    # --- what each page reads ------------------------------------------------------------
    def reads(self, route: Route, roles=ROLES) -> set[str]:
        """The query parameters the page reads for any of ``roles``, bound (a probe parameter
        makes ``FilterSet(request.GET or None)`` validate its form), cache cleared first so a
        cached fragment does not hide the view's reads."""
        from django.core.cache import cache

        key = (route.name, tuple(roles))
        if key in self._reads:
            return self._reads[key]
        path = self.path(route)
        found: set[str] = set()
        for role in roles if path else ():
            cache.clear()
            with recording_query_reads() as names, contextlib.suppress(Exception):
                # A page that fails here fails the hostile-input test with its own message.
                self.clients[role].get(path, {"crawl_probe": "1"})
            found |= names
        found.discard("crawl_probe")
        self._reads[key] = found
        return found
