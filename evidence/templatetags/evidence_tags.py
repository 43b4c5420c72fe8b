from django import template
from django_countries import countries

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    return str(countries.name(code)) or code


@register.simple_tag
def query_with(query: str, **params) -> str:
    """The current filter query string with ``params`` replaced (for links that keep filters)."""
    from django.http import QueryDict

    qd = QueryDict(query, mutable=True)
    for key, value in params.items():
        qd[key] = value
    return qd.urlencode()
