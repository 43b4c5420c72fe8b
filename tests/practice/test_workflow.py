"""The guide workflow: draft → in review → published → archived, with permissions and revisions."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from practice import services
from practice.models import Guide
from tests.factories.practice import make_guide, make_translation

pytestmark = pytest.mark.django_db


def test_an_author_submits_and_a_coordinator_publishes(organiser, coordinator):
    guide = make_guide(author=organiser)
    assert guide.status == Guide.Status.DRAFT
    services.guide_submit(guide=guide, user=organiser)
    guide = services.guide_publish(guide=guide, user=coordinator)
    assert guide.status == Guide.Status.PUBLISHED
    assert guide.reviewed_by == coordinator
    assert guide.reviewed_at is not None and guide.published_at is not None


def test_an_organiser_cannot_publish_even_their_own_guide(organiser):
    guide = make_guide(author=organiser, status=Guide.Status.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        services.guide_publish(guide=guide, user=organiser)
    guide.refresh_from_db()
    assert guide.status == Guide.Status.IN_REVIEW


def test_publishing_without_permission_over_http_is_403(client_as, organiser):
    guide = make_guide(author=organiser, status=Guide.Status.IN_REVIEW)
    for role in ("organiser", "other_organiser", "funder"):
        response = client_as(role).post(reverse("practice:guide_publish", kwargs={"slug": guide.slug}))
        assert response.status_code in (403, 404), role
    assert (
        client_as("organiser").post(reverse("practice:guide_publish", kwargs={"slug": guide.slug})).status_code == 403
    )
    guide.refresh_from_db()
    assert guide.status == Guide.Status.IN_REVIEW


def test_anonymous_publish_goes_to_login(client, organiser):
    guide = make_guide(author=organiser, status=Guide.Status.IN_REVIEW)
    response = client.post(reverse("practice:guide_publish", kwargs={"slug": guide.slug}))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    guide.refresh_from_db()
    assert guide.status == Guide.Status.IN_REVIEW


def test_a_coordinator_returns_a_guide_with_a_comment(client_as, organiser, coordinator):
    guide = make_guide(author=organiser, status=Guide.Status.IN_REVIEW)
    response = client_as("coordinator").post(
        reverse("practice:guide_return", kwargs={"slug": guide.slug}), {"comment": "Please add the group size."}
    )
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.status == Guide.Status.DRAFT
    assert guide.review_comment == "Please add the group size."
    page = client_as("organiser").get(guide.get_absolute_url()).content.decode()
    assert "Please add the group size." in page


def test_return_needs_a_comment(client_as, organiser):
    guide = make_guide(author=organiser, status=Guide.Status.IN_REVIEW)
    client_as("coordinator").post(reverse("practice:guide_return", kwargs={"slug": guide.slug}), {"comment": ""})
    guide.refresh_from_db()
    assert guide.status == Guide.Status.IN_REVIEW


def test_publishing_twice_is_refused_cleanly(organiser, coordinator):
    guide = make_guide(author=organiser, status=Guide.Status.PUBLISHED, coordinator=coordinator)
    with pytest.raises(services.GuideStateError):
        services.guide_publish(guide=guide, user=coordinator)


def test_a_guide_in_review_is_locked_for_its_author(client_as, organiser):
    guide = make_guide(author=organiser, status=Guide.Status.IN_REVIEW)
    assert client_as("organiser").get(reverse("practice:guide_edit", kwargs={"slug": guide.slug})).status_code == 403


def test_every_save_keeps_a_revision(organiser):
    guide = make_guide(author=organiser, title="Lerende Gemeenschap")
    services.guide_update(guide=guide, user=organiser, title="Lerende Gemeenschap", sections={"what": "Nieuw."})
    services.guide_update(guide=guide, user=organiser, title="De Lerende Gemeenschap", sections={"what": "Nieuw."})
    numbers = list(guide.revisions.order_by("number").values_list("number", "title", "created_by"))
    assert numbers == [
        (1, "Lerende Gemeenschap", organiser.pk),
        (2, "Lerende Gemeenschap", organiser.pk),
        (3, "De Lerende Gemeenschap", organiser.pk),
    ]


def test_the_revision_diff_shows_changes_escaped(client_as, organiser):
    guide = make_guide(author=organiser, sections={"what": "Een groep mensen."})
    services.guide_update(
        guide=guide,
        user=organiser,
        title=guide.title,
        sections={"what": "Een groep <script>alert(1)</script> burgers."},
    )
    response = client_as("organiser").get(
        reverse("practice:guide_diff", kwargs={"slug": guide.slug}), {"old": 1, "new": 2}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<del>-Een groep mensen.</del>" in html
    assert "<ins>+Een groep &lt;script&gt;alert(1)&lt;/script&gt; burgers.</ins>" in html
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("params", [{}, {"old": "abc", "new": "1"}, {"old": "1", "new": "99"}, {"old": "1\x00"}])
def test_the_diff_with_bad_parameters_never_500s(client_as, organiser, params):
    guide = make_guide(author=organiser)
    response = client_as("organiser").get(reverse("practice:guide_diff", kwargs={"slug": guide.slug}), params)
    # A NUL in the address gets the 400 page (core.http).
    assert response.status_code in ((400,) if "\x00" in "".join(params.values()) else (302, 404))


def test_revisions_are_for_authors_and_coordinators(client_as, organiser, coordinator):
    guide = make_guide(author=organiser, status=Guide.Status.PUBLISHED, coordinator=coordinator)
    url = reverse("practice:guide_revisions", kwargs={"slug": guide.slug})
    assert client_as("organiser").get(url).status_code == 200
    assert client_as("coordinator").get(url).status_code == 200
    assert client_as("other_organiser").get(url).status_code == 403
    assert client_as("funder").get(url).status_code == 403
    assert client_as("anonymous").get(url).status_code == 302


def test_published_guides_show_when_last_reviewed(client, organiser, coordinator):
    guide = make_guide(author=organiser, status=Guide.Status.PUBLISHED, coordinator=coordinator)
    assert "Last reviewed on" in client.get(guide.get_absolute_url()).content.decode()


def test_archived_guides_disappear_for_readers(client, organiser, coordinator):
    guide = make_guide(author=organiser, status=Guide.Status.ARCHIVED, coordinator=coordinator)
    assert client.get(guide.get_absolute_url()).status_code == 404


def test_a_translation_has_its_own_review_state(organiser, coordinator):
    original = make_guide(author=organiser, status=Guide.Status.PUBLISHED, coordinator=coordinator)
    translation = make_translation(original, language="en")
    assert translation.status == Guide.Status.DRAFT
    assert original.status == Guide.Status.PUBLISHED
    assert translation.revisions.count() == 1
    assert translation.work_id == original.work_id
