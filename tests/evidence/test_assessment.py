"""Learning-community self-assessment: who answers, results in SQL, funders see aggregates only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import Answer, Framework, Question, Response
from network.models import Role
from tests.factories.evidence import CommunityFactory, RoundFactory
from tests.factories.network import UserFactory

pytestmark = pytest.mark.django_db


def test_framework_is_seeded_from_the_learning_community_criteria():
    framework = Framework.objects.get(slug="learning-community")
    texts = list(Question.objects.filter(dimension__framework=framework).values_list("text_en", flat=True))
    assert len(texts) == 12
    assert "How is policy created?" in texts
    assert all(Question.objects.filter(dimension__framework=framework).values_list("text_nl", flat=True))
    assert framework.dimensions.count() == 5


@pytest.fixture
def community(org):
    return CommunityFactory(name="Hellendoorn learning community", organisations=[org])


@pytest.fixture
def open_round(community):
    return RoundFactory(community=community, title="Spring round")


def answer_post(round_obj, score=4, group="organiser", comment=""):
    data = {"group": group}
    for q in Question.objects.filter(dimension__framework=round_obj.framework):
        data[f"q{q.pk}_score"] = str(score)
        data[f"q{q.pk}_comment"] = comment
    return data


def respond(round_obj, group, score, comment=""):
    user = UserFactory(role=Role.ORGANISER)
    response = Response.objects.create(round=round_obj, respondent=user, group=group)
    Answer.objects.bulk_create(
        [
            Answer(response=response, question=q, score=score, comment=comment)
            for q in Question.objects.filter(dimension__framework=round_obj.framework)
        ]
    )
    return user


def test_member_of_the_community_answers_a_round(client, organiser_member, open_round):
    client.force_login(organiser_member)
    url = reverse("evidence:round_answer", args=[open_round.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, answer_post(open_round, comment="We meet every month."))
    assert response.status_code == 302
    assert Answer.objects.filter(response__respondent=organiser_member).count() == 12
    # Answering again replaces the answers instead of doubling them.
    client.post(url, answer_post(open_round, score=2))
    assert set(Answer.objects.values_list("score", flat=True)) == {2}


def test_invalid_scores_are_refused(client, organiser_member, open_round):
    client.force_login(organiser_member)
    data = answer_post(open_round)
    first = next(k for k in data if k.endswith("_score"))
    data[first] = "9"
    response = client.post(reverse("evidence:round_answer", args=[open_round.pk]), data)
    assert response.status_code == 200 and not Answer.objects.exists()


def test_outsiders_and_funders_cannot_answer(client_as, open_round, other_member):
    url = reverse("evidence:round_answer", args=[open_round.pk])
    assert client_as("other_organiser").get(url).status_code == 403
    assert client_as("funder").get(url).status_code == 403
    assert client_as("anonymous").get(url).status_code == 302


def test_invited_respondent_may_answer(client, open_round):
    official = UserFactory()
    open_round.invited.add(official)
    client.force_login(official)
    assert client.get(reverse("evidence:round_answer", args=[open_round.pk])).status_code == 200


def test_closed_round_cannot_be_answered(client, organiser_member, community):
    closed = RoundFactory(
        community=community,
        opens_on=timezone.localdate() - datetime.timedelta(days=30),
        closes_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(organiser_member)
    response = client.post(reverse("evidence:round_answer", args=[closed.pk]), answer_post(closed))
    assert response.status_code == 302 and not Answer.objects.exists()


def test_results_per_dimension_groups_spread_and_change_since_previous_round(client_as, community, open_round):
    previous = RoundFactory(
        community=community,
        title="Autumn round",
        opens_on=timezone.localdate() - datetime.timedelta(days=200),
        closes_on=timezone.localdate() - datetime.timedelta(days=180),
    )
    respond(previous, "organiser", 2)
    for _i in range(3):
        respond(open_round, "organiser", 4)
    for _i in range(3):
        respond(open_round, "resident", 2)
    results = client_as("coordinator").get(reverse("evidence:round_results", args=[open_round.pk])).context["results"]
    row = results["table"][0]
    assert row["average"] == 3.0 and row["previous"] == 2.0 and row["change"] == 1.0
    assert row["groups"] == [4.0, 2.0] and row["spread"] == 2.0
    assert results["respondents"] == 6
    assert len(results["radar"]["shapes"]) == 2


def test_funders_see_aggregates_never_single_answers(client_as, open_round):
    for _i in range(3):
        respond(open_round, "organiser", 4, comment="SECRET organiser comment")
    respond(open_round, "official", 1, comment="SECRET official comment")
    response = client_as("funder").get(reverse("evidence:round_results", args=[open_round.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "SECRET" not in content
    results = response.context["results"]
    # The public official answered alone: a group average would reveal their single answers.
    assert results["table"][0]["groups"] == [4.0, None]
    assert results["comments"] == []
    coordinator_view = client_as("coordinator").get(reverse("evidence:round_results", args=[open_round.pk]))
    assert "SECRET official comment" in coordinator_view.content.decode()


def test_results_access(client_as, open_round, organiser_member):
    url = reverse("evidence:round_results", args=[open_round.pk])
    assert client_as("organiser").get(url).status_code == 200
    assert client_as("other_organiser").get(url).status_code == 403
    assert client_as("anonymous").get(url).status_code == 302


def test_round_list(client_as, open_round, organiser_member, other_member):
    assert open_round.title in client_as("organiser").get(reverse("evidence:assessment_index")).content.decode()
    assert (
        open_round.title not in client_as("other_organiser").get(reverse("evidence:assessment_index")).content.decode()
    )
    assert open_round.title in client_as("funder").get(reverse("evidence:assessment_index")).content.decode()


@pytest.mark.parametrize("language", ["sv", "nl", "en"])
def test_the_radar_chart_draws_in_every_language(client_as, community, open_round, language):
    from tests.evidence.test_dashboard import _svg_problems

    for score in (1, 4, 5):
        respond(open_round, "organiser", score)
    prefix = "" if language == "en" else f"/{language}"
    html = client_as("coordinator").get(prefix + reverse("evidence:round_results", args=[open_round.pk])).content
    html = html.decode()
    assert "<svg" in html and not _svg_problems(html)
