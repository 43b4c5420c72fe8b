"""Practice pages: the guide library, guide pages, writing and reviewing, joint actions.

Views are thin: parse, check access, call a service or a QuerySet, render or redirect.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_countries import countries as all_countries
from markdown.extensions.toc import TocExtension, slugify_unicode

from core import cache
from core.citation import Citation, permalink_path
from core.policy import Audience, Viewer, representative
from core.text import markdown_to_safe_html
from evidence import search as evidence_search
from exchanges import search as exchanges_search
from network.models import Member, Theme
from practice import services
from practice.filters import GuideFilter, JointActionFilter
from practice.forms import (
    GuideImageForm,
    GuideTextForm,
    GuideWorkForm,
    JointActionProposalForm,
    JointActionUpdateForm,
    ReturnForm,
    RevisionDiffForm,
)
from practice.models import Characteristic, Guide, GuideWork, JointAction, Kind, Participation, PartnerInvitation
from practice.structured import guide_json_ld

PAGE_SIZE = 20
LANGUAGE_NAMES = dict(settings.LANGUAGES)


def _language(code: str | None) -> str:
    code = (code or "")[:2]
    return code if code in LANGUAGE_NAMES else (get_language() or settings.LANGUAGE_CODE)[:2]


def pick_versions(works, language: str) -> list[Guide]:
    """For each work (in order), its published version in ``language``, else its original, else
    any published version. One query; each version's ``work`` is the given work object."""
    works = list(works)
    versions: dict[int, dict[str, Guide]] = {}
    # Cards never show the text: its JSON (every section) would be the bulk of the rows.
    rows = Guide.objects.published().filter(work__in=[w.pk for w in works]).defer("sections", "review_comment")
    for version in rows.with_outdated():
        versions.setdefault(version.work_id, {})[version.language] = version
    chosen = []
    for work in works:
        by_language = versions.get(work.pk)
        if not by_language:
            continue
        version = (
            by_language.get(language) or by_language.get(work.original_language) or next(iter(by_language.values()))
        )
        version.work = work
        chosen.append(version)
    return chosen


def library_works():
    return GuideWork.objects.published().order_by("-published_at", "-pk")


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


def _library(request) -> str:
    """The library's filter block and results: the same for every reader (published works only)."""
    filterset = GuideFilter(request.GET or None, queryset=library_works())
    language = _language(filterset.form.cleaned_data.get("language") if filterset.form.is_valid() else None)
    works = filterset.qs.prefetch_related("themes")
    paginator = Paginator(works, PAGE_SIZE)
    page = paginator.get_page(_page_number(request))
    params = request.GET.copy()
    params.pop("page", None)
    return render_to_string(
        "practice/includes/guide_library.html",
        {
            "filter": filterset,
            "page_obj": page,
            "guides": pick_versions(page.object_list, language),
            "language": language,
            "language_name": LANGUAGE_NAMES.get(language, language),
            "query_string": params.urlencode(),
            # The filter form is rendered by hand from these (Django's widget templates would
            # render ~300 <option>s one template at a time).
            "kinds": Kind.choices,
            "facets": characteristics_by_facet(),
            "themes": Theme.objects.all(),
            "countries": practised_countries(),
            "language_choices": settings.LANGUAGES,
            "selected": {
                "kind": request.GET.get("kind", ""),
                "characteristic": request.GET.getlist("characteristic"),
                "theme": request.GET.get("theme", ""),
                "country": request.GET.get("country", ""),
                "language": request.GET.get("language", ""),
            },
        },
        request=request,
    )


# What the practice fragments show: practice data and names from the network; a guide page
# also links the exchanges and evidence records its audience may see.
LISTS_DEPEND_ON = ("practice", "network")
GUIDE_DEPENDS_ON = ("practice", "evidence", "exchanges", "network")


def index(request):
    """The guide library: filters on the works, one card per work, in the reader's language
    where a published version exists (else the original, with a note). It lists published
    works only, so one cached fragment per audience, language and query string serves every
    reader."""
    library = cache.fragment(
        "guide_library",
        depends_on=LISTS_DEPEND_ON,
        audience=request.viewer.audience,
        query=request.GET,
        render=lambda: _library(request),
    )
    return render(request, "practice/guide_list.html", {"library": library})


