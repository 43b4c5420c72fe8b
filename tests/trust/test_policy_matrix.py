"""The policy matrix: every visible kind × every state × every viewer × every surface shows
exactly what the one access policy (``core.policy.Viewer`` and each kind's ``visible_to`` /
``mine`` / ``listed`` / ``answerable_by`` / ``with_private_details_for``) answers.

The matrix is generated: each kind declares its states (objects built in that state) and its
surfaces (how a viewer meets the object: its page, lists, counts, search, exports, calendar
files and feeds, the digest, the second — cached — load, file downloads), each surface with the
policy query that must agree with it. Viewers are visited from the most privileged to the
least without clearing the cache, so a fragment cached for one audience and served to another
shows up as a mismatch.

Two introspection tests keep the matrix complete: every model with an access rule must be a
kind here, and every URL of the project must be either a surface here or exempted with a reason.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.services import token_create
from core.licences import OPEN
from core.policy import Viewer, representative, viewer_for
from digests.models import Frequency, period_for
from digests.services import digest_preview
from evidence.dashboard import selected_stories
from evidence.models import Community, Consent, EvidenceRecord, Framework, Round
from evidence.services import attachment_add
from exchanges.models import PARTICIPANT_STATES, CalendarFeed, Exchange, HostOffer
from network.models import Member, Membership, User
from practice.models import Guide, GuideImage, JointAction, JointActionUpdate
from programmes.models import Programme
from tests.factories.evidence import ConsentFactory, EvidenceRecordFactory
from tests.factories.exchanges import ExchangeFactory, RegistrationFactory
from tests.factories.files import PNG
from tests.factories.network import MembershipFactory, OrganisationFactory, UserFactory, member_for
from tests.factories.practice import JointActionFactory, make_guide

pytestmark = pytest.mark.django_db

# From the most privileged to the least: a leak through a shared cache shows as a mismatch.
VIEWERS = ["coordinator", "member", "requested", "funder", "other_member", "organiser", "anonymous"]

Status, Visibility = EvidenceRecord.Status, EvidenceRecord.Visibility


# --- the cast ---------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User | None]
    organisation: object
    other_organisation: object
    author: User
    when: dt.datetime  # inside the digest period a new member's preview covers

    def viewer(self, name: str) -> Viewer:
        user = self.users[name]
        return viewer_for(User.objects.get(pk=user.pk)) if user is not None else representative("public")


def _world() -> World:
    organisation = OrganisationFactory(name="Matrix Organisation", slug="matrix-organisation")
    other = OrganisationFactory(name="Elsewhere Organisation", slug="elsewhere-organisation")
    author = UserFactory(email="author@example.org", role="organiser")
    MembershipFactory(member=author.member, organisation=organisation, role=Membership.Role.ADMIN)
    users: dict[str, User | None] = {"anonymous": None}
    users["organiser"] = UserFactory(email="plain.organiser@example.org", role="organiser")
    users["member"] = UserFactory(email="approved.member@example.org", role="organiser")
    MembershipFactory(member=users["member"].member, organisation=organisation)
    users["requested"] = UserFactory(email="requested.member@example.org", role="organiser")
    MembershipFactory(member=users["requested"].member, organisation=organisation, state=Membership.State.REQUESTED)
    users["other_member"] = UserFactory(email="other.member@example.org", role="organiser")
    MembershipFactory(member=users["other_member"].member, organisation=other)
    users["funder"] = UserFactory(email="matrix.funder@example.org", role="funder")
    users["coordinator"] = UserFactory(email="matrix.coordinator@example.org", role="coordinator")
    for name, user in users.items():
        if user is not None:
            member_for(user, display_name=f"Viewer {name}", time_zone="UTC")
    when = period_for(Frequency.WEEKLY, timezone.now()).start + dt.timedelta(hours=12)
    return World(users, organisation, other, author, when)


# --- surfaces -----------------------------------------------------------------------------------


@dataclass
class Surface:
    """How a viewer meets an object: ``shown(client, world, name, obj)`` says whether they do,
    ``expected(world, viewer, obj)`` what the policy says. ``urls`` names the URL patterns it
    requests (for the completeness test)."""

    name: str
    shown: Callable
    expected: Callable
    urls: tuple[str, ...] = ()


@dataclass
class Kind:
    name: str
    model: type
    states: dict[str, Callable]  # state → builder(world, token) → object
    surfaces: list[Surface]
    token: Callable = field(default=lambda obj: "")


class Pages:
    """Responses fetched once per viewer and URL (a surface reads the same list page for every
    object), and on demand a second time (the cached load)."""

    def __init__(self, client):
        self.client = client
        self.seen: dict[tuple[str, int], tuple[int, str, bytes]] = {}

    def get(self, url: str, *, load: int = 1, **params) -> tuple[int, str]:
        status, text, _raw = self.raw(url, load=load, **params)
        return status, text

    def raw(self, url: str, *, load: int = 1, **params) -> tuple[int, str, bytes]:
        key = (url + "?" + "&".join(f"{k}={v}" for k, v in sorted(params.items())), load)
        if key not in self.seen:
            if load == 2:
                self.raw(url, load=1, **params)
            response = self.client.get(url, params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            self.seen[key] = (response.status_code, body.decode("utf-8", "replace"), body)
        return self.seen[key]


def _in(pages: Pages, url: str, token: str, *, load: int = 1, **params) -> bool:
    status, text = pages.get(url, load=load, **params)
    return status == 200 and token in text


def _counts_shown(pages: Pages, obj) -> bool:
    status, text = pages.get(reverse("exchanges:check_in_counts", args=[obj.slug]))
    return status == 200 and '"checked_in"' in text


def _has(queryset, obj) -> bool:
    return queryset.filter(pk=obj.pk).exists()


def _search(token: str) -> Surface:
    raise NotImplementedError  # replaced per kind below (kept for readability)


def search_surface(visible: Callable) -> Surface:
    def shown(pages, world, name, obj, token):
        status, text = pages.get(reverse("search:index"), q=token)
        # A hit's title is highlighted; the query itself is echoed in the form and the heading.
        return status == 200 and f"<mark>{token}</mark>" in text

    return Surface("search", shown, visible, ("search:index",))


def digest_surface(expected: Callable) -> Surface:
    """The member's next digest (``digest_preview``), as the job would render it."""

    def shown(pages, world, name, obj, token):
        user = world.users[name]
        if user is None:
            return False
        key = ("digest", user.pk)
        if key not in pages.seen:
            preview = digest_preview(user=User.objects.get(pk=user.pk))
            pages.seen[key] = (200, preview.text + preview.html, b"")
        return token in pages.seen[key][1]

    def expect(world, viewer, obj):
        return viewer.is_authenticated and expected(world, representative(viewer.audience), obj)

    return Surface("digest", shown, expect)


