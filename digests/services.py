"""Digest preferences and the digest job.

The job (``digest_run``) runs for one frequency. It finds the members due for the latest
complete period, fetches the candidate items once for the whole run (from the other apps'
``digest.py`` modules, see ``digests.providers``), stores them on a ``DigestRun`` and
hands the members out in batches. Each batch (``digest_batch_send``) filters the items
per member in memory and, in one transaction, claims a ``DigestDelivery`` per member,
writes the emails to the outbox and moves each member's ``covered_until`` to the end of
the period. A batch that runs twice, or a job that runs again, finds the deliveries
already there and sends nothing twice; a batch killed before its commit leaves nothing
behind and its members stay due.

Decisions, written down:
- A member's window is ``[covered_until, period_until)``. Without a previous digest it is
  the period itself. Windows never reach back further than ``MAX_LOOKBACK``.
- Members with nothing new get no email, but their window still advances (a delivery row
  in state "empty" records it): the next digest starts where this one would have ended,
  and coordinators can count the empty ones.
- Reminders of a member's own upcoming exchanges ride along with news; alone they do not
  make a digest (the exchanges app sends its own reminders).
- Turning digests back on after "off" starts the window at the start of that day, so a
  member is not sent the news of the months they had opted out of.
- Who may read an item is the provider's ``audiences``, in the one vocabulary of
  ``core.policy`` and computed from each kind's own ``visible_to`` rule
  (``core.policy.audiences_of``): a member receives an item when their audience
  (``Viewer.audience``) is among them.
- An item may name the ``organisations`` it concerns (a joint action's participants, a
  commitment's holders). A member of one of them (an approved membership: the policy's
  ``Viewer.organisation_ids``) receives it whatever their themes, countries and languages;
  the items of ``OWN_ORGANISATION_SECTIONS`` (commitment progress) go to those members only.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.policy import Viewer, viewers_for_users
from digests.models import (
    NEWS_SECTIONS,
    OWN_ORGANISATION_SECTIONS,
    SENDING_FREQUENCIES,
    DigestDelivery,
    DigestPreference,
    DigestRun,
    Frequency,
    Period,
    Scope,
    Section,
    period_for,
)
from digests.providers import items_collect, member_items_collect
from digests.tokens import Purpose, token_make
from outbox.services import RenderedEmail, absolute_url, email_queue_many, email_render

MAX_LOOKBACK = dt.timedelta(days=92)
SECTION_LIMIT = 10
EMAIL_TEMPLATE = "digests/emails/digest"
EMAIL_KIND = "digest"
ITEM_TEMPLATE = "digests/emails/includes/item"
DEFAULT_FREQUENCY = DigestPreference._meta.get_field("frequency").default

# Where "and N more" leads, per section (each app's main list page).
SECTION_INDEX = {
    Section.EXCHANGES: "exchanges:index",
    Section.GUIDES: "practice:index",
    Section.EVIDENCE: "evidence:index",
    Section.JOINT_ACTIONS: "practice:index",
    # Approved offers to host have no list page of their own: the search lists them all.
    Section.HOST_OFFERS: "search:index",
    Section.PROGRAMMES: "programmes:index",
    Section.COMMITMENTS: "commitments:list",
    Section.STRATEGY: "strategy:document_list",
}
SECTION_QUERY = {Section.HOST_OFFERS: "?type=host_offer"}
# Upcoming things read soonest first; published things newest first.
SECTION_NEWEST_FIRST = {
    Section.GUIDES,
    Section.EVIDENCE,
    Section.JOINT_ACTIONS,
    Section.HOST_OFFERS,
    Section.PROGRAMMES,
    Section.COMMITMENTS,
    Section.STRATEGY,
}


def batch_size() -> int:
    return getattr(settings, "DIGESTS_BATCH_SIZE", 500)


# --- Preferences ----------------------------------------------------------------------------


def preference_of(user) -> DigestPreference:
    """The member's saved preference, or an unsaved one holding the defaults."""
    try:
        return user.digest_preference
    except ObjectDoesNotExist:
        return DigestPreference(user=user)


def _start_of_today() -> dt.datetime:
    return timezone.now().astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@transaction.atomic
