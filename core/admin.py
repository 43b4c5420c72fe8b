"""Admin plumbing shared by every app: fields that no admin page may filter on, and list
filters that stay one search box tall however many choices they have."""

from __future__ import annotations

import copy
import html

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import get_select2_language
from django.core.exceptions import ValidationError
from django.db.models.constants import LOOKUP_SEP
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


class SecretFieldsAdminMixin:
    """For a ModelAdmin whose model holds secrets in ``secret_fields`` (a password hash, a
    token, the body of an email that may carry a link): a lookup on one of them in the
    change list's query string (``?token__startswith=a``) is refused with a 400, for
    everyone, superusers included.

    Django accepts any lookup on a model's own fields from the URL, so without this a change
    list the viewer may open is an oracle that spells out a secret one character at a time,
    even when no page shows it. Lookups through a relation are refused by Django already
    unless they are a declared list filter.
    """

    secret_fields: tuple[str, ...] = ()

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP, 1)[0] in self.secret_fields:
            return False
        return super().lookup_allowed(lookup, value, request)


# --- Search-box list filters ----------------------------------------------------------------
#
# Django's list filters print one link per choice: 250 countries or 2,000 exchanges make a
# sidebar thousands of pixels tall. These two print one search box instead, a form that works
# without JavaScript (a plain select and a Filter button) and becomes a select2 search box with
# it, from the copies of jQuery and select2 that ship with Django's admin (no CDN).


def _kept_parameters(changelist, own: list[str]) -> list[tuple[str, str]]:
    """The change list's other parameters (search, ordering, other filters) as hidden fields."""
    return [
        (name, value)
        for name, values in sorted(changelist.filter_params.items())
        if name not in own
        for value in values
    ]


class SearchBoxListFilter(admin.FieldListFilter):
    """Common ground of the two search-box filters: one ``lookup_kwarg`` and a GET form."""

    template = "admin/core/search_box_filter.html"
    lookup_kwarg: str

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.model, self.model_admin = model, model_admin
        self.lookup_kwarg = self.make_lookup_kwarg(field, field_path)
        values = params.get(self.lookup_kwarg) or [""]
        self.lookup_val = values[-1]
        super().__init__(field, request, params, model, model_admin, field_path)

    def make_lookup_kwarg(self, field, field_path) -> str:
        raise NotImplementedError

    def expected_parameters(self):
        return [self.lookup_kwarg]

    def options(self) -> list[tuple[str, str]]:
        """(value, label) pairs printed in the select; the selected one at least."""
        raise NotImplementedError

    def widget_attrs(self) -> dict:
        return {}

    def choices(self, changelist):
        # The admin's filter template loops over "choices"; this one gets a single form.
        yield {
            "selected": bool(self.lookup_val),
            "name": self.lookup_kwarg,
            "value": self.lookup_val,
            "id": f"filter-{self.field_path}",
            "options": self.options(),
            "attrs": self.widget_attrs(),
            "kept": _kept_parameters(changelist, [self.lookup_kwarg]),
            "clear_url": changelist.get_query_string(remove=[self.lookup_kwarg]),
        }


class AutocompleteListFilter(SearchBoxListFilter):
    """A filter on a relation (foreign key or many-to-many) that asks the related model's admin
    for matches as one types, through the admin's own autocomplete view (that admin needs
    ``search_fields``, as for ``autocomplete_fields``). The page never lists the related rows:
    only the chosen one is read, by its key, to show its name."""

    def make_lookup_kwarg(self, field, field_path) -> str:
        return f"{field_path}__{field.target_field.name}__exact"

    def options(self):
        if not self.lookup_val:
            return []
        remote = self.field.remote_field.model
        try:
            key = self.field.target_field.to_python(self.lookup_val)
            obj = remote._default_manager.filter(**{self.field.target_field.name: key}).first()
        except (ValueError, TypeError, ValidationError):
            obj = None
        # An unknown key filters to nothing; it is shown as it was given.
        return [(self.lookup_val, str(obj) if obj is not None else self.lookup_val)]

    def widget_attrs(self):
        return {
            "class": "admin-autocomplete",
            "data-ajax--cache": "true",
            "data-ajax--delay": "250",
            "data-ajax--type": "GET",
            "data-ajax--url": reverse(f"{self.model_admin.admin_site.name}:autocomplete"),
            "data-app-label": self.field.model._meta.app_label,
            "data-model-name": self.field.model._meta.model_name,
            "data-field-name": self.field.name,
            "data-theme": "admin-autocomplete",
            "data-allow-clear": "true",
            "data-placeholder": "",
            "lang": get_select2_language() or "",
        }