def _visible_guide(request, slug: str) -> Guide:
    return get_object_or_404(Guide.objects.visible_to(request.viewer).select_related("work"), slug=slug)


def _editable_guide(request, slug: str) -> Guide:
    guide = _visible_guide(request, slug)
    if not guide.can_edit(request.viewer):
        raise PermissionDenied
    return guide


def _section_slugify(prefix: str):
    def slugify(value, separator):
        return f"{prefix}-{slugify_unicode(value, separator)}"

    return slugify


# Subheadings inside sections: "##" in Markdown becomes <h3> (the section titles are <h2>).
_H3 = re.compile(r'<h([2-4]) id="([^"]+)">(.*?)</h\1>', re.S)


def render_sections(guide: Guide) -> list[dict]:
    """Each section with text as safe HTML, with its subheadings for the table of contents."""
    rendered = []
    for key, heading, text in guide.section_list():
        if not text:
            continue
        # Cached by content: the same text always renders the same, whatever else changes.
        html = cache.content_cached(
            f"guide-section:{key}",
            text,
            render=lambda text=text, key=key: markdown_to_safe_html(
                text,
                extensions=["extra", "sane_lists", TocExtension(baselevel=2, slugify=_section_slugify(key))],
            ),
        )
        subheadings = [
            {"id": anchor, "title": mark_safe(strip_tags(inner))}  # noqa: S308 — from nh3-cleaned HTML.
            for _level, anchor, inner in _H3.findall(html)
        ]
        rendered.append({"key": key, "heading": heading, "html": html, "subheadings": subheadings})
    return rendered


# Which evidence records a reader may see is the same for everyone of one audience, except
# members, who also see their approved organisations' unpublished records: theirs is read live.
_SHARED_EVIDENCE = {Audience.PUBLIC, Audience.FUNDERS, Audience.COORDINATORS}


# The records and exchanges a reader may find are those the evidence and exchanges apps let
# search find (``<app>/search.py``): one rule for search results and for the links here.
def _evidence_for(work, viewer: Viewer):
    return list(evidence_search.visible(viewer).filter(guide_works=work).only("pk", "title"))


def _guide_body(request, guide: Guide, audience: str) -> dict:
    """What every reader of ``guide`` of one audience sees the same: the text with its table of
    contents, images, the facts, and the links to guides, exchanges, joint actions (and
    evidence records, for the audiences that share them). Built for the audience's
    representative viewer, never for the person who happened to ask first."""
    work = guide.work
    shared = representative(audience)
    # Authors are named only where their profile is listed for this audience (the policy's
    # ``Member.objects.listed``); hidden profiles are counted, never named.
    all_authors = list(
        Member.objects.filter(guides=guide)
        .select_related("user")
        .annotate(named=Exists(Member.objects.listed(shared).filter(pk=OuterRef("pk"))))
        .order_by("display_name", "pk")
    )
    authors = [author for author in all_authors if author.named]
    facets: dict[str, list] = {}
    for characteristic in work.characteristics.all():
        facets.setdefault(characteristic.get_facet_display(), []).append(characteristic)
    published = Guide.objects.published().select_related("work")
    context = {
        "guide": guide,
        "work": work,
        "sections": render_sections(guide),
        "images": list(guide.images.all()),
        "facets": facets,
        "themes": list(work.themes.all()),
        "organisations": list(work.organisations.all()),
        "authors": authors,
        "unnamed_authors": len(all_authors) - len(authors),
        # "Informed by": the works this one lists; "used in": the works that list this one.
        "informed_by_guides": _one_per_work(published.filter(work__referenced_by=work), guide.language),
        "evidence_records": _evidence_for(work, shared) if audience in _SHARED_EVIDENCE else [],
        "used_in_guides": _one_per_work(published.filter(work__related_guides=work), guide.language),
        "exchanges": list(
            exchanges_search.visible(shared).filter(guide_works=work).with_translation().only("pk", "title", "slug")
        ),
        "joint_actions": list(JointAction.objects.visible_to(shared).filter(guides=work).only("pk", "title", "slug")),
    }
    # Published guides are cited with the authors this audience may see named, and the work's
    # organisations; a guide with neither is cited as the network's.
    context["citation"] = (
        Citation(
            key=f"learninglab-guide-{guide.pk}",
            title=guide.title,
            path=permalink_path(guide),
            issued=guide.published_at.date() if guide.published_at else None,
            authors=[a.user.public_name for a in authors] or [o.name for o in context["organisations"]],
            kind="article",
            language=guide.language,
            licence=work.licence,
        )
        if guide.status == Guide.Status.PUBLISHED
        else None
    )
    body = {
        # Template output (autoescaped); strip() would drop its safe mark.
        part: mark_safe(render_to_string(f"practice/includes/guide_{part}.html", context, request=request).strip())  # noqa: S308
        for part in ("text", "images", "facts", "informed_by", "used_in", "cite")
    }
    # Whether the work links any evidence record, visible or not: when it links none, the
    # page need not ask which of them a member may see. Linking one clears this cache.
    body["evidence_linked"] = work.evidence_records.exists()
    return body


