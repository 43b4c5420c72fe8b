"""The role cast on every evidence view: anonymous, organiser, other organiser, coordinator, funder."""

import pytest
from django.urls import reverse

from evidence.models import EvidenceRecord
from tests.factories.evidence import CommunityFactory, EvidenceRecordFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(organiser_member, other_member, org):
    draft_metric = EvidenceRecordFactory(
        kind="metric", status=EvidenceRecord.Status.DRAFT, organisations=[org], created_by=organiser_member
    )
    round_obj = RoundFactory(community=CommunityFactory(organisations=[org]))
    return {"draft": draft_metric, "round": round_obj}


# url name, args key, expected status per role (GET).
CAST = [
    (
        "evidence:index",
        None,
        {"anonymous": 200, "organiser": 200, "other_organiser": 200, "coordinator": 200, "funder": 200},
    ),
    (
        "evidence:mine",
        None,
        {"anonymous": 302, "organiser": 200, "other_organiser": 200, "coordinator": 200, "funder": 403},
    ),
    (
        "evidence:choose_kind",
        None,
        {"anonymous": 302, "organiser": 200, "other_organiser": 200, "coordinator": 200, "funder": 403},
    ),
    (
        "evidence:detail",
        "draft",
        {"anonymous": 404, "organiser": 200, "other_organiser": 404, "coordinator": 200, "funder": 404},
    ),
    (
        "evidence:edit",
        "draft",
        {"anonymous": 302, "organiser": 200, "other_organiser": 403, "coordinator": 200, "funder": 403},
    ),
    (
        "evidence:attachment_add",
        "draft",
        {"anonymous": 302, "organiser": 200, "other_organiser": 403, "coordinator": 200, "funder": 403},
    ),
    (
        "evidence:metric_add",
        "draft",
        {"anonymous": 302, "organiser": 200, "other_organiser": 403, "coordinator": 200, "funder": 403},
    ),
    (
        "evidence:dashboard",
        None,
        {"anonymous": 302, "organiser": 403, "other_organiser": 403, "coordinator": 200, "funder": 200},
    ),
    (
        "evidence:dashboard_report",
        None,
        {"anonymous": 302, "organiser": 403, "other_organiser": 403, "coordinator": 200, "funder": 200},
    ),
    (
        "evidence:export_csv",
        None,
        {"anonymous": 302, "organiser": 403, "other_organiser": 403, "coordinator": 200, "funder": 200},
    ),
    (
        "evidence:export_xlsx",
        None,
        {"anonymous": 302, "organiser": 403, "other_organiser": 403, "coordinator": 200, "funder": 200},
    ),
    (
        "evidence:assessment_index",
        None,
        {"anonymous": 302, "organiser": 200, "other_organiser": 200, "coordinator": 200, "funder": 200},
    ),
    (
        "evidence:round_answer",
        "round",
        {"anonymous": 302, "organiser": 200, "other_organiser": 403, "coordinator": 403, "funder": 403},
    ),
    (
        "evidence:round_results",
        "round",
        {"anonymous": 302, "organiser": 200, "other_organiser": 403, "coordinator": 200, "funder": 200},
    ),
]


@pytest.mark.parametrize("name,key,expected", CAST, ids=[c[0] for c in CAST])
def test_role_cast(client_as, objects, name, key, expected):
    url = reverse(name, args=[objects[key].pk]) if key else reverse(name)
    for role, status in expected.items():
        assert client_as(role).get(url).status_code == status, role


@pytest.mark.parametrize("name", ["evidence:submit", "evidence:consent_withdraw"])
def test_post_only_actions_refuse_get_and_strangers(client_as, objects, name):
    url = reverse(name, args=[objects["draft"].pk])
    assert client_as("organiser").get(url).status_code == 405
    assert client_as("anonymous").post(url).status_code == 302
    assert client_as("other_organiser").post(url).status_code == 403
    assert client_as("funder").post(url).status_code == 403


def test_csrf_is_enforced_on_posts(organiser_member, objects):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser_member)
    assert client.post(reverse("evidence:submit", args=[objects["draft"].pk])).status_code == 403
