"""One indexing path: whichever public way a searchable thing changes — a page, an admin
form or action, a command — the search answers what the policy answers, for visitors and
coordinators alike, on the very next search (anonymous results are cached)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.policy import ANONYMOUS, viewer_for
from evidence.models import Consent, EvidenceRecord
from exchanges.models import Exchange
from practice.models import Guide, JointAction
from search.sources import sources
from tests.factories.evidence import ConsentFactory, EvidenceRecordFactory
from tests.factories.exchanges import ExchangeFactory
from tests.factories.network import MembershipFactory, OrganisationFactory
from tests.factories.practice import JointActionFactory, make_guide

pytestmark = pytest.mark.django_db

TOKEN = "zqindexpath"


def _expected(kind: str, viewer) -> set[int]:
    """What the policy lets ``viewer`` find: visible, and described by the source."""
    source = sources()[kind]
    return {obj.pk for obj in source.visible(viewer).filter(title__icontains=TOKEN) if source.document(obj) is not None}


def _found(client, kind: str) -> set[int]:
    results = client.get(reverse("search:index"), {"q": TOKEN, "type": kind}).context["results"]
    return {hit.object_id for hit in results.hits if hit.kind == kind} if results else set()


@pytest.fixture
def agree(client, coordinator, organiser):
    def check(kind: str, step: str) -> None:
        for who, user in (("anonymous", None), ("organiser", organiser), ("coordinator", coordinator)):
            client.logout()
            if user is not None:
                client.force_login(user)
            viewer = viewer_for(type(user).objects.get(pk=user.pk)) if user else ANONYMOUS
            assert _found(client, kind) == _expected(kind, viewer), f"{kind} after {step}, as {who}"

    return check


def _admin_action(client, coordinator, changelist: str, action: str, pks) -> None:
    client.force_login(coordinator)
    response = client.post(reverse(changelist), {"action": action, "_selected_action": list(pks)}, follow=True)
    assert response.status_code == 200


def test_evidence_through_pages_admin_actions_forms_and_commands(client, agree, coordinator, organiser):
    organisation = OrganisationFactory()
    MembershipFactory(member=organiser.member, organisation=organisation)
    client.force_login(organiser)
    # A page: an organiser writes an outcome statement and submits it.
    response = client.post(
        reverse("evidence:create", args=["outcome"]),
        {
            "title": f"Outcome {TOKEN}",
            "summary": "Tenants won repairs.",
            "layer": "outcome",
            "visibility": "public",
            "organisations": [organisation.pk],
            "original_language": "en",
            "outcome_who": "The landlord",
            "outcome_what": "Repairs were made.",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    record = EvidenceRecord.objects.get(title=f"Outcome {TOKEN}")
    agree("evidence", "writing it on a page")
    # Admin actions of the review queue: review, publish.
    _admin_action(client, coordinator, "admin:evidence_reviewqueueitem_changelist", "action_start_review", [record.pk])
    _admin_action(client, coordinator, "admin:evidence_reviewqueueitem_changelist", "action_publish", [record.pk])
    record.refresh_from_db()
    assert record.status == EvidenceRecord.Status.PUBLISHED
    agree("evidence", "publishing in the admin")
    assert _found(client, "evidence") == {record.pk}
    # An admin action narrowing the visibility, then the admin form widening it again.
    _admin_action(client, coordinator, "admin:evidence_evidencerecord_changelist", "visibility_network", [record.pk])
    agree("evidence", "narrowing the visibility with an admin action")
    EvidenceRecord.objects.filter(pk=record.pk).update(visibility="network")
    record.visibility = "public"
    record.save()
    agree("evidence", "a plain save")
    # A story whose consent is changed in the admin, then withdrawn on its page.
    story = EvidenceRecordFactory(kind="story", title=f"Story {TOKEN}", organisations=[organisation])
    consent = ConsentFactory(record=story)
    agree("evidence", "adding a story")
    client.force_login(coordinator)
    change = reverse("admin:evidence_consent_change", args=[consent.pk])
    form = client.get(change).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"audience_public": "", "obtained_on": consent.obtained_on.isoformat()})
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    client.post(change, data)
    assert not Consent.objects.get(pk=consent.pk).audience_public
    agree("evidence", "narrowing consent in the admin")
    client.force_login(organiser)
    client.post(reverse("evidence:consent_withdraw", args=[story.pk]), {"note": "asked"})
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is not None
    agree("evidence", "withdrawing consent on the page")
    # Expiry passes without a write: the next day's search follows the policy.
    Consent.objects.filter(pk=consent.pk).update(
        withdrawn_at=None, expires_on=dt.date.today() - dt.timedelta(days=1), obtained_on=dt.date(2020, 1, 1)
    )
    agree("evidence", "consent expired")
    # Deleting in the admin, and rebuilding the index by command.
    client.force_login(coordinator)
    client.post(reverse("admin:evidence_evidencerecord_delete", args=[record.pk]), {"post": "yes"})
    assert not EvidenceRecord.objects.filter(pk=record.pk).exists()
    agree("evidence", "deleting in the admin")
    call_command("search_reindex")
    agree("evidence", "search_reindex")


def test_guides_through_pages_and_admin_actions(client, agree, coordinator, organiser):
    guide = make_guide(author=organiser, title=f"Guide {TOKEN}", language="en")
    agree("guide", "writing a draft")
    client.force_login(organiser)
    client.post(reverse("practice:guide_submit", args=[guide.slug]))
    agree("guide", "submitting it on its page")
    client.force_login(coordinator)
    client.post(reverse("practice:guide_publish", args=[guide.slug]))
    assert Guide.objects.get(pk=guide.pk).status == Guide.Status.PUBLISHED
    agree("guide", "publishing it on its page")
    _admin_action(client, coordinator, "admin:practice_guide_changelist", "archive", [guide.pk])
    assert Guide.objects.get(pk=guide.pk).status == Guide.Status.ARCHIVED
    agree("guide", "archiving it in the admin")
    call_command("search_reindex")
    agree("guide", "search_reindex")


def test_exchanges_and_joint_actions_through_the_admin(client, agree, coordinator):
    exchange = ExchangeFactory(title=f"Exchange {TOKEN}", status=Exchange.Status.DRAFT, published_at=None)
    agree("exchange", "a draft")
    exchange.status = Exchange.Status.PUBLISHED
    exchange.save()
    agree("exchange", "publishing")
    _admin_action(client, coordinator, "admin:exchanges_exchange_changelist", "cancel_exchanges", [exchange.pk])
    assert Exchange.objects.get(pk=exchange.pk).status == Exchange.Status.CANCELLED
    agree("exchange", "cancelling it in the admin")
    action = JointActionFactory(title=f"Action {TOKEN}", status=JointAction.Status.DRAFT)
    agree("joint_action", "a draft")
    action.status = JointAction.Status.ACTIVE
    action.save()
    agree("joint_action", "activating it")
    JointAction.objects.filter(pk=action.pk).update(status=JointAction.Status.DRAFT)  # a bulk write: no signal
    call_command("search_reindex")
    agree("joint_action", "a bulk write and search_reindex")
