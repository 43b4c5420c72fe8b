"""``/search/``: one search across everything the viewer may see."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils.html import conditional_escape
from django.utils.translation import get_language
from django_countries import countries as all_countries

from network.models import Theme
from search import index as searchindex
from search.forms import SearchForm

LANGUAGE_NAMES = dict(settings.LANGUAGES)


def _localised(url: str) -> str:
    """Index URLs are stored unprefixed (default language); add the reader's language prefix."""
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    if language != settings.LANGUAGE_CODE and url.startswith("/"):
        return f"/{language}{url}"
    return url


def search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        kinds = searchindex.sources()
        results = searchindex.search(
            viewer=request.viewer,
            query=data["q"],
            kind=data["type"] if data["type"] in kinds else None,
            language=data["language"] or None,
            theme=data["theme"] or None,
            country=data["country"] or None,
            page=data["page"] or 1,
        )
        labels = {kind: source.label for kind, source in kinds.items()}
        theme_names = dict(Theme.objects.values_list("slug", "name"))
        country_names = {code: all_countries.name(code) for code, _count in results.facets.get("country", [])}
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        # Items with translated titles are listed under the reader's language's (one query a kind).
        translated = {
            kind: source.titles(language, ids)
            for kind, source in kinds.items()
            if source.titles is not None and (ids := [hit.object_id for hit in results.hits if hit.kind == kind])
        }
        for hit in results.hits:
            title = translated.get(hit.kind, {}).get(hit.object_id)
            if title:
                hit.title = conditional_escape(title)
            hit.url = _localised(hit.url)
            hit.kind_label = labels.get(hit.kind, hit.kind)
            hit.language_name = LANGUAGE_NAMES.get(hit.language, hit.language)
        facet_labels = {
            "kind": labels,
            "language": LANGUAGE_NAMES,
            "theme": theme_names,
            "country": country_names,
        }
        params = {k: v for k, v in request.GET.items() if k != "page"}
        facets = []
        for name, param in (("kind", "type"), ("language", "language"), ("theme", "theme"), ("country", "country")):
            values = []
            for value, count in results.facets.get(name, []):
                selected = params.get(param) == value
                link = {**params, param: value}
                if selected:
                    link.pop(param)
                values.append(
                    {
                        "value": value,
                        "label": facet_labels[name].get(value, value) or "—",
                        "count": count,
                        "selected": selected,
                        "query": _encode(link),
                    }
                )
            facets.append({"name": name, "values": values})
        results.facet_groups = facets
        results.base_query = _encode(params)
        if results.suggestion:
            results.suggestion_query = _encode({**params, "q": results.suggestion})
    return render(request, "search/search.html", {"form": form, "results": results})


def _encode(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params)
