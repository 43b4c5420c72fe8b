from django import template

from network.languages import language_name

register = template.Library()


@register.filter
def language_names(codes) -> str:
    """``["sv", "so"]`` → "Swedish, Somali" in the active language."""
    return ", ".join(language_name(code) for code in (codes or []))


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied (``None`` removes a key); for pagination links."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return "?" + encoded if encoded else "?"
