"""What bumps the ``evidence`` namespace of the fragment cache (``core.cache``): every write to
evidence data (records, their lists, countries and attachments, consent, metric updates and
splits, targets, indicators, the translated lists). Services that change a record without a
model signal (a workflow step, a withdrawn consent) send ``core.signals.content_changed`` for
it (``evidence.services.record_changed``), which bumps the namespace too.

The library's and the dashboard's fragments show what ``visible_to(representative).published()``
gives for an audience, so they depend on the person's class only; consent that expires passes
without any write, so they are also valid until the end of the local day only
(``core.cache.end_of_today``). Names of themes and organisations are the ``network``
namespace's, on which the evidence fragments depend as well.
"""

from __future__ import annotations

from core import cache

NAMESPACE = "evidence"


def connect() -> None:
    from evidence import models

    record = models.EvidenceRecord
    cache.watch(
        NAMESPACE,
        record,
        # The review queue's admin saves records through this proxy: its signals name it.
        models.ReviewQueueItem,
        models.Consent,
        models.RecordCountry,
        models.Attachment,
        models.MetricUpdate,
        models.MetricSplit,
        models.Target,
        models.Indicator,
        models.ProcessDimension,
        models.OutcomeType,
        record.organisations.through,
        record.themes.through,
        record.dimensions.through,
        record.outcome_types.through,
        record.exchanges.through,
        record.reflections.through,
    )


def _record_ids(instance) -> list[int]:
    """The record a saved or deleted row belongs to."""
    from evidence import models

    if isinstance(instance, models.EvidenceRecord):
        return [instance.pk]
    if isinstance(instance, models.MetricSplit):
        return list(models.MetricUpdate.objects.filter(pk=instance.update_id).values_list("record_id", flat=True))
    return [instance.record_id]


def _refresh_rollups(sender, instance=None, **kwargs) -> None:
    from evidence import rollups

    if kwargs.get("raw") or instance is None:
        return
    rollups.refresh(_record_ids(instance))


def _refresh_rollups_m2m(sender, instance, action, reverse, pk_set=None, **kwargs) -> None:
    """A record's themes, process dimensions or outcome types changed (from either side)."""
    from evidence import rollups

    if not reverse:
        if action.startswith("post_"):
            rollups.refresh([instance.pk])
        return
    # From the theme's (or dimension's) side: the records are ``pk_set``, or for a clear the
    # records linked just before it.
    if action == "pre_clear":
        instance._rollup_records = list(
            sender.objects.filter(**{sender._meta.get_field(_other(sender)).attname: instance.pk}).values_list(
                "evidencerecord_id", flat=True
            )
        )
    elif action == "post_clear":
        rollups.refresh(getattr(instance, "_rollup_records", []))
    elif action in ("post_add", "post_remove"):
        rollups.refresh(pk_set or [])


def _other(through) -> str:
    """The name of the through model's field that is not the record."""
    return next(f.name for f in through._meta.fields if f.is_relation and f.name != "evidencerecord")


def connect_rollups() -> None:
    """Keep the dashboard's rollups (``evidence.rollups``) in step with every write, inside its
    transaction: the same writes that bump the cache, except those the rollups do not sum
    (attachments, targets, indicators' names, the lists' names: the dashboard joins those at read
    time)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from core.signals import content_changed
    from evidence import models

    record = models.EvidenceRecord
    for sender in (
        record,
        models.ReviewQueueItem,
        models.Consent,
        models.RecordCountry,
        models.MetricUpdate,
        models.MetricSplit,
    ):
        label = sender._meta.label
        post_save.connect(_refresh_rollups, sender=sender, dispatch_uid=f"rollups:save:{label}")
        post_delete.connect(_refresh_rollups, sender=sender, dispatch_uid=f"rollups:delete:{label}")
    content_changed.connect(_refresh_rollups, sender=record, dispatch_uid="rollups:content")
    for through in (record.themes.through, record.dimensions.through, record.outcome_types.through):
        m2m_changed.connect(_refresh_rollups_m2m, sender=through, dispatch_uid=f"rollups:m2m:{through._meta.label}")
