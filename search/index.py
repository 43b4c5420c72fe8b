"""The cross-site search: one index table, fed by the sources of ``search/sources.py``.

Each item becomes one ``SearchEntry`` row whose ``vector`` is built with the text-search
configuration of its language (``ll_english``, ``ll_swedish``, ``ll_dutch``: Hunspell, then
Snowball, see ``search/textsearch.py``; simple otherwise), weighted A for the title, B the
summary, C the body. Signals keep it current inside the writer's transaction; ``manage.py
search_reindex`` rebuilds it. Visibility is decided at query time (``object_id IN
visible(viewer)``), so a row's status change never leaks a draft, and everything built from
the rows (facets, trigram widening, the "Did you mean …?" words) starts from what the viewer
may see.

Queries (PostgreSQL): ``websearch_to_tsquery`` (quoted phrases, ``-word``) with the last word
also matched as a prefix (``ParsedQuery``); fewer than ``FEW_HITS`` hits are widened by
trigram similarity of the folded titles and may bring a correction (``_widen``). The SQLite
demo matches words without case or accents, whole title words first (``_search_fallback``).

Anonymous searches are cached with the one fragment cache (``core.cache``) under the
``search`` namespace, which every index write bumps, and the namespaces of every app whose
data decides what may be found (visibility is read from them at query time).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models, transaction
from django.db.models import Case, F, IntegerField, Q, When
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

# Our configurations (``search/textsearch.py``): Hunspell, then Snowball, once installed.
CONFIGS = {"en": "ll_english", "sv": "ll_swedish", "nl": "ll_dutch"}
ALL_CONFIGS = ("ll_english", "ll_swedish", "ll_dutch", "simple")
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
        "folded_title": fold(_clean(document.get("title"), 300))[:300],
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
CACHE_DEPENDS_ON = (NAMESPACE, "evidence", "practice", "exchanges", "network", "strategy")
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
            for instance in source.queryset().iterator(chunk_size=batch):
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
    # A corrected query that finds more ("Did you mean …?"), and how many of the hits were
    # found by trigram similarity of their titles alone (listed after the full-text hits).
    suggestion: str = ""
    similar: int = 0

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
# The last word of a query that is still being typed: a word after a space (not "-word"),
# outside quotes. ``websearch_to_tsquery`` has no prefix syntax, so that word is added as
# "stemmed word OR prefix of any indexed lexeme" (``to_tsquery('simple', 'word':*)``).
_LAST_WORD = re.compile(r"(?:^|\s)(\w{2,})$", re.UNICODE)
_PREFIX_MIN = 3


# Every quoted lexeme of a tsquery's text (quotes inside doubled), with its optional prefix
# star, gets weight A: 'word' becomes 'word':A and 'wor':* becomes 'wor':*A (SQL arguments of
# regexp_replace after the text: pattern, replacement, flags).
_WEIGHT_A_PATTERN = r"""'''((?:[^'']|'''')*)''(?::(\*))?', '''\1'':\2A', 'g'"""


@dataclass(frozen=True)
class ParsedQuery:
    """A query split for SQL: ``head`` and ``last`` go to websearch_to_tsquery, ``prefix`` to
    to_tsquery('simple'); all three only ever travel as parameters."""

    text: str
    head: str
    last: str | None
    prefix: str | None

    @classmethod
    def parse(cls, text: str) -> ParsedQuery:
        if text.count('"') % 2 == 0 and not text.endswith('"'):
            match = _LAST_WORD.search(text)
            if match and len(match.group(1)) >= _PREFIX_MIN and match.group(1).lower() != "or":
                last = match.group(1)
                # \w letters only (digits and underscores are \w too): quoted, nothing to escape.
                return cls(text, text[: match.start(1)], last, f"'{last.lower()}':*")
        return cls(text, text, None, None)

    def tsquery(self, config: str) -> tuple[str, list]:
        """SQL (constants only) and parameters of this query in one configuration."""
        if self.last is None:
            return f"websearch_to_tsquery('{config}', %s)", [self.text]
        # A last word the configuration drops (a stop word: "the") adds no prefix either.
        return (
            f"(websearch_to_tsquery('{config}', %s) && "
            f"CASE WHEN numnode(websearch_to_tsquery('{config}', %s)) = 0 THEN ''::tsquery "
            f"ELSE (websearch_to_tsquery('{config}', %s) || to_tsquery('simple', %s)) END)",
            [self.head, self.last, self.last, self.prefix],
        )

    def match_sql(self) -> tuple[str, list]:
        parts, params = [], []
        for c in ALL_CONFIGS:
            sql, p = self.tsquery(c)
            parts.append(f'({_TABLE}."config" = \'{c}\' AND {_TABLE}."vector" @@ {sql})')
            params += p
        return "(" + " OR ".join(parts) + ")", params

    def own_query_sql(self) -> tuple[str, list]:
        """The query in the entry's own configuration. A CASE over constants (not a cast of the
        column) lets PostgreSQL fold each branch to a constant tsquery once, instead of parsing
        per row."""
        parts, params = [], []
        for c in ALL_CONFIGS:
            sql, p = self.tsquery(c)
            parts.append(f"WHEN '{c}' THEN {sql}")
            params += p
        return f'CASE {_TABLE}."config" ' + " ".join(parts) + " END", params

    def title_query_sql(self) -> tuple[str, list]:
        """The entry's own query with every lexeme restricted to weight A (the title): ``vector
        @@`` it says whether the title matches, without building a filtered vector per row
        (``ts_filter``). Each branch still folds to a constant."""
        parts, params = [], []
        for c in ALL_CONFIGS:
            sql, p = self.tsquery(c)
            parts.append(f"WHEN '{c}' THEN regexp_replace(({sql})::text, {_WEIGHT_A_PATTERN})::tsquery")
            params += p
        return f'CASE {_TABLE}."config" ' + " ".join(parts) + " END", params

    @property
    def words(self) -> list[str]:
        """The words the reader wants found (not quoted-out operators or ``-excluded`` ones)."""
        return _positive_words(self.text)


def _positive_words(text: str) -> list[str]:
    words = []
    for match in re.finditer(r"(-?)(\w+)", text):
        sign, word = match.groups()
        if sign or word.lower() == "or" or len(word) < 2:
            continue
        words.append(word)
    return words[:MAX_WORDS]


MAX_WORDS = 6
# Fewer full-text hits than this widen the search with trigrams and look for a correction.
FEW_HITS = 3


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

    # Among equally good hits, those in the reader's language come first (an English reader
    # searching "community organising" meets the English guide before its translations).
    reader = (translation.get_language() or settings.LANGUAGE_CODE)[:2]

    def run() -> Results:
        base = _filtered(viewer, kind=kind, language=language, theme=theme, country=country)
        if connection.vendor == "postgresql":
            return _search_postgres(base, query, page, per_page, reader=reader)
        return _search_fallback(base, query, page, per_page)

    if not (viewer.is_anonymous and use_cache):
        return run()
    return cache.fragment(
        "search",
        depends_on=CACHE_DEPENDS_ON,
        audience=Audience.PUBLIC,
        parts=(query, kind, language, theme, country, page, per_page, reader),
        valid_until=cache.end_of_today(),  # before the query reads today's date
        timeout=CACHE_SECONDS,
        render=run,
    )


def _search_postgres(base, query: str, page: int, per_page: int, *, reader: str = "") -> Results:
    # SQL is built from module constants and placeholders; the user's query only ever travels
    # as a parameter.
    parsed = ParsedQuery.parse(query)
    match_sql, match_params = parsed.match_sql()
    own_sql, own_params = parsed.own_query_sql()
    matched = base.filter(RawSQL(match_sql, match_params, output_field=models.BooleanField()))  # noqa: S611
    offset = (page - 1) * per_page
    title_sql, title_params = parsed.title_query_sql()
    title_hit = f'CASE WHEN {_TABLE}."vector" @@ {title_sql} THEN 1 ELSE 0 END'
    ranked = (
        matched.annotate(
            title_hit=RawSQL(title_hit, title_params, output_field=IntegerField()),  # noqa: S611
            rank=RawSQL(f'ts_rank({_TABLE}."vector", {own_sql})', own_params, output_field=models.FloatField()),  # noqa: S611
            readers_language=Case(When(language=reader, then=1), default=0, output_field=IntegerField()),
        )
        .order_by()
        .values("id", "kind", "language", "themes", "countries", "title_hit", "rank", "readers_language")
    )
    facets, total, ids = _facets_and_page_postgres(ranked, offset=offset, limit=per_page)
    rows = []
    if ids:
        options = f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=35, MinWords=12, MaxFragments=2"
        title_options = f"StartSel={MARK_START}, StopSel={MARK_STOP}, HighlightAll=true"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT id, kind, object_id, url, language, themes, countries,
                      ts_headline(config::regconfig, title, {own_sql}, %s) AS title_headline,
                      ts_headline(config::regconfig, summary || ' ' || body, {own_sql}, %s) AS snippet
                    FROM {_TABLE} WHERE id = ANY(%s)""",  # noqa: S608 — constants only.
                [*own_params, title_options, *own_params, options, ids],
            )
            columns = [column[0] for column in cursor.description]
            by_id = {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
        rows = [by_id[pk] for pk in ids if pk in by_id]
    hits = [
        Hit(
            kind=r["kind"],
            object_id=r["object_id"],
            title=highlight(r["title_headline"]),
            snippet=highlight(r["snippet"]),
            url=r["url"],
            language=r["language"],
            themes=_json(r["themes"]),
            countries=_json(r["countries"]),
        )
        for r in rows
    ]
    results = Results(query=query, hits=hits, total=total, facets=facets, page=page, per_page=per_page)
    # A quoted phrase or an excluded word asks for precision: no widening.
    if total < FEW_HITS and page == 1 and parsed.words and not re.search(r'"|(?:^|\s)-\w', query):
        _widen(results, base, parsed, {r["id"] for r in rows}, reader=reader)
    return results


def _json(value):
    """A JSON column read with a plain cursor (Django's psycopg setup returns its text)."""
    return json.loads(value) if isinstance(value, str) else value


def _widen(results: Results, base, parsed: ParsedQuery, found: set[int], *, reader: str = "") -> None:
    """Few full-text hits: add what the viewer may see whose title (a name, for people and
    organisations) is similar to a word of the query (``pg_trgm``'s word similarity, served by
    the trigram index on titles), and suggest the query with each unknown word replaced by the
    most similar word of those titles when that finds more."""
    words = [fold(word) for word in parsed.words]
    condition = " OR ".join([f'%s <%% {_TABLE}."folded_title"'] * len(words))
    score = " + ".join([f'word_similarity(%s, {_TABLE}."folded_title")'] * len(words))
    candidates = list(
        base.filter(RawSQL(f"({condition})", words, output_field=models.BooleanField()))  # noqa: S611
        .annotate(
            similarity=RawSQL(score, words, output_field=models.FloatField()),  # noqa: S611
            readers_language=Case(When(language=reader, then=1), default=0, output_field=IntegerField()),
        )
        .order_by("-similarity", "-readers_language", "-id")
        .values("id", "kind", "object_id", "title", "summary", "url", "language", "themes", "countries")[:SIMILAR_LIMIT]
    )
    extra = [row for row in candidates if row["id"] not in found][: results.per_page - len(results.hits)]
    for row in extra:
        results.hits.append(
            Hit(
                kind=row["kind"],
                object_id=row["object_id"],
                title=highlight(_clean(row["title"], 300)),
                snippet=highlight(_clean(row["summary"], 240)),
                url=row["url"],
                language=row["language"],
                themes=row["themes"],
                countries=row["countries"],
            )
        )
        _count_facets(results.facets, row)
    for values in results.facets.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    results.similar = len(extra)
    results.total += len(extra)
    suggestion = _correct(parsed, [row["title"] for row in candidates])
    if suggestion and _count_postgres(base, suggestion) > results.total - len(extra):
        results.suggestion = suggestion


SIMILAR_LIMIT = 30


def _count_facets(facets: dict[str, list[tuple[str, int]]], row: dict) -> None:
    for name, values in (
        ("kind", [row["kind"]]),
        ("language", [row["language"]]),
        ("theme", row["themes"]),
        ("country", row["countries"]),
    ):
        counts = dict(facets.setdefault(name, []))
        for value in values:
            counts[value] = counts.get(value, 0) + 1
        facets[name] = list(counts.items())


def _count_postgres(base, query: str) -> int:
    match_sql, match_params = ParsedQuery.parse(query).match_sql()
    return base.filter(RawSQL(match_sql, match_params, output_field=models.BooleanField())).count()  # noqa: S611


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity of two words (shared trigrams over all trigrams)."""
    ta, tb = _trigrams(a), _trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


CORRECTION_MIN_SIMILARITY = 0.4


def _correct(parsed: ParsedQuery, titles: list[str]) -> str:
    """The query with each word that no title spells out replaced by the titles' most similar
    word ("" when nothing changes)."""
    spelled = {w.casefold() for title in titles for w in _WORD.findall(title)}
    vocabulary = {fold(w): w for title in titles for w in _WORD.findall(title) if len(w) > 2}
    text = parsed.text
    changed = False
    for word in parsed.words:
        folded = fold(word)
        if word.casefold() in spelled or not vocabulary:
            continue
        best = max(vocabulary, key=lambda candidate: similarity(folded, candidate))
        if similarity(folded, best) >= CORRECTION_MIN_SIMILARITY:
            replacement = vocabulary[best] if word[:1].isupper() else vocabulary[best].lower()
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, count=1)
            changed = True
    return text if changed else ""


def _facets_and_page_postgres(ranked, *, offset: int, limit: int) -> tuple[dict, int, list[int]]:
    """The facet counts, the total and the ids of one page of hits, best first, from a single
    pass over the matching entries (``ranked``: their facet fields and sort keys). Matching and
    the visibility subqueries are the costly part of a search; a second query for the page
    would pay for them twice. Themes and countries are counted per distinct list first (a few
    hundred lists among thousands of hits), then per value."""
    sql, params = ranked.query.sql_with_params()
    facet_sql = f"""
        WITH m AS MATERIALIZED ({sql})
        SELECT 'kind', kind, count(*) FROM m GROUP BY kind
        UNION ALL SELECT 'language', language, count(*) FROM m GROUP BY language
        UNION ALL SELECT 'theme', t, sum(n)::bigint FROM (SELECT themes, count(*) n FROM m GROUP BY themes) g,
            jsonb_array_elements_text(g.themes) t GROUP BY t
        UNION ALL SELECT 'country', c, sum(n)::bigint FROM (SELECT countries, count(*) n FROM m GROUP BY countries) g,
            jsonb_array_elements_text(g.countries) c GROUP BY c
        UNION ALL SELECT 'hit', id::text, row_number() OVER () FROM (
            SELECT id FROM m ORDER BY title_hit DESC, readers_language DESC, rank DESC, id DESC
            LIMIT %s OFFSET %s
        ) page
    """  # noqa: S608 — the inner SQL is compiled by the ORM with parameters.
    facets: dict[str, list[tuple[str, int]]] = {"kind": [], "language": [], "theme": [], "country": []}
    page: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        cursor.execute(facet_sql, [*params, limit, offset])
        for name, value, count in cursor.fetchall():
            if name == "hit":
                page.append((count, int(value)))
            else:
                facets[name].append((value, count))
    for values in facets.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    total = sum(count for _value, count in facets["kind"])
    return facets, total, [pk for _position, pk in sorted(page)]


_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Text without case or accents ("Hjällbo" and "HJALLBO" fold alike), for the SQLite demo."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _search_fallback(base, query: str, page: int, per_page: int) -> Results:
    """SQLite demo (no stemming: that needs PostgreSQL): every word must appear somewhere,
    regardless of case and accents; entries whose title holds the words as whole words come
    first, then those whose title holds them at all. Matching runs in Python over the visible
    entries, which the demo keeps to a few hundred."""
    terms = [t for t in _positive_words(query) if fold(t)] or _WORD.findall(query)[:MAX_WORDS]
    folded_terms = [fold(t) for t in terms]
    if not folded_terms:
        return Results(query=query, hits=[], total=0, facets={}, page=page, per_page=per_page)
    ranked = []
    fields = ("id", "kind", "object_id", "title", "summary", "body", "url", "language", "themes", "countries")
    for entry in base.only(*fields):
        title = fold(entry.title)
        text = f"{title} {fold(entry.summary)} {fold(entry.body)}"
        if not all(term in text for term in folded_terms):
            continue
        title_words = set(_WORD.findall(title))
        whole = sum(term in title_words for term in folded_terms)
        partial = sum(term in title for term in folded_terms)
        ranked.append(((-whole, -partial, -entry.id), entry))
    ranked.sort(key=lambda item: item[0])
    facets: dict[str, list[tuple[str, int]]] = {"kind": [], "language": [], "theme": [], "country": []}
    for _key, e in ranked:
        _count_facets(facets, {"kind": e.kind, "language": e.language, "themes": e.themes, "countries": e.countries})
    for values in facets.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    offset = (page - 1) * per_page
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
        for _key, e in ranked[offset : offset + per_page]
    ]
    return Results(query=query, hits=hits, total=len(ranked), facets=facets, page=page, per_page=per_page)


def _window(text: str, terms: list[str], width: int = 240) -> str:
    folded = _fold_same_length(text)
    positions = [p for p in (folded.find(fold(t)) for t in terms) if p >= 0]
    start = max(0, min(positions) - 60) if positions else 0
    return ("… " if start else "") + text[start : start + width] + (" …" if len(text) > start + width else "")


def _fold_same_length(text: str) -> str:
    """``fold`` character by character, so positions in the result are positions in ``text``."""
    return "".join((fold(c) or c)[:1] for c in text)


def _mark_terms(text: str, terms: list[str]) -> SafeString:
    text = _clean(text, BODY_LIMIT)
    folded = _fold_same_length(text)
    spans = []
    for term in {fold(t) for t in terms if fold(t)}:
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(term), folded)]
    marked, last = [], 0
    for start, stop in sorted(spans):
        if start < last:
            continue
        marked += [text[last:start], MARK_START, text[start:stop], MARK_STOP]
        last = stop
    marked.append(text[last:])
    return highlight("".join(marked))
