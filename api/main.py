"""The read-only JSON API under ``/api/v1/`` (django-ninja; see the README for why).

Every answer is built for one viewer: anonymous, or the member a personal access token names
(``Authorization: Bearer llpat_…``). A browser's session is never read here, so an answer never
depends on cookies and needs no CSRF protection. Every queryset starts from the kind's
``visible_to(viewer)``; for visitors, evidence, guides and strategy versions are further
narrowed to open licences (``open_licensed``), since what visitors read here is open data.

Conventions every endpoint shares (so a client learns them once):

* lists are ``{"data": [...], "next_cursor": ..., "next": ...}`` in ascending id order, at most
  ``limit`` (1–100, default 50) items; ``cursor`` continues after the last id of a page;
* filters are those of the matching page (the apps' FilterSets); a query parameter the endpoint
  does not know is a 400 ``unknown_filter``, a value a filter refuses a 400 ``invalid_filter``,
  a cursor we did not write a 400 ``invalid_cursor``;
* errors are ``{"error": {"code", "message", "detail"}}`` with stable codes;
* ``ETag`` and ``Last-Modified`` on every 200, and 304 for a matching conditional request;
* ``lang`` (en, sv, nl) or ``Accept-Language`` chooses the language of translated fields.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db.models import CharField, F, Max, Prefetch, QuerySet, Value
from django.db.models.functions import Greatest
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api import figures, limits, schemas
from api.services import token_authenticate
from core import cache
from core.http import cache_publicly
from core.licences import licence_url
from core.policy import ANONYMOUS, Audience, Viewer, viewer_for
from evidence.filters import LibraryFilter
from evidence.models import EvidenceRecord, Indicator, RecordCountry
from exchanges.filters import ExchangeFilter
from exchanges.models import Exchange, Session
from network.filters import OrganisationFilter
from network.models import Organisation
from practice.filters import GuideFilter, JointActionFilter
from practice.models import Guide, GuideWork, JointAction
from strategy.models import Section, Version

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
COMMON_PARAMETERS = frozenset({"cursor", "limit", "lang"})


class ApiError(Exception):
    """An error with a stable ``code``, answered as JSON with ``status``."""

    def __init__(self, status: int, code: str, message: str, detail=None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.detail, self.headers = status, code, message, detail, headers or {}


class LearningLabApi(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None) -> HttpResponse:
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        if getattr(request, "api_token", None):
            response["Cache-Control"] = "private, max-age=0"
        else:
            cache_publicly(request, response, 60)
        patch_vary_headers(response, ("Authorization", "Accept-Language"))
        if response.status_code != 200 or request.method not in ("GET", "HEAD"):
            return response
        # The ETag is the body's digest: equal answers, equal tags, whatever produced them.
        response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        last_modified = getattr(request, "api_last_modified", None)
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=int(last_modified.timestamp()) if last_modified else None,
            response=response,
        )


def _authenticate(request: HttpRequest):
    """The viewer of the request (anonymous without a token), after the rate limit. Ninja
    calls this before every operation; what it returns is ``request.auth``."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    token = None
    if header:
        scheme, _space, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise ApiError(401, "invalid_token", "Send a personal access token as 'Authorization: Bearer <token>'.")
        token = token_authenticate(raw.strip())
        if token is None:
            raise ApiError(401, "invalid_token", "This token is unknown, revoked or expired.")
    if token is not None:
        verdict = limits.hit(f"token:{token.pk}", settings.API_RATE_LIMIT_TOKEN)
    else:
        verdict = limits.hit(f"ip:{limits.client_address(request)}", settings.API_RATE_LIMIT_ANONYMOUS)
    if not verdict.allowed:
        raise ApiError(
            429,
            "rate_limited",
            "Too many requests: wait before trying again.",
            headers={"Retry-After": str(verdict.retry_after)},
        )
    request.api_token = token
    language = request_language(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    viewer = viewer_for(token.user) if token is not None else ANONYMOUS
    request.api_viewer = viewer
    return viewer


def request_language(request) -> str:
    """``?lang=``, else the first supported language of Accept-Language, else the default.
    (Django's LocaleMiddleware gives unprefixed addresses the default language; the API's
    addresses are unprefixed on purpose, and cookies play no part in an API's answer.)"""
    codes = [code for code, _name in settings.LANGUAGES]
    language = request.GET.get("lang")
    if language is not None:
        if language not in codes:
            raise ApiError(400, "invalid_filter", "Unknown language.", {"lang": codes})
        return language
    for part in request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:200].split(","):
        code = part.split(";")[0].strip().lower()
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