def preference_update(
    *,
    user,
    frequency: str,
    send_exchanges: bool,
    send_guides: bool,
    send_evidence: bool,
    send_joint_actions: bool,
    send_reminders: bool,
    themes_scope: str,
    themes: Iterable,
    send_host_offers: bool = True,
    send_programmes: bool = True,
    send_consultations: bool = False,
    countries_scope: str,
    countries: list[str],
    languages_scope: str,
    languages: list[str],
) -> DigestPreference:
    """Save a member's digest preferences (from the signed-in page or a digest's link)."""
    preference, created = DigestPreference.objects.select_for_update().get_or_create(user=user)
    if not created and preference.frequency == Frequency.OFF and frequency != Frequency.OFF:
        # Back on after "off": news from today on, not the backlog of the months away.
        today = _start_of_today()
        if preference.covered_until is None or preference.covered_until < today:
            preference.covered_until = today
    preference.frequency = frequency
    preference.send_exchanges = send_exchanges
    preference.send_guides = send_guides
    preference.send_evidence = send_evidence
    preference.send_joint_actions = send_joint_actions
    preference.send_host_offers = send_host_offers
    preference.send_programmes = send_programmes
    preference.send_reminders = send_reminders
    preference.send_consultations = send_consultations
    preference.themes_scope = themes_scope
    preference.countries_scope = countries_scope
    preference.countries = list(countries)
    preference.languages_scope = languages_scope
    preference.languages = sorted(set(languages))
    preference.save()
    preference.themes.set(themes)
    return preference


@transaction.atomic
def preference_unsubscribe(*, user) -> DigestPreference:
    """Turn the member's digest off. Idempotent: a second call changes nothing."""
    preference, _created = DigestPreference.objects.select_for_update().get_or_create(user=user)
    if preference.frequency != Frequency.OFF:
        preference.frequency = Frequency.OFF
        preference.unsubscribed_at = timezone.now()
        preference.save(update_fields=["frequency", "unsubscribed_at", "updated_at"])
    return preference


# --- Who reads what -------------------------------------------------------------------------


@dataclass
class Reader:
    """A member as the digest filter sees them. ``None`` filters mean "all"."""

    user: object
    preference: DigestPreference
    language: str
    time_zone: zoneinfo.ZoneInfo
    sections: set[str]
    audiences: frozenset[str]
    themes: frozenset[str] | None
    countries: frozenset[str] | None
    languages: frozenset[str] | None
    since: dt.datetime
    slot: int = 0
    # The organisations of the member's approved memberships (ids as strings, like the items').
    organisations: frozenset[str] = frozenset()


_LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
_ZONES: dict[str, zoneinfo.ZoneInfo] = {}


def _zone(name: str) -> zoneinfo.ZoneInfo:
    if name not in _ZONES:
        try:
            _ZONES[name] = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            _ZONES[name] = zoneinfo.ZoneInfo("UTC")
    return _ZONES[name]


def _chosen(scope: str, profile: set[str], chosen) -> frozenset[str] | None:
    if scope == Scope.ALL:
        return None
    values = set(profile) if scope == Scope.PROFILE else set(chosen())
    # An empty selection narrows nothing: "the themes on my profile" with none on it is "all".
    return frozenset(values) if values else None


def reader_for(
    user, preference: DigestPreference, *, since: dt.datetime, slot: int = 0, organisation_ids: Iterable[int] = ()
) -> Reader:
    """Build the filter for one member from their preference, profile and roles.

    Uses only prefetched relations (``member``, ``member.themes``, ``groups`` and the
    preference's ``themes``), so a batch costs no query per member; ``organisation_ids`` are
    the member's approved organisations as the policy has them (``viewers_for_users``, one
    query per batch).
    """
    member = user.member
    saved = not preference._state.adding
    # The member's audience as the policy defines it, from the prefetched role groups.
    viewer = Viewer(
        user_id=user.pk, roles=frozenset(group.name for group in user.groups.all()), is_superuser=user.is_superuser
    )
    audiences = frozenset({viewer.audience})
    profile_languages = {code.lower() for code in member.languages or [] if isinstance(code, str)}
    if profile_languages:
        profile_languages.add(member.preferred_language)
    language = member.preferred_language if member.preferred_language in _LANGUAGE_CODES else settings.LANGUAGE_CODE
    return Reader(
        user=user,
        preference=preference,
        language=language,
        time_zone=_zone(member.time_zone),
        sections=preference.wanted_sections(),
        audiences=audiences,
        themes=_chosen(
            preference.themes_scope,
            {theme.slug for theme in member.themes.all()},
            lambda: [theme.slug for theme in preference.themes.all()] if saved else [],
        ),
        countries=_chosen(
            preference.countries_scope,
            {str(member.country)} if member.country else set(),
            lambda: [str(country.code) for country in preference.countries],
        ),
        languages=_chosen(preference.languages_scope, profile_languages, lambda: preference.languages),
        since=since,
        slot=slot,
        organisations=frozenset(str(pk) for pk in organisation_ids),
    )