def _api_get(pages: Pages, world: World, name: str, url: str) -> tuple[int, str]:
    """The API as the viewer meets it: anonymous without a token, everyone else with a personal
    access token of their own (the API never reads the session)."""
    key = ("api", name)
    if key not in pages.seen:
        user = world.users[name]
        raw = token_create(user=user, name="matrix", expires_in_days=1).raw if user is not None else ""
        pages.seen[key] = (0, raw, b"")
    raw = pages.seen[key][1]
    seen_key = (f"api {url}", name)
    if seen_key not in pages.seen:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}
        response = Client().get(url, **headers)
        pages.seen[seen_key] = (response.status_code, response.content.decode(), response.content)
    status, text, _raw = pages.seen[seen_key]
    return status, text


def api_surfaces(resource: str, url_name: str, detail: Callable, expected: Callable) -> list[Surface]:
    """The API's list (one page of 100) and detail answers for ``resource``."""

    def listed(pages, world, name, obj, token):
        status, text = _api_get(pages, world, name, f"/api/v1/{resource}/?limit=100")
        return status == 200 and token in text

    def detailed(pages, world, name, obj, token):
        status, text = _api_get(pages, world, name, detail(obj))
        return status == 200 and token in text

    return [
        Surface("API list", listed, expected, (f"api-v1:{url_name}_list",)),
        Surface("API detail", detailed, expected, (f"api-v1:{url_name}_detail",)),
    ]


def feed_surface(url_name: str, expected: Callable) -> Surface:
    """An Atom feed: the same for everyone (read for the anonymous viewer), whoever asks."""

    def shown(pages, world, name, obj, token):
        return _in(pages, reverse(url_name), token)

    def expect(world, viewer, obj):
        return expected(representative("public"), obj)

    return Surface("Atom feed", shown, expect, (url_name,))


def _open_data(queryset, viewer):
    """Visitors read open data: published, under an open licence (the consent part is the
    policy's own, in ``visible_to``)."""
    return queryset.filter(**({"licence__in": OPEN, "status": "published"} if viewer.is_anonymous else {}))


# --- evidence records ---------------------------------------------------------------------------


def _record(**fields):
    def build(world, token):
        consent = fields.pop("consent", None) if "consent" in fields else None
        record = EvidenceRecordFactory(
            title=f"Record {token}",
            organisations=[world.organisation],
            created_by=world.author,
            published_at=world.when,
            **{k: v for k, v in fields.items() if k != "consent"},
        )
        if consent is not None:
            ConsentFactory(record=record, **consent)
        return record

    return build


def _story(consent: dict, **fields):
    def build(world, token):
        record = EvidenceRecordFactory(
            kind=EvidenceRecord.Kind.STORY,
            layer=EvidenceRecord.Layer.PROCESS,
            title=f"Story {token}",
            organisations=[world.organisation],
            created_by=world.author,
            published_at=world.when,
            **fields,
        )
        ConsentFactory(record=record, **consent)
        return record

    return build


# Saved, not update()d: a consent's save keeps the dashboard's rollups in step (evidence.signals),
# which the library's unfiltered count reads (issue 16), as every write in the app does.
def _withdrawn(world, token):
    record = _story({})(world, token)
    consent = Consent.objects.get(record=record)
    consent.withdrawn_at = timezone.now()
    consent.save()
    return record


def _expired(world, token):
    record = _story({})(world, token)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    consent = Consent.objects.get(record=record)
    consent.obtained_on, consent.expires_on = yesterday - dt.timedelta(days=400), yesterday
    consent.save()
    return record


def _evidence_published(world, viewer):
    return EvidenceRecord.objects.visible_to(viewer).published()


def _dashboard_export(suffix: str) -> Surface:
    url_name = f"evidence:export_{suffix}"

    def shown(pages, world, name, obj, token):
        status, text, raw = pages.raw(reverse(url_name))
        if status != 200:
            return False
        if suffix == "xlsx":
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(raw), read_only=True).active
            return any(token in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)
        return token in text

    def expected(world, viewer, obj):
        return (viewer.is_funder or viewer.is_coordinator) and _has(_evidence_published(world, viewer), obj)

    return Surface(suffix, shown, expected, (url_name,))


def file_surface(add_file: Callable, expected: Callable, url_name: str, *, holds_token: bool) -> Surface:
    """A stored file of the object (added on first use by ``add_file(world, obj, token)``),
    fetched through its serving view: shown when it answers 200 (with the token in it, for
    files that can hold one)."""

    def shown(pages, world, name, obj, token):
        item = getattr(obj, "_matrix_file", None)
        if item is None:
            item = obj._matrix_file = add_file(world, obj, token)
        status, text = pages.get(item.file.url)
        return status == 200 and (token in text or not holds_token)

    return Surface("file download", shown, expected, (url_name,))


def _attachment(world, record, token):
    upload = SimpleUploadedFile("notes.txt", f"Notes {token}".encode())
    return attachment_add(record=record, user=world.author, file=upload, title="Notes")


def _picture(field):
    """A picture (``core.pictures``) of the object, as the file the surface fetches."""

    def add(world, obj, token):
        setattr(obj, field, SimpleUploadedFile("picture.png", PNG))
        obj.save()
        return SimpleNamespace(file=getattr(obj, field))

    return add


def _guide_image(world, guide, token):
    return GuideImage.objects.create(guide=guide, file=SimpleUploadedFile("a.png", PNG), alt_text="An image")


