from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries as all_countries

from core.validators import validate_no_nul
from search.index import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    """The search page's query and filters. Every value a crafted URL may carry is checked
    here (NUL characters, lengths, ranges), so the search never sees one it cannot handle."""

    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        validators=[validate_no_nul],
        error_messages={"max_length": _("Please use at most %(limit_value)d characters.")},
    )
    type = forms.CharField(required=False, max_length=30, validators=[validate_no_nul])
    language = forms.ChoiceField(required=False, choices=[("", "")] + list(settings.LANGUAGES))
    theme = forms.SlugField(required=False, max_length=100)
    country = forms.CharField(required=False, max_length=2)
    page = forms.IntegerField(required=False, min_value=1, max_value=500)

    def clean_country(self):
        code = (self.cleaned_data.get("country") or "").upper()
        return code if code in all_countries else ""
