"""The data download holds every app's section, with the rows made for the person, and
nothing about anyone else."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from core import personal_data
from tests.factories.network import UserFactory
from tests.personal_data.person import (
    ANSWERS,
    DISPLAY_NAME,
    EMAIL,
    SECOND_EMAIL,
    TRAVEL_COST,
    person_everything,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def download(coordinator):
    person = person_everything(coordinator=coordinator)
    response = person.client.get(reverse("network:account_data"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    return person, json.loads(response.content), response.content.decode()


def test_the_download_has_a_section_for_every_app_with_a_hook(download):
    _person, data, _text = download
    assert set(data) == {"generated_at", *(hook.app for hook in personal_data.hooks())}


def test_the_download_holds_the_persons_answers_from_every_app(download):
    person, data, text = download
    # Every answer, address and name the person gave, somewhere in the download.
    for needle in [EMAIL, SECOND_EMAIL, DISPLAY_NAME, *ANSWERS.values()]:
        assert needle in text, needle

    network = data["network"]
    assert network["profile"]["display_name"] == DISPLAY_NAME
    assert network["memberships"][0]["message"] == ANSWERS["membership_message"]
    assert len(network["sessions"]) == 2
    assert [i["email"] for i in data["invitations"]] == [SECOND_EMAIL]

    emails = data["outbox"]["emails"]
    assert {e["kind"] for e in emails} >= {"digest", "exchange_message", "exchange_confirmed", "invitation"}
    assert all("body_text" not in e and "body_html" not in e for e in emails)

    exchanges = data["exchanges"]
    by_title = {r["exchange"]: r for r in exchanges["registrations"]}
    assert set(by_title) == {"Full exchange PD", "Application PD", "Waitlist PD", "Past PD"}
    full = by_title["Full exchange PD"]
    assert full["access_needs"] == ANSWERS["access_needs"] and full["travel_cost_estimate"] == str(TRAVEL_COST)
    assert by_title["Application PD"]["hope_to_learn"] == ANSWERS["hope_to_learn"]
    assert by_title["Waitlist PD"]["waitlist_position"] == 1
    assert exchanges["reflections"][0]["stay_in_touch"] == ANSWERS["stay_in_touch"]
    assert exchanges["calendar_feed"]["created_at"]
    assert [s["session"] for s in exchanges["sessions_facilitated"]] == ["Opening PD"]
    # The feed's secret link is not in the download.
    assert person.user.exchange_feed.token not in text

    evidence = data["evidence"]
    assert {r["title"] for r in evidence["records_created"]} == {"My own story PD", "A neighbour's story PD"}
    assert [s["pseudonym"] for s in evidence["own_stories"]] == [ANSWERS["pseudonym"]]
    # The neighbour's name is the neighbour's: only which record the consent is for.
    assert "Neighbour Person" not in text and len(evidence["consents_obtained"]) == 2
    answers = evidence["self_assessment"][0]["answers"]
    assert sorted((a["score"], a["comment"]) for a in answers) == [(2, ""), (4, ANSWERS["assessment_comment"])]
    assert evidence["rounds_invited_to"] == [person.round.title]

    practice = data["practice"]
    assert [g["title"] for g in practice["guides"]] == ["Door knocking PD"]
    assert practice["guide_images"][0]["alt_text"] == "A door"
    assert practice["joint_actions_created"] == ["Joint action PD"]
    assert practice["joint_action_updates"][0]["text"] == "We met the council."

    digests = data["digests"]
    assert digests["preference"]["frequency"] == "monthly" and digests["preference"]["languages"] == ["sv"]
    assert [(d["period"], d["items"]) for d in digests["deliveries"]] == [("2026-10", 3)]


def test_the_download_holds_nothing_about_the_person_waiting_after_them(download):
    person, _data, text = download
    assert person.waiting.email not in text
    bystander = UserFactory(email="bystander@example.org")
    response = person.client.get(reverse("network:account_data"))
    assert bystander.email not in response.content.decode()


def test_the_download_gives_the_address_of_the_persons_photo_which_they_can_fetch(download):
    person, data, _text = download
    profile = data["network"]["profile"]
    assert profile["photo"].endswith(person.member.photo.url) and profile["photo"].startswith("http")
    assert profile["photo_alt"] == ANSWERS["photo_alt"]
    response = person.client.get(person.member.photo.url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