api = LearningLabApi(
    title="Learning Lab API",
    version="1",
    description=(
        "Read-only open data of the Learning Lab network. Anonymous calls read what the public pages show, "
        "narrowed to openly licensed evidence, guides and strategy versions; a personal access token (Bearer) "
        "reads as its member. "
        f"Indicator figures built from fewer than {figures.min_cell_size()} records are suppressed."
    ),
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=_authenticate,
)


def _error(request, status: int, code: str, message: str, detail=None, headers=None) -> HttpResponse:
    response = api.create_response(
        request, {"error": {"code": code, "message": message, "detail": detail}}, status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.code, exc.message, exc.detail, exc.headers)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    detail = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors]
    return _error(request, 400, "invalid_parameter", "A parameter has a value this endpoint cannot use.", detail)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(request, 401, "invalid_token", "This token is unknown, revoked or expired.")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    codes = {404: "not_found", 405: "method_not_allowed"}
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


def _not_found(request, exc):
    return _error(request, 404, "not_found", "Nothing with this identifier.")


api.add_exception_handler(Http404, _not_found)


# --- lists ----------------------------------------------------------------------------------------


class Listing(Schema):
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT
    lang: str | None = None


def _encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{pk}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        version, _colon, value = text.partition(":")
        pk = int(value)
        if version != "v1" or pk < 0 or pk > 2**62:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "invalid_cursor", "This cursor was not written by this API.")
    return pk


def _check_parameters(request, allowed: Iterable[str]) -> None:
    allowed = COMMON_PARAMETERS | frozenset(allowed)
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ApiError(
            400, "unknown_filter", "Unknown query parameters.", {"unknown": unknown, "allowed": sorted(allowed)}
        )


def _filtered(filterset_class, request, queryset: QuerySet, names: Iterable[str], **kwargs) -> QuerySet:
    """The page's FilterSet over ``queryset``, bound to the request's filters only; a value it
    refuses is a 400 with the FilterSet's own messages."""
    data = QueryDict(mutable=True)
    for name in names:
        if name in request.GET:
            data.setlist(name, request.GET.getlist(name))
    if not data:
        # No filter asked for: what the FilterSet gives then (every filter skips an empty value),
        # without building its form and fields (2-4 ms a request on the shared bench machine).
        return queryset
    filterset = filterset_class(data=data, queryset=queryset, **kwargs)
    if not filterset.is_valid():
        detail = {field: [str(m) for m in messages] for field, messages in filterset.form.errors.items()}
        raise ApiError(400, "invalid_filter", "A filter has a value this endpoint cannot use.", detail)
    return filterset.qs


def _page(request, queryset: QuerySet, listing: Listing) -> tuple[list, str | None]:
    if not 1 <= listing.limit <= MAX_LIMIT:
        raise ApiError(400, "invalid_parameter", f"limit must be between 1 and {MAX_LIMIT}.")
    if listing.cursor is not None:
        queryset = queryset.filter(pk__gt=_decode_cursor(listing.cursor))
    rows = list(queryset.order_by("pk")[: listing.limit + 1])
    more = len(rows) > listing.limit
    rows = rows[: listing.limit]
    stamps = [row.updated_at for row in rows if getattr(row, "updated_at", None)]
    request.api_last_modified = max(stamps) if stamps else None
    cursor = _encode_cursor(rows[-1].pk) if more and rows else None
    return rows, cursor