EVIDENCE = Kind(
    name="evidence record",
    model=EvidenceRecord,
    states={
        "draft": _record(status=Status.DRAFT),
        "submitted": _record(status=Status.SUBMITTED),
        "in review": _record(status=Status.IN_REVIEW),
        "returned": _record(status=Status.RETURNED),
        "rejected": _record(status=Status.REJECTED),
        "published public": _record(),
        "published public, all rights reserved": _record(licence="all-rights-reserved"),
        "published for funders": _record(visibility=Visibility.FUNDERS),
        "published for the network": _record(visibility=Visibility.NETWORK),
        "consent restricted": _story({"audience_public": False, "audience_funders": False}),
        "consent for funders": _story({"audience_public": False, "audience_funders": True}),
        "draft story without consent": lambda world, token: EvidenceRecordFactory(
            kind=EvidenceRecord.Kind.STORY,
            status=Status.DRAFT,
            title=f"Story {token}",
            organisations=[world.organisation],
            created_by=world.author,
        ),
        "expired": _expired,
        "withdrawn": _withdrawn,
    },
    surfaces=[
        Surface(
            "detail",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), token),
            lambda world, viewer, obj: _has(EvidenceRecord.objects.visible_to(viewer), obj),
            ("evidence:detail",),
        ),
        Surface(
            "detail, cached",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), token, load=2),
            lambda world, viewer, obj: _has(EvidenceRecord.objects.visible_to(viewer), obj),
        ),
        Surface(
            "library",
            lambda pages, world, name, obj, token: _in(pages, reverse("evidence:index"), token),
            lambda world, viewer, obj: _has(_evidence_published(world, viewer), obj),
            ("evidence:index",),
        ),
        Surface(
            "library, cached",
            lambda pages, world, name, obj, token: _in(pages, reverse("evidence:index"), token, load=2),
            lambda world, viewer, obj: _has(_evidence_published(world, viewer), obj),
        ),
        Surface(
            "my evidence",
            lambda pages, world, name, obj, token: _in(pages, reverse("evidence:mine"), token),
            lambda world, viewer, obj: viewer.can_author and _has(EvidenceRecord.objects.mine(viewer), obj),
            ("evidence:mine",),
        ),
        search_surface(lambda world, viewer, obj: _has(_evidence_published(world, viewer), obj)),
        _dashboard_export("csv"),
        _dashboard_export("xlsx"),
        Surface(
            "dashboard",
            lambda pages, world, name, obj, token: _in(pages, reverse("evidence:dashboard"), token),
            # Selected stories beside the figures: the newest (featured first) the viewer may read.
            lambda world, viewer, obj: (
                (viewer.is_funder or viewer.is_coordinator)
                and obj in selected_stories(_evidence_published(world, viewer))
            ),
            ("evidence:dashboard", "evidence:dashboard_report"),
        ),
        digest_surface(lambda world, viewer, obj: _has(_evidence_published(world, viewer), obj)),
        file_surface(
            _attachment,
            lambda world, viewer, obj: _has(EvidenceRecord.objects.visible_to(viewer), obj),
            "evidence_files:attachment",
            holds_token=True,
        ),
        feed_surface(
            "feed_evidence", lambda viewer, obj: _has(EvidenceRecord.objects.visible_to(viewer).published(), obj)
        ),
        *api_surfaces(
            "evidence",
            "evidence",
            lambda obj: f"/api/v1/evidence/{obj.pk}/",
            lambda world, viewer, obj: _has(_open_data(EvidenceRecord.objects.visible_to(viewer), viewer), obj),
        ),
    ],
)


# --- guides -----------------------------------------------------------------------------------


def _guide(status):
    def build(world, token):
        return make_guide(
            author=world.author,
            coordinator=world.users["coordinator"],
            title=f"Guide {token}",
            language="en",
            status=status,
        )

    return build


def _guide_published_in_window(status):
    def build(world, token):
        guide = _guide(status)(world, token)
        if guide.published_at:
            Guide.objects.filter(pk=guide.pk).update(published_at=world.when)
        return guide

    return build


GUIDES = Kind(
    name="guide",
    model=Guide,
    states={
        "draft": _guide(Guide.Status.DRAFT),
        "in review": _guide(Guide.Status.IN_REVIEW),
        "published": _guide_published_in_window(Guide.Status.PUBLISHED),
        "archived": _guide(Guide.Status.ARCHIVED),
    },
    surfaces=[
        Surface(
            "detail",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), token),
            lambda world, viewer, obj: _has(Guide.objects.visible_to(viewer), obj),
            ("practice:guide_detail",),
        ),
        Surface(
            "detail, cached",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), token, load=2),
            lambda world, viewer, obj: _has(Guide.objects.visible_to(viewer), obj),
        ),
        Surface(
            "library",
            lambda pages, world, name, obj, token: _in(pages, reverse("practice:index"), token),
            lambda world, viewer, obj: _has(Guide.objects.visible_to(viewer).published(), obj),
            ("practice:index",),
        ),
        Surface(
            "home",
            lambda pages, world, name, obj, token: _in(pages, reverse("home"), token),
            lambda world, viewer, obj: _has(Guide.objects.visible_to(representative("public")), obj),
            ("home",),
        ),
        Surface(
            "my guides",
            lambda pages, world, name, obj, token: _in(pages, reverse("practice:my_guides"), token),
            lambda world, viewer, obj: viewer.is_user(obj.created_by_id),
            ("practice:my_guides",),
        ),
        file_surface(
            _guide_image,
            lambda world, viewer, obj: _has(Guide.objects.visible_to(viewer), obj),
            "practice_files:image",
            holds_token=False,
        ),
        Surface(
            "review queue",
            lambda pages, world, name, obj, token: _in(pages, reverse("practice:review_queue"), token),
            lambda world, viewer, obj: viewer.is_coordinator and obj.status == Guide.Status.IN_REVIEW,
            ("practice:review_queue",),
        ),
        search_surface(lambda world, viewer, obj: _has(Guide.objects.visible_to(viewer), obj)),
        digest_surface(lambda world, viewer, obj: _has(Guide.objects.visible_to(viewer).published(), obj)),
        feed_surface("feed_guides", lambda viewer, obj: _has(Guide.objects.visible_to(viewer).published(), obj)),
        *api_surfaces(
            "guides",
            "guide",
            lambda obj: f"/api/v1/guides/{obj.slug}/",
            lambda world, viewer, obj: _has(
                Guide.objects.visible_to(viewer).filter(**({"work__licence__in": OPEN} if viewer.is_anonymous else {})),
                obj,
            ),
        ),
    ],
)


# --- exchanges --------------------------------------------------------------------------------


def _exchange(status):
    def build(world, token):
        exchange = ExchangeFactory(
            title=f"Exchange {token}",
            status=status,
            address=f"Secret street 1 {token}addr",
            format=Exchange.Format.HYBRID,
            online_link=f"https://meet.example.org/{token}link",
        )
        Exchange.objects.filter(pk=exchange.pk).update(published_at=world.when if status != "draft" else None)
        # The approved member takes part; feeds for every signed-in viewer.
        RegistrationFactory(exchange=exchange, user=world.users["member"])
        # Hosted by the organisation and naming three managers: the approved member (who
        # manages it), one whose membership is only requested and a member of another
        # organisation (neither of whom does: the policy reads approved facts).
        exchange.hosts.add(world.organisation)
        exchange.managers.add(*(world.users[n].member for n in ("member", "requested", "other_member")))
        return exchange

    return build


def _private(world, viewer, obj) -> bool:
    return _has(Exchange.objects.with_private_details_for(viewer), obj)


def _feed_shown(pages, world, name, obj, token):
    user = world.users[name]
    if user is None:
        return False
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return _in(pages, feed.private_url(), token)


