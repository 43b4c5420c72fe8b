from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def latest_guides(count: int = 5):
    """The newest published guides, in the reader's language where one exists."""
    from practice.views import _language, library_works, pick_versions

    return pick_versions(library_works()[:count], _language(get_language()))
