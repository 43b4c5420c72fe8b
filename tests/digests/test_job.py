"""The digest job: windows, exactly-once claims, visibility and filters, emails, query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests.models import DigestDelivery, DigestPreference, DigestRun, Frequency, Scope, period_for
from digests.services import digest_batch_send, digest_run
from evidence.models import EvidenceRecord
from exchanges.models import Exchange
from network.models import Role
from outbox.models import OutboxMessage
from tests.factories.digests import LAST_WEEK, NOW, evidence, exchange, member, registration

pytestmark = pytest.mark.django_db

WEEK = dt.timedelta(days=7)


@pytest.fixture
def run_weekly(django_capture_on_commit_callbacks):
    def _run(now=NOW, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return digest_run(frequency=Frequency.WEEKLY, now=now, **kwargs)

    return _run


def sent_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def text_of(user) -> str:
    (message,) = sent_to(user)
    return message.body


# --- Periods --------------------------------------------------------------------------------


def test_weekly_period_is_the_iso_week_that_just_ended():
    period = period_for("weekly", NOW)
    assert period.key == "2026-W47"
    assert period.start == dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
    assert period.until == dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    # Any time in the same week gives the same period.
    assert period_for("weekly", dt.datetime(2026, 11, 29, 23, 59, tzinfo=dt.UTC)) == period


def test_weekly_period_across_the_new_year_and_monthly_period():
    assert period_for("weekly", dt.datetime(2027, 1, 4, 6, tzinfo=dt.UTC)).key == "2026-W53"
    january = period_for("monthly", dt.datetime(2027, 1, 1, 6, tzinfo=dt.UTC))
    assert january.key == "2026-12"
    assert january.start == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert january.until == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        period_for("off", NOW)


# --- One digest, its parts and headers ------------------------------------------------------


def test_member_gets_one_digest_in_html_and_text_with_unsubscribe_headers(run_weekly):
    reader = member(name="Amina Yusuf")
    exchange(title="Tenant organising across borders")
    evidence(title="Bergsjön repairs won")

    result = run_weekly()

    assert (result.queued, result.empty, result.already) == (1, 0, 0)
    (message,) = sent_to(reader)
    assert message.subject == "Learning Lab this week: 2 new items for you"
    assert "Hello Amina Yusuf," in message.body
    assert "Tenant organising across borders" in message.body
    assert "Bergsjön repairs won" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Tenant organising across borders" in html and "Bergsjön repairs won" in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://testserver/digests/unsubscribe/") and unsubscribe.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in message.body and "http://testserver/digests/preferences/" in message.body
    delivery = DigestDelivery.objects.get(user=reader)
    assert (delivery.period, delivery.state, delivery.item_count) == ("2026-W47", "queued", 2)
    assert delivery.message.state == OutboxMessage.State.SENT
    assert delivery.message.kind == "digest"


def test_each_reader_gets_an_exchanges_title_and_summary_in_their_language(run_weekly):
    from exchanges.models import ExchangeTranslation

    english, swedish = member(language="en"), member(language="sv")
    news = exchange(title="Tenant organising across borders", summary="Organisers compare notes.")
    ExchangeTranslation.objects.create(
        exchange=news, language="sv", title="Hyresgästorganisering över gränser", summary="Organisatörer jämför."
    )

    run_weekly()

    assert "Tenant organising across borders" in text_of(english) and "Hyresgäst" not in text_of(english)
    assert "Hyresgästorganisering över gränser" in text_of(swedish) and "Organisatörer jämför." in text_of(swedish)
    assert "Tenant organising across borders" not in text_of(swedish)
    assert "Hyresgästorganisering över gränser" in sent_to(swedish)[0].alternatives[0][0]


def test_user_text_in_items_is_escaped_in_the_html(run_weekly):
    reader = member()
    exchange(title="<script>alert(1)</script> & friends")

    run_weekly()

    html = sent_to(reader)[0].alternatives[0][0]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends" in html


def test_members_of_one_batch_each_get_their_own_name_links_and_items(run_weekly):
    # One language and window, so their digests share one rendered frame (digest_render).
    ann = member(name='Ann <b>"&"</b>', themes=("housing",))
    bo = member(name="Bo", themes=("climate",))
    exchange(title="Housing exchange", themes=("housing",))
    exchange(title="Climate exchange", themes=("climate",))

    result = run_weekly()

    assert result.queued == 2
    for reader, name, own, other in (
        (ann, 'Ann <b>"&"</b>', "Housing exchange", "Climate exchange"),
        (bo, "Bo", "Climate exchange", "Housing exchange"),
    ):
        (message,) = sent_to(reader)
        html = message.alternatives[0][0]
        assert f"Hello {name}," in message.body
        assert own in message.body and own in html
        assert other not in message.body and other not in html
        assert "\x00" not in message.body and "\x00" not in html
        unsubscribe = message.extra_headers["List-Unsubscribe"][1:-1]
        assert unsubscribe in message.body and f'href="{unsubscribe}"' in html
        assert message.subject == "Learning Lab this week: 1 new item for you"
    ann_html = sent_to(ann)[0].alternatives[0][0]
    assert "Hello Ann &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;," in ann_html
    # (Checked as the greeting: a random signed token could contain the letters "Bo".)
    assert "Hello Bo," not in sent_to(ann)[0].body
    # Each member's links are signed for them: Ann's unsubscribe link unsubscribes Ann only.
    ann_link = sent_to(ann)[0].extra_headers["List-Unsubscribe"][1:-1]
    bo_link = sent_to(bo)[0].extra_headers["List-Unsubscribe"][1:-1]
    assert ann_link != bo_link
    assert DigestDelivery.objects.get(user=ann).message.to == ann.email


def test_the_admin_preview_shows_what_the_job_sends(run_weekly):
    from digests.services import digest_preview

    reader = member(name="Amina")
    exchange(title="Tenant organising across borders")
    preview = digest_preview(user=reader, now=NOW)

    run_weekly()

    (message,) = sent_to(reader)

    def untimed(text: str) -> str:
        # The signed links carry the second they were made in; the rest must be identical.
        return re.sub(r"/digests/(unsubscribe|preferences)/[^/\s\"<>]+/", r"/digests/\1/TOKEN/", text)

    assert preview.subject == message.subject
    assert untimed(preview.text) == untimed(message.body)
    assert untimed(preview.html) == untimed(message.alternatives[0][0])
    assert "/digests/unsubscribe/TOKEN/" in untimed(message.body)


def test_long_sections_are_cut_with_a_link_to_the_rest(run_weekly):
    # A two-week window, so that each of the 13 records is published on a day of its own
    # (the evidence app reports the day of publication, not the time).
    since = period_for("weekly", NOW).start - WEEK
    reader = member(covered_until=since)
    for n in range(13):
        evidence(title=f"Story number {n:02d}", published_at=since + dt.timedelta(days=n, hours=12))

    run_weekly()

    body = text_of(reader)
    assert body.count("Story number") == 10
    # Newest first: the three oldest are the ones left for the list page.
    assert "Story number 12" in body and "Story number 02" not in body
    assert "… and 3 more: http://testserver/evidence/" in body


# --- Windows: no gaps, no repeats -----------------------------------------------------------


def test_items_exactly_on_the_window_edges(run_weekly):
    reader = member()
    period = period_for("weekly", NOW)
    evidence(title="First second of the week", published_at=period.start)
    evidence(title="Just before the week", published_at=period.start - dt.timedelta(seconds=1))
    evidence(title="First second of the next week", published_at=period.until)

    run_weekly()

    body = text_of(reader)
    assert "First second of the week" in body
    assert "Just before the week" not in body
    assert "First second of the next week" not in body


def test_consecutive_digests_have_no_gaps_and_no_repeats(run_weekly):
    reader = member()
    evidence(title="Week 47 story", published_at=LAST_WEEK)
    evidence(title="Week 48 story", published_at=NOW + dt.timedelta(days=1))
    week_50 = NOW - dt.timedelta(hours=6) + 2 * WEEK
    evidence(title="Week 49 story", published_at=week_50 - dt.timedelta(seconds=1))
    evidence(title="Week 50 story", published_at=week_50)

    run_weekly(NOW)
    run_weekly(NOW + WEEK)
    run_weekly(NOW + 2 * WEEK)

    bodies = [m.body for m in sent_to(reader)]
    assert len(bodies) == 3
    assert ["Week 47 story" in b for b in bodies] == [True, False, False]
    assert ["Week 48 story" in b for b in bodies] == [False, True, False]
    assert ["Week 49 story" in b for b in bodies] == [False, False, True]
    assert not any("Week 50 story" in b for b in bodies)
    assert "from 30 November 2026 to 6 December 2026" in bodies[2]
    windows = list(
        DigestDelivery.objects.filter(user=reader).order_by("window_since").values_list("window_since", "window_until")
    )
    for (_since, until), (next_since, _next_until) in zip(windows, windows[1:], strict=False):
        assert until == next_since


def test_member_with_nothing_new_gets_nothing_but_the_window_advances(run_weekly):
    reader = member()
    evidence(title="Old news", published_at=LAST_WEEK - 2 * WEEK)

    result = run_weekly()

    assert (result.queued, result.empty) == (0, 1)
    assert sent_to(reader) == []
    assert OutboxMessage.objects.count() == 0
    delivery = DigestDelivery.objects.get(user=reader)
    assert (delivery.state, delivery.message) == ("empty", None)
    assert DigestPreference.objects.get(user=reader).covered_until == period_for("weekly", NOW).until


def test_switching_from_weekly_to_monthly_continues_where_the_last_digest_ended(
    run_weekly, django_capture_on_commit_callbacks
):
    reader = member()
    evidence(title="Mid-November story", published_at=LAST_WEEK)
    run_weekly()
    DigestPreference.objects.filter(user=reader).update(frequency=Frequency.MONTHLY)
    evidence(title="Late November story", published_at=dt.datetime(2026, 11, 25, tzinfo=dt.UTC))

    with django_capture_on_commit_callbacks(execute=True):
        result = digest_run(frequency=Frequency.MONTHLY, now=dt.datetime(2026, 12, 1, 6, tzinfo=dt.UTC))

    assert result.queued == 1
    monthly = sent_to(reader)[1]
    assert "Learning Lab this month" in monthly.subject
    assert "Late November story" in monthly.body
    assert "Mid-November story" not in monthly.body
    delivery = DigestDelivery.objects.get(user=reader, frequency="monthly")
    assert delivery.window_since == dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def test_a_first_digest_covers_the_period_only():
    reader = member()
    evidence(title="Two weeks ago", published_at=LAST_WEEK - 2 * WEEK)
    evidence(title="Last week", published_at=LAST_WEEK)

    digest_run(frequency=Frequency.WEEKLY, now=NOW)

    delivery = DigestDelivery.objects.get(user=reader)
    assert delivery.window_since == period_for("weekly", NOW).start
    assert delivery.item_count == 1


def test_members_with_different_windows_share_one_run(run_weekly):
    early = member(covered_until=dt.datetime(2026, 11, 9, tzinfo=dt.UTC))
    usual = member()
    evidence(title="From the week before last", published_at=dt.datetime(2026, 11, 10, tzinfo=dt.UTC))
    evidence(title="From last week", published_at=LAST_WEEK)

    result = run_weekly()

    assert result.queued == 2
    assert DigestRun.objects.get().boundaries == [
        dt.datetime(2026, 11, 9, tzinfo=dt.UTC).isoformat(),
        dt.datetime(2026, 11, 16, tzinfo=dt.UTC).isoformat(),
    ]
    assert "From the week before last" in text_of(early) and "From last week" in text_of(early)
    assert "From the week before last" not in text_of(usual) and "From last week" in text_of(usual)


# --- Exactly once ---------------------------------------------------------------------------


def test_a_second_run_sends_nothing_twice(run_weekly):
    reader = member()
    evidence()

    first = run_weekly()
    second = run_weekly(NOW + dt.timedelta(hours=3))

    assert (first.queued, second.queued, second.due, second.already) == (1, 0, 0, 1)
    assert len(sent_to(reader)) == 1
    assert DigestDelivery.objects.count() == 1


def test_a_retried_batch_claims_nothing_and_sends_nothing(run_weekly, django_capture_on_commit_callbacks):
    reader = member()
    evidence()
    run_weekly()
    run = DigestRun.objects.get()
    # As if the batch had been delivered twice before the first one moved the window on.
    DigestPreference.objects.filter(user=reader).update(covered_until=None)

    with django_capture_on_commit_callbacks(execute=True):
        again = digest_batch_send(run=run, user_ids=[reader.pk], now=NOW)

    assert (again.queued, again.empty, again.already) == (0, 0, 1)
    assert len(sent_to(reader)) == 1
    assert OutboxMessage.objects.count() == 1


def test_dry_run_counts_and_writes_nothing():
    member()
    member()
    member(themes=("housing",))  # follows housing only: nothing for them
    evidence(title="Climate only", themes=("climate-change",))

    result = digest_run(frequency=Frequency.WEEKLY, now=NOW, dry_run=True)

    assert (result.considered, result.due, result.queued, result.empty) == (3, 3, 2, 1)
    assert not DigestDelivery.objects.exists()
    assert not DigestRun.objects.exists()
    assert not DigestPreference.objects.exists()
    assert not OutboxMessage.objects.exists()


# --- Who is sent a digest -------------------------------------------------------------------


def test_off_monthly_unverified_inactive_and_deleted_members_get_no_weekly_digest(run_weekly):
    weekly = member()
    member(frequency=Frequency.OFF)
    member(frequency=Frequency.MONTHLY)
    unverified = member()
    unverified.emailaddress_set.update(verified=False)
    inactive = member()
    inactive.is_active = False
    inactive.save()
    deleted = member()
    deleted.deleted_at = NOW
    deleted.save()
    evidence()

    result = run_weekly()

    assert result.considered == 1
    assert [m.to for m in mail.outbox] == [[weekly.email]]


def test_each_role_is_sent_only_what_its_audience_may_see(run_weekly):
    """Organisers read what is for the network; funders only what is for funders or the
    public (also when they organise too: the stricter role wins); coordinators everything."""
    organiser = member(role=Role.ORGANISER)
    funder = member(role=Role.FUNDER)
    funder_who_organises = member(role=Role.FUNDER)
    funder_who_organises.groups.add(Group.objects.get(name=Role.ORGANISER))
    coordinator = member(role=Role.COORDINATOR)
    evidence(title="Public outcome", visibility=EvidenceRecord.Visibility.PUBLIC)
    evidence(title="Funders' report", visibility=EvidenceRecord.Visibility.FUNDERS)
    evidence(title="Outcome for the network only", visibility=EvidenceRecord.Visibility.NETWORK)
    evidence(
        title="Story told to the network only",
        kind=EvidenceRecord.Kind.STORY,
        visibility=EvidenceRecord.Visibility.PUBLIC,
        consent=("network",),
    )
    exchange(title="Exchange for members")
    exchange(title="Exchange open to invited guests", audience=Exchange.Audience.MEMBERS_AND_GUESTS)
    exchange(title="Funder convening in Brussels", kind=Exchange.Kind.CONVENING)
    everything = {
        "Public outcome",
        "Funders' report",
        "Outcome for the network only",
        "Story told to the network only",
        "Exchange for members",
        "Exchange open to invited guests",
        "Funder convening in Brussels",
    }
    for_funders = {
        "Public outcome",
        "Funders' report",
        "Exchange open to invited guests",
        "Funder convening in Brussels",
    }

    run_weekly()

    def titles(user) -> set[str]:
        return {title for title in everything if title in text_of(user)}

    assert titles(organiser) == everything
    assert titles(coordinator) == everything
    assert titles(funder) == for_funders
    assert titles(funder_who_organises) == for_funders


def test_drafts_and_unpublished_items_never_appear(run_weekly):
    reader = member()
    evidence(title="Draft story", status=EvidenceRecord.Status.DRAFT)
    exchange(title="Draft exchange", status=Exchange.Status.DRAFT)
    evidence(title="Published story")

    run_weekly()

    body = text_of(reader)
    assert "Published story" in body
    assert "Draft story" not in body and "Draft exchange" not in body


# --- Filters --------------------------------------------------------------------------------


def test_themes_follow_the_profile_by_default_and_untagged_items_always_come(run_weekly):
    housing = member(themes=("housing",))
    no_themes = member()
    evidence(title="Housing story", themes=("housing",))
    evidence(title="Climate story", themes=("climate-change",))
    evidence(title="General story")

    run_weekly()

    assert ("Housing story" in text_of(housing), "Climate story" in text_of(housing)) == (True, False)
    assert "General story" in text_of(housing)
    # With no themes on the profile, "as on my profile" means all themes.
    assert "Climate story" in text_of(no_themes) and "Housing story" in text_of(no_themes)


def test_chosen_themes_and_all_themes(run_weekly):
    chosen = member(themes=("housing",), themes_scope=Scope.CHOSEN, chosen_themes=("climate-change",))
    everything = member(themes=("housing",), themes_scope=Scope.ALL)
    evidence(title="Housing story", themes=("housing",))
    evidence(title="Climate story", themes=("climate-change",))

    run_weekly()

    assert "Climate story" in text_of(chosen) and "Housing story" not in text_of(chosen)
    assert "Climate story" in text_of(everything) and "Housing story" in text_of(everything)


def test_countries_all_by_default_profile_or_chosen(run_weekly):
    everywhere = member(country="SE")
    at_home = member(country="SE", countries_scope=Scope.PROFILE)
    chosen = member(country="SE", countries_scope=Scope.CHOSEN, countries=["NL", "BE"])
    exchange(title="Visit to Gothenburg", country="SE")
    exchange(title="Visit to Hellendoorn", country="NL")
    exchange(title="Online, no country")

    run_weekly()

    assert all(t in text_of(everywhere) for t in ("Gothenburg", "Hellendoorn", "Online, no country"))
    assert "Gothenburg" in text_of(at_home) and "Hellendoorn" not in text_of(at_home)
    assert "Online, no country" in text_of(at_home)
    assert "Hellendoorn" in text_of(chosen) and "Gothenburg" not in text_of(chosen)


def test_languages_follow_spoken_languages_and_can_be_widened(run_weekly):
    swedish = member(language="sv", languages=("sv",))
    unknown = member(language="en")
    everything = member(language="sv", languages=("sv",), languages_scope=Scope.ALL)
    chosen = member(language="en", languages_scope=Scope.CHOSEN, chosen_languages=["nl"])
    evidence(title="Berättelse på svenska", language="sv")
    evidence(title="Verhaal in het Nederlands", language="nl")
    evidence(title="Story in English", language="en")

    run_weekly()

    assert "Berättelse på svenska" in text_of(swedish) and "Verhaal" not in text_of(swedish)
    assert "Story in English" not in text_of(swedish)
    # No languages on the profile: every language.
    assert all(t in text_of(unknown) for t in ("Berättelse", "Verhaal", "Story in English"))
    assert all(t in text_of(everything) for t in ("Berättelse", "Verhaal", "Story in English"))
    assert "Verhaal" in text_of(chosen) and "Story in English" not in text_of(chosen)


def test_sections_a_member_turned_off_are_left_out(run_weekly):
    reader = member(send_evidence=False)
    only_evidence = member(send_exchanges=False, send_evidence=True)
    evidence(title="A story")
    exchange(title="An exchange")

    run_weekly()

    assert "A story" not in text_of(reader) and "An exchange" in text_of(reader)
    assert "A story" in text_of(only_evidence) and "An exchange" not in text_of(only_evidence)


def test_reminders_ride_along_with_news_but_never_make_a_digest_alone(run_weekly):
    with_news = member()
    only_reminder = member(send_exchanges=False, send_evidence=False)
    soon = exchange(title="Gathering in Gothenburg", opens_at=NOW - 5 * WEEK, starts_at=NOW + dt.timedelta(days=10))
    registration(with_news, soon)
    registration(only_reminder, soon)
    evidence(title="A story")

    result = run_weekly()

    assert (result.queued, result.empty) == (1, 1)
    body = text_of(with_news)
    assert "Your upcoming exchanges" in body and "Gathering in Gothenburg" in body
    assert sent_to(only_reminder) == []


# --- Languages of the email -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "greeting", "prefix"),
    [
        ("en", "Learning Lab this week: 1 new item for you", "Hello Lena,", "http://testserver/digests/"),
        ("sv", "Learning Lab den här veckan: 1 nyhet för dig", "Hej Lena,", "http://testserver/sv/digests/"),
        ("nl", "Learning Lab deze week: 1 nieuw bericht voor jou", "Hallo Lena,", "http://testserver/nl/digests/"),
    ],
)
def test_digest_is_rendered_in_the_members_language(run_weekly, language, subject, greeting, prefix):
    reader = member(language=language, name="Lena")
    evidence(title="Bergsjön story")

    run_weekly()

    (message,) = sent_to(reader)
    assert message.subject == subject
    assert greeting in message.body
    html = message.alternatives[0][0]
    assert f'<html lang="{language}">' in html and greeting in html
    assert prefix + "preferences/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{prefix}unsubscribe/")
    # Links to content lead to the page in the member's language.
    item_prefix = {"en": "http://testserver/evidence/", "sv": "http://testserver/sv/evidence/"}.get(
        language, "http://testserver/nl/evidence/"
    )
    assert item_prefix in message.body
    assert DigestDelivery.objects.get(user=reader).message.language == language


# --- Queries --------------------------------------------------------------------------------


def _count_queries(func) -> int:
    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries)


def test_queries_per_member_do_not_grow_with_the_number_of_members():
    # Saved preferences for all, so that both runs load the same kinds of rows.
    for _ in range(5):
        member(themes=("housing",), frequency=Frequency.WEEKLY)
    evidence(themes=("housing",))
    exchange(themes=("housing",))
    small = _count_queries(lambda: digest_run(frequency=Frequency.WEEKLY, now=NOW, size=100))
    assert DigestDelivery.objects.filter(state="queued").count() == 5

    for _ in range(55):
        member(themes=("housing",), frequency=Frequency.WEEKLY)
    evidence(title="Next week's story", published_at=NOW + dt.timedelta(days=2), themes=("housing",))
    exchange(title="Next week's exchange", opens_at=NOW + dt.timedelta(days=2), themes=("housing",))
    large = _count_queries(lambda: digest_run(frequency=Frequency.WEEKLY, now=NOW + WEEK, size=100))
    assert DigestDelivery.objects.filter(state="queued").count() == 65

    # Loading, claiming and the outbox's insert are per batch: 60 members cost what 5 did.
    assert large == small, (small, large)


def test_members_with_nothing_new_cost_no_queries_each():
    for _ in range(5):
        member(frequency=Frequency.WEEKLY)
    small = _count_queries(lambda: digest_run(frequency=Frequency.WEEKLY, now=NOW, size=100))
    for _ in range(55):
        member(frequency=Frequency.WEEKLY)
    large = _count_queries(lambda: digest_run(frequency=Frequency.WEEKLY, now=NOW + WEEK, size=100))
    assert DigestDelivery.objects.filter(state="empty").count() == 65
    assert small == large


# --- Changes between the fan-out and a batch ------------------------------------------------


def test_members_who_changed_between_fan_out_and_batch_are_left_for_the_next_run(django_capture_on_commit_callbacks):
    steady = member()
    switched = member(frequency=Frequency.WEEKLY)
    moved = member(frequency=Frequency.WEEKLY)
    evidence()
    batches = []

    digest_run(frequency=Frequency.WEEKLY, now=NOW, dispatch=lambda run_id, ids: batches.append((run_id, ids)))
    DigestPreference.objects.filter(user=switched).update(frequency=Frequency.MONTHLY)
    DigestPreference.objects.filter(user=moved).update(covered_until=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    ((run_id, ids),) = batches
    with django_capture_on_commit_callbacks(execute=True):
        result = digest_batch_send(run=DigestRun.objects.get(pk=run_id), user_ids=ids, now=NOW)

    assert (result.queued, result.deferred) == (1, 2)
    assert [m.to for m in mail.outbox] == [[steady.email]]
    assert DigestRun.objects.get(pk=run_id).deferred_count == 2
    # The next run picks up the one whose window moved, from where it now starts (after
    # the story of the 18th: nothing new for them).
    again = digest_run(frequency=Frequency.WEEKLY, now=NOW)
    assert (again.due, again.queued, again.empty) == (1, 0, 1)
    assert DigestDelivery.objects.get(user=moved).window_since == dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


def test_windows_never_reach_back_further_than_the_lookback(run_weekly):
    long_ago = member(covered_until=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    evidence(title="From the spring", published_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    evidence(title="From the autumn", published_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))

    run_weekly()

    body = text_of(long_ago)
    assert "From the autumn" in body and "From the spring" not in body
    delivery = DigestDelivery.objects.get(user=long_ago)
    assert delivery.window_since == period_for("weekly", NOW).until - dt.timedelta(days=92)
