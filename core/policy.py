"""The one access policy: who is looking, in one value, and the one vocabulary of audiences.

Every rule about who may see or change something takes a ``Viewer`` and nothing else: the
``visible_to`` / ``editable_by`` / ``mine`` QuerySet methods of each app, search filtering,
digest audiences, calendar files and feeds, file downloads, counts, exports and the keys of
cached fragments. A ``Viewer`` is built once per request (``request.viewer``, set lazily by
``core.middleware.ViewerMiddleware``, and ``viewer`` in every template) or once per person in
background jobs (``viewer_for(user)``).

Facts, never declarations:

* The *role* comes from the role groups an administrator put the account in (``Role``);
  a superuser counts as a coordinator. ``is_staff`` is derived from the coordinator role
  (``network.signals``) and is read by nothing but the Django admin's login gate.
* The *organisations* are those of the person's **approved** memberships only: asking to join
  an organisation grants nothing until an administrator of that organisation or a
  coordinator approves it (``network.services.membership_approve``).

Audiences, one vocabulary for content and viewers alike:

* ``public``: everyone, signed in or not;
* ``members``: signed-in network members (organisers and other members);
* ``funders``: funders (the stricter role wins for a funder who also organises);
* ``coordinators``: the people who run the network.

A viewer's ``audience`` is the class it belongs to. Content *reaches* a set of audiences
(``reaches``); ``public`` reaches everyone, and coordinators read whatever any audience reads.
Per-person facts (authorship, approved organisations) never go into a cache key: a fragment is
shared by everyone of one audience, and whatever depends on the person is rendered around it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Role:
    """The names of the role groups (their permissions are kept by ``network.roles``)."""

    ORGANISER = "organiser"
    FUNDER = "funder"
    COORDINATOR = "coordinator"
    ALL = (ORGANISER, FUNDER, COORDINATOR)


class Audience(StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"
    FUNDERS = "funders"
    COORDINATORS = "coordinators"


AUDIENCES: tuple[str, ...] = tuple(a.value for a in Audience)
EVERYONE: frozenset[str] = frozenset(AUDIENCES)


def reach(audiences: Iterable[str]) -> frozenset[str]:
    """The audiences content tagged with ``audiences`` really reaches: ``public`` means everyone,
    and coordinators read whatever anyone reads."""
    tags = frozenset(str(a) for a in audiences) & EVERYONE
    if Audience.PUBLIC in tags:
        return EVERYONE
    if tags:
        return tags | {Audience.COORDINATORS}
    return frozenset()


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking: anonymous, or a person with role groups and approved organisations."""

    user_id: int | None = None
    member_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    is_superuser: bool = False
    # Organisations of approved memberships, and those where the membership is an administrator.
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    admin_organisation_ids: frozenset[int] = field(default_factory=frozenset)
    time_zone: str = ""

    # --- who -------------------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def is_coordinator(self) -> bool:
        return self.is_authenticated and (self.is_superuser or Role.COORDINATOR in self.roles)

    @property
    def is_funder(self) -> bool:
        """A funder who is not a coordinator (the stricter role wins over organising)."""
        return self.is_authenticated and not self.is_coordinator and Role.FUNDER in self.roles

    @property
    def is_member(self) -> bool:
        """A signed-in network member who is neither funder nor coordinator."""
        return self.is_authenticated and not self.is_coordinator and not self.is_funder

    @property
    def is_organiser(self) -> bool:
        return self.is_member and Role.ORGANISER in self.roles

    @property
    def audience(self) -> str:
        """The class this viewer belongs to: one of ``AUDIENCES``."""
        if not self.is_authenticated:
            return Audience.PUBLIC.value
        if self.is_coordinator:
            return Audience.COORDINATORS.value
        if self.is_funder:
            return Audience.FUNDERS.value
        return Audience.MEMBERS.value

    # --- what ------------------------------------------------------------------------------
    def reaches(self, audiences: Iterable[str]) -> bool:
        """Whether content tagged with ``audiences`` reaches this viewer."""
        return self.audience in reach(audiences)

    @property
    def can_author(self) -> bool:
        """May write evidence and guides: organisers and coordinators (never funders)."""
        return self.is_coordinator or self.is_organiser

    def belongs_to(self, organisation_ids: Iterable[int]) -> bool:
        """An approved member of any of these organisations."""
        return not self.organisation_ids.isdisjoint(organisation_ids)

    def administers(self, organisation_id: int) -> bool:
        """May approve requests to join the organisation and manage its memberships."""
        return self.is_coordinator or organisation_id in self.admin_organisation_ids

    def is_user(self, user_id: int | None) -> bool:
        return user_id is not None and user_id == self.user_id


