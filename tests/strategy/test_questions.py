"""A round's questions in the reader's language, with the original where a language has none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from strategy import services
from tests.factories.strategy import strategy_make

pytestmark = pytest.mark.django_db


def page(client, document, language):
    with translation.override("en"):
        address = reverse("strategy:document_detail", kwargs={"slug": document.slug})
    prefix = "" if language == "en" else f"/{language}"
    return client.get(prefix + address).content.decode()


def test_the_swedish_page_shows_the_swedish_question_and_dutch_falls_back_to_the_original(client, strategy, organiser):
    document, _v1, _v2, consultation = strategy
    question = consultation.questions.get()
    question.text_sv = "Hur ska nätverket finansieras?"
    question.save()
    client.force_login(organiser)
    assert "Hur ska nätverket finansieras?" in page(client, document, "sv")
    dutch = page(client, document, "nl")
    assert "How should the network be funded?" in dutch and "Hur ska" not in dutch
    assert "How should the network be funded?" in page(client, document, "en")


def test_a_question_written_in_swedish_is_shown_to_readers_of_other_languages(client, coordinator, organiser):
    document, _v1, v2, _round = strategy_make(slug="svensk", coordinator=coordinator, open_round=False)
    sustained = document.sections.get(key="sustained")
    now = timezone.now()
    with translation.override("sv"):
        services.round_open(
            version=v2,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=7),
            questions={sustained.pk: "Hur ska nätverket finansieras?"},
            by=coordinator,
        )
    client.force_login(organiser)
    for language in ("sv", "en", "nl"):
        assert "Hur ska nätverket finansieras?" in page(client, document, language), language


def _form_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if hasattr(value, "isoformat"):
            value = value.strftime("%Y-%m-%d %H:%M:%S")
        data[form.add_prefix(name)] = "on" if value is True else value
    return data


def test_a_coordinator_enters_the_swedish_and_dutch_questions_in_the_admin(client, strategy, coordinator, organiser):
    document, _v1, _v2, consultation = strategy
    client.force_login(coordinator)
    change = reverse("admin:strategy_round_change", args=[consultation.pk])
    context = client.get(change).context
    data = _form_data(context["adminform"].form)
    for date_field in ("opens_at", "closes_at"):
        value = getattr(consultation, date_field)
        data.pop(date_field, None)
        data[f"{date_field}_0"], data[f"{date_field}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
    (inline,) = context["inline_admin_formsets"]
    formset = inline.formset
    data.update(_form_data(formset.management_form))
    (form,) = formset.forms
    data.update(_form_data(form))
    data[form.add_prefix("text_sv")] = "Hur ska nätverket finansieras?"
    data[form.add_prefix("text_nl")] = "Hoe moet het netwerk worden gefinancierd?"
    response = client.post(change, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    client.force_login(organiser)
    assert "Hur ska nätverket finansieras?" in page(client, document, "sv")
    assert "Hoe moet het netwerk worden gefinancierd?" in page(client, document, "nl")
    assert "How should the network be funded?" in page(client, document, "en")
