"""The admin's fieldset and tabular-inline rows written in Python, for change forms with many
fields (the exchange's, with its sessions): the same markup as Django's
``admin/includes/fieldset.html`` and ``admin/edit_inline/tabular.html`` rows (up to white space
between tags), where the templates' loops over lines and fields took most of the page's time.

``{% quick_fieldset fieldset heading_level=2 prefix="fieldset" id_prefix=0 id_suffix=n %}``
stands for ``{% include "admin/includes/fieldset.html" with … %}``; ``{% quick_tabular_cells
inline_admin_form %}`` for the cells of one row of a tabular inline. Every value is escaped as
the templates escape it (``conditional_escape``); help texts and descriptions are written as
given, as the templates' ``|safe`` does.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from core.formrender import conditional_escape

register = template.Library()


def _e(value) -> str:
    return conditional_escape(value) if value is not None else ""


def _name(field) -> str:
    """``field.field.name``: a form field's name, or a read-only field's (a dict)."""
    return field.field["name"] if field.is_readonly else field.field.name


def _is_hidden(field) -> bool:
    return bool(field.field["is_hidden"] if field.is_readonly else field.field.is_hidden)


def _field_box(field, single: bool) -> list[str]:
    """One field of a line: its errors (on a line of several), label and widget, help text."""
    parts = ["<div>"]
    errors = "" if field.is_readonly else field.errors()
    if not single and not field.is_readonly:
        parts.append(errors)
    classes = ["flex-container"]
    if not single:
        classes.append("fieldBox")
        if _name(field):
            classes.append(f"field-{_e(_name(field))}")
        if errors:
            classes.append("errors")
        if _is_hidden(field):
            classes.append("hidden")
    if field.is_checkbox:
        classes.append("checkbox-row")
    parts.append(f'\n<div class="{" ".join(classes)}">\n')
    if field.is_checkbox:
        parts.append(f"{_e(field.field)}{_e(field.label_tag())}")
    else:
        parts.append(f"{_e(field.label_tag())}\n")
        if field.is_readonly:
            parts.append(f'<div class="readonly">{_e(field.contents())}</div>')
        else:
            parts.append(_e(field.field))
    parts.append("\n</div>\n")
    help_text = field.field["help_text"] if field.is_readonly else field.field.help_text
    if help_text:
        hidden = " hidden" if _is_hidden(field) else ""
        id_for_label = None if field.is_readonly else field.field.id_for_label
        id_ = f' id="{_e(id_for_label)}_helptext"' if id_for_label else ""
        parts.append(f'<div class="help{hidden}"{id_}>\n<div>{help_text}</div>\n</div>\n')
    parts.append("</div>\n")
    return parts


@register.simple_tag
def quick_fieldset(fieldset, heading_level=2, prefix="", id_prefix="", id_suffix=""):
    """``admin/includes/fieldset.html`` (Django 5.2), in Python."""
    heading_id = f"{_e(prefix)}-{_e(id_prefix)}-{_e(id_suffix)}-heading"
    labelled = f' aria-labelledby="{heading_id}"' if fieldset.name else ""
    parts = [f'<fieldset class="module aligned {_e(fieldset.classes)}"{labelled}>\n']
    if fieldset.name:
        if fieldset.is_collapsible:
            parts.append("<details><summary>")
        level = _e(heading_level or 2)
        parts.append(f'\n<h{level} id="{heading_id}" class="fieldset-heading">{_e(fieldset.name)}</h{level}>\n')
        if fieldset.is_collapsible:
            parts.append("</summary>")
        parts.append("\n")
    if fieldset.description:
        parts.append(f'<div class="description">{fieldset.description}</div>\n')
    for line in fieldset:
        fields = list(line)
        single = len(line.fields) == 1
        errors = line.errors() if single else ""
        classes = ["form-row"]
        if single and errors:
            classes.append("errors")
        if not line.has_visible_field:
            classes.append("hidden")
        classes += [f"field-{_e(_name(field))}" for field in fields if _name(field)]
        parts.append(f'<div class="{" ".join(classes)}">\n')
        parts.append(errors if single else '<div class="flex-container form-multiline">')
        parts.append("\n")
        for field in fields:
            parts += _field_box(field, single)
        if not single:
            parts.append("</div>")
        parts.append("\n</div>\n")
    if fieldset.name and fieldset.is_collapsible:
        parts.append("</details>")
    parts.append("\n</fieldset>\n")
    return mark_safe("".join(parts))  # noqa: S308 — every value is escaped above.


@register.simple_tag
def quick_tabular_cells(inline_admin_form):
    """The field cells of one row of ``admin/edit_inline/tabular.html`` (Django 5.2), in Python."""
    parts = []
    for fieldset in inline_admin_form:
        for line in fieldset:
            for field in line:
                classes = []
                if _name(field):
                    classes.append(f"field-{_e(_name(field))}")
                if _is_hidden(field):
                    classes.append("hidden")
                parts.append(f'<td class="{" ".join(classes)}">\n')
                if field.is_readonly:
                    parts.append(f"<p>{_e(field.contents())}</p>")
                else:
                    parts.append(f"{field.field.errors.as_ul()}\n{_e(field.field)}")
                parts.append("\n</td>\n")
    return mark_safe("".join(parts))  # noqa: S308 — every value is escaped above.