EXCHANGES = Kind(
    name="exchange",
    model=Exchange,
    states={
        "draft": _exchange(Exchange.Status.DRAFT),
        "published": _exchange(Exchange.Status.PUBLISHED),
        "cancelled": _exchange(Exchange.Status.CANCELLED),
    },
    surfaces=[
        Surface(
            "detail",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), token),
            lambda world, viewer, obj: _has(Exchange.objects.visible_to(viewer), obj),
            ("exchanges:detail",),
        ),
        Surface(
            "detail, cached",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), token, load=2),
            lambda world, viewer, obj: _has(Exchange.objects.visible_to(viewer), obj),
        ),
        Surface(
            "address and link on the page",
            lambda pages, world, name, obj, token: (
                _in(pages, obj.get_absolute_url(), f"{token}addr")
                and _in(pages, obj.get_absolute_url(), f"{token}link")
            ),
            _private,
        ),
        Surface(
            "address and link on the cached page",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), f"{token}addr", load=2),
            _private,
        ),
        Surface(
            "list",
            lambda pages, world, name, obj, token: _in(pages, reverse("exchanges:index"), token),
            lambda world, viewer, obj: _has(Exchange.objects.visible_to(viewer).upcoming(), obj),
            ("exchanges:index",),
        ),
        Surface(
            "list, cached",
            lambda pages, world, name, obj, token: _in(pages, reverse("exchanges:index"), token, load=2),
            lambda world, viewer, obj: _has(Exchange.objects.visible_to(viewer).upcoming(), obj),
        ),
        Surface(
            "home",
            lambda pages, world, name, obj, token: _in(pages, reverse("home"), token),
            lambda world, viewer, obj: _has(
                Exchange.objects.visible_to(representative("public")).published().upcoming(), obj
            ),
        ),
        Surface(
            "calendar file",
            lambda pages, world, name, obj, token: _in(pages, reverse("exchanges:calendar", args=[obj.slug]), token),
            lambda world, viewer, obj: _has(Exchange.objects.visible_to(viewer), obj),
            ("exchanges:calendar",),
        ),
        Surface(
            "address in the calendar file",
            lambda pages, world, name, obj, token: _in(
                pages, reverse("exchanges:calendar", args=[obj.slug]), f"{token}addr"
            ),
            _private,
        ),
        Surface(
            "private calendar feed",
            _feed_shown,
            lambda world, viewer, obj: (
                viewer.is_authenticated
                and _has(
                    Exchange.objects.with_private_details_for(viewer).filter(
                        registrations__user_id=viewer.user_id, registrations__state__in=PARTICIPANT_STATES
                    ),
                    obj,
                )
            ),
            ("exchanges:feed",),
        ),
        Surface(
            "manager's page",
            lambda pages, world, name, obj, token: _in(pages, reverse("exchanges:manage", args=[obj.slug]), token),
            lambda world, viewer, obj: _has(Exchange.objects.managed_by(viewer), obj),
            ("exchanges:manage",),
        ),
        Surface(
            "check-in page",
            lambda pages, world, name, obj, token: _in(pages, reverse("exchanges:check_in", args=[obj.slug]), token),
            lambda world, viewer, obj: _has(Exchange.objects.managed_by(viewer), obj),
            ("exchanges:check_in",),
        ),
        Surface(
            # The counts carry no title: reaching them (200 and the figures) is what is shown.
            "check-in counts (the page's live refresh)",
            lambda pages, world, name, obj, token: _counts_shown(pages, obj),
            lambda world, viewer, obj: _has(Exchange.objects.managed_by(viewer), obj),
            ("exchanges:check_in_counts",),
        ),
        Surface(
            "my exchanges",
            lambda pages, world, name, obj, token: _in(pages, reverse("exchanges:mine"), token),
            lambda world, viewer, obj: viewer.is_user(world.users["member"].pk),
            ("exchanges:mine",),
        ),
        search_surface(
            lambda world, viewer, obj: _has(Exchange.objects.visible_to(viewer).exclude(status="draft"), obj)
        ),
        file_surface(
            _picture("cover"),
            lambda world, viewer, obj: _has(Exchange.objects.visible_to(viewer), obj),
            "exchanges_files:cover",
            holds_token=False,
        ),
        digest_surface(
            lambda world, viewer, obj: (
                obj.status == Exchange.Status.PUBLISHED
                and _has(Exchange.objects.visible_to(viewer), obj)
                and obj.joinable_by(viewer)
            )
        ),
        feed_surface("feed_exchanges", lambda viewer, obj: _has(Exchange.objects.visible_to(viewer).published(), obj)),
        *api_surfaces(
            "exchanges",
            "exchange",
            lambda obj: f"/api/v1/exchanges/{obj.slug}/",
            lambda world, viewer, obj: _has(Exchange.objects.visible_to(viewer), obj),
        ),
        Surface(
            "address and link in the API",
            lambda pages, world, name, obj, token: (
                f"{token}addr" in _api_get(pages, world, name, "/api/v1/exchanges/?limit=100")[1]
                or f"{token}link" in _api_get(pages, world, name, f"/api/v1/exchanges/{obj.slug}/")[1]
            ),
            # Never: the API is open data; participants read the address on the page.
            lambda world, viewer, obj: False,
        ),
    ],
)


# --- offers to host -------------------------------------------------------------------------


def _host_offer(status):
    def build(world, token):
        return HostOffer.objects.create(
            organisation=world.organisation,
            created_by=world.users["member"],
            title=f"Offer {token}",
            description="Three days of door-knocking.",
            format=Exchange.Format.IN_PERSON,
            months=[world.when.strftime("%Y-%m")],
            working_languages=["en"],
            status=status,
        )

    return build


HOST_OFFERS = Kind(
    name="host offer",
    model=HostOffer,
    states={
        "submitted": _host_offer(HostOffer.Status.SUBMITTED),
        "changes requested": _host_offer(HostOffer.Status.CHANGES_REQUESTED),
        "declined": _host_offer(HostOffer.Status.DECLINED),
        "approved": _host_offer(HostOffer.Status.APPROVED),
    },
    surfaces=[
        Surface(
            "own offers",
            lambda pages, world, name, obj, token: _in(pages, reverse("exchanges:host"), token),
            lambda world, viewer, obj: _has(
                HostOffer.objects.visible_to(viewer).filter(created_by_id=viewer.user_id), obj
            ),
            ("exchanges:host",),
        ),
        Surface(
            "changing an offer",
            lambda pages, world, name, obj, token: _in(
                pages, reverse("exchanges:host_offer_edit", args=[obj.pk]), token
            ),
            lambda world, viewer, obj: (
                obj.editable and _has(HostOffer.objects.visible_to(viewer).filter(created_by_id=viewer.user_id), obj)
            ),
            ("exchanges:host_offer_edit",),
        ),
        Surface(
            "offer page",
            lambda pages, world, name, obj, token: _in(
                pages, reverse("exchanges:host_offer_detail", args=[obj.pk]), token
            ),
            lambda world, viewer, obj: _has(HostOffer.objects.visible_to(viewer), obj),
            ("exchanges:host_offer_detail",),
        ),
        search_surface(lambda world, viewer, obj: _has(HostOffer.objects.visible_to(viewer).approved(), obj)),
    ],
)


