"""Joint actions: list by issue and country, detail, timeline updates, the digest contract."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from network.models import Organisation
from practice import services
from practice.digest import digest_items
from practice.models import Guide, JointAction, JointActionUpdate, Participation
from tests.factories.evidence import EvidenceRecordFactory
from tests.factories.files import PNG
from tests.factories.network import MembershipFactory, OrganisationFactory, ThemeFactory
from tests.factories.practice import JointActionFactory, ParticipationFactory, make_guide, make_translation

pytestmark = pytest.mark.django_db

LIST = reverse("practice:joint_action_list")


@pytest.fixture
def climate_action():
    climate = ThemeFactory(slug="climate-change", name="Climate change")
    action = JointActionFactory(title="Warm homes, cool planet", issue=climate)
    ParticipationFactory(
        joint_action=action,
        organisation=OrganisationFactory(name="Navet i Bergsjön", country="SE"),
        role=Participation.Role.LEAD,
    )
    ParticipationFactory(
        joint_action=action,
        organisation=OrganisationFactory(name="Buurtwerk Hellendoorn", country="NL"),
        role=Participation.Role.PARTNER,
    )
    return action


def test_joint_actions_are_listed_by_issue_and_filtered_by_country(client, climate_action):
    digital = ThemeFactory(slug="digital-divide", name="Digital divide")
    other = JointActionFactory(title="Laptops for all", issue=digital)
    ParticipationFactory(joint_action=other, organisation=OrganisationFactory(country="BE"))
    JointActionFactory(title="Hidden draft", issue=digital, status=JointAction.Status.DRAFT)
    response = client.get(LIST)
    html = response.content.decode()
    assert "Warm homes, cool planet" in html and "Laptops for all" in html and "Hidden draft" not in html
    groups = response.context["groups"]
    assert [theme.slug for theme in groups] == ["climate-change", "digital-divide"]
    assert [a.title for a in client.get(LIST, {"country": "SE"}).context["page_obj"].object_list] == [
        "Warm homes, cool planet"
    ]
    assert [a.title for a in client.get(LIST, {"issue": "digital-divide"}).context["page_obj"].object_list] == [
        "Laptops for all"
    ]


@pytest.mark.parametrize("params", [{"country": "ZZ"}, {"country": "s\x00"}, {"issue": "x" * 3000}, {"page": "x"}])
def test_bad_list_parameters_never_500(client, climate_action, params):
    # A control character in the address gets the 400 page (core.http); other bad values are ignored.
    assert client.get(LIST, params).status_code == (400 if "\x00" in "".join(params.values()) else 200)


@pytest.mark.parametrize("n", [5, 60])
def test_the_list_runs_a_constant_number_of_queries(client, django_assert_num_queries, n):
    theme = ThemeFactory(slug="cost-of-living", name="Cost of living")
    for _i in range(n):
        ParticipationFactory(joint_action=JointActionFactory(issue=theme))
    with django_assert_num_queries(5):
        client.get(LIST)


def test_the_detail_shows_participants_with_roles_and_links(client, climate_action, organiser):
    guide = make_guide(author=organiser, title="Energy cafés", language="en", status=Guide.Status.PUBLISHED)
    climate_action.guides.add(guide.work)
    html = client.get(climate_action.get_absolute_url()).content.decode()
    assert "Navet i Bergsjön" in html and "lead" in html and "partner" in html
    assert "Energy cafés" in html


def test_draft_joint_actions_are_for_coordinators(client_as):
    action = JointActionFactory(status=JointAction.Status.DRAFT)
    for role, status in {"anonymous": 404, "organiser": 404, "funder": 404, "coordinator": 200}.items():
        assert client_as(role).get(action.get_absolute_url()).status_code == status, role


def test_members_of_participating_organisations_post_updates(client_as, climate_action, organiser, other_organiser):
    navet = Organisation.objects.get(name="Navet i Bergsjön")
    MembershipFactory(member=organiser.member, organisation=navet)
    url = reverse("practice:joint_action_update_add", kwargs={"slug": climate_action.slug})
    response = client_as("organiser").post(url, {"date": "2026-11-20", "text": "Forty homes insulated."})
    assert response.status_code == 302
    assert climate_action.updates.get().text == "Forty homes insulated."
    assert client_as("other_organiser").post(url, {"date": "2026-11-20", "text": "x"}).status_code == 403
    assert client_as("funder").post(url, {"date": "2026-11-20", "text": "x"}).status_code == 403
    assert client_as("anonymous").post(url, {"date": "2026-11-20", "text": "x"}).status_code == 302
    assert climate_action.updates.count() == 1
    html = client_as("anonymous").get(climate_action.get_absolute_url()).content.decode()
    assert "Forty homes insulated." in html


def test_an_update_may_link_a_guide_or_a_record_that_readers_see_if_they_may(
    client_as, climate_action, organiser, coordinator
):
    navet = Organisation.objects.get(name="Navet i Bergsjön")
    MembershipFactory(member=organiser.member, organisation=navet)
    url = reverse("practice:joint_action_update_add", kwargs={"slug": climate_action.slug})
    guide = make_guide(
        author=organiser, coordinator=coordinator, title="Warm homes guide", language="en", status="published"
    )
    public = EvidenceRecordFactory(title="Insulation outcomes", status="published", visibility="public")
    members_only = EvidenceRecordFactory(title="Members' notes", status="published", visibility="members")
    draft = make_guide(author=coordinator, title="Unpublished plan", language="en")
    client = client_as("organiser")
    assert (
        client.post(url, {"date": "2026-11-20", "text": "Guide used.", "link": guide.get_absolute_url()}).status_code
        == 302
    )
    client.post(
        url, {"date": "2026-11-21", "text": "Outcomes in.", "link": f"http://testserver/sv{public.get_absolute_url()}"}
    )
    client.post(url, {"date": "2026-11-22", "text": "Notes in.", "link": members_only.get_absolute_url()})
    # A draft the poster may not read, or another site's page, adds nothing.
    client.post(url, {"date": "2026-11-23", "text": "Draft.", "link": draft.get_absolute_url()})
    client.post(url, {"date": "2026-11-24", "text": "Elsewhere.", "link": "https://example.com/some/page/"})
    updates = {u.text: u for u in climate_action.updates.all()}
    assert set(updates) == {"Guide used.", "Outcomes in.", "Notes in."}
    assert updates["Guide used."].guide == guide.work and updates["Outcomes in."].record == public
    anonymous = client_as("anonymous").get(climate_action.get_absolute_url()).content.decode()
    assert "Warm homes guide" in anonymous and "Insulation outcomes" in anonymous
    # The members-only record's link is for members only; the update itself is public.
    assert "Notes in." in anonymous and "Members&#x27; notes" not in anonymous and "Members' notes" not in anonymous
    member_page = client_as("organiser").get(climate_action.get_absolute_url()).content.decode()
    assert "Members&#x27; notes" in member_page


def test_an_update_may_carry_a_described_picture_served_as_the_action_is(client_as, climate_action, organiser):
    navet = Organisation.objects.get(name="Navet i Bergsjön")
    MembershipFactory(member=organiser.member, organisation=navet)
    url = reverse("practice:joint_action_update_add", kwargs={"slug": climate_action.slug})
    client = client_as("organiser")
    # A picture needs its description.
    client.post(url, {"date": "2026-11-20", "text": "No words.", "picture": SimpleUploadedFile("a.png", PNG)})
    assert not climate_action.updates.exists()
    client.post(
        url,
        {
            "date": "2026-11-20",
            "text": "The first insulated block.",
            "picture": SimpleUploadedFile("IMG_0001.png", PNG),
            "picture_alt": "Volunteers on scaffolding",
        },
    )
    update = climate_action.updates.get()
    assert update.picture and "IMG_0001" not in update.picture.name
    page = client_as("anonymous").get(climate_action.get_absolute_url()).content.decode()
    assert 'alt="Volunteers on scaffolding"' in page and update.picture.url in page
    served = client_as("anonymous").get(update.picture.url)
    assert served.status_code == 200 and served["Content-Type"].startswith("image/")
    # A draft action's pictures are for coordinators only, like the action.
    JointAction.objects.filter(pk=climate_action.pk).update(status=JointAction.Status.DRAFT)
    assert client_as("anonymous").get(update.picture.url).status_code == 404
    assert client_as("coordinator").get(update.picture.url).status_code == 200


def test_only_coordinators_start_joint_actions(organiser, coordinator):
    theme = ThemeFactory(slug="climate-change")
    with pytest.raises(PermissionDenied):
        services.joint_action_create(user=organiser, title="X", issue=theme)
    action = services.joint_action_create(
        user=coordinator,
        title="Cost of living across borders",
        issue=theme,
        participants=[(OrganisationFactory(country="SE"), "lead"), (OrganisationFactory(country="NL"), "ally")],
    )
    assert action.slug == "cost-of-living-across-borders"
    assert sorted(action.participations.values_list("role", flat=True)) == ["ally", "lead"]


def test_digest_items_in_the_window(organiser, climate_action):
    before = timezone.now() - dt.timedelta(seconds=1)
    dutch = make_guide(
        author=organiser, title="Lerende Gemeenschap", language="nl", status=Guide.Status.PUBLISHED, countries=["NL"]
    )
    make_translation(dutch, language="en", title="Learning Community", status=Guide.Status.PUBLISHED)
    make_guide(author=organiser, title="Draft only", language="en")
    JointActionUpdate.objects.create(joint_action=climate_action, date=dt.date(2026, 11, 20), text="Started.")
    after = timezone.now() + dt.timedelta(seconds=1)
    items = digest_items(since=before, until=after)
    assert [(i["section"], i["title"]) for i in items] == [
        ("guides", "Lerende Gemeenschap"),
        ("guides", "Learning Community"),
        ("joint_actions", "Warm homes, cool planet"),
    ]
    first = items[0]
    assert (
        first["language"] == "nl"
        and first["countries"] == ["NL"]
        and first["audiences"] == {"public", "members", "funders", "coordinators"}
    )
    assert first["url"] == dutch.get_absolute_url() and first["key"] == f"guide:{dutch.pk}"
    assert items[2]["countries"] == ["NL", "SE"] and items[2]["themes"] == ["climate-change"]
    assert digest_items(since=after, until=after + dt.timedelta(days=1)) == []


def test_a_country_filter_keeps_counting_every_participant(client, climate_action):
    response = client.get(LIST, {"country": "SE"})
    (action,) = response.context["page_obj"].object_list
    assert action.organisation_count == 2 and "2 organisations" in response.content.decode()
