"""Every write to the evidence base. Each service is atomic and writes a ``Revision``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.licences import OPEN, Licence
from core.policy import viewer_for
from core.signals import content_changed
from evidence.models import (
    Answer,
    Attachment,
    Consent,
    EvidenceRecord,
    Indicator,
    MetricSplit,
    MetricUpdate,
    RecordCountry,
    Response,
    Revision,
    Round,
)

Status = EvidenceRecord.Status

# Which transitions each workflow step allows (from → to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((Status.DRAFT, Status.RETURNED), Status.SUBMITTED),
    "start_review": ((Status.SUBMITTED,), Status.IN_REVIEW),
    "return": ((Status.SUBMITTED, Status.IN_REVIEW), Status.RETURNED),
    "publish": ((Status.SUBMITTED, Status.IN_REVIEW), Status.PUBLISHED),
    "reject": ((Status.SUBMITTED, Status.IN_REVIEW), Status.REJECTED),
}

SIMPLE_FIELDS = [
    "kind",
    "layer",
    "title",
    "summary",
    "body",
    "visibility",
    "licence",
    "original_language",
    "why_it_matters",
    "outcome_who",
    "outcome_what",
    "outcome_when",
    "outcome_where",
    "significance",
    "contribution",
    "level_of_change",
    "expectedness",
    "period_start",
    "period_end",
    "verification",
    "featured",
    "review_note",
]
M2M_FIELDS = ["organisations", "themes", "dimensions", "outcome_types", "exchanges", "reflections"]


def record_changed(record: EvidenceRecord) -> None:
    """Tell the caches and the search index that ``record`` (or what decides who sees it)
    changed without a model signal: every fragment that depends on the ``evidence`` namespace
    (now and after commit), and the index in this transaction."""
    content_changed.send(sender=EvidenceRecord, instance=record)


def _jsonable(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _snapshot(record: EvidenceRecord) -> dict:
    data = {name: _jsonable(getattr(record, name)) for name in SIMPLE_FIELDS}
    if record.pk:
        for name in M2M_FIELDS:
            data[name] = sorted(getattr(record, name).values_list("pk", flat=True))
        data["countries"] = sorted(record.record_countries.values_list("country", flat=True))
    return data


def _diff(before: dict, after: dict) -> dict:
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


def revision_write(*, record: EvidenceRecord, user, action: str, changes: dict) -> Revision:
    return Revision.objects.create(record=record, user=user, action=action, changes=changes)


def _apply(record: EvidenceRecord, data: dict) -> None:
    for name in SIMPLE_FIELDS:
        if name in data:
            setattr(record, name, data[name])


def _apply_relations(record: EvidenceRecord, data: dict) -> None:
    for name in M2M_FIELDS:
        if name in data:
            getattr(record, name).set(data[name])
    if "countries" in data:
        wanted = {str(c) for c in data["countries"]}
        record.record_countries.exclude(country__in=wanted).delete()
        have = set(record.record_countries.values_list("country", flat=True))
        RecordCountry.objects.bulk_create([RecordCountry(record=record, country=c) for c in sorted(wanted - have)])
        # Rows created in bulk send no model signals: bring the dashboard's rollups up to date.
        record_changed(record)


@transaction.atomic
def record_create(*, user, data: dict) -> EvidenceRecord:
    """A new draft by ``user``. ``data`` holds model fields, M2M lists and ``countries``."""
    record = EvidenceRecord(created_by=user, status=Status.DRAFT)
    _apply(record, data)
    record.full_clean(exclude=["created_by"])
    record.save()
    _apply_relations(record, data)
    revision_write(record=record, user=user, action="create", changes=_diff({}, _snapshot(record)))
    return record


@transaction.atomic
def record_update(*, record: EvidenceRecord, user, data: dict, action: str = "edit") -> EvidenceRecord:
    """Change a record's fields; the revision keeps exactly what changed."""
    record = EvidenceRecord.objects.select_for_update().get(pk=record.pk)
    before = _snapshot(record)
    _apply(record, data)
    record.licence = _licence_within_consent(record, record.consent_or_none() if record.needs_consent else None)
    record.full_clean(exclude=["created_by"])
    record.save()
    _apply_relations(record, data)
    changes = _diff(before, _snapshot(record))
    if changes:
        revision_write(record=record, user=user, action=action, changes=changes)
    return record