def _page_of_rows(
    request, queryset: QuerySet, listing: Listing, rows_of: Callable[[QuerySet], list[dict]]
) -> tuple[list[dict], str | None]:
    """``_page`` for the lists whose items ``rows_of`` builds from the ordered, sliced queryset
    in bulk (``organisation_rows`` and its kind)."""
    if not 1 <= listing.limit <= MAX_LIMIT:
        raise ApiError(400, "invalid_parameter", f"limit must be between 1 and {MAX_LIMIT}.")
    if listing.cursor is not None:
        queryset = queryset.filter(pk__gt=_decode_cursor(listing.cursor))
    rows = rows_of(queryset.order_by("pk")[: listing.limit + 1])
    more = len(rows) > listing.limit
    rows = rows[: listing.limit]
    stamps = [row["updated_at"] for row in rows if row["updated_at"]]
    request.api_last_modified = max(stamps) if stamps else None
    cursor = _encode_cursor(rows[-1]["id"]) if more and rows else None
    return rows, cursor


def _envelope(request, rows: list, cursor: str | None) -> dict:
    next_url = None
    if cursor:
        query = request.GET.copy()
        query["cursor"] = cursor
        next_url = request.build_absolute_uri(request.path + "?" + query.urlencode())
    # In the order of ``schemas.Page``'s fields, which is the order pydantic writes them in.
    return {"next_cursor": cursor, "next": next_url, "data": rows}


def _answer(request, body: dict) -> HttpResponse:
    """``body`` as the JSON answer (ETag, Last-Modified, 304 as ``create_response`` adds them),
    without ninja validating it against the operation's schema first: for a page of 50 that
    costs more than building it. The rows are built field by field in the schema's order, with
    the schema's types, so the bytes are those the validated answer had;
    tests/api/test_schema_properties.py validates answers against the schemas."""
    return api.create_response(request, body, status=200)


def _one_row(rows: list[dict]) -> dict:
    if not rows:
        raise ApiError(404, "not_found", "Nothing with this identifier.")
    return rows[0]


def _absolute(path: str) -> str:
    """A page's address as others link to it (the site's own, whatever host was asked)."""
    return settings.SITE_URL + path


# Never part of an address by chance; valid for both the slug and the int converter.
_PLACEHOLDER = "9081726354"


def _addresses(viewname: str, kwarg: str) -> Callable[[object], str]:
    """``_absolute(reverse(viewname, kwargs={kwarg: value}))`` for every row of a list, reversed
    once (in the active language): the address is split around a placeholder. Ids and slugs
    (what the converters accept) need no quoting, so the joined address is what reverse gives."""
    before, _mark, after = _absolute(reverse(viewname, kwargs={kwarg: _PLACEHOLDER})).partition(_PLACEHOLDER)
    return lambda value: f"{before}{value}{after}"


def _links(relation, field: str = "slug") -> tuple:
    """How ``_related`` reads the ``field`` of what a many-to-many ``relation``
    (``Exchange.themes``) links to, in the related model's own order (as ``prefetch_related``
    gives them): the link table, its owner column, the value, and the sort keys."""
    m2m = relation.field
    owner, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    # One text field (themes by slug, organisations by name), which _related's query orders by.
    (ordering,) = m2m.related_model._meta.ordering
    return relation.through.objects.all(), f"{owner}_id", f"{target}__{field}", F(f"{target}__{ordering}"), Value(0)


def _related(ids: list[int], *reads: tuple) -> list[dict[int, list]]:
    """For each of ``reads`` (``_links``, or a queryset, owner column, value, text and number
    sort keys), the values each of ``ids`` has, in one query (a UNION ALL) and without a model
    instance per item: a page's relations cost one round trip to the database, not one each."""
    found = [defaultdict(list) for _read in reads]
    if not ids:
        return found
    parts = [
        queryset.filter(**{f"{owner}__in": ids})
        .annotate(part=Value(number), text_key=text_key, number_key=number_key)
        .values_list(owner, value, "part", "text_key", "number_key")
        .order_by()
        for number, (queryset, owner, value, text_key, number_key) in enumerate(reads)
    ]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for owner_id, value, part, _text_key, _number_key in rows.order_by("part", "text_key", "number_key"):
        found[part][owner_id].append(value)
    return found


