"""The cross-site search: one index table, fed by the sources of ``search/sources.py``.

Each item becomes one ``SearchEntry`` row whose ``vector`` is built with the text-search
configuration of its language (english, swedish, dutch; simple otherwise), weighted A for
the title, B the summary, C the body. Signals keep it current inside the writer's
transaction; ``manage.py search_reindex`` rebuilds it. Visibility is decided at query time
(``object_id IN visible(viewer)``), so a row's status change never leaks a draft.

Anonymous searches are cached with the one fragment cache (``core.cache``) under the
``search`` namespace, which every index write bumps, and the namespaces of every app whose
data decides what may be found (visibility is read from them at query time).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core import cache
from core.db import list_contains
from core.policy import Audience, Viewer
from core.signals import content_changed
from core.text import markdown_to_text
from search.models import SearchEntry
from search.sources import Source, sources

logger = logging.getLogger(__name__)

CONFIGS = {"en": "english", "sv": "swedish", "nl": "dutch"}
ALL_CONFIGS = ("english", "swedish", "dutch", "simple")
# Private-use characters mark highlights in ts_headline's output; they are stripped from
# every document, so after escaping the text only our markers become <mark> tags.
MARK_START, MARK_STOP = "\ue000", "\ue001"
_MARKERS = re.compile("[\ue000\ue001\x00]")
BODY_LIMIT = 100_000
MAX_QUERY_LENGTH = 200


def config_for(language: str | None) -> str:
    return CONFIGS.get((language or "")[:2].lower(), "simple")


def _source_for(model) -> Source | None:
    """The source of ``model`` or of the model a proxy (such as the evidence review queue) stands for."""
    concrete = model._meta.concrete_model
    for source in sources().values():
        if source.model is concrete:
            return source
    return None


def visible_for_model(model, viewer: Viewer):
    """What ``viewer`` may see of a model, as its app's search source defines it (nothing if none)."""
    source = _source_for(model)
    return source.visible(viewer) if source is not None else model._default_manager.none()


def _clean(text: Any, limit: int) -> str:
    return _MARKERS.sub("", str(text or ""))[:limit]


def vector_expression():
    config = F("config")
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )


def _entry_fields(document: dict) -> dict:
    language = (document.get("language") or "")[:8]
    return {
        "language": language,
        "config": config_for(language),
        "title": _clean(document.get("title"), 300),
        "summary": _clean(document.get("summary"), 2000),
        # Bodies are Markdown in every app: indexed (and shown in snippets) as the words a
        # reader sees, without asterisks, link targets or heading marks.
        "body": _clean(markdown_to_text(str(document.get("body") or "")), BODY_LIMIT),
        "url": str(document.get("url") or "")[:500],
        "themes": [str(t) for t in document.get("themes") or []],
        "countries": [str(c) for c in document.get("countries") or []],
    }


# --- Cache ---------------------------------------------------------------------------------
# The index's own namespace, bumped by every index write; a cached search also depends on the
# namespaces of the apps whose data decides what may be found (``visible`` reads them live).
NAMESPACE = "search"
CACHE_DEPENDS_ON = (NAMESPACE, "evidence", "practice", "exchanges", "network")
CACHE_SECONDS = 300


def index_instance(instance, source: Source | None = None) -> None:
    """Bring one item's entry up to date (or remove it)."""
    source = source or _source_for(type(instance))
    if source is None:
        return
    # URLs are stored unprefixed (default language); the search page adds the reader's prefix.
    with translation.override(settings.LANGUAGE_CODE):
        document = source.document(instance)
    cache.changed(NAMESPACE)
    if document is None:
        SearchEntry.objects.filter(kind=source.kind, object_id=instance.pk).delete()
        return
    entry, _created = SearchEntry.objects.update_or_create(
        kind=source.kind, object_id=instance.pk, defaults=_entry_fields(document)
    )
    if connection.vendor == "postgresql":
        SearchEntry.objects.filter(pk=entry.pk).update(vector=vector_expression())


def remove_instance(kind: str, pk) -> None:
    cache.changed(NAMESPACE)
    SearchEntry.objects.filter(kind=kind, object_id=pk).delete()