class TransitionError(ValidationError):
    pass


@transaction.atomic
def record_transition(
    *,
    record: EvidenceRecord,
    user,
    step: str,
    note: str = "",
    verification: str | None = None,
    visibility: str | None = None,
) -> EvidenceRecord:
    """Move a record one step through the workflow with a conditional update (exactly once:
    two coordinators publishing at the same moment produce one transition and one revision)."""
    allowed_from, target = TRANSITIONS[step]
    viewer = viewer_for(user)
    if step != "submit" and not viewer.is_coordinator:
        raise PermissionDenied
    if step == "submit" and not EvidenceRecord.objects.editable_by(viewer).filter(pk=record.pk).exists():
        raise PermissionDenied
    if step == "submit" and record.needs_consent and record.consent_or_none() is None:
        raise TransitionError(_("Add the storyteller's consent before submitting."))
    fields: dict = {"status": target, "updated_at": timezone.now()}
    if step != "submit":
        fields["reviewed_by"] = user
    if step == "publish":
        fields["published_at"] = timezone.now()
    if verification:
        fields["verification"] = verification
    if visibility:
        fields["visibility"] = visibility
    if note:
        fields["review_note"] = note
    current = EvidenceRecord.objects.filter(pk=record.pk).values("status", "verification", "visibility").first()
    changed = EvidenceRecord.objects.filter(pk=record.pk, status__in=allowed_from).update(**fields)
    if not changed:
        raise TransitionError(
            _("This record cannot go from its current status to “%(status)s”."), params={"status": Status(target).label}
        )
    changes = {"status": [current["status"], target]}
    for key in ("verification", "visibility"):
        if key in fields and fields[key] != current[key]:
            changes[key] = [current[key], fields[key]]
    if note:
        changes["review_note"] = [None, note]
    revision_write(record=record, user=user, action=step, changes=changes)
    record.refresh_from_db()
    # .update() sends no model signals: say what changed, so that caches and the search index
    # (which listen to ``content_changed``) follow the new status at once.
    record_changed(record)
    return record


@transaction.atomic
def consent_save(*, record: EvidenceRecord, user, data: dict) -> Consent:
    """Create or change the consent of a story, testimony or media record.

    ``data["own_story"]`` (optional): the story is the storyteller's own and they are a
    member — ticked by ``user``, it names ``user`` the storyteller unless one is named already
    (a coordinator editing someone's own story keeps them); unticked, nobody. The storyteller's
    consent is withdrawn when they delete their account (``evidence/personal_data.py``).
    """
    data = dict(data)
    own_story = data.pop("own_story", None)
    consent = record.consent_or_none() or Consent(record=record)
    before = {k: _jsonable(getattr(consent, k, None)) for k in data} if consent.pk else {}
    if own_story is not None:
        if consent.pk:
            before["own_story"] = consent.storyteller_id is not None
        if not own_story:
            consent.storyteller = None
        elif consent.storyteller_id is None:
            consent.storyteller = user
    for key, value in data.items():
        setattr(consent, key, value)
    if not consent.obtained_by_id:
        consent.obtained_by = user
    consent.full_clean()
    consent.save()
    after = {k: _jsonable(v) for k, v in data.items()}
    if own_story is not None:
        after["own_story"] = bool(own_story)
    changes = {"consent": _diff(before, after)}
    licence = _licence_within_consent(record, consent)
    if licence != record.licence:
        changes["licence"] = [record.licence, licence]
        EvidenceRecord.objects.filter(pk=record.pk).update(licence=licence, updated_at=timezone.now())
        record.licence = licence
    revision_write(record=record, user=user, action="consent", changes=changes)
    return consent


