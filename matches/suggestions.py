"""Cross-border matchmaking: organisations an organiser could learn from, scored in SQL, each
with its reasons in words; and host/visitor pairs for coordinators planning visits.

Organisations are suggested with their public facts (name, country, themes); beside each, up
to three of its organisers: only profiles ``Member.objects.listed(viewer)`` (never a hidden
one) whose owner did not opt out (``Member.suggestable``). The facts read are the organiser's
own profile (themes, languages) and approved memberships (``Viewer.organisation_ids``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.db import ListSubquery, list_contains
from core.policy import Viewer
from evidence.models import EvidenceRecord
from exchanges.models import PARTICIPANT_STATES, WORKING_LANGUAGES, Exchange, HostOffer, Registration
from network.models import Member, Membership, Organisation
from practice.models import GuideWork

SUGGESTIONS = 12
# How long a shared exchange keeps two organisations from being suggested to each other.
RECENT_DAYS = 365


ORGANISERS_EACH = 3


@dataclass(frozen=True)
class Suggestion:
    organisation: Organisation
    score: int
    reasons: list[str]
    organisers: list[Member]


def _count(queryset) -> Coalesce:
    return Coalesce(
        Subquery(queryset.order_by().values(g=Value(1)).annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def _met_organisations(organisation_ids, user_id=None, *, since=None):
    """Organisations that already met ``organisation_ids`` (hosts or partners of one exchange
    together), or whose members took part in an exchange with ``user_id`` since ``since``."""
    exchanges = Exchange.objects.filter(Q(hosts__in=organisation_ids) | Q(partners__in=organisation_ids))
    met = Q(hosted_exchanges__in=exchanges) | Q(partner_exchanges__in=exchanges)
    if user_id is not None:
        shared = Registration.objects.filter(user_id=user_id, state__in=PARTICIPANT_STATES)
        if since is not None:
            shared = shared.filter(exchange__starts_at__gte=since)
        companions = Membership.objects.approved().filter(
            member__user__registrations__exchange__in=shared.values("exchange_id"),
            member__user__registrations__state__in=PARTICIPANT_STATES,
        )
        met |= Q(pk__in=companions.values("organisation_id"))
    return Organisation.objects.filter(met).values("pk")


def suggestions_for(viewer: Viewer, *, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Organisations in other countries ``viewer`` could learn from, best first: shared themes
    (3 each), a shared spoken language (2), guides they wrote (2 each) and evidence they
    recorded (1 each) on a shared theme, a visit they hosted or offer to host on a shared theme
    (2). Never the viewer's own organisations, their country's, partners of theirs or
    organisations met on an exchange in the last year. One query."""
    member = Member.objects.filter(pk=viewer.member_id).prefetch_related("themes").first()
    if member is None:
        return []
    theme_ids = [t.pk for t in member.themes.all()]
    languages = [code for code in member.languages if code in dict(WORKING_LANGUAGES)][:6]
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    own = list(viewer.organisation_ids)
    candidates = Organisation.objects.exclude(pk__in=own).exclude(
        pk__in=_met_organisations(own, viewer.user_id, since=since)
    )
    if member.country:
        candidates = candidates.exclude(country=member.country)
    themes = Organisation.themes.through.objects.filter(organisation_id=OuterRef("pk"), theme_id__in=theme_ids)
    guides = GuideWork.objects.published().filter(organisations=OuterRef("pk"), themes__in=theme_ids).distinct()
    evidence = EvidenceRecord.objects.filter(
        status=EvidenceRecord.Status.PUBLISHED, organisations=OuterRef("pk"), themes__in=theme_ids
    ).distinct()
    hosted = Exchange.objects.announced().filter(hosts=OuterRef("pk"), themes__in=theme_ids).order_by("-starts_at")
    offers = HostOffer.objects.filter(
        organisation=OuterRef("pk"),
        status__in=[HostOffer.Status.SUBMITTED, HostOffer.Status.APPROVED],
        themes__in=theme_ids,
    )
    speakers = {
        f"speaks_{code}": Exists(
            Member.objects.filter(
                memberships__organisation=OuterRef("pk"), memberships__state=Membership.State.APPROVED
            ).filter(list_contains("languages", code))
        )
        for code in languages
    }
    any_speaker = Q()
    for name in speakers:
        any_speaker |= Q(**{name: True})
    rows = (
        candidates.annotate(
            shared_themes=_count(themes),
            shared_theme_names=ListSubquery(themes.annotate(v=F("theme__name")).values_list("v")),
            guides_on_theme=_count(guides),
            evidence_on_theme=_count(evidence),
            hosted_title=Subquery(hosted.values("title")[:1]),
            offers_to_host=Exists(offers),
            **speakers,
        )
        .annotate(
            shared_language=_flag(any_speaker) if speakers else Value(0),
            hosting_fits=_flag(Q(hosted_title__isnull=False) | Q(offers_to_host=True)),
        )
        .annotate(
            score=F("shared_themes") * 3
            + F("shared_language") * 2
            + F("guides_on_theme") * 2
            + F("evidence_on_theme")
            + F("hosting_fits") * 2
        )
        .filter(score__gt=0)
        .order_by("-score", "name")[:limit]
    )
    rows = list(rows)
    organisers = _organisers(viewer, [row.pk for row in rows], theme_ids)
    return [_suggestion(row, languages, organisers.get(row.pk, [])) for row in rows]