def item_visible(reader: Reader, item: dict) -> bool:
    """The rule for one item and one member; ``ItemIndex`` applies it to many at once."""
    if item["slot"] < reader.slot or item["section"] not in reader.sections:
        return False
    if not reader.audiences.intersection(item["audiences"]):
        return False
    own = bool(reader.organisations.intersection(item.get("organisations") or ()))
    if item["section"] in OWN_ORGANISATION_SECTIONS or own:
        return own
    if reader.themes is not None and item["themes"] and not reader.themes.intersection(item["themes"]):
        return False
    if reader.countries is not None and item["countries"] and not reader.countries.intersection(item["countries"]):
        return False
    return not (reader.languages is not None and item["language"] and item["language"] not in reader.languages)


@dataclass
class News:
    """A member's news in a run: per section, how many items there are and the first
    ``SECTION_LIMIT`` of them in the order the digest shows them."""

    counts: dict[str, int]
    first: dict[str, list[dict]]

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    def __bool__(self) -> bool:
        return self.count > 0


def _display_order(items: list[dict], section: str) -> list[dict]:
    # Upcoming things soonest first, published things newest first; ties keep the run's order.
    return sorted(items, key=lambda i: i["date"], reverse=section in SECTION_NEWEST_FIRST)


class ItemIndex:
    """The candidate items of a run, indexed so that each member's share costs little.

    A week of a busy network holds thousands of items, and testing each against each
    member (``item_visible``) cost most of a run. Here each item is one bit of a Python
    integer, and each value of each filter (a section, an audience, a theme, a country,
    a language, a window slot) is the bitmask of the items it admits. A member's items are
    then the AND of one OR per filter; the masks of a member's set of themes (or
    countries, languages, sections, audiences) are memoised, since members share them.
    Bits are laid out section by section in the digest's display order, so a section's
    count is a popcount and its first items are its lowest bits. Same rule as
    ``item_visible`` (a test holds them to each other): an item without themes, countries
    or language passes that filter; an item naming one of the member's organisations passes
    all three, and the items of ``OWN_ORGANISATION_SECTIONS`` pass only so.
    """

    def __init__(self, items: list[dict]):
        ordered = []
        self._section_bits: dict[str, int] = {}
        # The items only members of the organisations they name receive.
        self._own_only = 0
        for section in NEWS_SECTIONS:
            chosen = _display_order([item for item in items if item["section"] == section], section)
            self._section_bits[section] = ((1 << len(chosen)) - 1) << len(ordered)
            if section in OWN_ORGANISATION_SECTIONS:
                self._own_only |= self._section_bits[section]
            ordered.extend(chosen)
        self.items = ordered
        self.all = (1 << len(ordered)) - 1
        self._by: dict[str, dict[str, int]] = {
            "audience": {},
            "theme": {},
            "country": {},
            "language": {},
            "organisation": {},
        }
        # The items without any value for the filter: they pass it whatever the member chose.
        self._untagged = {"theme": 0, "country": 0, "language": 0}
        slot_bits: dict[int, int] = {}
        for position, item in enumerate(ordered):
            bit = 1 << position
            self._add("audience", item["audiences"], bit)
            self._add("theme", item["themes"], bit)
            self._add("country", item["countries"], bit)
            self._add("language", [item["language"]] if item["language"] else [], bit)
            self._add("organisation", item.get("organisations") or [], bit)
            slot_bits[item["slot"]] = slot_bits.get(item["slot"], 0) | bit
        # ``_from_slot[s]``: the items of slot s and later.
        self._from_slot: dict[int, int] = {}
        later = 0
        for slot in sorted(slot_bits, reverse=True):
            later |= slot_bits[slot]
            self._from_slot[slot] = later
        self._memo: dict[tuple, int] = {}

    def _add(self, name: str, values, bit: int) -> None:
        values = list(values)
        if not values and name in self._untagged:
            self._untagged[name] |= bit
        index = self._by[name]
        for value in values:
            index[value] = index.get(value, 0) | bit

    def _admitted(self, name: str, values: frozenset[str] | None) -> int:
        """Items admitted by a member's values for one filter (``None``: no narrowing)."""
        if values is None:
            return self.all
        key = (name, values)
        if key not in self._memo:
            index = self._by[name]
            mask = self._untagged.get(name, 0)
            for value in values:
                mask |= index.get(value, 0)
            self._memo[key] = mask
        return self._memo[key]

    def _slot(self, slot: int) -> int:
        later = [s for s in self._from_slot if s >= slot]
        return self._from_slot[min(later)] if later else 0

    def _mask(self, reader: Reader) -> int:
        interests = (
            self._admitted("theme", reader.themes)
            & self._admitted("country", reader.countries)
            & self._admitted("language", reader.languages)
            & ~self._own_only
        )
        # Only the items naming one of them (not the untagged ones, whatever the member's organisations).
        own = self._admitted("organisation", reader.organisations) if reader.organisations else 0
        return self._slot(reader.slot) & self._admitted("audience", reader.audiences) & (interests | own)

    def news_for(self, reader: Reader, *, limit: int = SECTION_LIMIT) -> News:
        mask = self._mask(reader)
        counts, first = {}, {}
        for section in NEWS_SECTIONS:
            if section not in reader.sections:
                continue
            bits = mask & self._section_bits[section]
            if not bits:
                continue
            counts[section] = bits.bit_count()
            chosen = []
            while bits and len(chosen) < limit:
                low = bits & -bits
                chosen.append(self.items[low.bit_length() - 1])
                bits ^= low
            first[section] = chosen
        return News(counts=counts, first=first)


