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
    CharField,
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
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import cache
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


def _met_organisations(organisation_ids, user_id: int, *, since) -> dict[str, ListSubquery]:
    """The organisations that already met ``organisation_ids`` (hosts or partners of one
    exchange together), or whose members took part in an exchange with ``user_id`` since
    ``since``: three lists of ids, annotated on the organiser's profile query (one round trip).

    Read from the hosts' and partners' link tables and the registrations by user (semi-joins on
    their indexes), not joins over every exchange and the user table, which the plan showed as
    a third of the suggestions' time."""
    hosts, partners = Exchange.hosts.through.objects.order_by(), Exchange.partners.through.objects.order_by()
    exchanges = (
        hosts.filter(organisation_id__in=organisation_ids)
        .values("exchange_id")
        .union(partners.filter(organisation_id__in=organisation_ids).values("exchange_id"))
    )
    shared = Registration.objects.filter(
        user_id=user_id, state__in=PARTICIPANT_STATES, exchange__starts_at__gte=since
    ).values("exchange_id")
    companions = Registration.objects.filter(exchange_id__in=shared, state__in=PARTICIPANT_STATES).values("user_id")
    return {
        "met_as_hosts": ListSubquery(
            hosts.filter(exchange_id__in=exchanges).annotate(v=F("organisation_id")).values_list("v")
        ),
        "met_as_partners": ListSubquery(
            partners.filter(exchange_id__in=exchanges).annotate(v=F("organisation_id")).values_list("v")
        ),
        "met_in_person": ListSubquery(
            Membership.objects.approved()
            .filter(member__user_id__in=companions)
            .order_by()
            .annotate(v=F("organisation_id"))
            .values_list("v")
        ),
    }


def _is_in(ids) -> Case:
    """1 where the organisation is among ``ids`` (an uncorrelated subquery of organisation
    ids), else 0. PostgreSQL runs such a subquery once and hashes it, where a correlated
    subquery would run once per candidate among thousands."""
    return _flag(Q(pk__in=ids))


def _hosted(theme_ids):
    return Exchange.objects.announced().filter(themes__in=theme_ids)


def _offers(theme_ids):
    # Only approved offers count: an offer under review is a member's words the policy shows
    # to no one else (``HostOfferQuerySet.visible_to``), so it cannot be a reason either.
    return HostOffer.objects.approved().filter(themes__in=theme_ids)


def _organisation_facts(theme_ids: list[int], languages: list[str]) -> dict[int, tuple[str, str, int, int, int]]:
    """Every organisation's name and country, and what of the score it earns from these themes
    and languages: how many of the themes it shares, whether it hosted a visit or offers to host
    on one (0/1) and whether someone there speaks one of the languages (0/1).

    The same for every organiser with these themes and languages, whoever they are (names,
    countries, themes and hosting are public; who speaks what is only ever counted), so it is
    cached for the members' audience (``core.cache``) until the network or an exchange or offer
    changes, like the practice counts (``_practice_on``). Read afresh, one query: every flag a
    hashed subquery, one scan of the speakers for all the languages (a GIN index serves the
    containment)."""
    themes = sorted(set(theme_ids))

    def read() -> dict[int, tuple[str, str, int, int, int]]:
        shared = Value(0, output_field=IntegerField())
        # One flag per shared theme (a profile names a few): their sum is the number shared.
        for theme_id in themes:
            shared = shared + _is_in(
                Organisation.themes.through.objects.filter(theme_id=theme_id).values("organisation_id")
            )
        speaks = _is_in(_speakers(languages)) if languages else Value(0, output_field=IntegerField())
        rows = (
            Organisation.objects.order_by()
            .annotate(
                shared_themes=ExpressionWrapper(shared, output_field=IntegerField()),
                hosting_fits=_flag(
                    Q(pk__in=_hosted(themes).values("hosts"))
                    | Q(pk__in=_offers(themes).order_by().values("organisation_id"))
                ),
                speaks=speaks,
            )
            .values_list("pk", "name", "country", "shared_themes", "hosting_fits", "speaks")
        )
        return {pk: (name, str(country), *flags) for pk, name, country, *flags in rows}

    return cache.fragment(
        "matches-organisation-facts",
        depends_on=("network", "exchanges"),
        audience="members",
        parts=["themes", *themes, "languages", *languages],
        render=read,
    )