class ChoicesSearchListFilter(SearchBoxListFilter):
    """A filter on a field with many choices (countries) offering only the values in use, in
    one search box: one ``DISTINCT`` query, however many choices the field has."""

    def make_lookup_kwarg(self, field, field_path) -> str:
        return f"{field_path}__exact"

    def options(self):
        labels = {str(value): str(label) for value, label in self.field.flatchoices}
        used = (
            self.model._default_manager.exclude(**{self.field_path: ""})
            .exclude(**{f"{self.field_path}__isnull": True})
            .order_by()
            .values_list(self.field_path, flat=True)
            .distinct()
        )
        options = [(str(value), labels.get(str(value), str(value))) for value in used]
        if self.lookup_val and self.lookup_val not in {value for value, _label in options}:
            options.append((self.lookup_val, labels.get(self.lookup_val, self.lookup_val)))
        return sorted(options, key=lambda option: option[1].casefold())

    def widget_attrs(self):
        return {"class": "ll-search-select", "data-theme": "admin-autocomplete", "lang": get_select2_language() or ""}


def search_box_filter_media() -> forms.Media:
    """What the search-box filters need on the change list: the admin's jQuery and select2."""
    i18n = get_select2_language()
    js = [
        "admin/js/vendor/jquery/jquery.js",
        "admin/js/vendor/select2/select2.full.js",
        *([f"admin/js/vendor/select2/i18n/{i18n}.js"] if i18n else []),
        "admin/js/jquery.init.js",
        "admin/js/autocomplete.js",
        "core/admin/search_box_filter.js",
    ]
    css = ["admin/css/vendor/select2/select2.css", "admin/css/autocomplete.css", "core/admin/search_box_filter.css"]
    return forms.Media(js=js, css={"screen": css})


class SearchBoxFiltersMixin:
    """For a ModelAdmin whose ``list_filter`` uses the search-box filters: adds their media."""

    @property
    def media(self):
        return super().media + search_box_filter_media()


class SharedChoicesField(forms.TypedChoiceField):
    """A choice field whose copies share its list of choices (never changed in place): a form
    copies each of its fields when it is made, and copying hundreds of choices (countries,
    time zones) took longer than drawing them."""

    def __deepcopy__(self, memo):
        result = super(forms.ChoiceField, self).__deepcopy__(memo)
        result._choices = self._choices
        return result


class QuickSelect(forms.Select):
    """Django's select, its options written in Python rather than through two templates each:
    a list of hundreds (countries, time zones) renders in about a millisecond instead of tens.
    The markup is the same (one level of option groups). Its copies share its list of choices
    (never changed in place), as ``SharedChoicesField``'s do."""

    def __deepcopy__(self, memo):
        # Django's copy checks every choice again (normalize_choices): hundreds per copy, for
        # each form made.
        result = copy.copy(self)
        result.attrs = self.attrs.copy()
        memo[id(self)] = result
        return result

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        chosen = set(self.format_value(value))
        parts = [format_html("<select{}>", flatatt(final_attrs))]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'<optgroup label="{escape(option_value)}">')
                parts += [_option(v, text, chosen) for v, text in label]
                parts.append("</optgroup>")
            else:
                parts.append(_option(option_value, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 — every value and label is escaped.


def _option(value, label, chosen) -> str:
    value = "" if value is None else str(value)
    selected = " selected" if value in chosen else ""
    # html.escape is what Django's escape() calls, without its check for lazy arguments.
    return f'<option value="{html.escape(value)}"{selected}>{html.escape(str(label))}</option>'
