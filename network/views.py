"""Pages of the network: organisations, members, where we are, my profile, my account.

Views stay thin: they parse, check access, call a QuerySet or a service, then render or
redirect. Hidden profiles never reach a template (``Member.objects.visible_to``), and an
organisation's contact email only reaches coordinators.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_countries import countries

from core import cache
from core.db import distinct_values
from core.personal_data import ErasureBusy
from core.policy import Audience, representative
from network import services as membership_services
from network.filters import MemberFilter, OrganisationFilter
from network.forms import AccountDeleteForm, MemberForm, MembershipRequestForm, OrganisationLogoForm
from network.models import Member, Membership, Organisation, Theme
from network.services import account_delete, organisation_logo_save, personal_data_export, profile_save

ORGANISATIONS_PER_PAGE = 24
MEMBERS_PER_PAGE = 30
# An organisation page lists at most this many members and member organisations.
DETAIL_LIST_LIMIT = 100


def home(request):
    organisations = Organisation.objects.order_by()
    context = {
        "organisation_count": organisations.count(),
        "country_count": organisations.values("country").distinct().count(),
    }
    return render(request, "network/home.html", context)


def _page(request, queryset, per_page):
    # get_page turns ?page=abc, ?page=0 and ?page=9999 into a real page instead of an error.
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _organisation_directory(request) -> str:
    # The countries that occur, read from the country index (not from every organisation).
    codes = distinct_values(Organisation.objects.all(), "country")
    filterset = OrganisationFilter(
        request.GET or None, queryset=Organisation.objects.all(), country_codes=codes, request=request
    )
    organisations = (
        filterset.qs.order_by("name", "pk")
        .only("name", "slug", "kind", "country", "city", "logo", "logo_alt")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.only("name", "name_en", "name_sv", "name_nl")))
    )
    page = _page(request, organisations, ORGANISATIONS_PER_PAGE)
    return render_to_string(
        "network/includes/organisation_directory.html", {"filter": filterset, "page": page}, request=request
    )


def organisation_list(request):
    # The same for every audience today; keyed by audience all the same, so that nothing a
    # template may one day show per audience can reach another.
    directory = cache.fragment(
        "organisation_directory",
        depends_on="network",
        audience=request.viewer.audience,
        query=request.GET,
        render=lambda: _organisation_directory(request),
    )
    return render(request, "network/organisation_list.html", {"directory": directory})


def _organisation_page(request, organisation: Organisation, viewer) -> str:
    """The organisation's page as everyone of ``viewer``'s audience sees it: its approved
    members whose profiles that audience may see."""
    listed = Member.objects.listed(viewer)
    signed_in = viewer.is_authenticated
    memberships = list(
        Membership.objects.approved()
        .filter(organisation=organisation, member__in=listed)
        .select_related("member")
        .only("role", "member__display_name", "member__photo", "member__photo_alt")
        .order_by("member__display_name", "pk")[: DETAIL_LIST_LIMIT + 1]
    )
    member_organisations = list(
        organisation.network_members.only("name", "slug", "country").order_by("name")[: DETAIL_LIST_LIMIT + 1]
    )
    context = {
        "organisation": organisation,
        "themes": organisation.themes.all(),
        "memberships": memberships[:DETAIL_LIST_LIMIT],
        "more_members": len(memberships) > DETAIL_LIST_LIMIT,
        "networks": organisation.networks.only("name", "slug", "country").order_by("name"),
        "member_organisations": member_organisations[:DETAIL_LIST_LIMIT],
        "more_member_organisations": len(member_organisations) > DETAIL_LIST_LIMIT,
        "signed_in": signed_in,
    }
    return render_to_string("network/includes/organisation_page.html", context, request=request)


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    audience = request.viewer.audience
    body = cache.fragment(
        "organisation_page",
        depends_on="network",
        audience=audience,
        parts=(organisation.pk,),
        render=lambda: _organisation_page(request, organisation, representative(audience)),
    )
    viewer = request.viewer
    own = None
    if viewer.is_authenticated:
        own = Membership.objects.filter(organisation=organisation, member_id=viewer.member_id).first()
    administers = viewer.administers(organisation.pk)
    context = {
        "organisation": organisation,
        "body": body,
        "show_contact": viewer.is_coordinator,
        # Rendered live around the cached body: the viewer's own membership or request, and
        # the requests waiting for them if they administer the organisation.
        "own_membership": own,
        "administers": administers,
        "waiting": (
            Membership.objects.pending_for(viewer).filter(organisation=organisation).count() if administers else 0
        ),
    }
    return render(request, "network/organisation_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_logo(request, slug):
    """The organisation's logo, changed by its administrators (and coordinators)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not request.viewer.administers(organisation.pk):
        raise PermissionDenied
    if request.method == "POST":
        form = OrganisationLogoForm(request.POST, request.FILES, instance=organisation)
        if form.is_valid():
            organisation_logo_save(form=form)
            messages.success(request, _("The logo is saved."))
            return redirect(organisation.get_absolute_url())
        # The page shows the stored logo, not the one the form holds while it shows errors.
        organisation = Organisation.objects.get(pk=organisation.pk)
    else:
        form = OrganisationLogoForm(instance=organisation)
    return render(request, "network/organisation_logo.html", {"form": form, "organisation": organisation})