def _organisers(viewer: Viewer, organisation_ids: list[int], theme_ids: list[int]) -> dict[int, list[Member]]:
    """Up to three organisers of each organisation, those sharing a theme first: listed to
    ``viewer`` (the policy), not opted out, never the viewer. One query."""
    if not organisation_ids:
        return {}
    shares = Member.themes.through.objects.filter(member_id=OuterRef("member_id"), theme_id__in=theme_ids)
    memberships = (
        Membership.objects.approved()
        .filter(organisation_id__in=organisation_ids, member__in=Member.objects.listed(viewer).filter(suggestable=True))
        .exclude(member_id=viewer.member_id)
        .annotate(shares=Exists(shares))
        .select_related("member")
        .order_by("organisation_id", "-shares", "member__display_name", "pk")
    )
    found: dict[int, list[Member]] = {}
    for membership in memberships:
        people = found.setdefault(membership.organisation_id, [])
        if len(people) < ORGANISERS_EACH:
            people.append(membership.member)
    return found


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _suggestion(row, languages: list[str], organisers: list[Member]) -> Suggestion:
    names = dict(WORKING_LANGUAGES)
    reasons = []
    if row.shared_theme_names:
        reasons.append(_("both work on %(themes)s") % {"themes": ", ".join(sorted(row.shared_theme_names))})
    spoken = [str(names[code]) for code in languages if getattr(row, f"speaks_{code}", False)]
    if spoken:
        reasons.append(_("you both speak %(languages)s") % {"languages": ", ".join(spoken)})
    if row.guides_on_theme:
        reasons.append(
            ngettext("they wrote %(count)d guide on it", "they wrote %(count)d guides on it", row.guides_on_theme)
            % {"count": row.guides_on_theme}
        )
    if row.evidence_on_theme:
        reasons.append(
            ngettext(
                "they recorded %(count)d piece of evidence on it",
                "they recorded %(count)d pieces of evidence on it",
                row.evidence_on_theme,
            )
            % {"count": row.evidence_on_theme}
        )
    if row.hosted_title:
        reasons.append(_("they hosted “%(title)s”") % {"title": row.hosted_title})
    elif row.offers_to_host:
        reasons.append(_("they offer to host on it"))
    return Suggestion(organisation=row, score=row.score, reasons=reasons, organisers=organisers)


@dataclass(frozen=True)
class Pair:
    host: Organisation
    visitor: Organisation
    themes: list[str]


def pairs_propose(*, limit: int = 50) -> list[Pair]:
    """Host/visitor pairs for a visits programme: hosts are organisations that offer to host
    (pending or approved) or hosted a visit; each gets the visitor from another country with
    the most themes in common that has not met it, each visitor used once, the least-used
    countries first on a tie (so countries balance). Three queries and a greedy pass."""
    visit_hosts = Exchange.objects.filter(kind=Exchange.Kind.VISIT).values("hosts")
    offering = HostOffer.objects.filter(status__in=[HostOffer.Status.SUBMITTED, HostOffer.Status.APPROVED]).values(
        "organisation"
    )
    organisations = list(
        Organisation.objects.exclude(country="")
        .annotate(
            theme_ids=ListSubquery(
                Organisation.themes.through.objects.filter(organisation_id=OuterRef("pk"))
                .annotate(v=F("theme_id"))
                .values_list("v")
            )
        )
        # Two hashed subqueries, not one correlated subquery per organisation.
        .annotate(is_host=ExpressionWrapper(Q(pk__in=visit_hosts) | Q(pk__in=offering), output_field=BooleanField()))
        .order_by("name", "pk")
    )
    theme_names = dict(Organisation.themes.field.related_model.objects.values_list("pk", "name"))
    met = set()
    for exchange_id, organisation_id in Exchange.hosts.through.objects.values_list("exchange_id", "organisation_id"):
        met.add((exchange_id, organisation_id))
    by_exchange: dict[int, set[int]] = {}
    for exchange_id, organisation_id in met:
        by_exchange.setdefault(exchange_id, set()).add(organisation_id)
    for exchange_id, organisation_id in Exchange.partners.through.objects.values_list("exchange_id", "organisation_id"):
        by_exchange.setdefault(exchange_id, set()).add(organisation_id)
    already = {(a, b) for group in by_exchange.values() for a in group for b in group if a != b}
    # Plain values read once: the greedy pass below compares every host with every organisation
    # (a CountryField builds a Country object on each read, which cost seconds here).
    facts = {o.pk: (o.country.code, frozenset(o.theme_ids or ())) for o in organisations}
    used: set[int] = set()
    country_use: dict[str, int] = {}
    pairs = []
    for host in [o for o in organisations if o.is_host]:
        if len(pairs) >= limit:
            break
        host_country, host_themes = facts[host.pk]
        best, best_key = None, None
        for visitor in organisations:
            pk = visitor.pk
            if pk == host.pk or pk in used:
                continue
            country, themes = facts[pk]
            if country == host_country or (host.pk, pk) in already:
                continue
            key = (len(host_themes & themes), -country_use.get(country, 0))
            if best_key is None or key > best_key:
                best, best_key = visitor, key
        if best is None:
            continue
        used.add(best.pk)
        best_country, best_themes = facts[best.pk]
        country_use[best_country] = country_use.get(best_country, 0) + 1
        shared = sorted(theme_names[t] for t in host_themes & best_themes)
        pairs.append(Pair(host=host, visitor=best, themes=shared))
    return pairs
