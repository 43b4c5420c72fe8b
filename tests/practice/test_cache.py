"""The cached practice fragments (``core.cache``, practice namespace): every change shows on the very next
load, drafts never reach the shared anonymous/member fragments, nothing personal is shared."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from evidence.models import EvidenceRecord
from network.models import Organisation
from practice import services
from practice.models import Guide, JointAction
from tests.factories.files import PNG
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory, member_for
from tests.factories.practice import JointActionFactory, ParticipationFactory, make_guide, make_translation

pytestmark = pytest.mark.django_db

LIBRARY = reverse("practice:index")
JOINT_ACTIONS = reverse("practice:joint_action_list")


def page(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


# ``client_as`` logs one test client in and out: call it for every request.


def test_publishing_and_archiving_show_in_the_library_at_once(client_as, organiser, coordinator):
    draft = make_guide(author=organiser, title="Kitchen-table organising", language="en")
    # The fragments are cached now, for anonymous readers and members alike.
    for role in ("anonymous", "other_organiser"):
        assert "Kitchen-table organising" not in page(client_as(role), LIBRARY)
    services.guide_submit(guide=draft, user=organiser)
    services.guide_publish(guide=draft, user=coordinator)
    for role in ("anonymous", "other_organiser"):
        assert "Kitchen-table organising" in page(client_as(role), LIBRARY)
    services.guide_archive(guide=Guide.objects.get(pk=draft.pk), user=coordinator)
    for role in ("anonymous", "other_organiser"):
        assert "Kitchen-table organising" not in page(client_as(role), LIBRARY)


def test_editing_a_guide_shows_on_its_page_and_in_the_library_at_once(client_as, organiser, coordinator):
    guide = make_guide(
        author=organiser, title="Door knocking", language="en", status=Guide.Status.PUBLISHED, sections={"what": "Old"}
    )
    assert "<p>Old</p>" in page(client_as("anonymous"), guide.get_absolute_url())
    assert "Door knocking" in page(client_as("anonymous"), LIBRARY)
    services.guide_update(
        guide=guide, user=coordinator, title="Door knocking, revised", sections={"what": "New **text**"}
    )
    html = page(client_as("anonymous"), guide.get_absolute_url())
    assert "<strong>text</strong>" in html and "<p>Old</p>" not in html
    assert "Door knocking, revised" in page(client_as("anonymous"), LIBRARY)


def test_a_new_translation_and_the_outdated_flag_show_at_once(client_as, organiser, coordinator):
    dutch = make_guide(author=organiser, title="Lerende Gemeenschap", language="nl", status=Guide.Status.PUBLISHED)
    english_library = page(client_as("anonymous"), LIBRARY, {"language": "en"})
    assert "Lerende Gemeenschap" in english_library and "Not yet available in English" in english_library
    english = make_translation(dutch, language="en", title="Learning Community", status=Guide.Status.PUBLISHED)
    english_library = page(client_as("anonymous"), LIBRARY, {"language": "en"})
    assert "Learning Community" in english_library and "Not yet available in English" not in english_library
    assert "may be outdated" not in english_library
    assert "may be outdated" not in page(client_as("anonymous"), english.get_absolute_url())
    # Editing the original flags the translation (a QuerySet.update in the service).
    services.guide_update(guide=dutch, user=coordinator, title="Lerende Gemeenschap", sections={"what": "Nieuw."})
    assert "may be outdated" in page(client_as("anonymous"), LIBRARY, {"language": "en"})
    assert "may be outdated" in page(client_as("anonymous"), english.get_absolute_url())
    assert "may be outdated" in page(client_as("anonymous"), dutch.get_absolute_url())  # its "also in" list


def test_joint_action_changes_show_at_once(client_as, coordinator):
    action = JointActionFactory(title="Warm homes, cool planet")
    assert "Warm homes, cool planet" in page(client_as("anonymous"), JOINT_ACTIONS)
    assert "Navet i Bergsjön" not in page(client_as("anonymous"), JOINT_ACTIONS)
    ParticipationFactory(joint_action=action, organisation=OrganisationFactory(name="Navet i Bergsjön"))
    assert "Navet i Bergsjön" in page(client_as("anonymous"), JOINT_ACTIONS)
    action.title = "Warm homes for all"
    action.save()
    assert "Warm homes for all" in page(client_as("anonymous"), JOINT_ACTIONS)
    member = UserFactory(role="organiser")
    MembershipFactory(member=member_for(member), organisation=Organisation.objects.get(name="Navet i Bergsjön"))
    services.joint_action_update_add(action=action, user=member, text="We insulated forty flats.")
    assert "We insulated forty flats." in page(client_as("anonymous"), action.get_absolute_url())


def test_draft_joint_actions_stay_out_of_the_shared_fragments(client_as):
    JointActionFactory(title="Public action")
    JointActionFactory(title="Secret plan", status=JointAction.Status.DRAFT)
    # Whoever fills the cache first, each audience gets its own fragment.
    assert "Secret plan" in page(client_as("coordinator"), JOINT_ACTIONS)
    for role in ("anonymous", "organiser", "funder"):
        html = page(client_as(role), JOINT_ACTIONS)
        assert "Public action" in html and "Secret plan" not in html
    assert "Secret plan" in page(client_as("coordinator"), JOINT_ACTIONS)


def test_drafts_never_reach_anonymous_or_member_readers(client_as, organiser):
    draft = make_guide(author=organiser, title="Half-written idea", language="en", sections={"what": "Draft text"})
    # The author and a coordinator read the draft: its body is cached under its version.
    assert "Draft text" in page(client_as("organiser"), draft.get_absolute_url())
    assert "Draft text" in page(client_as("coordinator"), draft.get_absolute_url())
    for role in ("anonymous", "other_organiser", "funder"):
        assert client_as(role).get(draft.get_absolute_url()).status_code == 404
        assert "Half-written idea" not in page(client_as(role), LIBRARY)
    assert "Half-written idea" not in page(client_as("organiser"), LIBRARY)  # the library lists published guides only


def test_nothing_personal_is_shared_between_readers(client_as, organiser, other_organiser):
    guide = make_guide(author=organiser, title="Street stalls", language="en", status=Guide.Status.PUBLISHED)
    # An unpublished evidence record of the other organiser's organisation, linked to the guide.
    organisation = OrganisationFactory(name="Buurtwerk Hellendoorn")
    MembershipFactory(member=member_for(other_organiser), organisation=organisation)
    record = EvidenceRecord.objects.create(
        kind=EvidenceRecord.Kind.OUTCOME, title="Our unpublished outcome", status=EvidenceRecord.Status.DRAFT
    )
    record.organisations.add(organisation)
    guide.work.evidence_records.add(record)
    archive = reverse("practice:guide_archive", args=[guide.slug])
    coordinator_html = page(client_as("coordinator"), guide.get_absolute_url())
    assert 'id="workflow-heading"' in coordinator_html and archive in coordinator_html
    token = coordinator_html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert "Our unpublished outcome" in page(client_as("other_organiser"), guide.get_absolute_url())
    for role in ("anonymous", "funder"):
        html = page(client_as(role), guide.get_absolute_url())
        assert 'id="workflow-heading"' not in html and archive not in html and token not in html
        assert "Our unpublished outcome" not in html
    html = page(client_as("organiser"), guide.get_absolute_url())
    assert "Our unpublished outcome" not in html and "Street stalls" in html


def test_members_see_evidence_linked_after_their_last_visit(client_as, organiser, other_organiser):
    guide = make_guide(author=organiser, title="Street stalls", language="en", status=Guide.Status.PUBLISHED)
    organisation = OrganisationFactory(name="Buurtwerk Hellendoorn")
    MembershipFactory(member=member_for(other_organiser), organisation=organisation)
    # Cached while the work links no record: the member's live evidence query is skipped.
    assert "Our unpublished outcome" not in page(client_as("other_organiser"), guide.get_absolute_url())
    record = EvidenceRecord.objects.create(
        kind=EvidenceRecord.Kind.OUTCOME, title="Our unpublished outcome", status=EvidenceRecord.Status.DRAFT
    )
    record.organisations.add(organisation)
    guide.work.evidence_records.add(record)
    assert "Our unpublished outcome" in page(client_as("other_organiser"), guide.get_absolute_url())
    assert "Our unpublished outcome" not in page(client_as("organiser"), guide.get_absolute_url())


def test_the_guide_page_and_library_read_cached_fragments(client, organiser, django_assert_max_num_queries):
    guide = make_guide(author=organiser, title="Cached", language="en", status=Guide.Status.PUBLISHED)
    page(client, guide.get_absolute_url())
    page(client, LIBRARY)
    page(client, JOINT_ACTIONS)
    # Warm: the version to show (images and public evidence records are in the fragment).
    with django_assert_max_num_queries(1):
        page(client, guide.get_absolute_url())
    with django_assert_max_num_queries(1):
        page(client, LIBRARY)
    with django_assert_max_num_queries(1):
        page(client, JOINT_ACTIONS)


def test_images_show_at_once_with_the_markdown_hint_for_editors_only(client_as, organiser, tmp_path):
    guide = make_guide(author=organiser, title="Street stalls", language="en", status=Guide.Status.PUBLISHED)
    assert 'alt="A stall in Hjällbo"' not in page(client_as("anonymous"), guide.get_absolute_url())
    with override_settings(MEDIA_ROOT=tmp_path):
        client_as("coordinator").post(
            reverse("practice:guide_image_add", args=[guide.slug]),
            {"file": SimpleUploadedFile("a.png", PNG, "image/png"), "alt_text": "A stall in Hjällbo"},
        )
        html = page(client_as("anonymous"), guide.get_absolute_url())
        assert 'alt="A stall in Hjällbo"' in html and "Markdown to place it" not in html
        assert "Markdown to place it" in page(client_as("coordinator"), guide.get_absolute_url())
        assert "Markdown to place it" not in page(client_as("funder"), guide.get_absolute_url())


# --- a guide page shows evidence and exchanges: their changes show on the next load -----------

SHARED_AUDIENCES = ("anonymous", "funder", "coordinator")
# The tests below ask for every audience's user up front: creating a user bumps the network
# namespace, which would retire the cached fragments between loads and hide a missing bump.


def _guide_with_story(organiser, **consent):
    from tests.factories.evidence import story

    guide = make_guide(author=organiser, title="Street stalls", language="en", status=Guide.Status.PUBLISHED)
    record = story(title="Aminas story of the stall", consent=consent or None)
    guide.work.evidence_records.add(record)
    return guide, record


def test_withdrawn_consent_leaves_the_guide_page_on_the_next_load(client_as, organiser, coordinator, funder):
    from evidence import services as evidence_services

    guide, record = _guide_with_story(organiser)
    for role in SHARED_AUDIENCES:
        assert "Aminas story of the stall" in page(client_as(role), guide.get_absolute_url())
    # A conditional update in the service: no model signal reaches the practice namespace.
    evidence_services.consent_withdraw(consent=record.consent, user=coordinator)
    for role in SHARED_AUDIENCES:
        assert "Aminas story of the stall" not in page(client_as(role), guide.get_absolute_url()), role


def test_consent_withdrawn_in_the_admin_leaves_the_guide_page_on_the_next_load(
    client_as, organiser, coordinator, funder
):
    guide, record = _guide_with_story(organiser)
    for role in SHARED_AUDIENCES:
        assert "Aminas story of the stall" in page(client_as(role), guide.get_absolute_url())
    client_as("coordinator").post(
        reverse("admin:evidence_consent_changelist"), {"action": "withdraw", "_selected_action": [record.consent.pk]}
    )
    for role in SHARED_AUDIENCES:
        assert "Aminas story of the stall" not in page(client_as(role), guide.get_absolute_url()), role


def test_consent_that_expires_leaves_the_guide_page_when_the_day_changes(
    client_as, organiser, coordinator, funder, monkeypatch
):
    import datetime

    from django.utils import timezone

    expires_on = timezone.localdate()
    guide, _record = _guide_with_story(organiser, expires_on=expires_on)
    for role in SHARED_AUDIENCES:
        assert "Aminas story of the stall" in page(client_as(role), guide.get_absolute_url())
    # Noon (UTC) of the next day, whatever the hour the test runs at.
    later = datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time(12), tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: later)
    for role in SHARED_AUDIENCES:
        assert "Aminas story of the stall" not in page(client_as(role), guide.get_absolute_url()), role


def test_evidence_narrowed_to_the_network_leaves_the_public_guide_page(client_as, organiser, coordinator, funder):
    from evidence import services as evidence_services
    from tests.factories.evidence import EvidenceRecordFactory

    guide = make_guide(author=organiser, title="Street stalls", language="en", status=Guide.Status.PUBLISHED)
    record = EvidenceRecordFactory(title="Stall outcome")
    guide.work.evidence_records.add(record)
    for role in SHARED_AUDIENCES:
        assert "Stall outcome" in page(client_as(role), guide.get_absolute_url())
    evidence_services.record_update(record=record, user=coordinator, data={"visibility": "network"})
    assert "Stall outcome" not in page(client_as("anonymous"), guide.get_absolute_url())
    assert "Stall outcome" not in page(client_as("funder"), guide.get_absolute_url())
    assert "Stall outcome" in page(client_as("coordinator"), guide.get_absolute_url())


def test_a_hidden_author_is_no_longer_named_on_the_next_load(client_as, organiser, coordinator, funder):
    author = member_for(organiser, display_name="Karin Berg", visibility="public")
    guide = make_guide(author=organiser, title="Street stalls", language="en", status=Guide.Status.PUBLISHED)
    for role in SHARED_AUDIENCES:
        assert "Karin Berg" in page(client_as(role), guide.get_absolute_url()), role
    author.visibility = "hidden"
    author.save()
    for role in SHARED_AUDIENCES:
        html = page(client_as(role), guide.get_absolute_url())
        assert "Karin Berg" not in html and "one network member" in html, role