def _member_directory(request, viewer) -> str:
    listed = Member.objects.listed(viewer)
    # The countries of listed profiles, from the country index: a DISTINCT over every listed
    # profile took 270 ms at 100,000 members (issue 16), this a millisecond at any size.
    codes = distinct_values(listed, "country")
    filterset = MemberFilter(request.GET or None, queryset=listed, country_codes=codes, request=request)
    members = (
        filterset.qs.order_by("display_name", "pk")
        .only("display_name", "country", "city", "languages", "photo", "photo_alt")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.approved()
                .select_related("organisation")
                .only("member_id", "role", "organisation__name", "organisation__slug"),
            )
        )
    )
    page = _page(request, members, MEMBERS_PER_PAGE)
    return render_to_string(
        "network/includes/member_directory.html", {"filter": filterset, "page": page}, request=request
    )


@login_required
def member_list(request):
    # Everyone of one audience sees the same directory (hidden profiles are never listed), so
    # one cached fragment per audience, language and query serves them all.
    audience = request.viewer.audience
    directory = cache.fragment(
        "member_directory",
        depends_on="network",
        audience=audience,
        query=request.GET,
        render=lambda: _member_directory(request, representative(audience)),
    )
    return render(request, "network/member_list.html", {"directory": directory})


@login_required
def member_detail(request, pk):
    member = get_object_or_404(
        Member.objects.visible_to(request.viewer).prefetch_related(
            "themes", Prefetch("memberships", queryset=Membership.objects.approved().select_related("organisation"))
        ),
        pk=pk,
    )
    return render(request, "network/member_detail.html", {"member": member})


def _where_rows() -> list[dict]:
    rows = list(Organisation.objects.per_country())
    largest = max((row["count"] for row in rows), default=0)
    return [
        {
            "code": row["country"],
            "name": countries.name(row["country"]) or row["country"],
            "count": row["count"],
            # Bar length in the self-drawn chart, as a share of the largest country.
            "width": round(100 * row["count"] / largest, 1) if largest else 0,
        }
        for row in rows
    ]


def where(request):
    # The counts per country read every organisation (17 ms at 20,000 of them, issue 16):
    # kept until the network changes, the same for every audience (no visibility applies).
    countries_rows = cache.fragment("where_rows", depends_on="network", audience=Audience.PUBLIC, render=_where_rows)
    total = sum(row["count"] for row in countries_rows)
    return render(
        request,
        "network/where.html",
        {"rows": countries_rows, "total": total, "chart_height": 28 * len(countries_rows) + 8},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    member = request.user.member
    if request.method == "POST":
        form = MemberForm(request.POST, request.FILES, instance=member)
        if form.is_valid():
            profile_save(form=form)
            # The pages stay in the language the member is reading (the URL's); the preferred
            # language is the one of the emails we send.
            messages.success(request, _("Your profile is saved."))
            return redirect("network:profile_edit")
        # The page shows the stored photo, not the one the form holds while it shows errors.
        member = Member.objects.get(pk=member.pk)
    else:
        form = MemberForm(instance=member)
    return render(request, "network/profile_edit.html", {"form": form, "member": member})


# --- Memberships: ask to join, decide requests ----------------------------------------------


FOUND_LIMIT = 20


def _memberships_page(request, form, *, chosen=None, status: int = 200):
    """The page of the member's organisations. Asking to join another starts with a search
    (``?find=``, up to ``FOUND_LIMIT`` organisations by name, each a link that chooses it)
    rather than a list of every organisation; works without JavaScript."""
    find = request.GET.get("find", "").strip()[:100]
    found = []
    if find:
        found = list(
            Organisation.objects.filter(name__icontains=find)
            .only("name", "slug", "city", "country")
            .order_by("name", "pk")[: FOUND_LIMIT + 1]
        )
    return render(
        request,
        "network/membership_list.html",
        {
            "memberships": Membership.objects.filter(member=request.user.member).select_related("organisation"),
            "form": form,
            "chosen": chosen,
            "find": find,
            "found": found[:FOUND_LIMIT],
            "more_found": len(found) > FOUND_LIMIT,
            "waiting": Membership.objects.pending_for(request.viewer).count(),
        },
        status=status,
    )


@login_required
def memberships(request):
    """The member's organisations and requests, the form to ask to join one (once chosen through
    the search or the organisation's page: ``?organisation=<slug>``), and how many requests wait
    for the viewer's decision (administrators and coordinators)."""
    slug = request.GET.get("organisation", "")
    chosen = Organisation.objects.filter(slug=slug[:200]).first() if slug else None
    initial = {"organisation": chosen.pk} if chosen else {}
    return _memberships_page(request, MembershipRequestForm(initial=initial, chosen=chosen), chosen=chosen)


@login_required
@require_POST
def membership_request(request):
    value = request.POST.get("organisation", "")
    # ASCII digits only: str.isdigit() also accepts "²", which no primary key lookup takes.
    chosen = Organisation.objects.filter(pk=value).first() if value.isascii() and value.isdigit() else None
    form = MembershipRequestForm(request.POST, chosen=chosen)
    if not form.is_valid():
        return _memberships_page(request, form, chosen=chosen, status=400)
    data = form.cleaned_data
    try:
        membership_services.membership_request(
            member=request.user.member, organisation=data["organisation"], role=data["role"], message=data["message"]
        )
    except membership_services.MembershipError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your request to join %(organisation)s was sent. You will get an email when it is decided.")
            % {"organisation": data["organisation"].name},
        )
    return redirect("network:memberships")