# --- programmes ----------------------------------------------------------------------------


def _programme(status):
    def build(world, token):
        return Programme.objects.create(
            title=f"Programme {token}",
            slug=f"programme-{token}",
            starts_on=world.when.date(),
            ends_on=world.when.date(),
            status=status,
        )

    return build


PROGRAMMES = Kind(
    name="programme",
    model=Programme,
    states={"draft": _programme(Programme.Status.DRAFT), "published": _programme(Programme.Status.PUBLISHED)},
    surfaces=[
        Surface(
            "list",
            lambda pages, world, name, obj, token: _in(pages, reverse("programmes:index"), token),
            lambda world, viewer, obj: _has(Programme.objects.visible_to(viewer), obj),
            ("programmes:index",),
        ),
        Surface(
            "page",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), token),
            lambda world, viewer, obj: _has(Programme.objects.visible_to(viewer), obj),
            ("programmes:detail",),
        ),
        Surface(
            "attendance",
            lambda pages, world, name, obj, token: _in(pages, reverse("programmes:attendance", args=[obj.slug]), token),
            lambda world, viewer, obj: viewer.is_coordinator,
            ("programmes:attendance",),
        ),
        search_surface(
            lambda world, viewer, obj: _has(
                Programme.objects.visible_to(viewer).filter(status=Programme.Status.PUBLISHED), obj
            )
        ),
    ],
)


# --- joint actions --------------------------------------------------------------------------


def _joint_action(status):
    def build(world, token):
        action = JointActionFactory(title=f"Action {token}", slug=f"action-{token}", status=status)
        update = JointActionUpdate.objects.create(joint_action=action, date=world.when.date(), text=f"Step {token}")
        JointActionUpdate.objects.filter(pk=update.pk).update(created_at=world.when)
        return action

    return build


def _update_picture(world, action, token):
    """A picture on the joint action's timeline, as the file the surface fetches."""
    update = action.updates.first()
    update.picture = SimpleUploadedFile("picture.png", PNG)
    update.picture_alt = "A picture"
    update.save()
    return SimpleNamespace(file=update.picture)


JOINT_ACTIONS = Kind(
    name="joint action",
    model=JointAction,
    states={
        "draft": _joint_action(JointAction.Status.DRAFT),
        "planned": _joint_action(JointAction.Status.PLANNED),
        "active": _joint_action(JointAction.Status.ACTIVE),
        "completed": _joint_action(JointAction.Status.COMPLETED),
    },
    surfaces=[
        Surface(
            "detail",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), token),
            lambda world, viewer, obj: _has(JointAction.objects.visible_to(viewer), obj),
            ("practice:joint_action_detail",),
        ),
        Surface(
            "list",
            lambda pages, world, name, obj, token: _in(pages, reverse("practice:joint_action_list"), token),
            lambda world, viewer, obj: _has(JointAction.objects.visible_to(viewer), obj),
            ("practice:joint_action_list",),
        ),
        Surface(
            "list, cached",
            lambda pages, world, name, obj, token: _in(pages, reverse("practice:joint_action_list"), token, load=2),
            lambda world, viewer, obj: _has(JointAction.objects.visible_to(viewer), obj),
        ),
        search_surface(lambda world, viewer, obj: _has(JointAction.objects.visible_to(viewer), obj)),
        file_surface(
            _update_picture,
            lambda world, viewer, obj: _has(JointAction.objects.visible_to(viewer), obj),
            "practice_files:update_picture",
            holds_token=False,
        ),
        digest_surface(lambda world, viewer, obj: _has(JointAction.objects.visible_to(viewer).published(), obj)),
        *api_surfaces(
            "joint-actions",
            "joint_action",
            lambda obj: f"/api/v1/joint-actions/{obj.slug}/",
            lambda world, viewer, obj: _has(JointAction.objects.visible_to(viewer), obj),
        ),
    ],
)


# --- member profiles --------------------------------------------------------------------------


def _profile(visibility, state=Membership.State.APPROVED):
    def build(world, token):
        user = UserFactory(role="organiser")
        member = member_for(user, display_name=f"Person {token}", visibility=visibility)
        MembershipFactory(member=member, organisation=world.organisation, state=state)
        return member

    return build


MEMBERS = Kind(
    name="member profile",
    model=Member,
    states={
        "public": _profile(Member.Visibility.PUBLIC),
        "members only": _profile(Member.Visibility.MEMBERS),
        "hidden": _profile(Member.Visibility.HIDDEN),
        "public, membership requested": _profile(Member.Visibility.PUBLIC, Membership.State.REQUESTED),
    },
    surfaces=[
        Surface(
            "profile page",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), token),
            # The member pages are for signed-in people; visitors meet public profiles on
            # organisation pages.
            lambda world, viewer, obj: viewer.is_authenticated and _has(Member.objects.visible_to(viewer), obj),
            ("network:member_detail",),
        ),
        Surface(
            "directory",
            lambda pages, world, name, obj, token: _in(pages, reverse("network:member_list"), token),
            lambda world, viewer, obj: viewer.is_authenticated and _has(Member.objects.listed(viewer), obj),
            ("network:member_list",),
        ),
        Surface(
            "directory, cached",
            lambda pages, world, name, obj, token: _in(pages, reverse("network:member_list"), token, load=2),
            lambda world, viewer, obj: viewer.is_authenticated and _has(Member.objects.listed(viewer), obj),
        ),
        Surface(
            "organisation page",
            lambda pages, world, name, obj, token: _in(pages, world.organisation.get_absolute_url(), token),
            lambda world, viewer, obj: _has(
                Member.objects.listed(viewer).filter(
                    memberships__organisation=world.organisation, memberships__state=Membership.State.APPROVED
                ),
                obj,
            ),
            ("network:organisation_detail",),
        ),
        Surface(
            "organisation page, cached",
            lambda pages, world, name, obj, token: _in(pages, world.organisation.get_absolute_url(), token, load=2),
            lambda world, viewer, obj: _has(
                Member.objects.listed(viewer).filter(
                    memberships__organisation=world.organisation, memberships__state=Membership.State.APPROVED
                ),
                obj,
            ),
        ),
        file_surface(
            _picture("photo"),
            lambda world, viewer, obj: _has(Member.objects.photos_visible_to(viewer), obj),
            "network_files:photo",
            holds_token=False,
        ),
    ],
)


# --- self-assessment rounds -------------------------------------------------------------------


def _round(opens: int, closes: int):
    def build(world, token):
        community, _ = Community.objects.get_or_create(name="Matrix community", slug="matrix-community")
        community.organisations.add(world.organisation)
        framework, _ = Framework.objects.get_or_create(name="Matrix scan", slug="matrix-scan")
        today = timezone.localdate()
        return Round.objects.create(
            framework=framework,
            community=community,
            title=f"Round {token}",
            opens_on=today + dt.timedelta(days=opens),
            closes_on=today + dt.timedelta(days=closes),
        )

    return build


