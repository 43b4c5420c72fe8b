"""The strategy pages for each role: who reads what, who may take part, who decides."""

from __future__ import annotations

import pytest
from django.urls import reverse

from strategy import services
from strategy.models import Amendment, Comment
from tests.strategy.conftest import CAST

pytestmark = pytest.mark.django_db

SIGNED_IN = [role for role in CAST if role != "anonymous"]


def url(name, **kwargs):
    return reverse(f"strategy:{name}", kwargs=kwargs)


def _as(client, request, role):
    client.logout()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


@pytest.mark.parametrize("role", CAST)
def test_everyone_reads_the_list_and_the_published_version(client, request, strategy, role):
    document, v1, v2, _round = strategy
    c = _as(client, request, role)
    listing = c.get(url("document_list"))
    assert listing.status_code == 200
    assert "Sustaining the Learning Lab" in listing.content.decode()
    page = c.get(url("version_detail", slug=document.slug, number=1)).content.decode()
    assert "Members pay a small fee." in page


@pytest.mark.parametrize("role", CAST)
def test_the_draft_under_consultation_is_for_signed_in_members_only(client, request, strategy, role):
    document, v1, v2, consultation = strategy
    services.version_text_save(
        version=v2, language="en", title="Sustaining the Learning Lab", sections={"vision": "A secret new vision."}
    )
    c = _as(client, request, role)
    page = c.get(url("document_detail", slug=document.slug)).content.decode()
    draft = c.get(url("version_detail", slug=document.slug, number=2))
    if role == "anonymous":
        assert "A secret new vision." not in page
        assert "Members pay a small fee." in page
        assert "sign in" in page
        assert "Publish comment" not in page
        assert draft.status_code == 404
    else:
        assert "A secret new vision." in page
        assert "How should the network be funded?" in page
        # One link per section to each form (drawn when asked for, ``?comment=``/``?propose=``).
        assert "Comment on this section" in page and "Propose new text for this section" in page
        assert draft.status_code == 200
    assert ("Open a consultation on the draft" in page) is (role == "coordinator")


def test_a_draft_without_consultation_is_for_coordinators_only(client, request, coordinator):
    from tests.factories.strategy import strategy_make

    document, _v1, _v2, _round = strategy_make(slug="quiet", coordinator=coordinator, open_round=False)
    for role in CAST:
        response = _as(client, request, role).get(url("version_detail", slug=document.slug, number=2))
        assert response.status_code == (200 if role == "coordinator" else 404), role


@pytest.mark.parametrize("role", CAST)
def test_comments_and_amendments_need_a_signed_in_member(client, request, strategy, role):
    document, _v1, _v2, _round = strategy
    c = _as(client, request, role)
    comment = c.post(
        url("comment_create", slug=document.slug, key="vision"),
        {"body": f"Comment from {role}", "submission": "6f0c2a3e-4b5f-4f0e-9a51-2b7d7c9b1f11"},
    )
    amendment = c.post(
        url("amendment_create", slug=document.slug, key="vision"),
        {"text": f"Text from {role}", "submission": "6f0c2a3e-4b5f-4f0e-9a51-2b7d7c9b1f12"},
    )
    if role == "anonymous":
        assert comment.status_code == amendment.status_code == 302
        assert "/accounts/login/" in comment["Location"]
        assert not Comment.objects.exists() and not Amendment.objects.exists()
    else:
        assert Comment.objects.get().body == f"Comment from {role}"
        assert Amendment.objects.get().text == f"Text from {role}"


@pytest.mark.parametrize("role", CAST)
def test_only_coordinators_decide_hide_and_open_rounds(client, request, strategy, organiser, role):
    document, _v1, _v2, consultation = strategy
    section = document.sections.get(key="vision")
    amendment = services.amendment_create(
        consultation=consultation, section=section, proposer=organiser, text="New", explanation="", language="en",
        submission="6f0c2a3e-4b5f-4f0e-9a51-2b7d7c9b1f13",
    )  # fmt: skip
    comment = services.comment_create(
        consultation=consultation, section=section, author=organiser, body="Hi", language="en",
        submission="6f0c2a3e-4b5f-4f0e-9a51-2b7d7c9b1f14",
    )  # fmt: skip
    c = _as(client, request, role)
    pages = [
        url("amendment_accept", slug=document.slug, pk=amendment.pk),
        url("amendment_decline", slug=document.slug, pk=amendment.pk),
        url("amendments_merge", slug=document.slug, key="vision"),
        url("round_create", slug=document.slug),
    ]
    for page in pages:
        response = c.get(page)
        if role == "anonymous":
            assert response.status_code == 302, page
        elif role == "coordinator":
            assert response.status_code in (200, 302), page
        else:
            assert response.status_code == 403, page
    hide = c.post(url("comment_hide", slug=document.slug, pk=comment.pk), {"reason": "Off topic"})
    comment.refresh_from_db()
    assert comment.is_hidden is (role == "coordinator")
    if role not in ("anonymous", "coordinator"):
        assert hide.status_code == 403


@pytest.mark.parametrize("role", CAST)
def test_the_synthesis_is_for_members_once_the_round_has_closed(client, request, strategy, organiser, role):
    from datetime import timedelta

    from django.utils import timezone

    document, _v1, _v2, consultation = strategy
    c = _as(client, request, role)
    response = c.get(url("synthesis", slug=document.slug))
    assert response.status_code == (302 if role == "anonymous" else 404)
    consultation.closes_at = timezone.now() - timedelta(minutes=1)
    consultation.save()
    response = c.get(url("synthesis", slug=document.slug))
    assert response.status_code == (302 if role == "anonymous" else 200)


@pytest.mark.parametrize("role", CAST)
def test_the_diff_between_published_versions_is_public(client, request, strategy, organiser, coordinator, role):
    document, _v1, v2, consultation = strategy
    section = document.sections.get(key="sustained")
    amendment = services.amendment_create(
        consultation=consultation, section=section, proposer=organiser, text="Members pay a fair fee.",
        explanation="", language="en", submission="6f0c2a3e-4b5f-4f0e-9a51-2b7d7c9b1f15",
    )  # fmt: skip
    services.amendment_accept(amendment=amendment, by=coordinator)
    services.version_publish(version=v2)
    page = _as(client, request, role).get(url("version_diff", slug=document.slug, a=1, b=2)).content.decode()
    assert "<del>" in page and "<ins>" in page
    assert "small" in page and "fair" in page


def test_unknown_versions_and_sections_are_404(client, strategy, organiser):
    document, *_ = strategy
    client.force_login(organiser)
    assert client.get(url("version_diff", slug=document.slug, a=1, b=9)).status_code == 404
    assert client.get(url("version_detail", slug=document.slug, number=99)).status_code == 404
    assert client.get(url("document_detail", slug="nope")).status_code == 404
    response = client.post(url("comment_create", slug=document.slug, key="nope"), {"body": "x"})
    assert response.status_code == 404