def reindex(kinds: list[str] | None = None, *, batch: int = 500) -> int:
    """Rebuild the entries of the given kinds (all by default) in bulk. Returns the row count."""
    total = 0
    for kind, source in sources().items():
        if kinds and kind not in kinds:
            continue
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            SearchEntry.objects.filter(kind=kind).delete()
            rows = []
            for instance in source.model._default_manager.all().iterator(chunk_size=batch):
                document = source.document(instance)
                if document is not None:
                    rows.append(SearchEntry(kind=kind, object_id=instance.pk, **_entry_fields(document)))
                if len(rows) >= batch:
                    SearchEntry.objects.bulk_create(rows)
                    total += len(rows)
                    rows = []
            SearchEntry.objects.bulk_create(rows)
            total += len(rows)
            update_vectors(SearchEntry.objects.filter(kind=kind))
    return total


def update_vectors(queryset) -> None:
    """One UPDATE for many rows (PostgreSQL only; the SQLite demo searches without vectors)."""
    cache.changed(NAMESPACE)
    if connection.vendor == "postgresql":
        queryset.update(vector=vector_expression())


# --- Signals ---------------------------------------------------------------------------------


def _on_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    index_instance(instance)


def _on_delete(sender, instance, **kwargs):
    source = _source_for(sender)
    if source is not None:
        remove_instance(source.kind, instance.pk)


def _make_trigger_handlers(source: Source, model, fn):
    def on_save(sender, instance, raw=False, **kwargs):
        if raw:
            return
        try:
            items = list(fn(instance))
        except ObjectDoesNotExist:
            # The parent went first (a cascade): its own delete signal cleans the index.
            return
        for item in items:
            index_instance(item, source)

    def on_m2m(sender, instance, action, reverse, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if isinstance(instance, model):
            targets = [instance]
        else:
            targets = list(model._default_manager.filter(pk__in=pk_set or []))
        for target in targets:
            for item in fn(target):
                index_instance(item, source)

    return on_save, on_m2m


def _on_m2m_for(source: Source):
    def on_m2m(sender, instance, action, reverse, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if isinstance(instance, source.model):
            index_instance(instance, source)
        else:
            for item in source.model._default_manager.filter(pk__in=pk_set or []):
                index_instance(item, source)

    return on_m2m


_connected_handlers: list = []


def _on_content_changed(sender, instance, **kwargs):
    """A service changed an item without a model signal (a workflow step, a withdrawn consent)."""
    source = _source_for(sender)
    if source is not None:
        index_instance(instance, source)


def connect_signals() -> None:
    """Connect every source (called from ``SearchConfig.ready``)."""
    cache.watch(NAMESPACE)  # bumped by the index writes above
    content_changed.connect(_on_content_changed, dispatch_uid="search:content_changed", weak=False)
    for source in sources().values():
        uid = f"search:{source.kind}"
        # Saves through a proxy model (the admin's review queue) are saves of the item too.
        for model in [m for m in apps.get_models() if m._meta.concrete_model is source.model]:
            label = model._meta.label
            post_save.connect(_on_save, sender=model, dispatch_uid=f"{uid}:save:{label}", weak=False)
            post_delete.connect(_on_delete, sender=model, dispatch_uid=f"{uid}:delete:{label}", weak=False)
        handler = _on_m2m_for(source)
        _connected_handlers.append(handler)
        for m2m in source.model._meta.many_to_many:
            m2m_changed.connect(
                handler, sender=m2m.remote_field.through, dispatch_uid=f"{uid}:m2m:{m2m.name}", weak=False
            )
        for model, fn in source.triggers.items():
            label = model._meta.label
            on_save, on_m2m = _make_trigger_handlers(source, model, fn)
            _connected_handlers.extend([on_save, on_m2m])
            post_save.connect(on_save, sender=model, dispatch_uid=f"{uid}:trigger:{label}", weak=False)
            post_delete.connect(on_save, sender=model, dispatch_uid=f"{uid}:trigger-delete:{label}", weak=False)
            for m2m in model._meta.many_to_many:
                m2m_changed.connect(
                    on_m2m,
                    sender=m2m.remote_field.through,
                    dispatch_uid=f"{uid}:trigger:{label}:m2m:{m2m.name}",
                    weak=False,
                )


# --- Querying --------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    object_id: int
    title: SafeString
    snippet: SafeString
    url: str
    language: str
    themes: list
    countries: list


@dataclass
class Results:
    query: str
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    page: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def highlight(text: str) -> SafeString:
    """Escape ts_headline's output, then turn our private markers into <mark> tags."""
    escaped = escape(text or "")
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))  # noqa: S308