def suggestions_for(viewer: Viewer, *, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Organisations in other countries ``viewer`` could learn from, best first: shared themes
    (3 each), a shared spoken language (2), guides they wrote (2 each) and evidence they
    recorded (1 each) on a shared theme, a visit they hosted or an approved offer to host on a
    shared theme (2). Never the viewer's own organisations, their country's, partners of theirs
    or organisations met on an exchange in the last year.

    A fixed number of queries (two, and one or three more when the organisations' facts or
    the practice counts are not cached): the organiser's profile with their themes and the
    organisations they already met (``_met_organisations``); the facts every organiser with
    these themes and languages shares (``_organisation_facts``) and the guides and evidence
    counted per organisation (``_practice_on``), both cached for the members' audience; the
    scores added here; then the chosen few read whole, with their reasons and their
    organisers (``_organisers``)."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    own = set(viewer.organisation_ids)
    member = (
        Member.objects.filter(pk=viewer.member_id)
        .order_by()
        .values("country", "languages")
        .annotate(
            theme_ids=ListSubquery(
                Member.themes.through.objects.filter(member_id=OuterRef("pk"))
                .annotate(v=F("theme_id"))
                .values_list("v")
            ),
            **_met_organisations(list(own), viewer.user_id, since=since),
        )
        .first()
    )
    if member is None:
        return []
    theme_ids = sorted(member["theme_ids"] or [])
    languages = [code for code in member["languages"] or [] if code in dict(WORKING_LANGUAGES)][:6]
    if not theme_ids and not languages:
        # Nothing to share: no organisation can score (practice counts are on shared themes).
        return []
    excluded = own.union(*(member[name] or () for name in ("met_as_hosts", "met_as_partners", "met_in_person")))
    country = str(member["country"] or "")
    facts = _organisation_facts(theme_ids, languages)
    guides, evidence = _practice_on(theme_ids)
    scored = []
    for pk, (name, organisation_country, shared_n, hosting, spoken) in facts.items():
        if pk in excluded or (country and organisation_country == country):
            continue
        score = shared_n * 3 + spoken * 2 + guides.get(pk, 0) * 2 + evidence.get(pk, 0) + hosting * 2
        if score > 0:
            scored.append((-score, name, pk, score))
    # Best first, then by name (the order the page shows).
    best = sorted(scored)[:limit]
    chosen = {pk: score for _key, _name, pk, score in best}
    order = {pk: i for i, pk in enumerate(chosen)}
    hosted, offers = _hosted(theme_ids), _offers(theme_ids)
    themes = Organisation.themes.through.objects.filter(organisation_id=OuterRef("pk"), theme_id__in=theme_ids)
    rows = list(
        Organisation.objects.filter(pk__in=chosen)
        .only("pk", "name", "slug", "city", "country")
        .annotate(
            shared_theme_names=ListSubquery(themes.annotate(v=F("theme__name")).values_list("v")),
            hosted_title=Subquery(hosted.filter(hosts=OuterRef("pk")).order_by("-starts_at").values("title")[:1]),
            offers_to_host=Exists(offers.filter(organisation=OuterRef("pk"))),
            # Per language, the organisation's id if someone there speaks it, else None: a
            # scalar subquery with LIMIT 1, run for the few rows only (PostgreSQL runs an EXISTS
            # here as a hashed scan of every membership).
            **{
                f"speaks_{code}": Subquery(
                    _speakers([code]).filter(organisation_id=OuterRef("pk")).values("organisation_id")[:1]
                )
                for code in languages
            },
            organiser_list=_organisers(viewer, theme_ids),
        )
    )
    for row in rows:
        row.score = chosen[row.pk]
        row.guides_on_theme = guides.get(row.pk, 0)
        row.evidence_on_theme = evidence.get(row.pk, 0)
    rows.sort(key=lambda row: order[row.pk])
    return [_suggestion(row, languages, _people(row.organiser_list)) for row in rows]


def _practice_on(theme_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """How many published guides and evidence records each organisation has on ``theme_ids``.

    The heaviest part of a suggestion (tens of thousands of evidence rows to count) and the
    same for every organiser with these themes, whoever they are: a count of published work,
    so it is cached for the members' audience (``core.cache``) until a guide or a record
    changes, keyed by the set of themes (a profile names a few of a short list)."""
    themes = sorted(set(theme_ids))

    def count() -> tuple[dict[int, int], dict[int, int]]:
        guides = _per_organisation(GuideWork.organisations.through, "guidework", GuideWork.objects.published(), themes)
        evidence = _per_organisation(
            EvidenceRecord.organisations.through,
            "evidencerecord",
            EvidenceRecord.objects.filter(status=EvidenceRecord.Status.PUBLISHED),
            themes,
        )
        return guides, evidence

    if not themes:
        return {}, {}
    return cache.fragment(
        "matches-practice-on-themes",
        depends_on=("practice", "evidence"),
        audience="members",
        parts=themes,
        render=count,
    )


def _per_organisation(through, field: str, published, theme_ids: list[int]) -> dict[int, int]:
    """How many of ``published`` on one of ``theme_ids`` each organisation has, from the
    organisations' link table (``through``, one row per work and organisation): one grouped
    query whose filter is a semi-join, so nothing is counted twice and nothing sorted."""
    on_theme = published.filter(themes__in=theme_ids).order_by().values("pk")
    return dict(
        through.objects.filter(**{f"{field}_id__in": on_theme})
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("organisation_id", "n")
    )


def _speakers(languages: list[str]):
    """The organisations (ids) of approved memberships of members who speak one of
    ``languages`` (a GIN index on the languages serves the containment)."""
    speaks = Q()
    for code in languages:
        speaks |= list_contains("member__languages", code)
    return Membership.objects.approved().filter(speaks).order_by().values("organisation_id")


def _organisers(viewer: Viewer, theme_ids: list[int]) -> ListSubquery:
    """Up to three organisers of the organisation (``OuterRef("pk")``), those sharing a theme
    first: listed to ``viewer`` (the policy), not opted out, never the viewer. Each as
    "id:name", read with the chosen organisations (no query of its own): only what the page
    shows of them."""
    shares = Member.themes.through.objects.filter(member_id=OuterRef("pk"), theme_id__in=theme_ids)
    people = (
        Member.objects.listed(viewer)
        .filter(
            suggestable=True,
            memberships__organisation_id=OuterRef("pk"),
            memberships__state=Membership.State.APPROVED,
        )
        .exclude(pk=viewer.member_id)
        .annotate(shares=Exists(shares), v=Concat(Cast("pk", CharField()), Value(":"), "display_name"))
        .order_by("-shares", "display_name", "pk")
        .values_list("v")[:ORGANISERS_EACH]
    )
    return ListSubquery(people)


def _people(organiser_list) -> list[Member]:
    """The organisers read by ``_organisers``, as profiles the page links to by name."""
    people = []
    for entry in organiser_list or []:
        pk, _sep, name = entry.partition(":")
        people.append(Member(pk=int(pk), display_name=name))
    return people


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


# Registrations that mean a person met the others on an exchange (or is about to): a no-show
# met no one, and applicants, the waitlist and cancellations did not take part.
MET_STATES = (Registration.State.CONFIRMED, Registration.State.ACCEPTED, Registration.State.ATTENDED)


def _met_through_registrations(host_ids: list[int]) -> dict[int, set[int]]:
    """For each of ``host_ids``, the organisations whose members took part in an exchange
    together with one of its members (approved memberships only: what the policy counts as
    belonging). Two plain queries, the hosts' exchanges and then who took part in them, instead
    of one correlated subquery per organisation: on the bench's dense network (100,000
    registrations) the correlated version ran for minutes."""
    own = (
        Membership.objects.approved()
        .filter(organisation_id__in=host_ids, member__user__registrations__state__in=MET_STATES)
        .values_list("organisation_id", "member__user__registrations__exchange_id")
        .order_by()
        .distinct()
    )
    exchanges_of: dict[int, set[int]] = {}
    for organisation_id, exchange_id in own:
        exchanges_of.setdefault(organisation_id, set()).add(exchange_id)
    wanted = set().union(*exchanges_of.values()) if exchanges_of else set()
    present: dict[int, set[int]] = {}
    if wanted:
        rows = (
            Membership.objects.approved()
            .filter(
                member__user__registrations__exchange_id__in=wanted,
                member__user__registrations__state__in=MET_STATES,
            )
            .values_list("member__user__registrations__exchange_id", "organisation_id")
            .order_by()
            .distinct()
        )
        for exchange_id, organisation_id in rows:
            present.setdefault(exchange_id, set()).add(organisation_id)
    met: dict[int, set[int]] = {}
    for host_id, exchange_ids in exchanges_of.items():
        others = met.setdefault(host_id, set())
        for exchange_id in exchange_ids:
            others |= present.get(exchange_id, set())
        others.discard(host_id)
    return met


# Hosts are examined in order, a batch at a time, and at most this many times the pairs asked
# for: on a network where nearly every two organisations have met, looking further would cost
# seconds to find nearly nobody.
HOSTS_EXAMINED_PER_PAIR = 3


def pairs_propose(*, limit: int = 50) -> list[Pair]:
    """Host/visitor pairs for a visits programme: hosts are organisations with an approved
    offer to host (the policy's public offer) or that hosted a visit; each gets the visitor from another country with
    the most themes in common that has not met it, each visitor used once, the least-used
    countries first on a tie (so countries balance). Organisations have met when they hosted
    or partnered one exchange together (host and visitor of a visit included), or when their
    members took part in the same exchange (co-attendees). Hosts are examined in order, a batch
    of ``limit`` at a time (two queries each for their co-attendees), at most
    ``HOSTS_EXAMINED_PER_PAIR`` times ``limit`` of them; then a greedy pass."""
    visit_hosts = Exchange.objects.filter(kind=Exchange.Kind.VISIT).values("hosts")
    offering = HostOffer.objects.approved().values("organisation")
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
    hosts = [o for o in organisations if o.is_host][: HOSTS_EXAMINED_PER_PAIR * limit]
    met_by_registration: dict[int, set[int]] = {}
    for index, host in enumerate(hosts):
        if len(pairs) >= limit:
            break
        if index % limit == 0:
            met_by_registration = _met_through_registrations([h.pk for h in hosts[index : index + limit]])
        host_country, host_themes = facts[host.pk]
        met_host = met_by_registration.get(host.pk, set())
        best, best_key = None, None
        for visitor in organisations:
            pk = visitor.pk
            if pk == host.pk or pk in used:
                continue
            country, themes = facts[pk]
            if country == host_country or (host.pk, pk) in already or pk in met_host:
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