def guide_detail(request, slug):
    viewer = request.viewer
    # One query for every version of the work the reader may see; the requested one among them.
    versions = list(
        Guide.objects.visible_to(viewer)
        .filter(work__versions__slug=slug)
        .select_related("work")
        .with_outdated()
        .order_by("language")
    )
    guide = next((v for v in versions if v.slug == slug), None)
    if guide is None:
        raise Http404
    work = guide.work
    siblings = [v for v in versions if v.pk != guide.pk]
    for sibling in siblings:
        sibling.work = work
    if viewer.is_authenticated:
        # Prefetched once: the permission checks (is_author) and the facts share it.
        prefetch_related_objects([guide], Prefetch("authors", queryset=Member.objects.select_related("user")))
    original = guide if guide.is_original else next((s for s in siblings if s.is_original), None)
    # The shared part, cached per version and audience (the live query above decided that this
    # reader may see this version at all). The evidence records it links follow consent, which
    # may expire at midnight without any write: valid until the end of the day.
    audience = viewer.audience
    body = cache.fragment(
        "guide_body",
        depends_on=GUIDE_DEPENDS_ON,
        audience=audience,
        parts=(guide.pk,),
        valid_until=cache.end_of_today(),
        render=lambda: _guide_body(request, guide, audience),
    )
    can_edit = guide.can_edit(viewer)
    context = {
        "guide": guide,
        "work": work,
        "body": body,
        "siblings": siblings,
        "original": original,
        "missing_languages": [
            (code, name)
            for code, name in settings.LANGUAGES
            if code not in {guide.language, *(s.language for s in siblings)}
        ],
        # Editors see each image with the Markdown that places it: rendered live for them.
        "images": list(guide.images.all()) if can_edit else None,
        # Members' records are read live, and only for works that link any record at all.
        "evidence_records": (
            _evidence_for(work, viewer) if audience not in _SHARED_EVIDENCE and body["evidence_linked"] else []
        ),
        "can_edit": can_edit,
        "is_author": guide.is_author(viewer),
        "is_coordinator": viewer.is_coordinator,
        "return_form": ReturnForm(),
        "image_form": GuideImageForm() if can_edit else None,
        "json_ld": guide_json_ld(guide),
    }
    return render(request, "practice/guide_detail.html", context)


def _one_per_work(guides, language: str) -> list[Guide]:
    """Each work once: its version in ``language`` if published, else its original, else any."""
    by_work: dict[int, list[Guide]] = {}
    for version in guides:
        by_work.setdefault(version.work_id, []).append(version)
    chosen = []
    for versions in by_work.values():
        chosen.append(
            next((v for v in versions if v.language == language), None)
            or next((v for v in versions if v.is_original), versions[0])
        )
    return sorted(chosen, key=lambda g: g.title)


