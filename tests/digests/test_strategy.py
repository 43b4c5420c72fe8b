"""The strategy in the digest: progress on the commitments a member's own organisations hold,
updates on the joint actions they take part in, and (for members who asked to hear about the
strategy) newly published versions and consultations that opened, in the member's language."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail

from digests.models import Frequency
from digests.services import digest_run
from exchanges.models import Exchange
from network.models import Membership
from practice.models import JointActionUpdate
from strategy import services
from strategy.models import Commitment, CommitmentUpdate
from tests.factories.digests import LAST_WEEK, NOW, member, theme
from tests.factories.exchanges import ExchangeFactory
from tests.factories.network import MembershipFactory, OrganisationFactory
from tests.factories.practice import JointActionFactory, ParticipationFactory
from tests.factories.strategy import strategy_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_weekly(django_capture_on_commit_callbacks):
    def _run():
        with django_capture_on_commit_callbacks(execute=True):
            return digest_run(frequency=Frequency.WEEKLY, now=NOW)

    return _run


def text_of(user) -> str:
    """The member's digest (text and HTML), or "" when they were sent none."""
    messages = [m for m in mail.outbox if m.to == [user.email]]
    assert len(messages) <= 1
    return "".join(m.body + m.alternatives[0][0] for m in messages)


def _belongs(user, organisation, state=Membership.State.APPROVED):
    MembershipFactory(member=user.member, organisation=organisation, state=state)


@pytest.fixture
def organisations():
    return OrganisationFactory(name="Holder Org", country="SE"), OrganisationFactory(name="Other Org", country="NL")


def _commitment_update(holder, author, note):
    convening = ExchangeFactory(kind=Exchange.Kind.CONVENING, status=Exchange.Status.PUBLISHED)
    commitment = Commitment.objects.create(exchange=convening, title="Fund tenant organisers", due_on=NOW.date())
    commitment.organisations.set([holder])
    update = services.commitment_update_add(
        commitment=commitment, user=author, status="under_way", note=note, submission=uuid.uuid4()
    )
    CommitmentUpdate.objects.filter(pk=update.pk).update(created_at=LAST_WEEK)
    return commitment


def test_only_members_of_the_holding_organisation_get_a_commitments_progress(run_weekly, organisations):
    holder, other = organisations
    # Interests that would filter out everything else: their own organisation's news still comes.
    ours = member(name="Ours", themes=("care",), country="DE", languages=("de",))
    theirs = member(name="Theirs")
    asked = member(name="Asked only")
    _belongs(ours, holder)
    _belongs(theirs, other)
    _belongs(asked, holder, state=Membership.State.REQUESTED)
    _commitment_update(holder, ours, "Three organisers hired.")
    run_weekly()
    digest = text_of(ours)
    assert "Progress on your organisations' commitments" in digest
    assert "Fund tenant organisers" in digest and "under way: Three organisers hired." in digest
    assert "Three organisers hired." not in text_of(theirs)
    assert "Three organisers hired." not in text_of(asked)


def test_updates_on_joint_actions_of_a_members_organisation_come_whatever_their_themes(run_weekly, organisations):
    holder, other = organisations
    ours = member(name="Ours", themes=("care",), themes_scope="profile")
    follower = member(name="Follower", themes=("care",), themes_scope="profile")
    _belongs(ours, holder)
    _belongs(follower, other)
    action = JointActionFactory(title="Warm homes across borders", issue=theme("housing"))
    ParticipationFactory(joint_action=action, organisation=holder)
    update = JointActionUpdate.objects.create(joint_action=action, date=LAST_WEEK.date(), text="Petition handed in.")
    JointActionUpdate.objects.filter(pk=update.pk).update(created_at=LAST_WEEK)
    run_weekly()
    assert "Petition handed in." in text_of(ours)
    # Not theirs, and not on their themes.
    assert "Petition handed in." not in text_of(follower)


def test_strategy_news_goes_to_those_who_asked_in_their_language(run_weekly, coordinator):
    # A round that opened last week on the draft of one strategy, and a second strategy published last week.
    strategy_make(coordinator=coordinator, now=LAST_WEEK + dt.timedelta(days=1))
    strategy_make(slug="second", coordinator=coordinator, open_round=False, now=LAST_WEEK + dt.timedelta(days=30))
    swedish = member(name="Svensk", language="sv", send_consultations=True)
    dutch = member(name="Nederlands", language="nl", send_consultations=True)
    english = member(name="English", send_consultations=True)
    quiet = member(name="Quiet", send_consultations=False)
    run_weekly()
    digest = text_of(english)
    assert "The strategy: new versions and consultations" in digest
    assert "Version 1 is published." in digest
    assert "A consultation on the draft is open until" in digest
    sv = text_of(swedish)
    assert "Strategin: nya versioner och samråd" in sv
    assert "Att hålla Learning Lab vid liv" in sv
    assert "Version 1 är publicerad." in sv and "Ett samråd om utkastet är öppet till" in sv
    nl = text_of(dutch)
    assert "De strategie: nieuwe versies en consultaties" in nl
    assert "Versie 1 is gepubliceerd." in nl and "Een consultatie over het concept is open tot" in nl
    assert text_of(quiet) == ""


def test_the_commitments_section_is_translated(run_weekly, organisations):
    holder, _other = organisations
    swedish = member(name="Svensk", language="sv")
    dutch = member(name="Nederlands", language="nl")
    _belongs(swedish, holder)
    _belongs(dutch, holder)
    _commitment_update(holder, swedish, "Tre organisatörer anställda.")
    run_weekly()
    assert "Framsteg i era organisationers åtaganden" in text_of(swedish)
    assert "Voortgang van de toezeggingen van uw organisaties" in text_of(dutch)
