"""A strategy with sections, a published version (English, with a Swedish translation) and a
draft under consultation, built through the services like the pages build them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from strategy import services
from strategy.models import Document, Section

SECTIONS = [
    ("vision", "Vision", "Visie", "Vision"),
    ("sustained", "How the network is sustained", "Hoe het netwerk blijft bestaan", "Hur nätverket hålls vid liv"),
    ("learning", "Learning and development", "Leren en ontwikkelen", "Lärande och utveckling"),
]


def strategy_make(*, slug: str = "sustaining", coordinator=None, open_round: bool = True, now=None):
    """Document → v1 published (en + sv) → v2 draft (copy) with a round open now."""
    now = now or timezone.now()
    document = Document.objects.create(slug=slug, original_language="en")
    for order, (key, en, nl, sv) in enumerate(SECTIONS):
        Section.objects.create(document=document, key=key, order=order, heading_en=en, heading_nl=nl, heading_sv=sv)
    v1 = services.version_draft_create(document=document, by=coordinator)
    services.version_text_save(
        version=v1,
        language="en",
        title="Sustaining the Learning Lab",
        summary="How the network lasts.",
        sections={
            "vision": "Organisers learn from each other.",
            "sustained": "Members pay a small fee.",
            "learning": "Exchanges twice a year.",
        },
    )
    services.version_text_save(
        version=v1,
        language="sv",
        title="Att hålla Learning Lab vid liv",
        sections={
            "vision": "Organisatörer lär av varandra.",
            "sustained": "Medlemmar betalar en liten avgift.",
            "learning": "Utbyten två gånger om året.",
        },
    )
    services.version_publish(version=v1, now=now - timedelta(days=30))
    v2 = services.version_draft_create(document=document, by=coordinator)
    consultation = None
    if open_round:
        sustained = document.sections.get(key="sustained")
        consultation = services.round_open(
            version=v2,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=14),
            questions={sustained.pk: "How should the network be funded?"},
            by=coordinator,
        )
    return document, v1, v2, consultation
