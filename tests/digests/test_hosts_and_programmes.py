"""The digest carries offers to host that coordinators approved (to members whose themes and
languages they match, or to everyone whose profile names none), published programmes new or
changed in the period, and, for a cohort's members, the upcoming exchanges of their programme."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils.text import slugify

from digests.models import Frequency
from digests.services import digest_run
from exchanges.models import Exchange, HostOffer
from programmes.models import Enrolment, Programme
from tests.factories.digests import LAST_WEEK, NOW, exchange, member, registration, theme
from tests.factories.network import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_weekly(django_capture_on_commit_callbacks):
    def _run():
        with django_capture_on_commit_callbacks(execute=True):
            return digest_run(frequency=Frequency.WEEKLY, now=NOW)

    return _run


def text_of(user) -> str:
    messages = [m for m in mail.outbox if m.to == [user.email]]
    return "\n".join(m.body for m in messages)


def offer(title: str, *, status=HostOffer.Status.APPROVED, themes=("housing",), languages=("sv",), reviewed=LAST_WEEK):
    item = HostOffer.objects.create(
        organisation=OrganisationFactory(name=f"Host of {title}", country="SE"),
        title=title,
        description="Three days of door-knocking.",
        format="in_person",
        months=["2027-03"],
        working_languages=list(languages),
        status=status,
    )
    item.themes.set([theme(slug) for slug in themes])
    HostOffer.objects.filter(pk=item.pk).update(reviewed_at=reviewed)
    return item


def programme(title: str, *, status=Programme.Status.PUBLISHED, updated=LAST_WEEK, cohort=Programme.Cohort.NONE):
    item = Programme.objects.create(
        title=title,
        slug=slugify(title),
        summary=f"Summary of {title}",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 6, 30),
        status=status,
        cohort=cohort,
    )
    Programme.objects.filter(pk=item.pk).update(content_changed_at=updated)
    return item


def test_approved_offers_reach_members_whose_themes_and_languages_they_match(run_weekly):
    matching = member(themes=("housing",), languages=("sv",))
    no_profile = member()
    other_theme = member(themes=("climate",), languages=("sv",))
    other_language = member(themes=("housing",), languages=("nl",))
    # Something for everyone, so that a digest goes to each of them.
    exchange(title="Exchange for everyone")
    offer("Approved visit to Hjällbo")
    offer("Pending visit to Angered", status=HostOffer.Status.SUBMITTED)
    offer("Declined visit to Bergsjön", status=HostOffer.Status.DECLINED)
    offer("Visit approved a month ago", reviewed=LAST_WEEK - dt.timedelta(days=30))

    run_weekly()

    assert "Approved visit to Hjällbo" in text_of(matching)
    assert "New offers to host" in text_of(matching)
    assert "Approved visit to Hjällbo" in text_of(no_profile)
    assert "Approved visit to Hjällbo" not in text_of(other_theme)
    assert "Approved visit to Hjällbo" not in text_of(other_language)
    for user in (matching, no_profile, other_theme, other_language):
        text = text_of(user)
        assert "Exchange for everyone" in text
        assert "Angered" not in text and "Bergsjön" not in text and "a month ago" not in text


def test_a_member_who_turned_offers_off_does_not_get_them(run_weekly):
    reader = member(send_host_offers=False)
    exchange(title="Exchange for everyone")
    offer("Approved visit to Hjällbo")
    run_weekly()
    assert "Exchange for everyone" in text_of(reader) and "Hjällbo" not in text_of(reader)


def test_new_and_updated_published_programmes_reach_members_and_drafts_reach_no_one(run_weekly):
    reader = member()
    swedish = member(language="sv")
    programme("Learning Lab 2027")
    programme("Secret plan", status=Programme.Status.DRAFT)
    programme("Old programme", updated=LAST_WEEK - dt.timedelta(days=30))

    run_weekly()

    text = text_of(reader)
    assert "Learning Lab 2027" in text and "New and updated programmes" in text
    assert "Secret plan" not in text and "Old programme" not in text
    assert "Nya och uppdaterade program" in text_of(swedish)


def test_cohort_members_are_reminded_of_their_programmes_upcoming_exchanges(run_weekly):
    enrolled = member()
    registered = member()
    outsider = member()
    training = programme("Göteborg training", cohort=Programme.Cohort.OPEN)
    soon = exchange(
        title="Training day in Göteborg",
        opens_at=NOW - dt.timedelta(days=60),
        starts_at=NOW + dt.timedelta(days=10),
    )
    later = exchange(
        title="Training day next spring", opens_at=NOW - dt.timedelta(days=60), starts_at=NOW + dt.timedelta(days=90)
    )
    training.exchanges.add(soon, later)
    Programme.objects.filter(pk=training.pk).update(updated_at=LAST_WEEK)
    for user in (enrolled, registered):
        Enrolment.objects.create(programme=training, user=user, state=Enrolment.State.ENROLLED)
    registration(registered, soon)

    run_weekly()

    assert "Training day in Göteborg" in text_of(enrolled) and "Your upcoming exchanges" in text_of(enrolled)
    assert "Training day next spring" not in text_of(enrolled)
    # Not enrolled: the programme is news, its exchanges are not their reminders.
    assert "Göteborg training" in text_of(outsider) and "Training day in Göteborg" not in text_of(outsider)
    # Signed up already: the exchanges app reminds them, once.
    assert text_of(registered).count("Training day in Göteborg") == 1
    assert Exchange.objects.count() == 2