def news_for(reader: Reader, items: list[dict] | ItemIndex) -> News:
    """The news of the run that this member may see and asked for, in their window."""
    index = items if isinstance(items, ItemIndex) else ItemIndex(items)
    return index.news_for(reader)


# --- Rendering ------------------------------------------------------------------------------


def _display_date(value: str, tz: zoneinfo.ZoneInfo):
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if isinstance(parsed, dt.datetime) and "T" in value:
        if timezone.is_aware(parsed):
            return parsed.astimezone(tz).date()
        return parsed.date()
    return parsed.date()


# Languages that write the names of languages in lower case ("på engelska").
LOWER_CASE_LANGUAGE_NAMES = {"sv", "da", "nb", "fi", "fr", "es", "it", "pt", "pl"}


def _language_name(code: str, language: str) -> str:
    """The name of the item's language in the reader's, when it differs from theirs."""
    if not code or code == language:
        return ""
    try:
        name = str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code
    return name.lower() if language in LOWER_CASE_LANGUAGE_NAMES else name


def _item_context(item: dict, reader: Reader, snippets: dict) -> dict:
    """One item as this member reads it, with its HTML and text already rendered.

    Members of the same language read an item identically but for its date (the day in
    their time zone), so each item is rendered once per language and day, and per run in
    a worker (see ``_run_cache``), not once per member: the digest templates then only
    join the snippets. Called inside the member's language.
    """
    date = _display_date(item["date"], reader.time_zone)
    cache_key = (item["key"], reader.language, date)
    if cache_key not in snippets:
        context = {
            "title": item.get("titles", {}).get(reader.language) or item["title"],
            "url": item["urls"].get(reader.language) or next(iter(item["urls"].values())),
            "summary": item.get("summaries", {}).get(reader.language) or item["summary"],
            "date": date,
            "language_name": _language_name(item["language"], reader.language),
        }
        context["html"] = render_to_string(ITEM_TEMPLATE + ".html", {"item": context})
        context["text"] = render_to_string(ITEM_TEMPLATE + ".txt", {"item": context})
        snippets[cache_key] = context
    return snippets[cache_key]


def links_for(user_id: int, language: str) -> tuple[str, str]:
    """The signed links of a digest: (preferences, unsubscribe), in the member's language."""
    with translation.override(language):
        preferences = reverse(
            "digests:preferences_token", kwargs={"token": token_make(user_id=user_id, purpose=Purpose.PREFERENCES)}
        )
        unsubscribe = reverse(
            "digests:unsubscribe", kwargs={"token": token_make(user_id=user_id, purpose=Purpose.UNSUBSCRIBE)}
        )
    return absolute_url(preferences), absolute_url(unsubscribe)


# What the admin preview shows in place of a member's signed links (see ``digest_preview``).
PREVIEW_LINK_TOKEN = "private-link"  # noqa: S105 — a placeholder, not a secret


