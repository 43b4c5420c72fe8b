"""Submitting, editing, reviewing: permissions, revisions and bad input."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from evidence import services
from evidence.models import Attachment, Consent, EvidenceRecord, Indicator, MetricSplit, MetricUpdate, Revision
from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.files import PNG
from tests.factories.network import ThemeFactory

pytestmark = pytest.mark.django_db
Status = EvidenceRecord.Status


def story_post(org, **extra):
    data = {
        "title": "Fatima found her voice",
        "summary": "From silent neighbour to spokesperson.",
        "body": "She spoke at the **housing** meeting.",
        "why_it_matters": "Nobody had asked her before.",
        "layer": "process",
        "organisations": [org.pk],
        "countries": ["SE"],
        "original_language": "sv",
        "visibility": "funders",
        "consent-person_name": "Fatima Ali",
        "consent-identity_level": "first_name",
        "consent-audience_network": "on",
        "consent-audience_funders": "on",
        "consent-obtained_on": "2025-03-01",
        "consent-method": "written",
    }
    data.update(extra)
    return data


def test_organiser_submits_a_story_with_consent(client, organiser_member, org):
    client.force_login(organiser_member)
    response = client.post(reverse("evidence:create", args=["story"]), story_post(org, submit="1"))
    record = EvidenceRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert record.status == Status.SUBMITTED and record.created_by == organiser_member
    assert list(record.record_countries.values_list("country", flat=True)) == ["SE"]
    assert record.consent.audiences == {"network", "funders"} and record.consent.obtained_by == organiser_member
    assert list(record.revisions.values_list("action", flat=True)) == ["submit", "consent", "create"]
    create = record.revisions.get(action="create")
    assert create.user == organiser_member and create.changes["title"] == [None, "Fatima found her voice"]


def test_story_without_any_consent_audience_is_refused(client, organiser_member, org):
    client.force_login(organiser_member)
    data = story_post(org)
    del data["consent-audience_network"], data["consent-audience_funders"]
    response = client.post(reverse("evidence:create", args=["story"]), data)
    assert response.status_code == 200 and not EvidenceRecord.objects.exists()


@pytest.mark.parametrize("kind", [k for k, _label in EvidenceRecord.Kind.choices])
def test_every_kind_has_a_form_with_help(client, organiser_member, kind):
    client.force_login(organiser_member)
    response = client.get(reverse("evidence:create", args=[kind]))
    assert response.status_code == 200
    assert response.context["kind_help"]
    assert ("consent_form" in response.context and response.context["consent_form"] is not None) == (
        kind in ("story", "testimony", "media")
    )


def test_outcome_form_asks_who_changed_what_when_where(client, organiser_member, org):
    client.force_login(organiser_member)
    fields = client.get(reverse("evidence:create", args=["outcome"])).context["form"].fields
    for name in ("outcome_who", "outcome_what", "outcome_when", "outcome_where", "significance", "contribution"):
        assert name in fields


@pytest.mark.parametrize("role,status", [("anonymous", 302), ("funder", 403), ("coordinator", 200), ("organiser", 200)])
def test_who_may_open_the_submit_form(client_as, role, status):
    assert client_as(role).get(reverse("evidence:create", args=["story"])).status_code == status


def test_period_ending_before_start_is_refused_and_nothing_saved(client, organiser_member, org):
    client.force_login(organiser_member)
    response = client.post(
        reverse("evidence:create", args=["story"]), story_post(org, period_start="2025-05-01", period_end="2025-04-01")
    )
    assert response.status_code == 200
    assert "cannot end before it starts" in response.content.decode()
    assert not EvidenceRecord.objects.exists()


def test_database_refuses_a_backwards_period():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceRecordFactory(period_start=datetime.date(2025, 5, 1), period_end=datetime.date(2025, 1, 1))


def test_organiser_edits_only_records_of_own_organisations(client_as, organiser_member, other_member, org, other_org):
    mine = EvidenceRecordFactory(status=Status.DRAFT, organisations=[org], kind="outcome")
    theirs = EvidenceRecordFactory(status=Status.DRAFT, organisations=[other_org], kind="outcome")
    published = EvidenceRecordFactory(status=Status.PUBLISHED, organisations=[org], kind="outcome")
    client = client_as("organiser")
    assert client.get(reverse("evidence:edit", args=[mine.pk])).status_code == 200
    assert client.get(reverse("evidence:edit", args=[theirs.pk])).status_code == 403
    assert client.get(reverse("evidence:edit", args=[published.pk])).status_code == 403
    assert client.post(reverse("evidence:submit", args=[theirs.pk])).status_code == 403
    assert client_as("funder").get(reverse("evidence:edit", args=[mine.pk])).status_code == 403
    assert client_as("coordinator").get(reverse("evidence:edit", args=[theirs.pk])).status_code == 200
    assert client_as("anonymous").get(reverse("evidence:edit", args=[mine.pk])).status_code == 302


def test_edit_keeps_a_revision_of_what_changed(client, organiser_member, org):
    record = services.record_create(
        user=organiser_member, data={"kind": "outcome", "title": "Old", "layer": "outcome", "organisations": [org]}
    )
    services.record_update(record=record, user=organiser_member, data={"title": "New", "countries": ["NL", "SE"]})
    revision = record.revisions.first()
    assert revision.action == "edit" and revision.user == organiser_member
    assert revision.changes == {"title": ["Old", "New"], "countries": [[], ["NL", "SE"]]}


def test_workflow_transitions_and_exactly_once_publication(organiser_member, coordinator, org):
    record = services.record_create(
        user=organiser_member, data={"kind": "outcome", "title": "T", "organisations": [org]}
    )
    with pytest.raises(PermissionDenied):
        services.record_transition(record=record, user=organiser_member, step="publish")
    services.record_transition(record=record, user=organiser_member, step="submit")
    services.record_transition(record=record, user=coordinator, step="start_review")
    services.record_transition(record=record, user=coordinator, step="return", note="Add the period, please.")
    record.refresh_from_db()
    assert record.status == Status.RETURNED and record.review_note == "Add the period, please."
    services.record_transition(record=record, user=organiser_member, step="submit")
    services.record_transition(
        record=record, user=coordinator, step="publish", verification="peer_reviewed", visibility="public"
    )
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED and record.published_at and record.verification == "peer_reviewed"
    with pytest.raises(ValidationError):
        services.record_transition(record=record, user=coordinator, step="publish")
    assert Revision.objects.filter(record=record, action="publish").count() == 1
    publish = Revision.objects.get(record=record, action="publish")
    assert publish.changes["status"] == ["submitted", "published"] and publish.user == coordinator


def test_a_story_cannot_be_submitted_without_consent(organiser_member, org):
    record = services.record_create(user=organiser_member, data={"kind": "story", "title": "T", "organisations": [org]})
    with pytest.raises(ValidationError):
        services.record_transition(record=record, user=organiser_member, step="submit")


def test_admin_review_queue_and_publish_action(client, coordinator, organiser_member, org):
    submitted = EvidenceRecordFactory(status=Status.SUBMITTED, organisations=[org], title="Waiting for review")
    EvidenceRecordFactory(status=Status.DRAFT, title="Still a draft")
    client.force_login(coordinator)
    queue = client.get(reverse("admin:evidence_reviewqueueitem_changelist")).content.decode()
    assert "Waiting for review" in queue and "Still a draft" not in queue
    response = client.post(
        reverse("admin:evidence_reviewqueueitem_changelist"),
        {"action": "action_publish", "_selected_action": [submitted.pk]},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.PUBLISHED
    assert submitted.revisions.filter(action="publish", user=coordinator).exists()


def test_admin_verification_and_visibility_actions_write_revisions(client, coordinator):
    record = EvidenceRecordFactory(status=Status.IN_REVIEW)
    client.force_login(coordinator)
    url = reverse("admin:evidence_evidencerecord_changelist")
    client.post(url, {"action": "verify_substantiated", "_selected_action": [record.pk]})
    client.post(url, {"action": "visibility_funders", "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.verification == "substantiated" and record.visibility == "funders"
    assert set(record.revisions.values_list("action", flat=True)) == {"verify", "visibility"}


def test_consent_withdrawal_by_the_organiser(client, organiser_member, org):
    record = EvidenceRecordFactory(kind="story", organisations=[org])
    Consent.objects.create(
        record=record,
        person_name="A B",
        obtained_on=datetime.date(2025, 1, 1),
        method="verbal",
        audience_network=True,
        audience_funders=True,
        audience_public=True,
    )
    client.force_login(organiser_member)
    assert client.get(record.get_absolute_url()).status_code == 200
    response = client.post(reverse("evidence:consent_withdraw", args=[record.pk]), {"note": "asked by phone"})
    assert response.status_code == 302
    record.consent.refresh_from_db()
    assert record.consent.withdrawn_at is not None
    assert client.get(record.get_absolute_url()).status_code == 404
    assert record.revisions.filter(action="consent_withdrawn").exists()
    # Withdrawn means gone everywhere outside the admin, "my evidence" included.
    assert record.title not in client.get(reverse("evidence:mine")).content.decode()


def test_other_organiser_cannot_withdraw_consent(client_as, org):
    record = EvidenceRecordFactory(kind="story", organisations=[org])
    Consent.objects.create(record=record, person_name="A B", obtained_on=datetime.date(2025, 1, 1), method="verbal")
    assert client_as("other_organiser").post(reverse("evidence:consent_withdraw", args=[record.pk])).status_code == 403
    assert client_as("funder").post(reverse("evidence:consent_withdraw", args=[record.pk])).status_code == 403


# --- metric values -----------------------------------------------------------------------------


@pytest.fixture
def metric_record(organiser_member, org):
    return EvidenceRecordFactory(kind="metric", status=Status.DRAFT, organisations=[org], created_by=organiser_member)


def metric_post(org, **extra):
    indicator = Indicator.objects.get(slug="new-people-engaged")
    data = {
        "indicator": indicator.pk,
        "organisation": org.pk,
        "period_start": "2025-01-01",
        "period_end": "2025-03-31",
        "value": "10",
        "splits": "under 18: 4\n18–29: 6",
    }
    data.update(extra)
    return data


def test_metric_value_with_splits_is_saved(client, organiser_member, org, metric_record):
    client.force_login(organiser_member)
    response = client.post(reverse("evidence:metric_add", args=[metric_record.pk]), metric_post(org))
    assert response.status_code == 302
    update = MetricUpdate.objects.get()
    assert update.value == Decimal("10") and update.splits.count() == 2


@pytest.mark.parametrize(
    "extra,message",
    [
        ({"value": "-3"}, "greater than or equal to 0"),
        ({"value": "ten"}, "Enter a number"),
        ({"value": "NaN"}, "Enter a number"),
        ({"splits": "under 18: 4\n18–29: 5"}, "add up to 9"),
        ({"splits": "under 18: x"}, "is not a number"),
        ({"splits": "pensioners: 10"}, "Unknown split categories"),
        ({"splits": "just text"}, "category: value"),
        ({"splits": "under 18: -4\n18–29: 14"}, "cannot be negative"),
        ({"period_start": "2025-04-01", "period_end": "2025-01-01"}, "cannot end before it starts"),
    ],
)
def test_bad_metric_input_gives_a_clear_error_and_saves_nothing(
    client, organiser_member, org, metric_record, extra, message
):
    client.force_login(organiser_member)
    response = client.post(reverse("evidence:metric_add", args=[metric_record.pk]), metric_post(org, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MetricUpdate.objects.exists() and not MetricSplit.objects.exists()


def test_metric_service_refuses_negative_values_and_backwards_periods(organiser_member, org, metric_record):
    indicator = Indicator.objects.get(slug="trainings-held")
    with pytest.raises(ValidationError):
        services.metric_update_create(
            record=metric_record,
            user=organiser_member,
            indicator=indicator,
            organisation=org,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 2, 1),
            value=Decimal("-1"),
        )
    with pytest.raises(ValidationError):
        services.metric_update_create(
            record=metric_record,
            user=organiser_member,
            indicator=indicator,
            organisation=org,
            period_start=datetime.date(2025, 3, 1),
            period_end=datetime.date(2025, 2, 1),
            value=Decimal("1"),
        )
    assert not MetricUpdate.objects.exists()


# --- attachments -------------------------------------------------------------------------------


@pytest.fixture
def draft(organiser_member, org):
    return EvidenceRecordFactory(kind="document", status=Status.DRAFT, organisations=[org], created_by=organiser_member)


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_attachment_is_saved(client, organiser_member, draft, media_root):
    client.force_login(organiser_member)
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(reverse("evidence:attachment_add", args=[draft.pk]), {"file": upload, "title": "Report"})
    assert response.status_code == 302 and Attachment.objects.count() == 1


@override_settings(MAX_UPLOAD_SIZE=100)
def test_attachment_too_large_is_rejected(client, organiser_member, draft, media_root):
    client.force_login(organiser_member)
    upload = SimpleUploadedFile("report.pdf", b"%PDF" + b"x" * 1000, content_type="application/pdf")
    response = client.post(reverse("evidence:attachment_add", args=[draft.pk]), {"file": upload, "title": "Big"})
    # Stopped while it streamed in (core.uploads.SizeLimitUploadHandler).
    assert response.status_code == 413 and "too large" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["virus.exe", "page.html", "script.svg", "noextension"])
def test_forbidden_attachment_type_is_rejected(client, organiser_member, draft, media_root, name):
    client.force_login(organiser_member)
    upload = SimpleUploadedFile(name, b"data")
    response = client.post(reverse("evidence:attachment_add", args=[draft.pk]), {"file": upload, "title": "Bad"})
    assert response.status_code == 200 and "not allowed" in response.content.decode()
    assert not Attachment.objects.exists()


def test_image_without_alt_text_is_rejected(client, organiser_member, draft, media_root):
    client.force_login(organiser_member)
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    response = client.post(reverse("evidence:attachment_add", args=[draft.pk]), {"file": upload, "title": "Photo"})
    assert response.status_code == 200 and "alternative text" in response.content.decode()
    assert not Attachment.objects.exists()


def test_other_organiser_cannot_attach(client_as, draft):
    assert client_as("other_organiser").get(reverse("evidence:attachment_add", args=[draft.pk])).status_code == 403


# --- my evidence, reflections ------------------------------------------------------------------


def test_my_evidence_lists_own_and_organisation_records_in_every_status(client_as, organiser_member, org, other_org):
    EvidenceRecordFactory(title="Own draft", status=Status.DRAFT, created_by=organiser_member)
    EvidenceRecordFactory(title="Org returned", status=Status.RETURNED, organisations=[org])
    EvidenceRecordFactory(title="Someone else's", status=Status.DRAFT, organisations=[other_org])
    content = client_as("organiser").get(reverse("evidence:mine")).content.decode()
    assert "Own draft" in content and "Org returned" in content and "Someone else" not in content
    assert client_as("funder").get(reverse("evidence:mine")).status_code == 403
    assert client_as("anonymous").get(reverse("evidence:mine")).status_code == 302


def test_turn_my_reflection_into_a_story(client, organiser_member, other_organiser, org):
    from exchanges.models import Exchange, Reflection, Registration

    theme = ThemeFactory(slug="digital-divide")
    exchange = Exchange.objects.create(
        title="Online exchange: the digital divide",
        slug="digital-divide-exchange",
        status="published",
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=2),
    )
    exchange.themes.add(theme)
    registration = Registration.objects.create(exchange=exchange, user=organiser_member, state="attended")
    reflection = Reflection.objects.create(
        registration=registration, learned="Door-knocking works.", will_try="Tea", rating=5
    )
    client.force_login(organiser_member)
    response = client.get(reverse("evidence:from_reflection", args=[reflection.pk]))
    form = response.context["form"]
    assert "Door-knocking works." in form.initial["body"]
    assert form.initial["reflections"] == [reflection.pk] and form.initial["themes"] == [theme.pk]
    client.force_login(other_organiser)
    assert client.get(reverse("evidence:from_reflection", args=[reflection.pk])).status_code == 404


def test_nul_characters_and_overlong_text_are_refused(client, organiser_member, org):
    client.force_login(organiser_member)
    url = reverse("evidence:create", args=["story"])
    assert client.post(url, story_post(org, title="bad\x00title")).status_code == 200
    assert client.post(url, story_post(org, title="x" * 500)).status_code == 200
    assert client.post(url, story_post(org, **{"consent-person_name": "A\x00B"})).status_code == 200
    assert not EvidenceRecord.objects.exists()