def _reads_rounds(viewer: Viewer) -> bool:
    return viewer.is_coordinator or viewer.is_funder


ROUNDS = Kind(
    name="self-assessment round",
    model=Round,
    states={"open": _round(-1, 10), "closed": _round(-30, -10)},
    surfaces=[
        Surface(
            "list",
            lambda pages, world, name, obj, token: _in(pages, reverse("evidence:assessment_index"), token),
            lambda world, viewer, obj: _reads_rounds(viewer) or _has(Round.objects.answerable_by(viewer), obj),
            ("evidence:assessment_index",),
        ),
        Surface(
            "results",
            lambda pages, world, name, obj, token: _in(pages, reverse("evidence:round_results", args=[obj.pk]), token),
            lambda world, viewer, obj: _reads_rounds(viewer) or _has(Round.objects.answerable_by(viewer), obj),
            ("evidence:round_results",),
        ),
        Surface(
            "answer form",
            lambda pages, world, name, obj, token: _in(pages, reverse("evidence:round_answer", args=[obj.pk]), token),
            lambda world, viewer, obj: obj.is_open() and _has(Round.objects.answerable_by(viewer), obj),
            ("evidence:round_answer",),
        ),
    ],
)


# --- strategy versions --------------------------------------------------------------------------


def _strategy(
    *, published_before: bool, draft: bool, round_days: tuple[int, int] | None = None, licence: str = "CC-BY-4.0"
):
    """A document whose version under test carries the token in its title: the published v1,
    or a draft (v2 after a published v1, or v1 alone), with or without a consultation round."""

    def build(world, token):
        from strategy import services as strategy_services
        from strategy.models import Document, Section

        # The slug must not carry the token: links to the document are not its text.
        document = Document.objects.create(slug=f"strategy-{uuid.uuid4().hex[:12]}", original_language="en")
        Section.objects.create(document=document, key="vision", heading_en="Vision")
        if published_before:
            v1 = strategy_services.version_draft_create(document=document)
            title = "Published strategy" if draft else f"Strategy {token}"
            strategy_services.version_text_save(version=v1, language="en", title=title, sections={"vision": "A"})
            strategy_services.version_publish(version=v1)
            if not draft:
                v1.licence = licence
                v1.save(update_fields=["licence"])
                return v1
        version = strategy_services.version_draft_create(document=document)
        strategy_services.version_text_save(
            version=version, language="en", title=f"Strategy {token}", sections={"vision": "B"}
        )
        if round_days is not None:
            now = timezone.now()
            strategy_services.round_open(
                version=version,
                opens_at=now + dt.timedelta(days=round_days[0]),
                closes_at=now + dt.timedelta(days=round_days[1]),
                questions={},
            )
        return version

    return build


def _strategy_visible(viewer, version) -> bool:
    from strategy.models import Version

    return _has(Version.objects.visible_to(viewer), version)


def _strategy_in_api(viewer, version) -> bool:
    """Published versions only, whoever asks (a draft is never open data); visitors only
    openly licensed ones."""
    from strategy.models import Version

    return _has(_open_data(Version.objects.visible_to(viewer).published(), viewer), version)


def _strategy_shown_first(version) -> bool:
    """The version a document's page or the list puts first: the published one, else the draft."""
    return version.is_published or not version.document.versions.published().exists()


STRATEGY_VERSIONS = Kind(
    name="strategy version",
    model=__import__("strategy.models", fromlist=["Version"]).Version,
    states={
        "published": _strategy(published_before=True, draft=False),
        "published, all rights reserved": _strategy(published_before=True, draft=False, licence="all-rights-reserved"),
        "draft under consultation": _strategy(published_before=True, draft=True, round_days=(-1, 10)),
        "draft, consultation closed": _strategy(published_before=True, draft=True, round_days=(-20, -10)),
        "draft, not consulted": _strategy(published_before=False, draft=True),
    },
    surfaces=[
        Surface(
            "version page",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), token),
            lambda world, viewer, obj: _strategy_visible(viewer, obj),
            ("strategy:version_detail",),
        ),
        Surface(
            "document page",
            lambda pages, world, name, obj, token: _in(pages, obj.document.get_absolute_url(), token),
            lambda world, viewer, obj: (
                _strategy_visible(viewer, obj) and (obj.rounds.exists() or _strategy_shown_first(obj))
            ),
            ("strategy:document_detail",),
        ),
        Surface(
            "list",
            lambda pages, world, name, obj, token: _in(pages, reverse("strategy:document_list"), token),
            lambda world, viewer, obj: _strategy_visible(viewer, obj) and _strategy_shown_first(obj),
            ("strategy:document_list",),
        ),
        # Published versions only, whoever asks; visitors only openly licensed ones.
        *api_surfaces(
            "strategy",
            "strategy_version",
            lambda obj: f"/api/v1/strategy/{obj.document.slug}/{obj.number}/",
            lambda world, viewer, obj: _strategy_in_api(viewer, obj),
        ),
    ],
)


# --- amendments ------------------------------------------------------------------------------


def _amendment(fate: str, *, publish: bool = False, closed: bool = False):
    """An amendment carrying the token, proposed in a round on the draft v2 of a document whose
    v1 is published; then ``fate``d (left proposed, declined or accepted), the round closed and
    v2 published as asked."""

    def build(world, token):
        from strategy import services as strategy_services
        from strategy.models import Document, Round, Section

        document = Document.objects.create(slug=f"strategy-{uuid.uuid4().hex[:12]}", original_language="en")
        section = Section.objects.create(document=document, key="vision", heading_en="Vision")
        v1 = strategy_services.version_draft_create(document=document)
        strategy_services.version_text_save(version=v1, language="en", title="Strategy", sections={"vision": "A"})
        strategy_services.version_publish(version=v1)
        v2 = strategy_services.version_draft_create(document=document)
        now = timezone.now()
        consultation = strategy_services.round_open(
            version=v2, opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=10), questions={}
        )
        amendment = strategy_services.amendment_create(
            consultation=consultation,
            section=section,
            proposer=world.author,
            text=f"Proposal {token}",
            explanation="",
            language="en",
            submission=uuid.uuid4(),
        )
        if fate == "declined":
            strategy_services.amendment_decline(amendment=amendment, by=None, reason="Not now.")
        elif fate == "accepted":
            strategy_services.amendment_accept(amendment=amendment, by=None)
        if closed:
            Round.objects.filter(pk=consultation.pk).update(closes_at=now - dt.timedelta(hours=1))
        if publish:
            strategy_services.version_publish(version=v2)
        amendment.refresh_from_db()
        return amendment

    return build