def _preview_links(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            f"{name}_url": absolute_url(reverse(f"digests:{view}", kwargs={"token": PREVIEW_LINK_TOKEN}))
            for name, view in (("preferences", "preferences_token"), ("unsubscribe", "unsubscribe"))
        }


def digest_context(
    *,
    reader: Reader,
    news: News,
    reminders: list[dict],
    frequency: str,
    until: dt.datetime,
    snippets: dict | None = None,
) -> dict:
    """Everything the digest templates need, with links and dates for this member.

    ``snippets`` caches rendered items across the members of a batch (see ``_item_context``).
    """
    snippets = {} if snippets is None else snippets
    with translation.override(reader.language):
        sections = []
        for section in NEWS_SECTIONS:
            if section not in news.first:
                continue
            more_key = ("more_url", reader.language, section)
            if more_key not in snippets:
                snippets[more_key] = absolute_url(reverse(SECTION_INDEX[section]) + SECTION_QUERY.get(section, ""))
            sections.append(
                {
                    "key": section.value,
                    "title": section.label,
                    "items": [_item_context(item, reader, snippets) for item in news.first[section]],
                    "more": news.counts[section] - len(news.first[section]),
                    "more_url": snippets[more_key],
                }
            )
        preferences_url, unsubscribe_url = links_for(reader.user.pk, reader.language)
        return {
            "name": reader.user.member.display_name or reader.user.public_name,
            "frequency": frequency,
            "item_count": news.count,
            "sections": sections,
            "reminders_title": Section.REMINDERS.label,
            "reminders": [_item_context(item, reader, snippets) for item in reminders[:SECTION_LIMIT]],
            # Periods are cut at midnight UTC, so their days are shown in UTC; the window
            # ends just before ``until``, so its last day is the one before.
            "since": reader.since.astimezone(dt.UTC).date(),
            "until": (until - dt.timedelta(microseconds=1)).astimezone(dt.UTC).date(),
            "preferences_url": preferences_url,
            "unsubscribe_url": unsubscribe_url,
        }


# The parts of a digest that are the member's own are put into the frame (see
# ``digest_render``) through these placeholders. NUL never occurs in text a member can
# save (Django's form fields reject it and PostgreSQL cannot store it), so a name cannot
# forge a placeholder.
_PLACEHOLDER = "\x00digest:{}\x00"
_PLACEHOLDER_RE = re.compile("\x00digest:([a-z_]+)\x00")
SECTIONS_TEMPLATE = "digests/emails/includes/sections"


def _fill(frame: str, values: dict[str, str]) -> str:
    # One pass, so that text put in is never searched for placeholders itself.
    return _PLACEHOLDER_RE.sub(lambda match: values[match.group(1)], frame)


def digest_render(*, context: dict, language: str, frames: dict | None = None) -> tuple[str, str, str]:
    """Subject, text and HTML of one digest (the ``digest_context`` of one member).

    Every digest of a batch with the same language, frequency and window shares its frame:
    the layout, greeting, dates and footer. ``frames`` caches it across the members of a
    batch: the frame is rendered once with placeholders for the member's name, links and
    sections, and each member's own parts are put in, escaped for the HTML part as the
    template would have escaped them. The sections are rendered per member from the items'
    ready snippets. The preview in the admin renders through here as well (without a
    cache), so what coordinators see is what the job sends.
    """
    frames = {} if frames is None else frames
    key = ("frame", language, context["frequency"], context["since"], context["until"])
    if key not in frames:
        placeholders = {
            field: _PLACEHOLDER.format(field)
            for field in ("name", "preferences_url", "unsubscribe_url", "sections_text")
        }
        frame_context = {
            **context,
            **placeholders,
            "sections_html": mark_safe(_PLACEHOLDER.format("sections_html")),  # noqa: S308 — our own marker
        }
        _subject, text, html = email_render(template=EMAIL_TEMPLATE, context=frame_context, language=language)
        frames[key] = (text, html)
    text_frame, html_frame = frames[key]
    subject_key = ("subject", language, context["frequency"], context["item_count"])
    with translation.override(language):
        if subject_key not in frames:
            subject = render_to_string(f"{EMAIL_TEMPLATE}_subject.txt", context)
            frames[subject_key] = " ".join(subject.split())
        sections_text = render_to_string(f"{SECTIONS_TEMPLATE}.txt", context)
        sections_html = render_to_string(f"{SECTIONS_TEMPLATE}.html", context)
    own = {
        "name": context["name"],
        "preferences_url": context["preferences_url"],
        "unsubscribe_url": context["unsubscribe_url"],
    }
    text = _fill(text_frame, {**own, "sections_text": sections_text, "sections_html": ""})
    html = _fill(
        html_frame,
        {**{field: escape(value) for field, value in own.items()}, "sections_html": sections_html, "sections_text": ""},
    )
    return frames[subject_key], text, html


def unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST ``List-Unsubscribe=One-Click``."""
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- The job --------------------------------------------------------------------------------


def eligible_users():
    """Members a digest may go to: active, not deleted, with a verified email address."""
    verified = EmailAddress.objects.filter(user_id=OuterRef("pk"), email=OuterRef("email"), verified=True)
    return (
        get_user_model()
        .objects.filter(is_active=True, deleted_at__isnull=True, member__isnull=False)
        .filter(Exists(verified))
    )


def _with_frequency(users, frequency: str):
    wanted = Q(digest_preference__frequency=frequency)
    if frequency == DEFAULT_FREQUENCY:
        wanted |= Q(digest_preference__isnull=True)
    return users.filter(wanted)


def window_since(covered_until: dt.datetime | None, period: Period) -> dt.datetime:
    if covered_until is None:
        return period.start
    return max(covered_until, period.until - MAX_LOOKBACK)


@dataclass
class BatchResult:
    queued: int = 0
    empty: int = 0
    already: int = 0
    deferred: int = 0

    def add(self, other: BatchResult) -> None:
        self.queued += other.queued
        self.empty += other.empty
        self.already += other.already
        self.deferred += other.deferred


@dataclass
class RunResult(BatchResult):
    frequency: str = ""
    period: str = ""
    period_until: dt.datetime | None = None
    considered: int = 0
    due: int = 0
    items: int = 0
    batches: int = 0
    run_id: int | None = None
    dry_run: bool = False
    dispatched: bool = False

    def as_json(self) -> dict:
        data = asdict(self)
        data["period_until"] = self.period_until.isoformat() if self.period_until else None
        return data


def _batch_users(user_ids: list[int], *, eligible: bool = True):
    users = eligible_users() if eligible else get_user_model().objects.filter(member__isnull=False)
    return (
        users.filter(pk__in=user_ids)
        .select_related("member", "digest_preference")
        .prefetch_related("groups", "member__themes", "digest_preference__themes")
        .order_by("pk")
    )


def digest_run(
    *,
    frequency: str,
    now: dt.datetime | None = None,
    dispatch: Callable[[int, list[int]], None] | None = None,
    dry_run: bool = False,
    size: int | None = None,
) -> RunResult:
    """Run the digest job for ``frequency``'s latest complete period.

    ``dispatch(run_id, user_ids)`` hands each batch to a worker (the Celery task does);
    without it the batches run here, one after the other (the management command).
    Not atomic on purpose: each batch commits on its own, so a run killed half-way keeps
    what it finished and the next run does the rest.
    """
    if frequency not in SENDING_FREQUENCIES:
        raise ValueError(f"Digests are sent weekly or monthly, not {frequency!r}.")
    now = now or timezone.now()
    period = period_for(frequency, now)
    members = _with_frequency(eligible_users(), frequency)
    considered = members.count()
    due = list(
        members.filter(
            Q(digest_preference__covered_until__isnull=True) | Q(digest_preference__covered_until__lt=period.until)
        )
        .order_by("pk")
        .values_list("pk", "digest_preference__covered_until")
    )
    result = RunResult(
        frequency=frequency,
        period=period.key,
        period_until=period.until,
        considered=considered,
        due=len(due),
        already=considered - len(due),
        dry_run=dry_run,
    )
    if not due:
        return result
    boundaries = sorted({window_since(covered, period) for _pk, covered in due})
    items = items_collect(boundaries=boundaries, until=period.until)
    ids = [pk for pk, _covered in due]
    size = size or batch_size()
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    run = DigestRun(
        frequency=frequency,
        period=period.key,
        period_until=period.until,
        boundaries=[b.isoformat() for b in boundaries],
        items=items,
        member_count=len(ids),
        batch_count=len(batches),
    )
    result.items = len(items)
    result.batches = len(batches)
    if not dry_run:
        run.save()
        result.run_id = run.pk
    for batch in batches:
        if dispatch is not None and not dry_run:
            dispatch(run.pk, batch)
        else:
            result.add(digest_batch_send(run=run, user_ids=batch, now=now, dry_run=dry_run))
    result.dispatched = dispatch is not None and not dry_run
    return result


# In each worker process, the indexed items, rendered items and frames of the run its
# latest batch belonged to: the other batches of that run on that worker reuse them (a
# run's items never change), a batch of another run replaces them.
_RUN_CACHE: dict = {}


def _run_cache(run: DigestRun) -> dict:
    if run.pk is None:
        return {"index": ItemIndex(run.items), "snippets": {}, "frames": {}}
    key = (run.pk, run.started_at)
    if _RUN_CACHE.get("key") != key:
        _RUN_CACHE.clear()
        _RUN_CACHE.update(key=key, index=ItemIndex(run.items), snippets={}, frames={})
    return _RUN_CACHE


def digest_batch_send(
    *, run: DigestRun, user_ids: list[int], now: dt.datetime | None = None, dry_run: bool = False
) -> BatchResult:
    """Compose, claim and queue the digests of one batch of members (see the module docstring).

    Queries: a constant number per batch, whatever its size: loading, claiming, one insert
    of the batch's emails and one update linking them; none per member. Rendering: the
    frame of the email once per language and window, each item once per language and day
    (both shared by a worker's batches of one run), and only the member's own sections
    per member (see ``digest_render``).
    """
    now = now or timezone.now()
    period = period_for(run.frequency, run.period_until)
    slot_of = {dt.datetime.fromisoformat(b): i for i, b in enumerate(run.boundaries)}
    result = BatchResult()
    due: list[Reader] = []
    users = list(_batch_users(user_ids))
    # The members' approved organisations, as the policy has them (one query for the batch).
    viewers = viewers_for_users([user.pk for user in users])
    for user in users:
        preference = preference_of(user)
        if preference.frequency != run.frequency:
            # Changed their mind since the run started: their own frequency's run has them.
            result.deferred += 1
            continue
        if preference.covered_until is not None and preference.covered_until >= run.period_until:
            result.already += 1
            continue
        since = window_since(preference.covered_until, period)
        slot = slot_of.get(since)
        if slot is None:
            # Their window changed after the candidates were fetched: the next run has them.
            result.deferred += 1
            continue
        organisation_ids = viewers[user.pk].organisation_ids if user.pk in viewers else ()
        due.append(reader_for(user, preference, since=since, slot=slot, organisation_ids=organisation_ids))

    wants_reminders = [r.user.pk for r in due if Section.REMINDERS in r.sections]
    own_items = member_items_collect(user_ids=wants_reminders, now=now)
    plans = []
    cache = _run_cache(run)
    for reader in due:
        news = cache["index"].news_for(reader)
        reminders = own_items.get(reader.user.pk, []) if Section.REMINDERS in reader.sections else []
        plans.append((reader, news, reminders))

    if dry_run:
        delivered = set(
            DigestDelivery.objects.filter(
                user_id__in=[r.user.pk for r in due], frequency=run.frequency, period=run.period
            ).values_list("user_id", flat=True)
        )
        for reader, news, _reminders in plans:
            if reader.user.pk in delivered:
                result.already += 1
            elif news:
                result.queued += 1
            else:
                result.empty += 1
        return result

    with transaction.atomic():
        missing = [r.user.pk for r in due if r.preference._state.adding]
        if missing:
            DigestPreference.objects.bulk_create(
                [DigestPreference(user_id=pk) for pk in missing], ignore_conflicts=True
            )
        claim = uuid.uuid4()
        DigestDelivery.objects.bulk_create(
            [
                DigestDelivery(
                    user_id=reader.user.pk,
                    frequency=run.frequency,
                    period=run.period,
                    run=run if run.pk else None,
                    window_since=reader.since,
                    window_until=run.period_until,
                    state=DigestDelivery.State.QUEUED if news else DigestDelivery.State.EMPTY,
                    item_count=news.count,
                    claim=claim,
                )
                for reader, news, _reminders in plans
            ],
            ignore_conflicts=True,
        )
        # The rows this batch inserted; the others were claimed by an earlier run or batch.
        mine = dict(DigestDelivery.objects.filter(claim=claim).values_list("user_id", "pk"))
        result.already += len(plans) - len(mine)
        emails: list[RenderedEmail] = []
        delivery_of: dict[str, int] = {}
        snippets, frames = cache["snippets"], cache["frames"]
        for reader, news, reminders in plans:
            if reader.user.pk not in mine:
                continue
            if not news:
                result.empty += 1
                continue
            context = digest_context(
                reader=reader,
                news=news,
                reminders=reminders,
                frequency=run.frequency,
                until=run.period_until,
                snippets=snippets,
            )
            subject, text, html = digest_render(context=context, language=reader.language, frames=frames)
            key = f"digest:{run.frequency}:{run.period}:{reader.user.pk}"
            emails.append(
                RenderedEmail(
                    to=reader.user.email,
                    kind=EMAIL_KIND,
                    subject=subject,
                    text=text,
                    html=html,
                    language=reader.language,
                    idempotency_key=key,
                    user_id=reader.user.pk,
                    headers=unsubscribe_headers(context["unsubscribe_url"]),
                    # The signed links change this member's settings without a login:
                    # they are credentials (``digests.tokens``).
                    carries_secret=True,
                )
            )
            delivery_of[key] = mine[reader.user.pk]
            result.queued += 1
        # One insert for the batch's emails; they are handed to the broker after commit.
        message_ids = email_queue_many(emails=emails)
        linked = [DigestDelivery(pk=delivery_of[key], message_id=pk) for key, pk in message_ids.items()]
        if linked:
            DigestDelivery.objects.bulk_update(linked, ["message"])
        if mine:
            DigestPreference.objects.filter(user_id__in=list(mine)).filter(
                Q(covered_until__isnull=True) | Q(covered_until__lt=run.period_until)
            ).update(covered_until=run.period_until)
        if run.pk:
            DigestRun.objects.filter(pk=run.pk).update(
                queued_count=F("queued_count") + result.queued,
                empty_count=F("empty_count") + result.empty,
                already_count=F("already_count") + result.already,
                deferred_count=F("deferred_count") + result.deferred,
                updated_at=timezone.now(),
            )
    return result


# --- Preview --------------------------------------------------------------------------------


@dataclass
class Preview:
    # False when no digest goes to this member at all (address not verified, account inactive).
    eligible: bool
    frequency: str
    frequency_off: bool
    period: str
    since: dt.datetime
    until: dt.datetime
    item_count: int
    reminder_count: int
    subject: str
    text: str
    html: str


def _next_period(period: Period) -> Period:
    if period.frequency == Frequency.WEEKLY:
        return period_for(period.frequency, period.until + dt.timedelta(days=7))
    return period_for(period.frequency, period.until + dt.timedelta(days=32))


def digest_preview(*, user, now: dt.datetime | None = None) -> Preview:
    """The member's next digest as it stands now, rendered but not sent or recorded.

    If the member is due for the latest complete period (the job has not reached them
    yet), that digest; otherwise the one being gathered for the period in progress, up
    to now. A member who turned digests off is previewed as if weekly.

    The member's signed preference and unsubscribe links are credentials (they change the
    member's settings without a login), so the preview carries placeholders in their place
    (``…/preferences/private-link/``): whoever reads a preview cannot act as the member.
    """
    now = now or timezone.now()
    eligible = eligible_users().filter(pk=user.pk).exists()
    user = _batch_users([user.pk], eligible=False).get()
    preference = preference_of(user)
    frequency_off = preference.frequency not in SENDING_FREQUENCIES
    frequency = DEFAULT_FREQUENCY if frequency_off else preference.frequency
    current = period_for(frequency, now)
    if preference.covered_until is None or preference.covered_until < current.until:
        period, since, until = current, window_since(preference.covered_until, current), current.until
    else:
        period, since, until = _next_period(current), preference.covered_until, now
    viewer = viewers_for_users([user.pk]).get(user.pk)
    reader = reader_for(user, preference, since=since, organisation_ids=viewer.organisation_ids if viewer else ())
    items = items_collect(boundaries=[since], until=until)
    news = news_for(reader, items)
    reminders = []
    if Section.REMINDERS in reader.sections:
        reminders = member_items_collect(user_ids=[user.pk], now=now).get(user.pk, [])
    context = digest_context(reader=reader, news=news, reminders=reminders, frequency=frequency, until=until)
    context.update(_preview_links(reader.language))
    subject, text, html = digest_render(context=context, language=reader.language)
    return Preview(
        eligible=eligible,
        frequency=frequency,
        frequency_off=frequency_off,
        period=period.key,
        since=since,
        until=until,
        item_count=news.count,
        reminder_count=len(reminders),
        subject=subject,
        text=text,
        html=html,
    )
