"""Taking part in a consultation and deciding on amendments, through the pages."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from network.models import Member
from outbox.models import OutboxMessage
from strategy import services
from strategy.models import Amendment, Comment, CommentReport, Support, Version, VersionText

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"strategy:{name}", kwargs=kwargs)


def detail(client, document, **params):
    # The English page, whatever language an earlier request of the test left active.
    with translation.override("en"):
        address = url("document_detail", slug=document.slug)
    return client.get(address, params).content.decode()


def propose(consultation, section, user, text, language="en"):
    return services.amendment_create(
        consultation=consultation,
        section=section,
        proposer=user,
        text=text,
        explanation="",
        language=language,
        submission=uuid.uuid4(),
    )


def test_a_double_submitted_comment_is_stored_once(client, strategy, organiser):
    document, *_ = strategy
    client.force_login(organiser)
    data = {"body": "Fees shut out small groups.", "submission": str(uuid.uuid4())}
    for _ in range(2):
        client.post(url("comment_create", slug=document.slug, key="sustained"), data)
    assert Comment.objects.count() == 1
    data["submission"] = str(uuid.uuid4())
    client.post(url("amendment_create", slug=document.slug, key="sustained"), {**data, "text": "x"})
    client.post(url("amendment_create", slug=document.slug, key="sustained"), {**data, "text": "x"})
    assert Amendment.objects.count() == 1


def test_a_closed_round_refuses_comments_and_amendments_with_a_clear_message(client, strategy, organiser):
    document, _v1, _v2, consultation = strategy
    consultation.closes_at = timezone.now() - timedelta(minutes=1)
    consultation.save()
    client.force_login(organiser)
    response = client.post(
        url("comment_create", slug=document.slug, key="vision"),
        {"body": "Late", "submission": str(uuid.uuid4())},
        follow=True,
    )
    assert "This consultation has closed" in response.content.decode()
    client.post(
        url("amendment_create", slug=document.slug, key="vision"), {"text": "Late", "submission": str(uuid.uuid4())}
    )
    assert not Comment.objects.exists() and not Amendment.objects.exists()
    assert "Publish comment" not in detail(client, document)


def test_replies_thread_under_their_comment(client, strategy, organiser, funder):
    document, *_ = strategy
    client.force_login(organiser)
    client.post(url("comment_create", slug=document.slug, key="vision"), {"body": "First", "submission": uuid.uuid4()})
    first = Comment.objects.get()
    client.force_login(funder)
    client.post(
        url("comment_create", slug=document.slug, key="vision"),
        {"body": "A reply", "submission": uuid.uuid4(), "parent": first.pk},
    )
    reply = Comment.objects.exclude(pk=first.pk).get()
    assert reply.parent == first
    page = detail(client, document)
    assert page.index("First") < page.index("A reply")
    assert 'class="reply-list"' in page


def test_markdown_in_comments_is_sanitised(client, strategy, organiser):
    document, *_ = strategy
    client.force_login(organiser)
    body = "**Bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    client.post(url("comment_create", slug=document.slug, key="vision"), {"body": body, "submission": uuid.uuid4()})
    page = detail(client, document)
    assert "<strong>Bold</strong>" in page
    assert "<script>alert" not in page and "onerror" not in page and "javascript:" not in page


def test_an_overlong_comment_is_refused(client, strategy, organiser):
    document, *_ = strategy
    client.force_login(organiser)
    response = client.post(
        url("comment_create", slug=document.slug, key="vision"),
        {"body": "x" * 4001, "submission": uuid.uuid4()},
        follow=True,
    )
    assert response.status_code == 200
    assert not Comment.objects.exists()


def test_the_author_edits_a_comment_within_the_window_only(client, strategy, organiser, other_organiser):
    document, *_ = strategy
    client.force_login(organiser)
    client.post(url("comment_create", slug=document.slug, key="vision"), {"body": "Tpyo", "submission": uuid.uuid4()})
    comment = Comment.objects.get()
    client.force_login(other_organiser)
    assert client.get(url("comment_edit", slug=document.slug, pk=comment.pk)).status_code == 403
    client.force_login(organiser)
    client.post(url("comment_edit", slug=document.slug, pk=comment.pk), {"body": "Typo"})
    comment.refresh_from_db()
    assert comment.body == "Typo" and comment.edited_at
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    response = client.post(url("comment_edit", slug=document.slug, pk=comment.pk), {"body": "Later"}, follow=True)
    assert "can no longer be edited" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Typo"


def test_a_reported_then_hidden_comment_shows_the_coordinators_reason(client, strategy, organiser, funder, coordinator):
    document, _v1, _v2, consultation = strategy
    comment = services.comment_create(
        consultation=consultation,
        section=document.sections.get(key="vision"),
        author=organiser,
        body="Rude words",
        language="en",
        submission=uuid.uuid4(),
    )
    client.force_login(funder)
    client.post(url("comment_report", slug=document.slug, pk=comment.pk), {"reason": "Rude"})
    client.post(url("comment_report", slug=document.slug, pk=comment.pk), {"reason": "Rude"})
    assert CommentReport.objects.count() == 1
    client.force_login(coordinator)
    client.post(url("comment_hide", slug=document.slug, pk=comment.pk), {"reason": ""})
    comment.refresh_from_db()
    assert not comment.is_hidden  # a reason is required
    client.post(url("comment_hide", slug=document.slug, pk=comment.pk), {"reason": "Not respectful"})
    client.force_login(funder)
    page = detail(client, document)
    assert "Rude words" not in page
    assert "Hidden by coordinators." in page and "Not respectful" in page


def test_a_member_supports_once_and_may_withdraw(client, strategy, organiser, funder):
    document, _v1, _v2, consultation = strategy
    amendment = propose(consultation, document.sections.get(key="vision"), organiser, "New vision")
    client.force_login(funder)
    for _ in range(2):
        client.post(url("amendment_support", slug=document.slug, pk=amendment.pk))
    assert Support.objects.filter(amendment=amendment).count() == 1
    assert "1 supporter" in detail(client, document)
    assert "Withdraw my support" in detail(client, document)
    client.post(url("amendment_unsupport", slug=document.slug, pk=amendment.pk))
    assert not Support.objects.exists()
    client.force_login(organiser)
    client.post(url("amendment_support", slug=document.slug, pk=amendment.pk))
    assert not Support.objects.exists()  # not one's own


def test_the_support_constraint_holds_in_the_database(strategy, organiser, funder):
    from django.db import IntegrityError, transaction

    document, _v1, _v2, consultation = strategy
    amendment = propose(consultation, document.sections.get(key="vision"), organiser, "New vision")
    Support.objects.create(amendment=amendment, user=funder)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(amendment=amendment, user=funder)


def test_an_amendment_shows_as_a_tracked_change(client, strategy, organiser):
    document, _v1, _v2, consultation = strategy
    propose(consultation, document.sections.get(key="sustained"), organiser, "Members pay a fair fee.")
    client.force_login(organiser)
    page = detail(client, document)
    assert "small" in page.split('class="tracked-change"')[1].split("</div>")[0]
    assert "<ins>" in page and "<del>" in page


def test_accepting_puts_the_text_in_the_draft_credits_the_proposer_and_emails_them(
    client, strategy, organiser, funder, coordinator
):
    from tests.factories.network import member_for

    member_for(organiser, preferred_language="sv", display_name="Anna Andersson")
    document, _v1, v2, consultation = strategy
    sustained = document.sections.get(key="sustained")
    accepted = propose(consultation, sustained, organiser, "Members pay a fair fee.")
    other = propose(consultation, sustained, funder, "Funders pay everything.")
    client.force_login(organiser)
    assert client.get(url("amendment_accept", slug=document.slug, pk=accepted.pk)).status_code == 403
    client.force_login(coordinator)
    assert client.get(url("amendment_accept", slug=document.slug, pk=accepted.pk)).status_code == 200
    client.post(url("amendment_accept", slug=document.slug, pk=accepted.pk), {"text": "Members pay a fair fee."})
    accepted.refresh_from_db()
    assert accepted.status == Amendment.Status.ACCEPTED and accepted.applied_to == v2
    original = VersionText.objects.get(version=v2, language="en")
    assert original.sections["sustained"] == "Members pay a fair fee."
    # The Swedish translation was made from the earlier text: flagged, and shown so.
    assert list(VersionText.objects.filter(version=v2).outdated().values_list("language", flat=True)) == ["sv"]
    assert "outdated-note" in client.get("/sv" + url("document_detail", slug=document.slug)).content.decode()
    # The other amendment to that section was written against the earlier text.
    assert "based on an earlier text" in detail(client, document)
    email = OutboxMessage.objects.get(kind="strategy_amendment_accepted")
    assert email.to == organiser.email and email.language == "sv"
    assert "/sv/strategy/sustaining/" in email.body_text
    # A second accept is refused; nothing is sent twice.
    client.post(url("amendment_accept", slug=document.slug, pk=accepted.pk), {"text": "Other"})
    assert OutboxMessage.objects.filter(kind="strategy_amendment_accepted").count() == 1
    # Published, the version credits the proposer.
    services.version_publish(version=v2)
    page = client.get(url("version_detail", slug=document.slug, number=2)).content.decode()
    assert "proposed by Anna Andersson" in page
    assert other.pk  # still open, on the earlier text


def test_a_hidden_profile_is_never_named(client, strategy, organiser, funder, coordinator):
    from tests.factories.network import member_for

    member_for(organiser, visibility=Member.Visibility.HIDDEN, display_name="Secret Person")
    document, _v1, v2, consultation = strategy
    amendment = propose(consultation, document.sections.get(key="vision"), organiser, "Hidden vision")
    services.comment_create(
        consultation=consultation,
        section=document.sections.get(key="vision"),
        author=organiser,
        body="Hidden comment",
        language="en",
        submission=uuid.uuid4(),
    )
    client.force_login(funder)
    during = detail(client, document)
    services.amendment_accept(amendment=amendment, by=coordinator)
    services.version_publish(version=v2)
    consultation.closes_at = timezone.now() - timedelta(minutes=1)
    consultation.save()
    for page in (
        during,
        client.get(url("version_detail", slug=document.slug, number=2)).content.decode(),
        client.get(url("synthesis", slug=document.slug)).content.decode(),
    ):
        assert "Secret Person" not in page
        assert "a member" in page


def test_declining_needs_a_reason_that_is_emailed_in_the_proposers_language(client, strategy, organiser, coordinator):
    from tests.factories.network import member_for

    member_for(organiser, preferred_language="nl")
    document, _v1, _v2, consultation = strategy
    amendment = propose(consultation, document.sections.get(key="vision"), organiser, "Nieuwe visie", language="nl")
    client.force_login(coordinator)
    client.post(url("amendment_decline", slug=document.slug, pk=amendment.pk), {"reason": ""})
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.PROPOSED
    client.post(url("amendment_decline", slug=document.slug, pk=amendment.pk), {"reason": "Out of scope for 2027."})
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.DECLINED
    email = OutboxMessage.objects.get(kind="strategy_amendment_declined")
    assert email.language == "nl" and "Out of scope for 2027." in email.body_text
    assert "Out of scope for 2027." in detail(client, document)


def test_coordinators_merge_several_amendments_into_one_text(client, strategy, organiser, funder, coordinator):
    document, _v1, v2, consultation = strategy
    section = document.sections.get(key="learning")
    a = propose(consultation, section, organiser, "Exchanges four times a year.")
    b = propose(consultation, section, funder, "Online exchanges monthly.")
    client.force_login(coordinator)
    assert "Merge several amendments" in detail(client, document)
    client.post(
        url("amendments_merge", slug=document.slug, key="learning"),
        {"amendments": [a.pk, b.pk], "text": "Exchanges four times a year, online ones monthly."},
    )
    assert set(Amendment.objects.values_list("status", flat=True)) == {Amendment.Status.MERGED}
    assert VersionText.objects.get(version=v2, language="en").sections["learning"].startswith("Exchanges four")
    assert OutboxMessage.objects.filter(kind="strategy_amendment_accepted").count() == 2


def test_a_published_version_never_changes(strategy, coordinator):
    document, v1, _v2, _round = strategy
    with pytest.raises(services.StrategyError):
        services.version_text_save(version=v1, language="en", title="Changed", sections={})
    assert VersionText.objects.get(version=v1, language="en").title == "Sustaining the Learning Lab"


def test_only_one_draft_at_a_time(strategy, coordinator):
    document, *_ = strategy
    with pytest.raises(services.StrategyError):
        services.version_draft_create(document=document, by=coordinator)
    assert Version.objects.filter(document=document, status="draft").count() == 1


def test_coordinators_open_a_round_with_a_question_per_section(client, coordinator):
    from tests.factories.strategy import strategy_make

    document, _v1, v2, _round = strategy_make(slug="fresh", coordinator=coordinator, open_round=False)
    client.force_login(coordinator)
    sections = list(document.sections.all())
    now = timezone.now()
    data = {
        "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        f"question_{sections[0].pk}": "Is this the right vision?",
    }
    response = client.post(url("round_create", slug=document.slug), data)
    assert response.status_code == 200 and not v2.rounds.exists()  # closes before it opens
    data["closes_at"] = (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    client.post(url("round_create", slug=document.slug), data)
    consultation = v2.rounds.get()
    assert [q.text for q in consultation.questions.all()] == ["Is this the right vision?"]
    assert "Is this the right vision?" in detail(client, document)


def test_the_swedish_reader_gets_the_swedish_text(client, strategy, organiser):
    document, *_ = strategy
    client.force_login(organiser)
    page = client.get("/sv" + url("document_detail", slug=document.slug)).content.decode()
    assert "Medlemmar betalar en liten avgift." in page
    assert "Hur nätverket hålls vid liv" in page


def test_the_page_draws_forms_only_where_the_member_asked_for_them(client, strategy, organiser, funder):
    document, _v1, _v2, consultation = strategy
    vision = document.sections.get(key="vision")
    comment = services.comment_create(
        consultation=consultation, section=vision, author=organiser, body="Mine", language="en", submission=uuid.uuid4()
    )
    amendment = propose(consultation, vision, organiser, "New vision")
    report = url("comment_report", slug=document.slug, pk=comment.pk)
    support = url("amendment_support", slug=document.slug, pk=amendment.pk)
    client.force_login(funder)
    page = detail(client, document)
    # One form for the one-click actions (report, support) and one link per thread and section.
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert main.count("csrfmiddlewaretoken") == 1
    assert f'form="strategy-actions" formaction="{report}"' in page
    assert f'form="strategy-actions" formaction="{support}"' in page
    assert f"?reply={comment.pk}#reply-{comment.pk}" in page and 'name="parent"' not in page
    assert "?comment=vision#write-vision" in page and "Publish comment" not in page
    # Asked for, the form is there.
    asked = detail(client, document, reply=comment.pk)
    assert f'id="reply-{comment.pk}"' in asked and f'name="parent" value="{comment.pk}"' in asked
    assert "Publish comment" in detail(client, document, comment="vision")
    assert "Propose amendment" in detail(client, document, propose="vision")
    # The author edits their own comment and neither reports it nor supports their own amendment.
    client.force_login(organiser)
    own = detail(client, document)
    assert url("comment_edit", slug=document.slug, pk=comment.pk) in own
    assert report not in own and support not in own
