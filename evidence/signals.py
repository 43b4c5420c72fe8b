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
