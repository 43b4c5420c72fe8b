"""The document page reads the same number of queries for 5 or 60 comments and amendments."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import cache
from strategy.models import Amendment, Comment, Support
from tests.factories.network import UserFactory

pytestmark = pytest.mark.django_db


def _fill(consultation, sections, n: int) -> None:
    people = [UserFactory() for _ in range(4)]
    comments = Comment.objects.bulk_create(
        Comment(
            round=consultation,
            section=sections[i % len(sections)],
            author=people[i % 4],
            body=f"Comment **{i}**",
            language="en",
            submission=uuid.uuid4(),
        )
        for i in range(n)
    )
    Comment.objects.bulk_create(
        Comment(
            round=consultation,
            section=c.section,
            parent=c,
            author=people[(i + 1) % 4],
            body="A reply",
            language="sv",
            submission=uuid.uuid4(),
        )
        for i, c in enumerate(comments[: n // 2])
    )
    amendments = Amendment.objects.bulk_create(
        Amendment(
            round=consultation,
            section=sections[i % len(sections)],
            proposer=people[i % 4],
            text=f"New text {i}",
            base_text="Old text",
            language="en",
            submission=uuid.uuid4(),
        )
        for i in range(n)
    )
    Support.objects.bulk_create(Support(amendment=a, user=people[(i + 2) % 4]) for i, a in enumerate(amendments))


def _queries(client, document) -> tuple[int, int]:
    """The queries of the document page with its cached consultation retired (cold), then
    served from the cache (warm)."""
    url = reverse("strategy:document_detail", kwargs={"slug": document.slug})
    cache.changed("strategy")
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    return len(cold), len(warm)


@pytest.mark.parametrize("role", ["organiser", "coordinator"])
def test_the_document_page_runs_a_constant_number_of_queries(client, request, coordinator, role):
    from tests.factories.strategy import strategy_make

    viewer = request.getfixturevalue(role)
    counts = []
    for n, slug in ((5, "small"), (60, "large")):
        document, _v1, _v2, consultation = strategy_make(slug=slug, coordinator=coordinator)
        _fill(consultation, list(document.sections.all()), n)
        client.force_login(viewer)
        _queries(client, document)  # warm the session and the viewer
        counts.append(_queries(client, document))
    assert counts[0] == counts[1], counts
    cold, warm = counts[1]
    assert cold <= 12 and warm <= 8, counts


def _count_queries(client, url) -> tuple[tuple[int, int], str]:
    """Cold and warm queries (as ``_queries``) and the page."""
    client.get(url)  # warm the session and the viewer
    cache.changed("strategy")
    with CaptureQueriesContext(connection) as cold:
        response = client.get(url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    return (len(cold), len(warm)), response.content.decode()


def test_the_section_page_and_the_synthesis_run_a_constant_number_of_queries(client, coordinator, organiser):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories.strategy import strategy_make

    counts = {"section": [], "synthesis": []}
    # 90 comments and amendments over three sections: more than a section page's 25 of each.
    for n, slug in ((5, "small"), (90, "large")):
        document, _v1, _v2, consultation = strategy_make(slug=slug, coordinator=coordinator)
        _fill(consultation, list(document.sections.all()), n)
        client.force_login(organiser)
        section = reverse("strategy:section_detail", kwargs={"slug": slug, "key": "vision"})
        counts["section"].append(_count_queries(client, section)[0])
        consultation.closes_at = timezone.now() - timedelta(minutes=1)
        consultation.save()
        synthesis = reverse("strategy:synthesis", kwargs={"slug": slug})
        counts["synthesis"].append(_count_queries(client, synthesis)[0])
    assert counts["section"][0] == counts["section"][1], counts
    assert counts["synthesis"][0] == counts["synthesis"][1], counts


def test_the_document_page_shows_each_sections_latest_threads_and_links_to_all(client, coordinator, organiser):
    from strategy.views import SECTION_PAGE_SIZE, SECTION_THREADS
    from tests.factories.strategy import strategy_make

    document, _v1, _v2, consultation = strategy_make(slug="busy", coordinator=coordinator)
    vision = document.sections.get(key="vision")
    # 60 comments over three sections: 20 threads on the vision, 10 of them with a reply.
    _fill(consultation, list(document.sections.all()), 60)
    threads = list(Comment.objects.filter(section=vision, parent__isnull=True).order_by("created_at", "pk"))
    client.force_login(organiser)
    page = client.get(reverse("strategy:document_detail", kwargs={"slug": document.slug})).content.decode()
    section_url = reverse("strategy:section_detail", kwargs={"slug": document.slug, "key": "vision"})
    assert f"{section_url}#all-comments" in page and "All 20 comments on this section" in page
    assert f'id="comment-{threads[-1].pk}"' in page and f'id="comment-{threads[0].pk}"' not in page
    assert page.count('class="comment"') < 60
    # The section's page: every thread, page by page, with its replies.
    first = client.get(section_url).content.decode()
    assert f'id="comment-{threads[0].pk}"' in first
    assert SECTION_THREADS < len(threads) <= SECTION_PAGE_SIZE
    assert all(f'id="comment-{c.pk}"' in first for c in threads)
    reply = Comment.objects.filter(parent=threads[0]).first()
    if reply is not None:
        assert f'id="comment-{reply.pk}"' in first
    # Another round by its number: only a plain number names one.
    for odd in ("9" * 30, "\u0661\u0662", "x"):
        assert client.get(section_url, {"round": odd}).status_code == 404
    assert client.get(section_url, {"round": consultation.pk}).status_code == 200
    # Visitors read no draft: the section page is not theirs.
    client.logout()
    assert client.get(section_url).status_code == 404
