from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def latest_guides(count: int = 5):
    """The newest published guides, in the reader's language where one exists."""
    from practice.views import _language, library_queryset

    return list(
        library_queryset(_language(get_language())).select_related("work").order_by("-published_at", "-pk")[:count]
    )