def _viewer(request) -> Viewer:
    return request.api_viewer


# --- organisations ---------------------------------------------------------------------------


class OrganisationFilters(Schema):
    q: str | None = None
    country: str | None = None
    kind: str | None = None
    theme: str | None = None


def organisation_rows(organisations: QuerySet) -> list[dict]:
    """The API's items for ``organisations`` (ordered and sliced by the caller) in two queries.
    Every kind's rows are built from ``values()`` and the relations read in bulk: model
    instances and ``prefetch_related`` cost more than the rest of a page of 50 together."""
    rows = list(
        organisations.values("id", "slug", "name", "kind", "country", "city", "website", "description", "updated_at")
    )
    (themes,) = _related([row["id"] for row in rows], _links(Organisation.themes))
    url = _addresses("network:organisation_detail", "slug")
    return [
        {
            "id": row["id"],
            "slug": row["slug"],
            "name": row["name"],
            "kind": row["kind"],
            "country": str(row["country"]),
            "city": row["city"],
            "website": row["website"],
            "description": row["description"],
            "themes": themes.get(row["id"], []),
            "url": url(row["slug"]),
            "updated_at": row["updated_at"],
        }
        for row in rows
    ]


@api.get("/organisations/", response=schemas.OrganisationPage, tags=["organisations"])
def organisation_list(request, listing: Query[Listing], filters: Query[OrganisationFilters]):
    """Organisations of the network (public fields only)."""
    names = OrganisationFilters.model_fields
    _check_parameters(request, names)
    base = Organisation.objects.all()
    codes = base.exclude(country="").values_list("country", flat=True).distinct() if "country" in request.GET else ()
    organisations = _filtered(OrganisationFilter, request, base, names, country_codes=codes)
    rows, cursor = _page_of_rows(request, organisations, listing, organisation_rows)
    return _answer(request, _envelope(request, rows, cursor))


@api.get("/organisations/{slug}/", response=schemas.Organisation, tags=["organisations"])
def organisation_detail(request, slug: str, lang: str | None = None):
    _check_parameters(request, ())
    organisation = _one_row(organisation_rows(Organisation.objects.filter(slug=slug)[:1]))
    request.api_last_modified = organisation["updated_at"]
    return _answer(request, organisation)


def _one(queryset):
    found = list(queryset[:1])
    if not found:
        raise ApiError(404, "not_found", "Nothing with this identifier.")
    return found[0]


# --- exchanges -----------------------------------------------------------------------------------


class ExchangeFilters(Schema):
    kind: str | None = None
    country: str | None = None
    theme: str | None = None
    language: str | None = None
    format: str | None = None
    month: str | None = None
    places: bool | None = None


def exchanges_for(viewer: Viewer):
    return Exchange.objects.visible_to(viewer).with_places_taken().with_translation(description=True)


