"""The document page reads the same number of queries for 5 or 60 comments and amendments."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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


def _queries(client, document) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("strategy:document_detail", kwargs={"slug": document.slug}))
    assert response.status_code == 200
    return len(captured)


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
    assert counts[1] <= 12, counts
