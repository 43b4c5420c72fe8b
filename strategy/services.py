"""Every write with a consequence in the strategy app.

Keyword-only, atomic; emails are written to the outbox in the same transaction (and sent after
commit). Double submits: comments and amendments carry the form's one-time ``submission`` key,
unique per author, so a second identical POST finds the first row instead of writing another.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outbox.services import absolute_url, email_queue, language_for
from strategy.models import (
    Amendment,
    Citation,
    Comment,
    CommentReport,
    Commitment,
    CommitmentUpdate,
    Document,
    Question,
    Round,
    Section,
    Support,
    Version,
    VersionText,
)
from strategy.signals import consultation_opened, version_published

# How long an author may still edit their comment.
COMMENT_EDIT_WINDOW = timedelta(minutes=15)


class StrategyError(Exception):
    """A refused action, with a message fit to show the person."""


# --- versions --------------------------------------------------------------------------------


def version_draft_create(*, document: Document, by=None) -> Version:
    """Start the next version as a draft, a copy of the latest published one (every language,
    translations keeping their outdated flag). Refused while a draft exists."""
    with transaction.atomic():
        Document.objects.select_for_update().get(pk=document.pk)
        if document.versions.filter(status=Version.Status.DRAFT).exists():
            raise StrategyError(_("This strategy already has a draft."))
        latest = document.versions.published().order_by("-number").first()
        number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = Version.objects.create(
            document=document,
            number=number,
            original_language=latest.original_language if latest else document.original_language,
            created_by=by,
        )
        if latest is not None:
            VersionText.objects.bulk_create(
                VersionText(
                    version=draft,
                    language=text.language,
                    title=text.title,
                    summary=text.summary,
                    sections=dict(text.sections),
                    # Up to date translations stay so; outdated ones stay outdated.
                    source_version=1 if text.source_version >= latest.content_version else 0,
                )
                for text in latest.texts.all()
            )
            Citation.objects.bulk_create(
                Citation(
                    version=draft,
                    section_id=c.section_id,
                    record_id=c.record_id,
                    indicator_id=c.indicator_id,
                    guide_id=c.guide_id,
                    order=c.order,
                )
                for c in latest.citations.all()
            )
    return draft


def version_text_save(*, version: Version, language: str, title: str, summary: str = "", sections: dict) -> VersionText:
    """Write a version's text in one language. The original of a published version never
    changes; a change to a draft's original bumps ``content_version``, which flags every
    translation as possibly outdated. Saving a translation brings it up to date."""
    with transaction.atomic():
        version = Version.objects.select_for_update().get(pk=version.pk)
        is_original = language == version.original_language
        if version.is_published and is_original:
            raise StrategyError(_("A published version cannot change."))
        text = VersionText.objects.filter(version=version, language=language).first()
        sections = {key: str(value) for key, value in (sections or {}).items() if str(value or "").strip()}
        changed = text is None or (text.title, text.summary, text.sections) != (title, summary, sections)
        if is_original and changed and text is not None:
            Version.objects.filter(pk=version.pk).update(content_version=F("content_version") + 1)
            version.refresh_from_db(fields=["content_version"])
        if text is None:
            text = VersionText(version=version, language=language)
        text.title, text.summary, text.sections = title, summary, sections
        text.source_version = version.content_version
        text.save()
    return text


def version_publish(*, version: Version, note: str = "", now=None) -> Version:
    """Publish a draft: from now on it never changes. Needs a text in its original language.
    Sends ``version_published`` in the same transaction (the opted-in members' emails become
    outbox rows of it); publishing an already published version does nothing, and sends nothing."""
    with transaction.atomic():
        version = Version.objects.select_for_update().get(pk=version.pk)
        if version.is_published:
            return version
        if not version.texts.filter(language=version.original_language).exists():
            raise StrategyError(_("Write the text in the original language before publishing."))
        version.status = Version.Status.PUBLISHED
        version.published_at = now or timezone.now()
        if note:
            version.note = note
        version.save(update_fields=["status", "published_at", "note"])
        version_published.send(sender=Version, version=version)
    return version


def citation_add(*, version: Version, section: Section, record=None, indicator=None, guide=None) -> Citation:
    """Cite one thing in a draft's section (a published version never changes). Citing the
    same thing twice finds the first citation."""
    version = Version.objects.get(pk=version.pk)
    if version.is_published:
        raise StrategyError(_("A published version cannot change."))
    citation, _created = Citation.objects.get_or_create(
        version=version, section=section, record=record, indicator=indicator, guide=guide
    )
    return citation


# --- rounds ----------------------------------------------------------------------------------


def round_open(*, version: Version, opens_at, closes_at, questions: dict[int, str], by=None) -> Round:
    """Open a consultation on a draft with a question per section (``{section_id: text}``,
    written in the active language; modeltranslation stores it as that language's text)."""
    if version.is_published:
        raise StrategyError(_("A consultation opens on a draft, not on a published version."))
    if closes_at <= opens_at:
        raise StrategyError(_("The round must close after it opens."))
    with transaction.atomic():
        consultation = Round.objects.create(version=version, opens_at=opens_at, closes_at=closes_at, created_by=by)
        sections = {s.pk: s for s in version.document.sections.all()}
        Question.objects.bulk_create(
            Question(round=consultation, section=sections[pk], text=text.strip())
            for pk, text in questions.items()
            if pk in sections and text and text.strip()
        )
        consultation_opened.send(sender=Round, consultation=consultation)
    return consultation


def _refuse_unless_open(consultation: Round, now=None) -> None:
    if not consultation.is_open(now):
        if consultation.has_closed(now):
            raise StrategyError(_("This consultation has closed: it no longer takes comments or amendments."))
        raise StrategyError(_("This consultation has not opened yet."))


def _create_once(model, *, key_field: str, owner, submission, **fields):
    """Insert a row keyed by (owner, submission); a double submit returns the first row."""
    lookup = {key_field: owner, "submission": submission}
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **fields)
    except IntegrityError:
        existing = model.objects.filter(**lookup).first()
        if existing is None:
            raise
        return existing