def exchange_rows(exchanges: QuerySet) -> list[dict]:
    """The API's items for ``exchanges`` (ordered and sliced by the caller) in four queries;
    texts in the active language (``Exchange.text_of_values``)."""
    rows = list(
        exchanges.values(
            "id", "slug", "title", "summary", "description", "text_language", "translated_title",
            "translated_summary", "translated_description", "kind", "format", "status", "city", "country",
            "starts_at", "ends_at", "time_zone", "working_languages", "updated_at",
        )
    )  # fmt: skip
    ids = [row["id"] for row in rows]
    themes, hosts = _related(ids, _links(Exchange.themes), _links(Exchange.hosts))
    sessions = defaultdict(list)
    # Rooms may hold a joining link, which only participants see: never in the API.
    for exchange_id, title, description, starts_at, ends_at in (
        Session.objects.filter(exchange_id__in=ids)
        .order_by("starts_at", "pk")
        .values_list("exchange_id", "title", "description", "starts_at", "ends_at")
    ):
        sessions[exchange_id].append(
            {"title": title, "description": description, "starts_at": starts_at, "ends_at": ends_at}
        )
    url = _addresses("exchanges:detail", "slug")
    items = []
    for row in rows:
        text = Exchange.text_of_values(row)
        items.append(
            {
                "id": row["id"],
                "slug": row["slug"],
                "language": text.language or "",
                "title": text.title,
                "summary": text.summary,
                "description": text.description,
                "kind": row["kind"],
                "format": row["format"],
                "status": row["status"],
                "city": row["city"],
                "country": str(row["country"]),
                "starts_at": row["starts_at"],
                "ends_at": row["ends_at"],
                "time_zone": row["time_zone"],
                "working_languages": list(row["working_languages"] or []),
                "themes": themes.get(row["id"], []),
                "hosts": hosts.get(row["id"], []),
                "sessions": sessions.get(row["id"], []),
                "url": url(row["slug"]),
                "updated_at": row["updated_at"],
            }
        )
    return items


@api.get("/exchanges/", response=schemas.ExchangePage, tags=["exchanges"])
def exchange_list(request, listing: Query[Listing], filters: Query[ExchangeFilters]):
    """Announced exchanges (published and cancelled) with their sessions; never an address or a
    joining link."""
    names = ExchangeFilters.model_fields
    _check_parameters(request, names)
    exchanges = _filtered(ExchangeFilter, request, exchanges_for(_viewer(request)), names)
    rows, cursor = _page_of_rows(request, exchanges, listing, exchange_rows)
    return _answer(request, _envelope(request, rows, cursor))


@api.get("/exchanges/{slug}/", response=schemas.Exchange, tags=["exchanges"])
def exchange_detail(request, slug: str, lang: str | None = None):
    _check_parameters(request, ())
    exchange = _one_row(exchange_rows(exchanges_for(_viewer(request)).filter(slug=slug)[:1]))
    request.api_last_modified = exchange["updated_at"]
    return _answer(request, exchange)


# --- guides ----------------------------------------------------------------------------------------


class GuideFilters(Schema):
    kind: str | None = None
    characteristic: list[str] | None = None
    theme: str | None = None
    country: str | None = None
    language: str | None = None


def guides_for(viewer: Viewer):
    guides = Guide.objects.visible_to(viewer)
    if viewer.is_anonymous:
        guides = guides.open_licensed()
    return guides


def guide_rows(guides: QuerySet) -> list[dict]:
    """The API's items for ``guides`` (ordered and sliced by the caller) in two queries."""
    rows = list(
        guides.values(
            "id", "slug", "work_id", "language", "work__kind", "title", "summary", "sections", "work__licence",
            "published_at", "updated_at",
        )
    )  # fmt: skip
    (themes,) = _related(list({row["work_id"] for row in rows}), _links(GuideWork.themes))
    url = _addresses("practice:guide_detail", "slug")
    return [
        {
            "id": row["id"],
            "slug": row["slug"],
            "work": row["work_id"],
            "language": row["language"],
            "kind": row["work__kind"],
            "title": row["title"],
            "summary": row["summary"],
            "sections": {key: str(value) for key, value in (row["sections"] or {}).items() if value},
            "themes": themes.get(row["work_id"], []),
            "licence": row["work__licence"],
            "licence_url": licence_url(row["work__licence"]),
            "published_at": row["published_at"],
            "url": url(row["slug"]),
            "updated_at": row["updated_at"],
        }
        for row in rows
    ]


@api.get("/guides/", response=schemas.GuidePage, tags=["guides"])
def guide_list(request, listing: Query[Listing], filters: Query[GuideFilters]):
    """Guides, one item per language version. Visitors read published, openly licensed ones."""
    names = GuideFilters.model_fields
    _check_parameters(request, names)
    works = _filtered(GuideFilter, request, GuideWork.objects.all(), names)
    guides = guides_for(_viewer(request)).filter(work__in=works.values("pk"))
    if filters.language:
        guides = guides.filter(language=filters.language)
    rows, cursor = _page_of_rows(request, guides, listing, guide_rows)
    return _answer(request, _envelope(request, rows, cursor))