def visible_q(viewer: Viewer, kinds: list[str] | None = None) -> Q:
    q = Q(pk__in=[])
    for kind, source in sources().items():
        if kinds and kind not in kinds:
            continue
        q |= Q(kind=kind, object_id__in=source.visible(viewer).values("pk"))
    return q


def _filtered(viewer: Viewer, *, kind=None, language=None, theme=None, country=None):
    qs = SearchEntry.objects.filter(visible_q(viewer, [kind] if kind else None))
    if language:
        qs = qs.filter(language=language)
    if theme:
        qs = qs.filter(list_contains("themes", theme))
    if country:
        qs = qs.filter(list_contains("countries", country))
    return qs


# The index table, quoted once for the raw SQL below (a module constant, never user input).
_TABLE = connection.ops.quote_name(SearchEntry._meta.db_table)
_MATCH_SQL = (
    "("
    + " OR ".join(
        f"({_TABLE}.\"config\" = '{c}' AND {_TABLE}.\"vector\" @@ websearch_to_tsquery('{c}', %s))" for c in ALL_CONFIGS
    )
    + ")"
)
# The query in the entry's own configuration. A CASE over constants (not a cast of the column)
# lets PostgreSQL fold each branch to a constant tsquery once, instead of parsing per row.
_OWN_QUERY = (
    f'CASE {_TABLE}."config" '
    + " ".join(f"WHEN '{c}' THEN websearch_to_tsquery('{c}', %s)" for c in ALL_CONFIGS)
    + " END"
)
_OWN_PARAMS = len(ALL_CONFIGS)
_RANK_SQL = f'ts_rank({_TABLE}."vector", {_OWN_QUERY})'
_TITLE_HIT_SQL = f"CASE WHEN ts_filter({_TABLE}.\"vector\", '{{a}}') @@ {_OWN_QUERY} THEN 1 ELSE 0 END"


def search(
    *,
    viewer: Viewer,
    query: str,
    kind: str | None = None,
    language: str | None = None,
    theme: str | None = None,
    country: str | None = None,
    page: int = 1,
    per_page: int = 20,
    use_cache: bool = True,
) -> Results:
    """Search everything ``viewer`` may see. ``query`` must already be validated (no NUL, capped).

    Anonymous results are cached (``core.cache``) until the index or any app's data changes,
    and until the end of the day (consent that expires changes what may be found without any
    write), unless ``use_cache`` is off (benchmarks). Other viewers' results may hold what
    their own organisations may see, so they are never shared.
    """
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    page = max(1, page)
    if not query:
        return Results(query=query, hits=[], total=0, facets={}, page=page, per_page=per_page)

    def run() -> Results:
        base = _filtered(viewer, kind=kind, language=language, theme=theme, country=country)
        if connection.vendor == "postgresql":
            return _search_postgres(base, query, page, per_page)
        return _search_fallback(base, query, page, per_page)

    if not (viewer.is_anonymous and use_cache):
        return run()
    return cache.fragment(
        "search",
        depends_on=CACHE_DEPENDS_ON,
        audience=Audience.PUBLIC,
        parts=(query, kind, language, theme, country, page, per_page),
        valid_until=cache.end_of_today(),  # before the query reads today's date
        timeout=CACHE_SECONDS,
        render=run,
    )


