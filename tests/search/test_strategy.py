"""The strategy in the cross-site search: sections of published versions, amendments as their
pages show them, convening commitments; and group-led joint actions awaiting review stay out."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from exchanges.models import Exchange
from network.models import Role
from strategy import services
from strategy.models import Commitment
from tests.factories.exchanges import ExchangeFactory
from tests.factories.network import MembershipFactory, OrganisationFactory, ThemeFactory, UserFactory
from tests.factories.strategy import strategy_make

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:index")
ROLES = ("anonymous", "organiser", "coordinator")


def hits(client, q, **params):
    results = client.get(SEARCH, {"q": q, **params}).context["results"]
    return [(hit.kind, hit.title.replace("<mark>", "").replace("</mark>", "")) for hit in results.hits]


def kinds_found(client_as, q) -> dict[str, set[str]]:
    return {role: {kind for kind, _title in hits(client_as(role), q)} for role in ROLES}


def propose(consultation, section, user, text):
    return services.amendment_create(
        consultation=consultation,
        section=section,
        proposer=user,
        text=text,
        explanation="",
        language="en",
        submission=uuid.uuid4(),
    )


def test_a_published_section_is_found_by_its_words_in_every_language_and_a_drafts_are_not(
    client, client_as, coordinator
):
    document, v1, v2, _round = strategy_make(coordinator=coordinator)
    # The draft's new text is for the consultation's readers, not for the search.
    services.version_text_save(
        version=v2,
        language="en",
        title="Sustaining the Learning Lab",
        sections={"vision": "Organisers learn from each other.", "sustained": "Foundations give grants."},
    )
    for role in ROLES:
        assert hits(client_as(role), "fee") == [("strategy_section", "How the network is sustained")], role
        assert hits(client_as(role), "grants") == [], role
    # A Swedish word of the translation finds it too, listed under the Swedish reader's heading.
    client.logout()
    assert hits(client, "avgift") == [("strategy_section", "How the network is sustained")]
    response = client.get("/sv" + SEARCH, {"q": "avgift"})
    (hit,) = response.context["results"].hits
    assert hit.title == "Hur nätverket hålls vid liv"
    with translation.override("en"):
        assert hit.url == f"/sv{v1.get_absolute_url()}#section-sustained"
    # Publishing the draft: its text is now the section's.
    services.version_publish(version=v2)
    assert hits(client, "grants") == [("strategy_section", "How the network is sustained")]
    assert hits(client, "fee") == []


def test_amendments_are_found_by_whom_their_pages_show_them_to(client_as, coordinator, organiser, funder):
    document, _v1, v2, consultation = strategy_make(coordinator=coordinator)
    sustained = document.sections.get(key="sustained")
    accepted = propose(consultation, sustained, funder, "Cooperatives share their surplus.")
    declined = propose(consultation, sustained, funder, "Lotteries pay for everything.")
    services.amendment_decline(amendment=declined, by=coordinator, reason="Not a stable income.")
    # During the round: the draft and its amendments are for signed-in members.
    expected = {"anonymous": set(), "organiser": {"amendment"}, "coordinator": {"amendment"}}
    assert kinds_found(client_as, "cooperatives") == expected
    assert kinds_found(client_as, "lotteries") == expected
    # The decline's reason is the proposer's, not something to search.
    assert kinds_found(client_as, "stable") == {role: set() for role in ROLES}
    # Accepted into the version that is then published: its page credits it, for everyone.
    services.amendment_accept(amendment=accepted, by=coordinator)
    services.version_publish(version=v2)
    found = kinds_found(client_as, "cooperatives")
    assert found == {role: {"amendment", "strategy_section"} for role in ROLES}
    assert kinds_found(client_as, "lotteries") == expected
    client = client_as("anonymous")
    (hit,) = [h for h in client.get(SEARCH, {"q": "cooperatives"}).context["results"].hits if h.kind == "amendment"]
    assert hit.url == f"{v2.get_absolute_url()}#credits-heading"
    # The proposer's name is never part of what is searched.
    name = funder.member.display_name.split()[0]
    assert not any("amendment" in kinds for kinds in kinds_found(client_as, name).values())


def test_commitments_are_found_as_their_pages_show_them(client_as, organiser):
    theme = ThemeFactory(slug="housing-x", name="Housing")
    convening = ExchangeFactory(kind=Exchange.Kind.CONVENING, status=Exchange.Status.PUBLISHED)
    holder = OrganisationFactory(name="Hyresgästföreningen Test", country="SE")
    public = Commitment.objects.create(
        exchange=convening, title="Fund tenant organisers", due_on=timezone.localdate(), theme=theme
    )
    public.organisations.set([holder])
    Commitment.objects.create(
        exchange=convening, title="Pool tenant data", due_on=timezone.localdate(), visibility="members"
    )
    draft_convening = ExchangeFactory(kind=Exchange.Kind.CONVENING, status=Exchange.Status.DRAFT)
    Commitment.objects.create(exchange=draft_convening, title="Secret tenant pledge", due_on=timezone.localdate())
    found = {
        role: sorted(title for _kind, title in hits(client_as(role), "tenant", type="commitment")) for role in ROLES
    }
    assert found["anonymous"] == ["Fund tenant organisers"]
    assert found["organiser"] == ["Fund tenant organisers", "Pool tenant data"]
    assert found["coordinator"] == ["Fund tenant organisers", "Pool tenant data", "Secret tenant pledge"]
    # A progress note and a holder's country are found too.
    services.commitment_update_add(
        commitment=public, user=organiser, status="under_way", note="Three organisers hired.", submission=uuid.uuid4()
    )
    client = client_as("anonymous")
    assert hits(client, "hired") == [("commitment", "Fund tenant organisers")]
    response = client.get(SEARCH, {"q": "hired"})
    facets = {group["name"]: group["values"] for group in response.context["results"].facet_groups}
    assert [(f["label"], f["count"]) for f in facets["kind"]] == [("Commitment", 1)]
    assert [f["value"] for f in facets["country"]] == ["SE"]
    assert [f["label"] for f in facets["theme"]] == ["Housing"]


def test_the_new_kinds_have_translated_labels_and_facets(client, coordinator):
    strategy_make(coordinator=coordinator)
    page = client.get("/sv" + SEARCH, {"q": "avgift"})
    facets = {group["name"]: group["values"] for group in page.context["results"].facet_groups}
    assert [f["label"] for f in facets["kind"]] == ["Strategiavsnitt"]
    assert "Strategiavsnitt" in page.content.decode()
    page = client.get("/nl" + SEARCH, {"q": "fee"})
    facets = {group["name"]: group["values"] for group in page.context["results"].facet_groups}
    assert [f["label"] for f in facets["kind"]] == ["Strategieonderdeel"]


def test_a_group_led_joint_action_awaiting_review_is_not_found(client, client_as, coordinator):
    from practice.models import JointAction

    lead = OrganisationFactory(name="Tillsammans Hjällbo")
    proposer = UserFactory(email="proposer@example.org", role=Role.ORGANISER)
    MembershipFactory(member=proposer.member, organisation=lead)
    client.force_login(proposer)
    client.post(
        reverse("practice:joint_action_propose"),
        {
            "title": "Warm homes across borders",
            "issue": ThemeFactory(slug="climate-x", name="Climate").pk,
            "countries": ["SE"],
            "summary": "Tenants push for insulation together.",
            "organisation": lead.pk,
            "role": "lead",
        },
    )
    action = JointAction.objects.get(title="Warm homes across borders")
    assert action.status == JointAction.Status.DRAFT
    assert hits(client, "insulation") == []  # not even for its proposer
    assert {role: bool(hits(client_as(role), "insulation")) for role in ROLES} == {
        "anonymous": False,
        "organiser": False,
        "coordinator": True,
    }
    client_as("coordinator").post(reverse("practice:joint_action_publish", kwargs={"slug": action.slug}))
    assert hits(client_as("anonymous"), "insulation") == [("joint_action", "Warm homes across borders")]


def test_a_full_reindex_writes_the_same_strategy_entries_as_the_signals(coordinator, funder):
    from django.core.management import call_command

    from search.models import SearchEntry

    document, _v1, _v2, consultation = strategy_make(coordinator=coordinator)
    propose(consultation, document.sections.get(key="vision"), funder, "Cooperatives share their surplus.")
    convening = ExchangeFactory(kind=Exchange.Kind.CONVENING, status=Exchange.Status.PUBLISHED)
    commitment = Commitment.objects.create(
        exchange=convening, title="Fund tenant organisers", due_on=timezone.localdate()
    )
    commitment.organisations.set([OrganisationFactory(country="SE")])
    kinds = ("strategy_section", "amendment", "commitment")
    fields = ("kind", "object_id", "language", "title", "summary", "body", "url", "themes", "countries")

    def entries():
        return sorted(SearchEntry.objects.filter(kind__in=kinds).values_list(*fields))

    by_signals = entries()
    assert {row[0] for row in by_signals} == set(kinds)
    SearchEntry.objects.all().delete()
    call_command("search_reindex")
    assert entries() == by_signals