@api.get("/guides/{slug}/", response=schemas.Guide, tags=["guides"])
def guide_detail(request, slug: str, lang: str | None = None):
    _check_parameters(request, ())
    guide = _one_row(guide_rows(guides_for(_viewer(request)).filter(slug=slug)[:1]))
    request.api_last_modified = guide["updated_at"]
    return _answer(request, guide)


# --- joint actions -------------------------------------------------------------------------


class JointActionFilters(Schema):
    issue: str | None = None
    country: str | None = None
    status: str | None = None


def joint_actions_for(viewer: Viewer):
    return JointAction.objects.visible_to(viewer)


def joint_action_rows(actions: QuerySet) -> list[dict]:
    """The API's items for ``actions`` (ordered and sliced by the caller) in two queries."""
    rows = list(
        actions.values(
            "id", "slug", "title", "summary", "description", "language", "status", "issue__slug", "started_on",
            "ended_on", "updated_at",
        )
    )  # fmt: skip
    (organisations,) = _related([row["id"] for row in rows], _links(JointAction.organisations))
    url = _addresses("practice:joint_action_detail", "slug")
    return [
        {
            "id": row["id"],
            "slug": row["slug"],
            "title": row["title"],
            "summary": row["summary"],
            "description": row["description"],
            "language": row["language"],
            "status": row["status"],
            "issue": row["issue__slug"],
            "started_on": row["started_on"],
            "ended_on": row["ended_on"],
            "organisations": organisations.get(row["id"], []),
            "url": url(row["slug"]),
            "updated_at": row["updated_at"],
        }
        for row in rows
    ]


@api.get("/joint-actions/", response=schemas.JointActionPage, tags=["joint actions"])
def joint_action_list(request, listing: Query[Listing], filters: Query[JointActionFilters]):
    """Joint actions (drafts only for coordinators' tokens); the page's filters: the issue's
    slug, a participating organisation's country, and status."""
    names = JointActionFilters.model_fields
    _check_parameters(request, names)
    actions = _filtered(JointActionFilter, request, joint_actions_for(_viewer(request)), names)
    rows, cursor = _page_of_rows(request, actions, listing, joint_action_rows)
    return _answer(request, _envelope(request, rows, cursor))


@api.get("/joint-actions/{slug}/", response=schemas.JointAction, tags=["joint actions"])
def joint_action_detail(request, slug: str, lang: str | None = None):
    _check_parameters(request, ())
    action = _one_row(joint_action_rows(joint_actions_for(_viewer(request)).filter(slug=slug)[:1]))
    request.api_last_modified = action["updated_at"]
    return _answer(request, action)


# --- strategy versions -----------------------------------------------------------------------


class StrategyFilters(Schema):
    document: str | None = None


def strategy_versions_for(viewer: Viewer):
    """Published versions only, whoever asks (a draft is never open data, not even for the
    coordinators who may read it on the pages), of what ``Version.objects.visible_to`` gives
    the viewer; for visitors only openly licensed ones. ``updated_at`` is the latest of the
    publication and the texts' changes (translations may follow after publishing)."""
    versions = Version.objects.visible_to(viewer).published()
    if viewer.is_anonymous:
        versions = versions.open_licensed()
    return (
        versions.select_related("document")
        .annotate(updated_at=Greatest("published_at", Max("texts__updated_at")))
        .prefetch_related(
            "texts", Prefetch("document__sections", Section.objects.order_by("order", "pk"), to_attr="section_list")
        )
    )