# --- comments --------------------------------------------------------------------------------


def comment_create(
    *,
    consultation: Round,
    section: Section,
    author,
    body: str,
    language: str,
    submission,
    parent: Comment | None = None,
    now=None,
) -> Comment:
    _refuse_unless_open(consultation, now)
    if parent is not None and (parent.round_id != consultation.pk or parent.section_id != section.pk):
        raise StrategyError(_("You can only reply to a comment on the same section."))
    return _create_once(
        Comment,
        key_field="author",
        owner=author,
        submission=submission,
        round=consultation,
        section=section,
        parent=parent,
        body=body,
        language=language,
    )


def comment_can_edit(comment: Comment, user, now=None) -> bool:
    now = now or timezone.now()
    return (
        comment.author_id == getattr(user, "pk", None)
        and not comment.is_hidden
        and now - comment.created_at <= COMMENT_EDIT_WINDOW
        and comment.round.is_open(now)
    )


def comment_edit(*, comment: Comment, user, body: str, now=None) -> Comment:
    now = now or timezone.now()
    if not comment_can_edit(comment, user, now):
        raise StrategyError(_("This comment can no longer be edited."))
    comment.body = body
    comment.edited_at = now
    comment.save(update_fields=["body", "edited_at"])
    return comment


def comment_report(*, comment: Comment, user, reason: str = "") -> CommentReport:
    report, _created = CommentReport.objects.get_or_create(comment=comment, reporter=user, defaults={"reason": reason})
    return report


def comment_hide(*, comment: Comment, by, reason: str, now=None) -> Comment:
    """Hide a comment; the page keeps a "hidden by coordinators" note with the reason."""
    if not reason.strip():
        raise StrategyError(_("Say why the comment is hidden."))
    comment.hidden_at = now or timezone.now()
    comment.hidden_by = by
    comment.hidden_reason = reason.strip()
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return comment


# --- amendments ------------------------------------------------------------------------------


def current_text(version: Version, section: Section, language: str) -> str:
    """A section's text in ``language`` (the original where that language has none)."""
    texts = {t.language: t for t in version.texts.all()}
    text = texts.get(language) or texts.get(version.original_language)
    return text.section_text(section.key) if text else ""


def amendment_create(
    *, consultation: Round, section: Section, proposer, text: str, explanation: str, language: str, submission, now=None
) -> Amendment:
    _refuse_unless_open(consultation, now)
    return _create_once(
        Amendment,
        key_field="proposer",
        owner=proposer,
        submission=submission,
        round=consultation,
        section=section,
        text=text,
        explanation=explanation,
        language=language,
        base_text=current_text(consultation.version, section, language),
    )


def amendment_support(*, amendment: Amendment, user) -> Support:
    """Support once: the constraint makes a second click (or a race) find the same row."""
    if not amendment.is_open:
        raise StrategyError(_("This amendment has been decided."))
    if amendment.proposer_id == user.pk:
        raise StrategyError(_("You proposed this amendment."))
    try:
        with transaction.atomic():
            return Support.objects.create(amendment=amendment, user=user)
    except IntegrityError:
        return Support.objects.get(amendment=amendment, user=user)


def amendment_support_withdraw(*, amendment: Amendment, user) -> None:
    Support.objects.filter(amendment=amendment, user=user).delete()


def _apply(version: Version, section: Section, text: str) -> None:
    """Put ``text`` into the draft's original-language section (through the one writer)."""
    original = version.texts.filter(language=version.original_language).first()
    if original is None:
        raise StrategyError(_("The draft has no text in its original language yet."))
    sections = dict(original.sections)
    sections[section.key] = text
    version_text_save(
        version=version, language=original.language, title=original.title, summary=original.summary, sections=sections
    )