def _amendment_on_pages(pages, world, name, obj, token) -> bool:
    """Where the strategy's pages show amendments: the document's page (the consultation on its
    draft), the pages of the version it was proposed on and of the one it entered, the synthesis,
    and the section's page (the draft's latest round, or the amendment's round by number)."""
    document = obj.round.version.document
    urls = [document.get_absolute_url(), obj.round.version.get_absolute_url()]
    urls.append(reverse("strategy:synthesis", kwargs={"slug": document.slug}))
    section = reverse("strategy:section_detail", kwargs={"slug": document.slug, "key": obj.section.key})
    urls += [section, f"{section}?round={obj.round_id}"]
    if obj.applied_to is not None:
        urls.append(obj.applied_to.get_absolute_url())
    return any(_in(pages, url, token) for url in urls)


def _amendment_visible(viewer, amendment) -> bool:
    from strategy.models import Amendment

    return _has(Amendment.objects.visible_to(viewer), amendment)


AMENDMENTS = Kind(
    name="amendment",
    model=__import__("strategy.models", fromlist=["Amendment"]).Amendment,
    states={
        "proposed, round open": _amendment("proposed"),
        "declined, round open": _amendment("declined"),
        "accepted into the draft": _amendment("accepted"),
        "accepted, version published": _amendment("accepted", publish=True, closed=True),
        "declined, version published": _amendment("declined", publish=True, closed=True),
    },
    surfaces=[
        Surface(
            "strategy pages",
            _amendment_on_pages,
            lambda world, viewer, obj: _amendment_visible(viewer, obj),
            ("strategy:document_detail", "strategy:version_detail", "strategy:synthesis", "strategy:section_detail"),
        ),
        search_surface(lambda world, viewer, obj: _amendment_visible(viewer, obj)),
    ],
)


# --- convening commitments ----------------------------------------------------------------------


def _commitment(visibility: str, exchange_status=Exchange.Status.PUBLISHED):
    def build(world, token):
        from strategy.models import Commitment

        exchange = ExchangeFactory(kind=Exchange.Kind.CONVENING, status=exchange_status)
        commitment = Commitment.objects.create(
            exchange=exchange, title=f"Commitment {token}", due_on=timezone.localdate(), visibility=visibility
        )
        commitment.organisations.set([world.organisation])
        from strategy.models import CommitmentUpdate

        update = CommitmentUpdate.objects.create(commitment=commitment, status="under_way", note=f"Progress {token}")
        CommitmentUpdate.objects.filter(pk=update.pk).update(created_at=world.when)
        return commitment

    return build


def _commitment_in_digest(world, viewer, commitment) -> bool:
    """Progress on a commitment reaches the members of its holding organisations (approved
    memberships) who may see it, and nobody else."""
    holders = set(commitment.organisations.values_list("pk", flat=True))
    return (
        viewer.is_authenticated
        and _commitment_visible(viewer, commitment)
        and bool(holders & set(viewer.organisation_ids))
    )


def _commitment_visible(viewer, commitment) -> bool:
    from strategy.models import Commitment

    return _has(Commitment.objects.visible_to(viewer), commitment)


COMMITMENTS = Kind(
    name="commitment",
    model=__import__("strategy.models", fromlist=["Commitment"]).Commitment,
    states={
        "public": _commitment("public"),
        "members only": _commitment("members"),
        "public, convening not announced": _commitment("public", Exchange.Status.DRAFT),
    },
    surfaces=[
        Surface(
            "detail",
            lambda pages, world, name, obj, token: _in(pages, obj.get_absolute_url(), token),
            lambda world, viewer, obj: _commitment_visible(viewer, obj),
            ("commitments:detail",),
        ),
        Surface(
            "list",
            lambda pages, world, name, obj, token: _in(pages, reverse("commitments:list"), token),
            lambda world, viewer, obj: _commitment_visible(viewer, obj),
            ("commitments:list",),
        ),
        Surface(
            "convening page",
            lambda pages, world, name, obj, token: _in(
                pages, reverse("commitments:convening", args=[obj.exchange.slug]), token
            ),
            lambda world, viewer, obj: _commitment_visible(viewer, obj),
            ("commitments:convening",),
        ),
        search_surface(lambda world, viewer, obj: _commitment_visible(viewer, obj)),
        Surface("digest", digest_surface(lambda world, viewer, obj: False).shown, _commitment_in_digest),
    ],
)


KINDS = [
    EVIDENCE,
    GUIDES,
    EXCHANGES,
    HOST_OFFERS,
    PROGRAMMES,
    JOINT_ACTIONS,
    MEMBERS,
    ROUNDS,
    STRATEGY_VERSIONS,
    AMENDMENTS,
    COMMITMENTS,
]


# --- the matrix -------------------------------------------------------------------------------


def _token(kind: Kind, state: str) -> str:
    letters = re.sub(r"[^a-z]", "", f"{kind.name}{state}".lower())
    return f"zq{letters}"


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_every_surface_shows_what_the_policy_answers(client, kind, settings):
    settings.LANGUAGE_CODE = "en"
    world = _world()
    objects = {state: build(world, _token(kind, state)) for state, build in kind.states.items()}
    mismatches = []
    checks = 0
    for name in VIEWERS:
        client.logout()
        if world.users[name] is not None:
            client.force_login(world.users[name])
        viewer = world.viewer(name)
        pages = Pages(client)
        for state, obj in objects.items():
            obj.refresh_from_db()
            for surface in kind.surfaces:
                expected = bool(surface.expected(world, viewer, obj))
                shown = bool(surface.shown(pages, world, name, obj, _token(kind, state)))
                checks += 1
                if expected != shown:
                    mismatches.append(
                        f"{kind.name} [{state}] × {name} × {surface.name}: "
                        f"policy says {'shown' if expected else 'hidden'}, "
                        f"the surface {'shows' if shown else 'hides'} it"
                    )
    assert checks == len(VIEWERS) * len(objects) * len(kind.surfaces)
    assert not mismatches, f"{len(mismatches)} of {checks} cells disagree:\n" + "\n".join(mismatches)


def test_the_library_count_is_the_policys_count(client):
    world = _world()
    for state, build in EVIDENCE.states.items():
        build(world, _token(EVIDENCE, state))
    for name in VIEWERS:
        client.logout()
        if world.users[name] is not None:
            client.force_login(world.users[name])
        expected = _evidence_published(world, world.viewer(name)).count()
        for _load in (1, 2):
            html = client.get(reverse("evidence:index")).content.decode()
            counted = re.search(r"(\d+) records?\b", html)
            assert counted is not None and int(counted.group(1)) == expected, (name, expected)


# --- completeness -----------------------------------------------------------------------------


RULES = ("visible_to", "answerable_by", "listed", "with_private_details_for", "mine", "editable_by")