def _licence_within_consent(record: EvidenceRecord, consent: Consent | None) -> str:
    """The licence ``record`` may carry. An open licence lets anyone republish the record: for a
    story, testimony or media it needs the storyteller's consent to public use, and without that
    consent the record is "all rights reserved", whatever the author chose."""
    if consent is not None and not consent.audience_public and record.licence in OPEN:
        return Licence.ALL_RIGHTS
    return record.licence


@transaction.atomic
def consent_withdraw(*, consent: Consent, user, note: str = "") -> Consent:
    """Withdraw consent: the record disappears from every page, count, export and search at once,
    because ``visible_to`` excludes it."""
    changed = Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_note=note
    )
    consent.refresh_from_db()
    record_changed(consent.record)
    if changed:
        revision_write(record=consent.record, user=user, action="consent_withdrawn", changes={"consent": "withdrawn"})
    return consent


@transaction.atomic
def attachment_add(*, record: EvidenceRecord, user, file, title: str, alt_text: str = "") -> Attachment:
    attachment = Attachment(record=record, file=file, title=title, alt_text=alt_text)
    attachment.full_clean()
    attachment.save()
    revision_write(record=record, user=user, action="attachment", changes={"attachment": [None, title]})
    return attachment


def validate_splits(*, indicator: Indicator, value: Decimal, splits: dict[str, Decimal]) -> dict[str, Decimal]:
    """Splits are optional; when given they must use the indicator's categories, be ≥ 0 and add up."""
    splits = {k: v for k, v in splits.items() if v is not None}
    if not splits:
        return {}
    unknown = set(splits) - set(indicator.split_categories)
    if unknown:
        raise ValidationError(_("Unknown split categories: %(names)s."), params={"names": ", ".join(sorted(unknown))})
    if any(v < 0 for v in splits.values()):
        raise ValidationError(_("Split values cannot be negative."))
    total = sum(splits.values(), Decimal("0"))
    if total != value:
        raise ValidationError(
            _("The split values add up to %(sum)s, not to the total %(total)s."), params={"sum": total, "total": value}
        )
    return splits


@transaction.atomic
def metric_update_create(
    *,
    record: EvidenceRecord,
    user,
    indicator: Indicator,
    organisation,
    period_start,
    period_end,
    value,
    splits: dict | None = None,
) -> MetricUpdate:
    """Add a value to a metric record; nothing is saved unless value, period and splits are valid."""
    value = Decimal(value)
    update = MetricUpdate(
        record=record,
        indicator=indicator,
        organisation=organisation,
        period_start=period_start,
        period_end=period_end,
        value=value,
    )
    errors = {}
    if value < 0:
        errors["value"] = _("The value cannot be negative.")
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = _("The period cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    clean_splits = validate_splits(indicator=indicator, value=value, splits=splits or {})
    update.full_clean()
    update.save()
    MetricSplit.objects.bulk_create([MetricSplit(update=update, category=k, value=v) for k, v in clean_splits.items()])
    # The splits were written without model signals: bring the dashboard's rollups up to date.
    record_changed(record)
    revision_write(
        record=record,
        user=user,
        action="metric",
        changes={
            "metric": [None, {"indicator": indicator.slug, "value": str(value), "period": period_start.isoformat()}]
        },
    )
    return update


@transaction.atomic
def response_save(*, round: Round, user, group: str, answers: dict[int, dict]) -> Response:
    """Store (or replace) ``user``'s answers to an open round. ``answers``: question pk →
    {"score", "comment", "evidence"}."""
    if not round.is_open():
        raise ValidationError(_("This round is closed."))
    if not Round.objects.answerable_by(viewer_for(user)).filter(pk=round.pk).exists():
        raise PermissionDenied
    response, _created = Response.objects.update_or_create(round=round, respondent=user, defaults={"group": group})
    response.answers.all().delete()
    Answer.objects.bulk_create(
        [
            Answer(
                response=response,
                question_id=qid,
                score=a["score"],
                comment=a.get("comment", ""),
                evidence=a.get("evidence"),
            )
            for qid, a in answers.items()
            if a.get("score")
        ]
    )
    return response
