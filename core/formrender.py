"""A form renderer that writes Django's most common widget, label and error templates in
Python, with the same markup, and renders every other template as Django does.

Django renders each widget, each ``<option>``, each label and each (empty) error list through a
template: on a form of a hundred and fifty fields (the exchange's admin page with its sessions)
that is several hundred template renders, most of the page's server time. The templates written
here are the plain ones of ``django/forms/`` (inputs, textarea, select and its options, checkbox
and radio lists, labels, error lists) and the admin's date-and-time pair, rendered to the same
bytes (a test compares them with Django's own rendering). A project that overrides one of them
in its templates should leave it out of ``PYTHON_TEMPLATES`` (none of ours does). Values and
labels are escaped as the template engine does: ``conditional_escape``, so that safe strings
stay as given.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize

W = "django/forms/widgets/"


def conditional_escape(value) -> str:
    """Django's ``conditional_escape`` (a safe string as it is, anything else through
    ``html.escape``, as Django's ``escape`` does), without the check for lazy arguments that
    Django's makes on every call: thousands of calls on a large form."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(value if type(value) is str else str(value))


def _value(value) -> str:
    """``{{ value }}`` as the template engine writes it: localised (numbers) and escaped."""
    return conditional_escape(value if type(value) is str else localize(value))


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless it is safe."""
    return conditional_escape(value if isinstance(value, str) else str(value))


def _attrs(attrs: dict | None) -> str:
    """``django/forms/widgets/attrs.html``: ``False`` leaves the attribute out, ``True`` writes its
    name alone, anything else (``None`` included, as the template does) its text."""
    parts = []
    for name, value in (attrs or {}).items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_value(name)}")
        else:
            parts.append(f' {_value(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return f'<input type="{_value(widget["type"])}" name="{_value(widget["name"])}"{shown}{_attrs(widget["attrs"])}>\n'


def _input_option(option: dict) -> str:
    if not option["wrap_label"]:
        return _input(option) + "\n"
    id_ = option["attrs"].get("id")
    label_for = f' for="{_value(id_)}"' if id_ else ""
    return f"<label{label_for}>{_input(option)} {_value(option['label'])}</label>\n"


def _select_option(option: dict) -> str:
    value, attrs, label = _formatted(option["value"]), _attrs(option["attrs"]), _value(option["label"])
    return f'<option value="{value}"{attrs}>{label}</option>\n'


# The templates an option may name, and how each is written (the others: the engine).
_OPTIONS: dict[str, Callable[[dict], str]] = {
    W + "select_option.html": _select_option,
    W + "input_option.html": _input_option,
    # These two include input_option.html and add a line break.
    W + "checkbox_option.html": lambda option: _input_option(option) + "\n",
    W + "radio_option.html": lambda option: _input_option(option) + "\n",
}


def _options_known(widget: dict) -> bool:
    return all(o["template_name"] in _OPTIONS for _g, options, _i in widget["optgroups"] for o in options)


def _select(widget: dict) -> str:
    parts = [f'<select name="{_value(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_value(group_name)}">')
        for option in options:
            parts.append("\n  " + _OPTIONS[option["template_name"]](option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _multiple_input(widget: dict) -> str:
    id_ = widget["attrs"].get("id")
    class_ = widget["attrs"].get("class")
    parts = ["<div", f' id="{_value(id_)}"' if id_ else "", f' class="{_value(class_)}"' if class_ else "", ">"]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_value(group)}</label>")
        for option in options:
            parts.append("<div>\n    " + _OPTIONS[option["template_name"]](option) + "</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = _value(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_value(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _label(context: dict) -> str:
    if not context["use_tag"]:
        return _value(context["label"])
    tag = _value(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{_value(context['label'])}</{tag}>"


def _error_list(context: dict) -> str:
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    id_ = f' id="{_value(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_value(error)}</li>" for error in errors)
    return f'<ul class="{_value(context["error_class"])}"{id_}>{items}</ul>'


# The input templates: ``input.html`` itself and the one-line templates that include it.
_INPUT_NAMES = ("text", "number", "email", "url", "password", "hidden", "checkbox", "date", "datetime", "time")
_INPUTS = (W + "input.html", *(f"{W}{name}.html" for name in _INPUT_NAMES))


def _included_input(widget: dict) -> str:
    """``{% include widget.template_name %}`` of an input: an including template adds its line break."""
    return _input(widget) + ("" if widget["template_name"] == W + "input.html" else "\n")


def _split_datetime(context: dict) -> str | None:
    """``admin/widgets/split_datetime.html``: a date and a time input, labelled."""
    date, time = context["widget"]["subwidgets"]
    if date["template_name"] not in _INPUTS or time["template_name"] not in _INPUTS:
        return None
    return (
        f'<p class="datetime">\n  {_value(context["date_label"])} {_included_input(date)}<br>\n'
        f"  {_value(context['time_label'])} {_included_input(time)}\n</p>\n"
    )


def _widget(write: Callable[[dict], str]) -> Callable[[dict], str | None]:
    return lambda context: write(context["widget"])


def _choices(write: Callable[[dict], str]) -> Callable[[dict], str | None]:
    # A widget whose options name a template of their own is left to the engine.
    return lambda context: write(context["widget"]) if _options_known(context["widget"]) else None


PYTHON_TEMPLATES: dict[str, Callable[[dict], str | None]] = {
    **{
        f"{W}{name}.html": _widget(_input)
        for name in (
            "input",
            "text",
            "number",
            "email",
            "url",
            "password",
            "hidden",
            "checkbox",
            "date",
            "datetime",
            "time",
            "search",
            "tel",
            "color",
        )
    },
    W + "textarea.html": _widget(_textarea),
    W + "select.html": _choices(_select),
    W + "checkbox_select.html": _choices(_multiple_input),
    W + "radio.html": _choices(_multiple_input),
    W + "multiple_input.html": _choices(_multiple_input),
    "admin/widgets/split_datetime.html": _split_datetime,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _error_list,
    "django/forms/errors/list/ul.html": _error_list,
}


class PythonFormRenderer(DjangoTemplates):
    """Django's default renderer (the templates of ``django/forms/`` and the installed apps),
    with the templates of ``PYTHON_TEMPLATES`` written in Python. Like Django's, it returns the
    output stripped of surrounding white space."""

    def render(self, template_name, context, request=None):
        write = PYTHON_TEMPLATES.get(template_name)
        if write is not None:
            html = write(context)
            if html is not None:
                return html.strip()
        return super().render(template_name, context, request=request)


RENDERER = PythonFormRenderer()
