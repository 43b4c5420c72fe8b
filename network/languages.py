"""Spoken languages as ISO 639-1 codes, shown by name in the current UI language.

Django already ships translated names for most languages (its own catalogue); a few
languages many organisers speak but Django does not know are named here.
"""

from __future__ import annotations

from django.conf.global_settings import LANGUAGES as DJANGO_LANGUAGES
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

# Languages Django has no name for, but that matter in the neighbourhoods we work in.
EXTRA_LANGUAGES = {
    "am": _("Amharic"),
    "ku": _("Kurdish"),
    "ps": _("Pashto"),
    "so": _("Somali"),
    "ti": _("Tigrinya"),
    "zh": _("Chinese"),
}

ISO_CODES: tuple[str, ...] = tuple(
    sorted({code for code, _name in DJANGO_LANGUAGES if len(code) == 2} | set(EXTRA_LANGUAGES))
)


def language_name(code: str) -> str:
    """The name of ``code`` in the active language; the code itself if unknown."""
    if code in EXTRA_LANGUAGES:
        return str(EXTRA_LANGUAGES[code])
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def language_choices() -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in the active language."""
    return sorted(((code, language_name(code)) for code in ISO_CODES), key=lambda pair: pair[1].casefold())
