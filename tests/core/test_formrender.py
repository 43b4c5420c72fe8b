"""The Python form renderer and the Python admin fieldsets write what Django's templates write."""

import re

import pytest
from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.formrender import RENDERER
from tests.factories.exchanges import ExchangeFactory, SessionFactory
from tests.factories.network import UserFactory

DJANGO = DjangoTemplates()

CHOICES = [("", "---"), ("a", "A & B"), ("Group <1>", [("x", "X"), ("y", mark_safe("<b>Y</b>"))]), (3, 4)]


class _Everything(forms.Form):
    text = forms.CharField(label="Text <name>", help_text="Help", max_length=10)
    number = forms.IntegerField(required=False)
    when = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    flag = forms.BooleanField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    one = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    boxes = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple, required=False)
    radio = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect, required=False)
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"placeholder": None, "data-x": True}))
    stamp = forms.SplitDateTimeField(widget=AdminSplitDateTime, required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": "<script>\"&'",
            "number": "12",
            "note": "line <1>\nline 2",
            "flag": "on",
            "hidden": '"quoted"',
            "one": "y",
            "many": ["a", "3"],
            "boxes": ["x", "3"],
            "radio": "a",
            "email": "not an email",
            "stamp_0": "2026-01-02",
            "stamp_1": '<b>"noon"</b>',
        },
        {"text": "", "when": "soon", "stamp_0": "2026-01-02", "stamp_1": "12:30"},
    ],
)
def test_widgets_labels_and_errors_are_written_as_django_writes_them(data):
    ours = _Everything(data, renderer=RENDERER)
    django = _Everything(data, renderer=DJANGO)
    if data is not None:
        ours.is_valid(), django.is_valid()
    for name in ours.fields:
        assert str(ours[name]) == str(django[name]), name
        assert ours[name].label_tag() == django[name].label_tag(), name
        assert str(ours[name].errors) == str(django[name].errors), name
        assert ours[name].errors.as_ul() == django[name].errors.as_ul(), name
    assert str(ours.non_field_errors()) == str(django.non_field_errors())


def _normalised(html: str) -> str:
    """The markup with white space between tags left out (it is all the two differ in)."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html)


@pytest.mark.django_db
def test_exchange_fieldsets_and_session_rows_are_written_as_django_templates_write_them(client_as):
    exchange = ExchangeFactory()
    session = SessionFactory(exchange=exchange)
    session.facilitators.set([UserFactory().member])
    client = client_as("coordinator")
    url = reverse("admin:exchanges_exchange_change", args=[exchange.pk])
    # Once as loaded, once sent back with an error, so that error lists are compared too.
    for response in (client.get(url), client.post(url, {"title": ""})):
        context = response.context
        for fieldset in context["adminform"]:
            args = {"fieldset": fieldset, "heading_level": 2, "prefix": "fieldset", "id_prefix": 0, "id_suffix": 1}
            django = Template(
                '{% include "admin/includes/fieldset.html" with heading_level=heading_level prefix=prefix '
                "id_prefix=id_prefix id_suffix=id_suffix %}"
            ).render(Context(args))
            ours = Template(
                "{% load quick_admin %}{% quick_fieldset fieldset heading_level=heading_level prefix=prefix "
                "id_prefix=id_prefix id_suffix=id_suffix %}"
            ).render(Context(args))
            assert _normalised(ours) == _normalised(django)
        for inline in context["inline_admin_formsets"]:
            args = {"inline_admin_formset": inline}
            django = Template(f'{{% include "admin/edit_inline/{inline.opts.template.split("quick_")[1]}" %}}')
            ours = Template(f'{{% include "{inline.opts.template}" %}}')
            assert _normalised(ours.render(Context(args))) == _normalised(django.render(Context(args)))