@login_required
def guide_create_choose(request):
    return render(request, "practice/guide_create_choose.html", {"kinds": Kind.choices})


@login_required
def guide_create(request, kind):
    if kind not in Kind.values:
        raise Http404
    languages = settings.LANGUAGES
    if request.method == "POST":
        text_form = GuideTextForm(request.POST, kind=kind, languages=languages)
        work_form = GuideWorkForm(request.POST, instance=GuideWork(kind=kind), viewer=request.viewer)
        if text_form.is_valid() and work_form.is_valid():
            guide = services.guide_create(
                user=request.user,
                kind=kind,
                language=text_form.cleaned_data["language"],
                title=text_form.cleaned_data["title"],
                summary=text_form.cleaned_data["summary"],
                sections=text_form.section_data(),
                work_fields=work_form.work_fields(),
                work_m2m=work_form.work_m2m(),
            )
            messages.success(request, _("Your draft is saved. Submit it for review when it is ready."))
            return redirect(guide)
    else:
        text_form = GuideTextForm(kind=kind, languages=languages, initial={"language": _language(None)})
        work_form = GuideWorkForm(instance=GuideWork(kind=kind), viewer=request.viewer)
    return render(
        request,
        "practice/guide_form.html",
        {"text_form": text_form, "work_form": work_form, "kind_label": Kind(kind).label, "guide": None},
    )


@login_required
def guide_edit(request, slug):
    guide = _editable_guide(request, slug)
    work = guide.work
    is_original = guide.is_original
    form_kwargs = {"kind": work.kind, "show_note": True, "show_synced": not is_original}
    if request.method == "POST":
        text_form = GuideTextForm(request.POST, **form_kwargs)
        work_form = GuideWorkForm(request.POST, instance=work, viewer=request.viewer) if is_original else None
        if text_form.is_valid() and (work_form is None or work_form.is_valid()):
            services.guide_update(
                guide=guide,
                user=request.user,
                title=text_form.cleaned_data["title"],
                summary=text_form.cleaned_data["summary"],
                sections=text_form.section_data(),
                note=text_form.cleaned_data.get("note", ""),
                synced=text_form.cleaned_data.get("synced", False),
                work_fields=work_form.work_fields() if work_form else None,
                work_m2m=work_form.work_m2m() if work_form else None,
            )
            messages.success(request, _("Saved. A new revision was kept."))
            return redirect(guide)
    else:
        text_form = GuideTextForm(initial=GuideTextForm.initial_for(guide), **form_kwargs)
        work_form = GuideWorkForm(instance=work, viewer=request.viewer) if is_original else None
    return render(
        request,
        "practice/guide_form.html",
        {"text_form": text_form, "work_form": work_form, "kind_label": work.get_kind_display(), "guide": guide},
    )


@login_required
def guide_translate(request, slug):
    """Start a new language version from a published (or one's own) guide."""
    source = _visible_guide(request, slug)
    taken = set(source.work.versions.values_list("language", flat=True))
    languages = [(code, name) for code, name in settings.LANGUAGES if code not in taken]
    if not languages:
        messages.info(request, _("This guide exists in every language already."))
        return redirect(source)
    if request.method == "POST":
        form = GuideTextForm(request.POST, kind=source.work.kind, languages=languages)
        if form.is_valid():
            try:
                guide = services.translation_create(
                    source=source,
                    user=request.user,
                    language=form.cleaned_data["language"],
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                    sections=form.section_data(),
                )
            except services.GuideStateError as error:
                messages.error(request, str(error))
                return redirect(source)
            messages.success(request, _("Your translation is saved as a draft."))
            return redirect(guide)
    else:
        initial = GuideTextForm.initial_for(source)
        initial["language"] = languages[0][0]
        form = GuideTextForm(initial=initial, kind=source.work.kind, languages=languages)
    return render(request, "practice/guide_translate.html", {"form": form, "source": source})