def strategy_version_row(version: Version) -> dict:
    """The version in the request's language, else in its original language (as on its page);
    section headings through modeltranslation's own fallback."""
    texts = {text.language: text for text in version.texts.all()}
    text = texts.get(translation.get_language()) or texts.get(version.original_language)
    return {
        "id": version.pk,
        "document": version.document.slug,
        "number": version.number,
        "language": text.language if text else "",
        "original_language": version.original_language,
        "languages": sorted(texts),
        "title": text.title if text else "",
        "summary": text.summary if text else "",
        "sections": [
            {"key": section.key, "heading": section.heading, "text": text.section_text(section.key) if text else ""}
            for section in version.document.section_list
        ],
        "note": version.note,
        "licence": version.licence,
        "licence_url": licence_url(version.licence),
        "published_at": version.published_at,
        "url": _absolute(version.get_absolute_url()),
        "updated_at": version.updated_at,
    }


def strategy_version_rows(versions: QuerySet) -> list[dict]:
    """The API's items for ``versions`` (ordered and sliced by the caller), for the open-data
    package (a strategy list is short: its items are still built from instances)."""
    return [strategy_version_row(version) for version in versions]


@api.get("/strategy/", response=schemas.StrategyVersionPage, tags=["strategy"])
def strategy_version_list(request, listing: Query[Listing], filters: Query[StrategyFilters]):
    """Every published version of every strategy document (a published version never changes,
    so each is an item of its own to cite), oldest first like every list; ``document`` (a
    slug) narrows to one document's versions. Drafts never appear. Visitors read openly
    licensed versions only."""
    _check_parameters(request, StrategyFilters.model_fields)
    versions = strategy_versions_for(_viewer(request))
    if filters.document:
        versions = versions.filter(document__slug=filters.document)
    rows, cursor = _page(request, versions, listing)
    return _envelope(request, [strategy_version_row(v) for v in rows], cursor)


@api.get("/strategy/{slug}/{int:number}/", response=schemas.StrategyVersion, tags=["strategy"])
def strategy_version_detail(request, slug: str, number: int, lang: str | None = None):
    _check_parameters(request, ())
    if number > 2**31:
        raise ApiError(404, "not_found", "Nothing with this identifier.")
    version = _one(strategy_versions_for(_viewer(request)).filter(document__slug=slug, number=number))
    request.api_last_modified = version.updated_at
    return strategy_version_row(version)


# --- evidence -----------------------------------------------------------------------------------


class EvidenceFilters(Schema):
    q: str | None = None
    kind: str | None = None
    layer: str | None = None
    verification: str | None = None
    period_from: str | None = None
    period_to: str | None = None
    country: str | None = None
    theme: str | None = None
    organisation: str | None = None
    dimension: str | None = None
    outcome_type: str | None = None


def evidence_for(viewer: Viewer):
    """The records the API (and open data) gives ``viewer``: what the pages give them, and for
    visitors only openly licensed records (their consent allows the public already)."""
    records = EvidenceRecord.objects.visible_to(viewer)
    if viewer.is_anonymous:
        records = records.published().open_licensed()
    return records


# The record's own fields an item shows, in the item's order (``record_rows``).
_RECORD_TEXTS = (
    "kind", "layer", "status", "title", "summary", "body", "why_it_matters", "outcome_who", "outcome_what",
    "outcome_when", "outcome_where", "significance", "contribution",
)  # fmt: skip