@login_required
@require_POST
def membership_leave(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("organisation"), pk=pk, member__user=request.user)
    name = membership.organisation.name
    was_request = membership.state == Membership.State.REQUESTED
    membership_services.membership_leave(membership=membership, member=request.user.member)
    if was_request:
        messages.success(request, _("Your request to join %(organisation)s is withdrawn.") % {"organisation": name})
    else:
        messages.success(request, _("You are no longer listed with %(organisation)s.") % {"organisation": name})
    return redirect("network:memberships")


@login_required
def membership_requests(request):
    """Requests to join that the viewer may decide (the organisations they administer; every
    organisation for coordinators)."""
    pending = (
        Membership.objects.pending_for(request.viewer)
        .select_related("member", "organisation")
        .order_by("requested_at", "pk")
    )
    page = _page(request, pending, 50)
    return render(request, "network/membership_requests.html", {"page": page})


def _decide(request, pk, decide, done_message):
    membership = get_object_or_404(Membership.objects.select_related("member__user", "organisation"), pk=pk)
    if not request.viewer.administers(membership.organisation_id):
        raise PermissionDenied
    try:
        decide(membership=membership, by=request.user)
    except membership_services.MembershipError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            done_message % {"member": membership.member.display_name, "organisation": membership.organisation.name},
        )
    return redirect("network:membership_requests")


@login_required
@require_POST
def membership_approve(request, pk):
    return _decide(
        request, pk, membership_services.membership_approve, _("%(member)s is now a member of %(organisation)s.")
    )


@login_required
@require_POST
def membership_decline(request, pk):
    return _decide(request, pk, membership_services.membership_decline, _("The request of %(member)s was declined."))


@login_required
def account(request):
    return render(
        request,
        "network/account.html",
        {"member": request.user.member, "language_choices": settings.LANGUAGES},
    )


@login_required
@require_POST
def account_language(request):
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Choose one of the languages offered."))
        return redirect("network:account")
    member = request.user.member
    member.preferred_language = language
    member.save(update_fields=["preferred_language", "updated_at"])
    # The language of our emails; the pages keep the language the member is reading them in
    # (the language switcher changes that).
    messages.success(request, _("Your language is saved."))
    return redirect("network:account")


@login_required
def account_data(request):
    """Everything we hold about the signed-in person, as a JSON download."""
    data = personal_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="learninglab-personal-data-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete_confirm(request):
    if request.method == "POST":
        form = AccountDeleteForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                account_delete(user=request.user)
            except ErasureBusy:
                # An exchange the person holds a place in is locked by a sign-up rush:
                # nothing was erased, and a second try normally goes through.
                messages.error(request, _("Your account could not be deleted just now. Please try again in a moment."))
                return render(request, "network/account_delete.html", {"form": form})
            logout(request)
            messages.success(request, _("Your account is deleted. Thank you for having been part of the network."))
            return redirect("home")
    else:
        form = AccountDeleteForm(user=request.user)
    return render(request, "network/account_delete.html", {"form": form})