def _transition(request, slug, action, success_message):
    guide = get_object_or_404(Guide.objects.visible_to(request.viewer).select_related("work"), slug=slug)
    try:
        action(guide)
    except services.GuideStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success_message)
    if request.POST.get("next") == "review" and request.viewer.is_coordinator:
        return redirect("practice:review_queue")
    return redirect(guide)


@require_POST
@login_required
def guide_submit(request, slug):
    return _transition(
        request, slug, lambda g: services.guide_submit(guide=g, user=request.user), _("Submitted for review.")
    )


@require_POST
@login_required
def guide_publish(request, slug):
    return _transition(request, slug, lambda g: services.guide_publish(guide=g, user=request.user), _("Published."))


@require_POST
@login_required
def guide_return(request, slug):
    if not request.viewer.is_coordinator:
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please write a comment for the authors."))
        return redirect("practice:guide_detail", slug=slug)
    comment = form.cleaned_data["comment"]
    return _transition(
        request,
        slug,
        lambda g: services.guide_return(guide=g, user=request.user, comment=comment),
        _("Returned to the authors."),
    )


@require_POST
@login_required
def guide_archive(request, slug):
    return _transition(request, slug, lambda g: services.guide_archive(guide=g, user=request.user), _("Archived."))


@require_POST
@login_required
def guide_image_add(request, slug):
    guide = _editable_guide(request, slug)
    form = GuideImageForm(request.POST, request.FILES)
    if form.is_valid():
        services.guide_image_add(guide=guide, user=request.user, **form.cleaned_data)
        messages.success(request, _("Image added."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(guide)


def _history_guide(request, slug) -> Guide:
    guide = _visible_guide(request, slug)
    if not (guide.is_author(request.viewer) or request.viewer.is_coordinator):
        raise PermissionDenied
    return guide


@login_required
def guide_revisions(request, slug):
    guide = _history_guide(request, slug)
    revisions = guide.revisions.select_related("created_by__member")
    return render(request, "practice/guide_revisions.html", {"guide": guide, "revisions": revisions})


@login_required
def guide_diff(request, slug):
    guide = _history_guide(request, slug)
    form = RevisionDiffForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose two revisions to compare."))
        return redirect("practice:guide_revisions", slug=guide.slug)
    old = get_object_or_404(guide.revisions, number=form.cleaned_data["old"])
    new = get_object_or_404(guide.revisions, number=form.cleaned_data["new"])
    lines = services.revision_diff(old=old, new=new, kind=guide.work.kind)
    return render(request, "practice/guide_diff.html", {"guide": guide, "old": old, "new": new, "lines": lines})


@login_required
def my_guides(request):
    viewer = request.viewer
    guides = (
        Guide.objects.filter(Q(created_by_id=viewer.user_id) | Q(authors__id=viewer.member_id))
        .distinct()
        .select_related("work")
        .with_outdated()
        .order_by("-updated_at")
    )
    page = Paginator(guides, PAGE_SIZE).get_page(_page_number(request))
    return render(request, "practice/guide_mine.html", {"page_obj": page, "guides": page.object_list})


@login_required
def review_queue(request):
    if not request.viewer.is_coordinator:
        raise PermissionDenied
    in_review = Guide.objects.filter(status=Guide.Status.IN_REVIEW).select_related("work", "created_by__member")
    outdated = Guide.objects.outdated().published().select_related("work")[:50]
    proposed = (
        JointAction.objects.filter(status=JointAction.Status.DRAFT).select_related("issue").order_by("created_at")
    )
    return render(
        request,
        "practice/guide_review.html",
        {
            "in_review": in_review.order_by("submitted_at"),
            "outdated": outdated,
            "return_form": ReturnForm(),
            "proposed_actions": proposed,
        },
    )


# --- Joint actions ---------------------------------------------------------------------------


def _joint_actions(request, viewer: Viewer) -> str:
    filterset = JointActionFilter(request.GET or None, queryset=JointAction.objects.visible_to(viewer))
    actions = filterset.qs
    # A value the form refused is dropped (it could only ever match nothing).
    cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
    country = (cleaned.get("country") or "").upper()
    country = country if country in all_countries else ""
    issue = cleaned.get("issue") or ""
    actions = (
        actions.select_related("issue")
        # A correlated subquery rather than JOIN + GROUP BY over every action: PostgreSQL counts
        # for the page's rows only. All participants, as the card's badges list them.
        .annotate(
            organisation_count=Coalesce(
                Subquery(
                    Participation.objects.filter(joint_action=OuterRef("pk"))
                    .order_by()
                    .values("joint_action")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )
        )
        .prefetch_related(Prefetch("participations", queryset=Participation.objects.select_related("organisation")))
        .order_by("issue__slug", "title")
    )
    page = Paginator(actions, PAGE_SIZE).get_page(_page_number(request))
    groups: dict = {}
    for action in page.object_list:
        groups.setdefault(action.issue, []).append(action)
    countries_used = (
        Participation.objects.filter(joint_action__in=JointAction.objects.visible_to(viewer))
        .values_list("organisation__country", flat=True)
        .distinct()
        .order_by("organisation__country")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render_to_string(
        "practice/includes/joint_actions.html",
        {
            "groups": groups,
            "page_obj": page,
            "issues": Theme.objects.filter(joint_actions__isnull=False).distinct(),
            "issue": issue,
            "country": country,
            "countries": sorted(
                ((code, str(all_countries.name(code) or code)) for code in countries_used if code), key=lambda c: c[1]
            ),
            "query_string": params.urlencode(),
        },
        request=request,
    )


def joint_action_list(request):
    """Joint actions grouped by issue, filterable by issue and country; cached per audience
    (coordinators also see drafts), language and query string."""
    audience = request.viewer.audience
    actions = cache.fragment(
        "joint_actions",
        depends_on=LISTS_DEPEND_ON,
        audience=audience,
        query=request.GET,
        render=lambda: _joint_actions(request, representative(audience)),
    )
    return render(request, "practice/joint_action_list.html", {"actions": actions})


@login_required
def joint_action_propose(request):
    """Members of an approved organisation propose a joint action; coordinators review it."""
    viewer = request.viewer
    if not viewer.organisation_ids:
        messages.error(request, _("Join an organisation (and be approved) to propose a joint action on its behalf."))
        return redirect("practice:joint_action_list")
    form = JointActionProposalForm(request.POST or None, viewer=viewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.joint_action_propose(
            user=request.user,
            organisation=data["organisation"],
            role=data["role"],
            title=data["title"],
            issue=data["issue"],
            countries=data["countries"],
            summary=data["summary"],
            description=data["description"],
            language=_language(None),
            partners=data["partners"],
        )
        messages.success(
            request,
            _("Thank you: coordinators will review your joint action before it is public; partners are asked to join."),
        )
        return redirect("practice:joint_action_list")
    return render(request, "practice/joint_action_form.html", {"form": form})


@login_required
def partner_invitations(request):
    """Invitations to the organisations the viewer administers, to answer."""
    viewer = request.viewer
    pending = (
        PartnerInvitation.objects.filter(
            organisation_id__in=viewer.admin_organisation_ids, state=PartnerInvitation.State.PENDING
        )
        .select_related("joint_action__issue", "organisation")
        .order_by("created_at")
    )
    return render(request, "practice/partner_invitations.html", {"invitations": pending})


def _invitation_for_admin(request, pk) -> PartnerInvitation:
    invitation = get_object_or_404(PartnerInvitation, pk=pk)
    if not request.viewer.administers(invitation.organisation_id):
        raise PermissionDenied
    return invitation


@require_POST
@login_required
def partner_invitation_accept(request, pk):
    services.partner_invitation_accept(invitation=_invitation_for_admin(request, pk), user=request.user)
    messages.success(request, _("Your organisation takes part in this joint action."))
    return redirect("practice:partner_invitations")


@require_POST
@login_required
def partner_invitation_decline(request, pk):
    services.partner_invitation_decline(invitation=_invitation_for_admin(request, pk), user=request.user)
    messages.success(request, _("Invitation declined."))
    return redirect("practice:partner_invitations")


@require_POST
@login_required
def joint_action_publish(request, slug):
    if not request.viewer.is_coordinator:
        raise PermissionDenied
    action = get_object_or_404(JointAction, slug=slug)
    services.joint_action_publish(action=action, user=request.user)
    messages.success(request, _("Published."))
    return redirect(action)


def joint_action_detail(request, slug):
    viewer = request.viewer
    action = get_object_or_404(JointAction.objects.visible_to(viewer).select_related("issue"), slug=slug)
    guides = Guide.objects.published().originals().filter(work__in=action.guides.all())
    can_post = services.can_post_update(viewer, action)
    return render(
        request,
        "practice/joint_action_detail.html",
        {
            "action": action,
            "description": markdown_to_safe_html(action.description),
            "participations": action.participations.select_related("organisation"),
            "updates": _updates_with_links(viewer, action),
            "guides": guides,
            "exchanges": exchanges_search.visible(viewer)
            .filter(joint_actions=action)
            .with_translation()
            .only("pk", "title", "slug"),
            "evidence_records": evidence_search.visible(viewer).filter(joint_actions=action).only("pk", "title"),
            "can_post": can_post,
            "update_form": JointActionUpdateForm(viewer=viewer) if can_post else None,
        },
    )


@require_POST
@login_required
def joint_action_update_add(request, slug):
    action = get_object_or_404(JointAction.objects.visible_to(request.viewer), slug=slug)
    form = JointActionUpdateForm(request.POST, request.FILES, viewer=request.viewer)
    if form.is_valid():
        services.joint_action_update_add(
            action=action,
            user=request.user,
            text=form.cleaned_data["text"],
            date=form.cleaned_data["date"],
            picture=form.cleaned_data.get("picture") or None,
            picture_alt=form.cleaned_data.get("picture_alt") or "",
            **form.cleaned_data["link"],
        )
        messages.success(request, _("Update added to the timeline."))
    else:
        if not services.can_post_update(request.viewer, action):
            raise PermissionDenied
        if "picture" in form.errors or "picture_alt" in form.errors:
            errors = [str(e) for field in ("picture", "picture_alt") for e in form.errors.get(field, [])]
            messages.error(request, _("The update could not be added: %(errors)s") % {"errors": " ".join(errors)})
        elif "link" in form.errors:
            messages.error(
                request, _("The update could not be added: the link is not a guide or an evidence record you can see.")
            )
        else:
            messages.error(request, _("The update could not be added: please check the date and text."))
    return redirect(action)


def _updates_with_links(viewer: Viewer, action: JointAction) -> list:
    """The timeline (latest 100), each update's guide or evidence record kept only when the
    reader may read it (two queries whatever the updates)."""
    updates = list(action.updates.all()[:100])
    record_ids = {u.record_id for u in updates if u.record_id}
    guide_ids = {u.guide_id for u in updates if u.guide_id}
    records = (
        {r.pk: r for r in evidence_search.visible(viewer).filter(pk__in=record_ids).only("pk", "title")}
        if record_ids
        else {}
    )
    guides = {}
    if guide_ids:
        shown = Guide.objects.visible_to(viewer).published().originals().filter(work_id__in=guide_ids)
        guides = {g.work_id: g for g in shown.only("pk", "slug", "title", "work_id", "language")}
    for update in updates:
        update.visible_record = records.get(update.record_id)
        update.visible_guide = guides.get(update.guide_id)
    return updates


def practised_countries() -> list[tuple[str, str]]:
    """The countries where published guides are practised, by name (one small query)."""
    codes: set[str] = set()
    rows = GuideWork.objects.published().exclude(countries="").order_by().values_list("countries", flat=True)
    for value in rows.distinct():
        codes.update(code for code in str(value).split(",") if code)
    # countries.name() looks one code up; iterating ``countries`` would translate all 250.
    return sorted(((code, str(all_countries.name(code) or code)) for code in codes), key=lambda item: item[1])


def characteristics_by_facet():
    grouped: dict = {}
    for characteristic in Characteristic.objects.all():
        grouped.setdefault(characteristic.get_facet_display(), []).append(characteristic)
    return grouped