def record_rows(records: QuerySet) -> list[dict]:
    """The API's items for ``records`` (ordered and sliced by the caller) in four queries."""
    rows = list(
        records.values(
            "id", *_RECORD_TEXTS, "consent__identity_level", "consent__person_name", "consent__pseudonym",
            "period_start", "period_end", "verification", "original_language", "licence", "published_at",
            "updated_at",
        )
    )  # fmt: skip
    ids = [row["id"] for row in rows]
    organisations, themes, countries = _related(
        ids,
        _links(EvidenceRecord.organisations),
        _links(EvidenceRecord.themes),
        # In the order they were added (a prefetch gave them unordered, which was that order).
        (RecordCountry.objects.all(), "record_id", "country", Value("", output_field=CharField()), F("pk")),
    )
    url = _addresses("evidence:detail", "pk")
    items = []
    for row in rows:
        item = {"id": row["id"]}
        for name in _RECORD_TEXTS:
            item[name] = row[name]
        # As the identity level allows, exactly as on the record's page.
        item["storyteller"] = (
            EvidenceRecord.storyteller_display_of(
                row["kind"], row["consent__identity_level"], row["consent__person_name"], row["consent__pseudonym"]
            )
            or None
        )
        item["organisations"] = organisations.get(row["id"], [])
        item["themes"] = themes.get(row["id"], [])
        item["countries"] = countries.get(row["id"], [])
        item["period_start"] = row["period_start"]
        item["period_end"] = row["period_end"]
        item["verification"] = row["verification"]
        item["original_language"] = row["original_language"]
        item["licence"] = row["licence"]
        item["licence_url"] = licence_url(row["licence"])
        item["published_at"] = row["published_at"]
        item["url"] = url(row["id"])
        item["updated_at"] = row["updated_at"]
        items.append(item)
    return items


@api.get("/evidence/", response=schemas.EvidencePage, tags=["evidence"])
def evidence_list(request, listing: Query[Listing], filters: Query[EvidenceFilters]):
    """Evidence records: for visitors published, openly licensed and with consent for the
    public; with a token whatever the member reads on the pages (their own drafts too)."""
    names = EvidenceFilters.model_fields
    _check_parameters(request, names)
    records = _filtered(LibraryFilter, request, evidence_for(_viewer(request)), names)
    rows, cursor = _page_of_rows(request, records, listing, record_rows)
    return _answer(request, _envelope(request, rows, cursor))


@api.get("/evidence/{int:record_id}/", response=schemas.EvidenceRecord, tags=["evidence"])
def evidence_detail(request, record_id: int, lang: str | None = None):
    _check_parameters(request, ())
    if record_id > 2**62:
        raise ApiError(404, "not_found", "Nothing with this identifier.")
    record = _one_row(record_rows(evidence_for(_viewer(request)).filter(pk=record_id)[:1]))
    request.api_last_modified = record["updated_at"]
    return _answer(request, record)


# --- indicators ----------------------------------------------------------------------------------


class IndicatorFilters(Schema):
    period_from: str | None = None
    period_to: str | None = None
    country: str | None = None
    theme: str | None = None
    organisation: str | None = None
    dimension: str | None = None


@api.get("/indicators/", response=schemas.IndicatorPage, tags=["indicators"])
def indicator_list(request, listing: Query[Listing], filters: Query[IndicatorFilters]):
    """Indicators with their figures per quarter and split category, aggregated over the metric
    updates of the records the caller may read; small cells are suppressed (``min_cell_size``)."""
    from evidence.filters import DashboardFilter

    names = IndicatorFilters.model_fields
    _check_parameters(request, names)
    viewer = _viewer(request)
    records = _filtered(DashboardFilter, request, evidence_for(viewer).published(), names)
    rows, cursor = _page(request, Indicator.objects.all(), listing)
    pks = [i.pk for i in rows]
    if viewer.is_anonymous:
        # Aggregating every open metric update costs about 100 ms: the visitors' figures are
        # shared until the evidence changes or the day ends (consents expire at midnight).
        found = cache.fragment(
            "api-indicator-figures",
            depends_on=("evidence", "network"),
            audience=Audience.PUBLIC,
            query=request.GET,
            parts=[figures.min_cell_size(), *pks],
            valid_until=cache.end_of_today(),
            render=lambda: dict(figures.indicator_figures(records, indicators=pks)),
        )
    else:
        found = figures.indicator_figures(records, indicators=pks)
    threshold = figures.min_cell_size()
    data = [
        {
            "id": indicator.pk,
            "slug": indicator.slug,
            "name": indicator.name,
            "unit": indicator.unit,
            "aggregation": indicator.aggregation,
            "split_categories": [str(c) for c in (indicator.split_categories or [])],
            "min_cell_size": threshold,
            "figures": found.get(indicator.pk, []),
        }
        for indicator in rows
    ]
    return _envelope(request, data, cursor)