def test_every_model_with_an_access_rule_is_a_kind_of_the_matrix():
    ruled = {
        model
        for model in apps.get_models()
        if any(hasattr(model._default_manager, rule) for rule in RULES) and not model._meta.proxy
    }
    assert ruled == {kind.model for kind in KINDS}, "add a Kind to the matrix for every model with an access rule"


def _url_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            names |= _url_names(pattern, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


# Every other URL, and why it is not a surface of the matrix. A new page fails the test below
# until it is either a surface above or listed here with its reason.
EXEMPT = {
    "admin": "the Django admin: coordinators only (roles.py); tests/outbox/test_secrets.py walks it",
    "account_": "allauth's login, signup, password and email pages: only the person's own account",
    "set_language": "a POST that changes the language",
    "network:organisation_list": "organisations are public facts, not access-controlled content",
    "network_files:logo": "an organisation's logo is as public as the organisation (tests/files/test_pictures.py)",
    "network:where": "counts of organisations per country: public facts",
    "network:profile_edit": "the person's own profile",
    "network:organisation_logo": "a form for the organisation's administrators: Viewer.administers (tests/files)",
    "network:account": "the person's own account",
    "network:account_language": "a POST on the person's own account",
    "network:account_data": "the person's own data (tests/personal_data)",
    "network:account_delete": "the person's own account",
    "network:memberships": "the person's own memberships (tests/network/test_memberships.py)",
    "network:membership_request": "a POST asking to join (tests/network/test_memberships.py)",
    "network:membership_leave": "a POST on one's own membership (tests/network/test_memberships.py)",
    "network:membership_requests": "requests an administrator decides (tests/network/test_memberships.py)",
    "network:membership_approve": "a POST deciding a request (tests/network/test_memberships.py)",
    "network:membership_decline": "a POST deciding a request (tests/network/test_memberships.py)",
    "evidence:choose_kind": "a form to write evidence",
    "evidence:create": "a form to write evidence",
    "evidence:from_reflection": "a form started from one's own reflection",
    "evidence:edit": "editing: editable_by (tests/evidence/test_permissions.py)",
    "evidence:submit": "a workflow POST: editable_by",
    "evidence:consent_withdraw": "a POST: consent_manageable_by (tests/network/test_memberships.py)",
    "evidence:attachment_add": "a form: editable_by",
    "evidence:metric_add": "a form: editable_by",
    "practice:guide_create_choose": "a form to write a guide",
    "practice:guide_create": "a form to write a guide",
    "practice:guide_edit": "editing: Guide.can_edit",
    "practice:guide_translate": "a form to translate a visible guide",
    "practice:guide_submit": "a workflow POST",
    "practice:guide_publish": "a workflow POST (coordinators)",
    "practice:guide_return": "a workflow POST (coordinators)",
    "practice:guide_archive": "a workflow POST (coordinators)",
    "practice:guide_image_add": "a form: Guide.can_edit",
    "practice:guide_revisions": "history for authors and coordinators (tests/practice/test_workflow.py)",
    "practice:guide_diff": "history for authors and coordinators (tests/practice/test_workflow.py)",
    "practice:joint_action_update_add": "a POST: JointAction.objects.updatable_by",
    "practice:joint_action_propose": "a form for approved members (tests/practice/test_group_led_joint_actions.py)",
    "practice:joint_action_publish": "a workflow POST (coordinators)",
    "practice:partner_invitation": "an organisation's administrators answer: Viewer.administers (tests/practice)",
    "exchanges:feed_create": "a POST on one's own feed",
    "exchanges:feed_revoke": "a POST on one's own feed",
    "exchanges:register": "signing up: Exchange.joinable_by (tests/exchanges/test_views.py)",
    "exchanges:cancel": "a POST on one's own registration",
    "exchanges:waitlist_leave": "a POST on one's own registration",
    "exchanges:offer": "one's own offer",
    "exchanges:offer_accept": "a POST on one's own offer",
    "exchanges:offer_decline": "a POST on one's own offer",
    "exchanges:reflection": "one's own reflection",
    "matches:suggestions": "organisations (public facts) suggested to the person from their own profile "
    "(tests/matches)",
    "matches:pairs": "coordinators only; organisations are public facts (tests/matches)",
    "programmes:enrol": "a POST enrolling oneself in a visible programme (tests/programmes)",
    "programmes:leave": "a POST on one's own enrolment (tests/programmes)",
    "exchanges:manage_": "a manager's form, download or POST: Exchange.objects.managed_by "
    "(tests/exchanges/test_manage.py tries each on another exchange, for every role)",
    "exchanges:check_in_": "a manager's POST: Exchange.objects.managed_by (tests/exchanges/test_manage.py)",
    "invitations:": "coordinators' invitation pages (tests/invitations)",
    "digests:": "the person's own digest preferences (tests/digests)",
    "strategy:version_diff": "both versions through Version.objects.visible_to (tests/strategy/test_pages.py)",
    "commitments:update_add": "a POST: Commitment.objects.updatable_by (tests/strategy/test_commitments.py)",
    "strategy:case": "the published version; each citation through its kind's rule (tests/strategy/test_citations.py)",
    "strategy:synthesis": "signed-in members, once a round has closed (tests/strategy/test_pages.py)",
    "strategy:round_create": "a form for coordinators (tests/strategy/test_pages.py)",
    "strategy:comment_": "taking part: signed-in members on a draft they may read (tests/strategy)",
    "strategy:amendment_": "taking part and deciding: members, coordinators decide (tests/strategy)",
    "strategy:amendments_merge": "a form for coordinators (tests/strategy/test_pages.py)",
    "manifest": "the web app manifest: the site's name and icons, the same for everyone",
    "styleguide": "sample components, no data; coordinators only unless DEBUG (tests/core/test_shell.py)",
    "api-v1:organisation": "organisations are public facts (the API gives their public fields only)",
    "api-v1:indicator_list": "aggregated figures with small cells suppressed (tests/api/test_figures.py)",
    "api-v1:openapi-json": "the API's schema, the same for everyone",
    "api-v1:api-root": "the API's root, no data",
    "api_docs": "the API's documentation, no data",
    "api_not_found": "the API's JSON 404",
    "tokens:": "the person's own personal access tokens (tests/api/test_tokens.py)",
    "sitemap": "addresses (no titles) of what the anonymous viewer may read (tests/api/test_open_web.py)",
    "robots": "the same text for everyone",
    "open_data:": "files written for the anonymous viewer by api/opendata.py (tests/api/test_open_data.py)",
}


def test_every_page_is_a_surface_of_the_matrix_or_exempted_with_a_reason():
    covered = {url for kind in KINDS for surface in kind.surfaces for url in surface.urls}
    unclassified = sorted(
        name
        for name in _url_names()
        if name not in covered and not any(name == key or name.startswith(key) for key in EXEMPT)
    )
    assert not unclassified, f"classify these URLs in the policy matrix: {unclassified}"