ANONYMOUS = Viewer()


def coordinators_q():
    """The coordinator rule as a query on accounts (the same facts ``Viewer.is_coordinator``
    reads): in the coordinator role group, or a superuser. For finding the coordinators to
    tell about something, and for keeping ``is_staff`` in step with the role."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef, Q

    in_role = get_user_model().groups.through.objects.filter(user_id=OuterRef("pk"), group__name=Role.COORDINATOR)
    return Q(is_superuser=True) | Q(Exists(in_role))


def representative(audience: str) -> Viewer:
    """A viewer of ``audience`` with no person-specific facts: what everyone of that audience
    sees, for shared caches and for computing which audiences an item reaches."""
    if audience == Audience.PUBLIC:
        return ANONYMOUS
    roles = {
        Audience.MEMBERS: frozenset({Role.ORGANISER}),
        Audience.FUNDERS: frozenset({Role.FUNDER}),
        Audience.COORDINATORS: frozenset({Role.COORDINATOR}),
    }[Audience(audience)]
    return Viewer(user_id=0, roles=roles)


def viewer_for(user) -> Viewer:
    """The viewer of ``user`` (an account or ``AnonymousUser``), built with one query and kept
    on the user object for the rest of the request or job."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_policy_viewer", None)
    if cached is not None:
        return cached
    viewer = viewers_for_users([user.pk]).get(user.pk, ANONYMOUS)
    user._policy_viewer = viewer
    return viewer


def viewers_for_users(user_ids: Iterable[int]) -> dict[int, Viewer]:
    """Viewers of many accounts in one query (digests, bulk jobs)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import F, OuterRef

    from core.db import ListSubquery

    membership = apps.get_model("network", "Membership")
    approved = membership.objects.filter(member__user=OuterRef("pk"), state=membership.State.APPROVED).order_by()
    rows = (
        get_user_model()
        .objects.filter(pk__in=list(user_ids), is_active=True, deleted_at__isnull=True)
        .values_list("pk", "is_superuser", "member__id", "member__time_zone")
        .annotate(
            role_names=ListSubquery(Group.objects.filter(user=OuterRef("pk")).annotate(v=F("name")).values_list("v")),
            organisations=ListSubquery(approved.annotate(v=F("organisation_id")).values_list("v")),
            administered=ListSubquery(
                approved.filter(role=membership.Role.ADMIN).annotate(v=F("organisation_id")).values_list("v")
            ),
        )
    )
    return {
        pk: Viewer(
            user_id=pk,
            member_id=member_id,
            roles=frozenset(role_names or ()),
            is_superuser=is_superuser,
            organisation_ids=frozenset(organisations or ()),
            admin_organisation_ids=frozenset(administered or ()),
            time_zone=time_zone or "",
        )
        for pk, is_superuser, member_id, time_zone, role_names, organisations, administered in rows
    }


def audiences_of(visible, pks: Iterable[int]) -> dict[int, frozenset[str]]:
    """Which audiences may see each of ``pks``, asked of the rule itself: ``visible(viewer)``
    is a kind's ``visible_to`` (or any rule taking a ``Viewer``) and is run once per audience
    for that audience's representative. Digests tag their items with this, so a digest never
    reaches someone the pages would not show the item to."""
    pks = list(pks)
    found: dict[int, set[str]] = {pk: set() for pk in pks}
    if pks:
        for audience in AUDIENCES:
            for pk in visible(representative(audience)).filter(pk__in=pks).values_list("pk", flat=True):
                found[pk].add(audience)
    return {pk: frozenset(audiences) for pk, audiences in found.items()}