def _lock_open(amendments: Iterable[Amendment]) -> list[Amendment]:
    rows = list(Amendment.objects.select_for_update().filter(pk__in=[a.pk for a in amendments]).order_by("pk"))
    if not rows or any(not a.is_open for a in rows):
        raise StrategyError(_("This amendment has already been decided."))
    return rows


def amendment_accept(*, amendment: Amendment, by, text: str | None = None, now=None) -> Amendment:
    """Accept: ``text`` (by default the proposal itself) enters the draft the round is on, in
    the original language, crediting the proposer; the proposer is emailed."""
    return amendments_merge(amendments=[amendment], by=by, text=text, now=now)[0]


def amendments_merge(*, amendments: list[Amendment], by, text: str | None = None, now=None) -> list[Amendment]:
    """Accept several amendments of one section as one combined text. One amendment alone is
    *accepted*; several are *merged*. Every proposer is credited and emailed."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = _lock_open(amendments)
        if len({(a.round_id, a.section_id) for a in rows}) != 1:
            raise StrategyError(_("Only amendments to the same section can be merged."))
        first = rows[0]
        version = first.round.version
        if version.is_published:
            raise StrategyError(_("The version this round was on is published: start a new draft."))
        applied = (text if text is not None else first.text).strip()
        _apply(version, first.section, applied)
        status = Amendment.Status.ACCEPTED if len(rows) == 1 else Amendment.Status.MERGED
        for row in rows:
            row.status, row.decided_by, row.decided_at = status, by, now
            row.applied_to, row.applied_text = version, applied
            row.save(update_fields=["status", "decided_by", "decided_at", "applied_to", "applied_text"])
            _email_decision(row, kind="accepted")
    return rows


def amendment_decline(*, amendment: Amendment, by, reason: str, now=None) -> Amendment:
    if not reason.strip():
        raise StrategyError(_("Give the proposer a reason."))
    with transaction.atomic():
        (row,) = _lock_open([amendment])
        row.status, row.decided_by, row.decided_at = Amendment.Status.DECLINED, by, now or timezone.now()
        row.decision_reason = reason.strip()
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        _email_decision(row, kind="declined")
    return row


def _email_decision(amendment: Amendment, *, kind: str) -> None:
    """Tell the proposer, in their language, through the outbox (sent after commit)."""
    user = amendment.proposer
    if not user.email or user.deleted_at is not None:
        return
    language = language_for(user=user)
    document = amendment.round.version.document
    with translation.override(language):
        url = absolute_url(reverse("strategy:document_detail", kwargs={"slug": document.slug}))
        heading = amendment.section.heading
    version = amendment.round.version
    text = (
        version.texts.filter(language=language).first()
        or version.texts.filter(language=version.original_language).first()
    )
    email_queue(
        to=user.email,
        kind=f"strategy_amendment_{kind}",
        template=f"strategy/emails/amendment_{kind}",
        context={
            "name": user.public_name,
            "title": text.title if text else document.slug,
            "section": heading,
            "amendment": amendment,
            "url": url,
        },
        language=language,
        idempotency_key=f"strategy-amendment-{kind}-{amendment.pk}",
        user=user,
    )


# --- commitments -----------------------------------------------------------------------------


def commitment_update_add(*, commitment, user, status: str, note: str, record=None, submission) -> CommitmentUpdate:
    """Post progress on a commitment; its status becomes the update's. A double submit finds
    the first update."""
    with transaction.atomic():
        update = _create_once(
            CommitmentUpdate,
            key_field="created_by",
            owner=user,
            submission=submission,
            commitment=commitment,
            status=status,
            note=note,
            record=record,
        )
        Commitment.objects.filter(pk=commitment.pk).update(status=update.status, updated_at=timezone.now())
    return update


def commitments_overdue_notify(*, today=None) -> int:
    """Tell each overdue commitment's owner, in their language, once per due date (the
    idempotency key holds it: a second run, or a second worker, queues nothing new)."""
    from outbox.models import OutboxMessage

    today = today or timezone.localdate()
    overdue = list(
        Commitment.objects.overdue(today)
        .filter(owner__isnull=False, owner__deleted_at__isnull=True)
        .exclude(owner__email="")
        .select_related("owner__member")
    )
    keys = {c.pk: f"strategy-commitment-overdue-{c.pk}-{c.due_on.isoformat()}" for c in overdue}
    sent = set(
        OutboxMessage.objects.filter(idempotency_key__in=keys.values()).values_list("idempotency_key", flat=True)
    )
    queued = 0
    for commitment in overdue:
        if keys[commitment.pk] in sent:
            continue
        user = commitment.owner
        language = language_for(user=user)
        with translation.override(language):
            url = absolute_url(commitment.get_absolute_url())
        with transaction.atomic():
            email_queue(
                to=user.email,
                kind="strategy_commitment_overdue",
                template="strategy/emails/commitment_overdue",
                context={"name": user.public_name, "commitment": commitment, "url": url},
                language=language,
                idempotency_key=keys[commitment.pk],
                user=user,
            )
        queued += 1
    return queued
