"""What the cross-site search indexes: every source, in one explicit list.

A source names a model, a short ``kind`` ("guide", "exchange", ...), a translated label, and
    ``document``  fn(instance) -> dict | None: title, summary, body, language, url,
                  themes [slugs], countries [codes]; None keeps the item out of the index
    ``visible``   fn(viewer) -> QuerySet of the model's rows that viewer (``core.policy.Viewer``) may find
and ``triggers``: {related model: fn(obj) -> iterable of items} for related rows whose
changes alter the items' documents, and ``prefetch``: the relations ``document`` reads, loaded
in bulk when the whole index is rebuilt (one query per relation instead of one per row), and
optionally ``titles``: fn(language, ids) -> {id: title} for items listed under a translated
title in the reader's language (the index keeps the original's).

The document and visibility functions live with the data, in ``<app>/search.py`` of the
apps below this one; the search app imports them here directly (nothing is discovered).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from evidence import search as evidence_search
from evidence.models import Consent, EvidenceRecord
from exchanges import search as exchanges_search
from exchanges.models import Exchange, ExchangeTranslation, HostOffer
from network import search as network_search
from network.models import Member, Organisation, User
from practice import search as practice_search
from practice.models import Guide, GuideWork, JointAction, JointActionUpdate, Participation
from programmes import search as programmes_search
from programmes.models import Programme
from strategy import search as strategy_search
from strategy.models import Amendment, Commitment, CommitmentUpdate, Objective, Section, Version, VersionText


@dataclass(frozen=True)
class Source:
    model: type[models.Model]
    kind: str
    label: Any
    document: Callable[[Any], dict | None]
    visible: Callable[[Any], models.QuerySet]
    triggers: dict[type[models.Model], Callable[[Any], Iterable]] = field(default_factory=dict)
    prefetch: tuple[str, ...] = ()
    titles: Callable[[str, list[int]], dict[int, str]] | None = None

    def queryset(self) -> models.QuerySet:
        """Every row of the model, with what ``document`` reads loaded in bulk (full reindex)."""
        return self.model._default_manager.prefetch_related(*self.prefetch)


@functools.cache
def sources() -> dict[str, Source]:
    """Every source, by kind."""
    return {
        source.kind: source
        for source in (
            Source(
                model=Exchange,
                kind="exchange",
                label=_("Exchange"),
                document=exchanges_search.document,
                visible=exchanges_search.visible,
                # Translated titles and summaries are found too.
                triggers={ExchangeTranslation: lambda translation: [translation.exchange]},
                prefetch=("themes", "translations", "hosts", "partners"),
                titles=exchanges_search.titles_in,
            ),
            Source(
                model=HostOffer,
                kind="host_offer",
                label=_("Offer to host"),
                document=exchanges_search.host_offer_document,
                visible=exchanges_search.host_offer_visible,
                # The organisation's name and place are in the offer's entry.
                triggers={Organisation: lambda organisation: organisation.host_offers.all()},
                prefetch=("themes", "organisation"),
            ),
            Source(
                model=EvidenceRecord,
                kind="evidence",
                label=_("Evidence"),
                document=evidence_search.document,
                visible=evidence_search.visible,
                # Consent decides who may find a story: a changed consent refreshes the record's
                # entry (and with it the cached anonymous searches).
                triggers={Consent: lambda consent: [consent.record]},
                prefetch=("themes", "record_countries"),
            ),
            Source(
                model=Guide,
                kind="guide",
                label=_("Guide"),
                document=practice_search.guide_document,
                visible=practice_search.guide_visible,
                # Themes and countries live on the work that all languages share.
                triggers={GuideWork: lambda work: work.versions.all()},
                prefetch=("work__themes",),
            ),
            Source(
                model=JointAction,
                kind="joint_action",
                label=_("Joint action"),
                document=practice_search.joint_action_document,
                visible=practice_search.joint_action_visible,
                triggers={
                    Participation: lambda participation: [participation.joint_action],
                    JointActionUpdate: lambda update: [update.joint_action],
                },
                prefetch=("updates", "participations__organisation", "issue"),
            ),
            Source(
                model=Organisation,
                kind="organisation",
                label=_("Organisation"),
                document=network_search.organisation_document,
                visible=network_search.organisation_visible,
                prefetch=("themes",),
            ),
            Source(
                model=Member,
                kind="member",
                label=_("Person"),
                document=network_search.member_document,
                visible=network_search.member_visible,
                # A deactivated or deleted account takes its profile out of the results.
                triggers={User: network_search.members_of_user},
                prefetch=("themes",),
            ),
            Source(
                model=Programme,
                kind="programme",
                label=_("Programme"),
                document=programmes_search.document,
                visible=programmes_search.visible,
            ),
            Source(
                model=Section,
                kind="strategy_section",
                label=_("Strategy section"),
                document=strategy_search.section_document,
                visible=strategy_search.section_visible,
                # A section's entry is its current published version's text: publishing (or
                # translating a published version) changes it.
                triggers={
                    Version: strategy_search.sections_of_version,
                    VersionText: strategy_search.sections_of_text,
                },
                titles=strategy_search.headings_in,
            ),
            Source(
                model=Amendment,
                kind="amendment",
                label=_("Amendment"),
                document=strategy_search.amendment_document,
                visible=strategy_search.amendment_visible,
                triggers={Version: strategy_search.amendments_of_version},
                prefetch=("round__version__document", "section", "applied_to"),
            ),
            Source(
                model=Commitment,
                kind="commitment",
                label=_("Commitment"),
                document=strategy_search.commitment_document,
                visible=strategy_search.commitment_visible,
                triggers={
                    CommitmentUpdate: lambda update: [update.commitment],
                    Objective: lambda objective: objective.commitments.all(),
                },
                prefetch=("organisations", "updates", "objective", "theme", "exchange"),
            ),
        )
    }