def _search_postgres(base, query: str, page: int, per_page: int) -> Results:
    # The SQL fragments are module constants; the user's query only ever travels as a parameter.
    matched = base.filter(
        RawSQL(_MATCH_SQL, [query] * len(ALL_CONFIGS), output_field=models.BooleanField())  # noqa: S611
    )
    facets, total = _facets_postgres(matched)
    offset = (page - 1) * per_page
    rows = list(
        matched.annotate(
            title_hit=RawSQL(_TITLE_HIT_SQL, [query] * _OWN_PARAMS, output_field=IntegerField()),  # noqa: S611
            rank=RawSQL(_RANK_SQL, [query] * _OWN_PARAMS, output_field=models.FloatField()),  # noqa: S611
        )
        .order_by("-title_hit", "-rank", "-id")
        .values("id", "kind", "object_id", "url", "language", "themes", "countries")[offset : offset + per_page]
    )
    headlines = {}
    if rows:
        options = f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=35, MinWords=12, MaxFragments=2"
        title_options = f"StartSel={MARK_START}, StopSel={MARK_STOP}, HighlightAll=true"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT id,
                      ts_headline(config::regconfig, title, {_OWN_QUERY}, %s),
                      ts_headline(config::regconfig, summary || ' ' || body, {_OWN_QUERY}, %s)
                    FROM {_TABLE} WHERE id = ANY(%s)""",  # noqa: S608 — constants only.
                [*[query] * _OWN_PARAMS, title_options, *[query] * _OWN_PARAMS, options, [r["id"] for r in rows]],
            )
            headlines = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
    hits = [
        Hit(
            kind=r["kind"],
            object_id=r["object_id"],
            title=highlight(headlines.get(r["id"], ("", ""))[0]),
            snippet=highlight(headlines.get(r["id"], ("", ""))[1]),
            url=r["url"],
            language=r["language"],
            themes=r["themes"],
            countries=r["countries"],
        )
        for r in rows
    ]
    return Results(query=query, hits=hits, total=total, facets=facets, page=page, per_page=per_page)


def _facets_postgres(matched) -> tuple[dict, int]:
    sql, params = matched.values("kind", "language", "themes", "countries").query.sql_with_params()
    facet_sql = f"""
        WITH m AS MATERIALIZED ({sql})
        SELECT 'kind', kind, count(*) FROM m GROUP BY kind
        UNION ALL SELECT 'language', language, count(*) FROM m GROUP BY language
        UNION ALL SELECT 'theme', t, count(*) FROM m, jsonb_array_elements_text(m.themes) t GROUP BY t
        UNION ALL SELECT 'country', c, count(*) FROM m, jsonb_array_elements_text(m.countries) c GROUP BY c
    """  # noqa: S608 — the inner SQL is compiled by the ORM with parameters.
    facets: dict[str, list[tuple[str, int]]] = {"kind": [], "language": [], "theme": [], "country": []}
    with connection.cursor() as cursor:
        cursor.execute(facet_sql, params)
        for name, value, count in cursor.fetchall():
            facets[name].append((value, count))
    for values in facets.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    total = sum(count for _value, count in facets["kind"])
    return facets, total


_WORD = re.compile(r"\w+", re.UNICODE)


def _search_fallback(base, query: str, page: int, per_page: int) -> Results:
    """SQLite demo: every word must appear somewhere (case-insensitive); title matches first."""
    terms = _WORD.findall(query)[:10]
    if not terms:
        return Results(query=query, hits=[], total=0, facets={}, page=page, per_page=per_page)
    matched = base
    for term in terms:
        matched = matched.filter(Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term))
    facets: dict[str, dict[str, int]] = {"kind": {}, "language": {}, "theme": {}, "country": {}}
    for row in matched.values("kind", "language", "themes", "countries"):
        for name, values in (
            ("kind", [row["kind"]]),
            ("language", [row["language"]]),
            ("theme", row["themes"]),
            ("country", row["countries"]),
        ):
            for value in values:
                facets[name][value] = facets[name].get(value, 0) + 1
    facet_lists = {
        name: sorted(counts.items(), key=lambda item: (-item[1], item[0])) for name, counts in facets.items()
    }
    total = sum(facets["kind"].values())
    offset = (page - 1) * per_page
    rows = matched.annotate(
        title_hit=Case(When(title__icontains=terms[0], then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("-title_hit", "-id")[offset : offset + per_page]
    hits = [
        Hit(
            kind=e.kind,
            object_id=e.object_id,
            title=_mark_terms(e.title, terms),
            snippet=_mark_terms(_window(f"{e.summary} {e.body}", terms), terms),
            url=e.url,
            language=e.language,
            themes=e.themes,
            countries=e.countries,
        )
        for e in rows
    ]
    return Results(query=query, hits=hits, total=total, facets=facet_lists, page=page, per_page=per_page)


def _window(text: str, terms: list[str], width: int = 240) -> str:
    lower = text.lower()
    positions = [lower.find(t.lower()) for t in terms if lower.find(t.lower()) >= 0]
    start = max(0, min(positions) - 60) if positions else 0
    return ("… " if start else "") + text[start : start + width] + (" …" if len(text) > start + width else "")


def _mark_terms(text: str, terms: list[str]) -> SafeString:
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    return highlight(pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_STOP}", _clean(text, BODY_LIMIT)))
