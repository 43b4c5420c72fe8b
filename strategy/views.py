"""Strategy pages: documents, versions, diffs, the consultation and its synthesis.

Thin views: parse, check access through the models' ``visible_to`` (the one policy), call a
service, render or redirect. The document page reads a constant number of queries however
many comments and amendments a round holds (tests/strategy/test_queries.py).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, DenseRank, RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_countries import countries

from core import cache
from core.citation import Citation, permalink_path
from core.decorators import coordinator_required
from core.licences import licence_url
from core.policy import representative
from core.text import markdown_to_safe_html
from network.models import Member, Membership, Organisation, User
from strategy import citations, services
from strategy.diff import diff_html, sections_diff
from strategy.forms import (
    AcceptForm,
    AmendmentForm,
    CommentEditForm,
    CommentForm,
    MergeForm,
    ReasonForm,
    ReportForm,
    RoundForm,
)
from strategy.models import (
    NAMESPACE,
    Amendment,
    Comment,
    Document,
    Round,
    Support,
    Version,
    VersionText,
    documents_visible_to,
)

LANGUAGE_NAMES = dict(settings.LANGUAGES)
# What the consultation's shared parts show: the strategy, and the names of members (network).
DEPENDS_ON = ("strategy", "network")


def _language() -> str:
    code = (get_language() or settings.LANGUAGE_CODE)[:2]
    return code if code in LANGUAGE_NAMES else settings.LANGUAGE_CODE


def _document(request, slug) -> Document:
    return get_object_or_404(documents_visible_to(request.viewer), slug=slug)


def _versions(request, document):
    """The versions the viewer may see, newest first, each with its texts (two queries) and
    the one before it (``previous``, for the link to the changes)."""
    versions = list(
        Version.objects.visible_to(request.viewer)
        .filter(document=document)
        .prefetch_related(Prefetch("texts", queryset=VersionText.objects.with_outdated()))
        .order_by("-number")
    )
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        newer.previous = older
    return versions


def _versions_shared(slug: str, viewer) -> list[Version]:
    """The document's versions ``viewer`` may see (the representative of an audience: the
    versions' rule depends on nothing else), newest first, each with its texts, the one before
    it (``previous``) and its document with its sections (``section_list``); the draft with
    its latest round (``latest_round``). Four queries, cached by ``_document_and_versions``."""
    versions = list(
        Version.objects.visible_to(viewer)
        .filter(document__slug=slug)
        .select_related("document")
        .prefetch_related(Prefetch("texts", queryset=VersionText.objects.with_outdated()))
        .order_by("-number")
    )
    if not versions:
        return []
    document = versions[0].document
    document.section_list = list(document.sections.all())
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        newer.document = document
        newer.previous = older
        if not newer.is_published:
            newer.latest_round = newer.rounds.order_by("-opens_at").first()
    return versions


def _document_and_versions(request, slug) -> tuple[Document, list[Version]]:
    """``_document`` and ``_versions`` (with the sections and the draft's latest round), the
    same for everyone of the reader's audience: cached until the strategy changes. A document
    is visible exactly when one of its versions is (``documents_visible_to``)."""
    audience = request.viewer.audience
    versions = cache.fragment(
        "strategy_versions",
        depends_on=NAMESPACE,
        audience=audience,
        parts=(slug,),
        render=lambda: _versions_shared(slug, representative(audience)),
    )
    if not versions:
        raise Http404
    return versions[0].document, versions


def _pick_text(version: Version, language: str) -> VersionText | None:
    texts = {t.language: t for t in version.texts.all()}
    return texts.get(language) or texts.get(version.original_language)


def _rendered_sections(sections, text: VersionText | None) -> list[dict]:
    return [
        {
            "section": section,
            "html": markdown_to_safe_html(text.section_text(section.key)) if text else "",
            "source": text.section_text(section.key) if text else "",
        }
        for section in sections
    ]


def _names(viewer, user_ids) -> dict[int, str]:
    """The names to show beside contributions: a profile the viewer may see in lists, else
    "a member" (hidden profiles are never named); deleted accounts are "former member"."""
    listed = dict(
        Member.objects.listed(viewer).filter(user_id__in=set(user_ids)).values_list("user_id", "display_name")
    )
    return {uid: listed.get(uid) or _("a member") for uid in set(user_ids)}


def document_list(request):
    documents = list(documents_visible_to(request.viewer).order_by("-created_at"))
    versions = (
        Version.objects.visible_to(request.viewer)
        .filter(document__in=documents)
        .prefetch_related("texts")
        .order_by("document", "-number")
    )
    latest: dict[int, Version] = {}
    for version in versions:
        # Published first: a draft is listed only where nothing is published yet.
        current = latest.get(version.document_id)
        if current is None or (version.is_published and not current.is_published):
            latest[version.document_id] = version
    language = _language()
    rows = []
    for document in documents:
        version = latest.get(document.pk)
        if version is not None:
            rows.append({"document": document, "version": version, "text": _pick_text(version, language)})
    return render(request, "strategy/document_list.html", {"rows": rows})


# The document page shows, per section, the latest threads and amendments only (with a link to
# the section's page, where all of them are read page by page): a round of thousands of
# comments keeps the page as light as a round of ten (issue 13).
SECTION_THREADS = 3
SECTION_AMENDMENTS = 3
# Threads and amendments per page on a section's page.
SECTION_PAGE_SIZE = 25


def _latest_per_section(queryset, n: int, **totals):
    """The ``n`` newest rows of each section (one query, a window over the sections), in the
    order they were written, each with ``total`` (its section's rows) and the other ``totals``
    (windowed aggregates over its section, e.g. ``open=Count("pk", filter=...)``)."""
    by_section = [F("section_id")]
    ranked = queryset.annotate(
        rank=Window(RowNumber(), partition_by=by_section, order_by=[F("created_at").desc(), F("pk").desc()]),
        total=Window(Count("pk"), partition_by=by_section),
        **{name: Window(aggregate, partition_by=by_section) for name, aggregate in totals.items()},
    ).filter(rank__lte=n)
    return sorted(ranked, key=lambda row: (row.created_at, row.pk))


def _latest_threads(comments, n: int) -> list[Comment]:
    """The ``n`` newest threads of each section with their replies (one query), in the order
    they were written; each comment has ``threads``, its section's number of threads."""
    by_section = [F("section_id")]
    return list(
        comments.select_related("author")
        .annotate(
            # A thread is its first comment's: replies (and replies to them) join their root.
            root=Coalesce(F("parent__parent_id"), F("parent_id"), F("pk")),
            thread_rank=Window(DenseRank(), partition_by=by_section, order_by=F("root").desc()),
            threads=Window(Count("pk", filter=Q(parent__isnull=True)), partition_by=by_section),
        )
        .filter(thread_rank__lte=n)
        .order_by("created_at", "pk")
    )


def _with_supports(queryset):
    return queryset.select_related("proposer").annotate(
        support_count=Coalesce(
            Subquery(
                Support.objects.filter(amendment=OuterRef("pk"))
                .order_by()
                .values("amendment")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            Value(0),
        ),
    )


def _replies(roots: list[Comment]) -> list[Comment]:
    """The replies (and replies to replies) of ``roots``, one query."""
    root_ids = [c.pk for c in roots]
    if not root_ids:
        return []
    return list(
        Comment.objects.filter(Q(parent_id__in=root_ids) | Q(parent__parent_id__in=root_ids))
        .select_related("author")
        .order_by("created_at", "pk")
    )


def _pk_urls(name: str, slug: str):
    """``pk -> reverse(name, kwargs={"slug": slug, "pk": pk})`` with one ``reverse()`` for all
    of them: a consultation's page links each of its comments and amendments (hundreds of
    reversals). The number stands last in these paths, after the slug, so the last occurrence of
    the placeholder is the one replaced."""
    placeholder = "2147483647"
    head, _sep, tail = reverse(name, kwargs={"slug": slug, "pk": int(placeholder)}).rpartition(placeholder)
    return lambda pk: f"{head}{int(pk)}{tail}"


def _threads(comments: list[Comment], names: dict[int, str], slug: str) -> list[Comment]:
    """The threads of ``comments`` (first comments with their replies, in order, as
    ``thread``), each comment's shared part ready to show, the same for everyone of the
    audience ``names`` was read for: ``html`` (its author's name from ``names``, its words),
    ``label``, and the links and buttons anyone may be shown (the page picks the reader's)."""
    by_pk = {}
    roots = []
    report, edit = _("Report"), _("Edit")
    edit_url, report_url = _pk_urls("strategy:comment_edit", slug), _pk_urls("strategy:comment_report", slug)
    for comment in comments:
        comment.name = names[comment.author_id] if not comment.author.is_former else _("former member")
        comment.body_html = "" if comment.is_hidden else markdown_to_safe_html(comment.body)
        comment.html = render_to_string("strategy/includes/comment_body.html", {"comment": comment})
        comment.label = _("Comment by %(name)s") % {"name": comment.name}
        comment.edit_link = format_html('<a href="{}">{}</a>', edit_url(comment.pk), edit)
        comment.report_button = format_html(
            '<button type="submit" form="strategy-actions" formaction="{}" class="link-button">{}</button>',
            report_url(comment.pk),
            report,
        )
        comment.reply_query = f"reply={comment.pk}#reply-{comment.pk}"
        comment.hide_query = f"hide={comment.pk}#comment-{comment.pk}"
        comment.form_prefix = f"reply-{comment.pk}"
        comment.thread = []
        by_pk[comment.pk] = comment
    for comment in comments:
        if comment.parent_id is None:
            roots.append(comment)
            continue
        root = by_pk.get(comment.parent_id)
        if root is not None and root.parent_id is not None:
            root = by_pk.get(root.parent_id)
        if root is not None:
            root.thread.append(comment)
    return roots


def _comment_item(comment: Comment) -> dict:
    """A comment's shared part as plain values: what the cache keeps and the templates read
    (dictionaries are read faster than model instances, and unpickled faster)."""
    return {
        "pk": comment.pk,
        "anchor": f"comment-{comment.pk}",
        "author_id": comment.author_id,
        "created_at": comment.created_at,
        "hidden_at": comment.hidden_at,
        "is_hidden": comment.is_hidden,
        **{
            name: getattr(comment, name)
            for name in ("html", "label", "edit_link", "report_button", "reply_query", "hide_query", "form_prefix")
        },
        "thread": [_comment_item(reply) for reply in comment.thread],
    }


def _amendment_item(amendment: Amendment) -> dict:
    """An amendment's shared part as plain values (see ``_comment_item``)."""
    return {
        "pk": amendment.pk,
        "anchor": f"amendment-{amendment.pk}",
        "proposer_id": amendment.proposer_id,
        "is_open": amendment.is_open,
        **{name: getattr(amendment, name) for name in ("html", "support_button", "unsupport_button", "decide_links")},
    }


def _editable(consultation: Round, threads: list[dict], user, now=None) -> set[int]:
    """The comments among ``threads`` (and their replies) that ``user`` may still edit: the
    services' rule, asked of each of their own comments."""
    if not user.is_authenticated:
        return set()
    now = now or timezone.now()
    editable = set()
    for root in threads:
        for item in (root, *root["thread"]):
            if item["author_id"] == user.pk:
                comment = Comment(
                    pk=item["pk"],
                    author_id=item["author_id"],
                    created_at=item["created_at"],
                    hidden_at=item["hidden_at"],
                    round=consultation,
                )
                if services.comment_can_edit(comment, user, now=now):
                    editable.add(item["pk"])
    return editable


def _supported(amendments: list[dict], user) -> set[int]:
    """The open amendments among ``amendments`` that ``user`` supports (one query, or none)."""
    open_pks = [a["pk"] for a in amendments if a["is_open"]]
    if not user.is_authenticated or not open_pks:
        return set()
    return set(Support.objects.filter(user=user, amendment_id__in=open_pks).values_list("amendment_id", flat=True))


def _asked(request, name: str) -> int | None:
    """The comment a link asked to reply to or to hide (``?reply=``, ``?hide=``): a plain, short
    number, else nothing."""
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


# What a link asks a consultation's page for: a form to reply to a thread, to hide a comment
# (coordinators), to comment on a section or to propose new text for it.
ASKED = ("reply", "hide", "comment", "propose")


def _base_query(request) -> str:
    """The page's query without what a link asked for (``ASKED``), ready for one more parameter."""
    query = request.GET.copy()
    for name in ASKED:
        query.pop(name, None)
    encoded = query.urlencode()
    return f"?{encoded}&" if encoded else "?"


def _decorate_amendments(amendments: list[Amendment], draft: Version, keys: dict[int, str], names, slug: str) -> None:
    """Each amendment's shared part ready to show: ``html`` (its proposer's name from
    ``names``, the tracked change, whether it was written on an earlier text, its supporters)
    and the buttons and links anyone may be shown (the page picks the reader's)."""
    texts = {t.language: t for t in draft.texts.all()}
    language = get_language()
    button = '<button type="submit" form="strategy-actions" formaction="{}" class="button secondary">{}</button>'
    support, withdraw, accept, decline = _("Support"), _("Withdraw my support"), _("Accept"), _("Decline")
    support_url, unsupport_url, accept_url, decline_url = (
        _pk_urls(f"strategy:amendment_{action}", slug) for action in ("support", "unsupport", "accept", "decline")
    )
    for amendment in amendments:
        amendment.name = names[amendment.proposer_id] if not amendment.proposer.is_former else _("former member")
        own = texts.get(amendment.language) or texts.get(draft.original_language)
        current = own.section_text(keys[amendment.section_id]) if own else ""
        amendment.earlier = amendment.is_open and current != amendment.base_text
        amendment.change = diff_html(amendment.base_text, amendment.text)
        amendment.html = render_to_string(
            "strategy/includes/amendment_body.html", {"a": amendment, "LANGUAGE_CODE": language}
        )
        amendment.support_button = format_html(button, support_url(amendment.pk), support)
        amendment.unsupport_button = format_html(button, unsupport_url(amendment.pk), withdraw)
        amendment.decide_links = format_html(
            '<a href="{}">{}</a> <a href="{}">{}</a>',
            accept_url(amendment.pk),
            accept,
            decline_url(amendment.pk),
            decline,
        )


def _consultation_shared(sections, draft: Version, consultation: Round, viewer) -> dict:
    """What the consultation shows everyone of ``viewer``'s audience (``viewer`` is its
    representative): the draft's sections with the round's question, and the latest threads and
    amendments of each section with their counts and shared parts rendered. A fixed number of
    queries however long the round."""
    text = _pick_text(draft, _language())
    questions = {q.section_id: q for q in consultation.questions.all()}
    comments = _latest_threads(consultation.comments.all(), SECTION_THREADS)
    amendments = _latest_per_section(
        _with_supports(consultation.amendments.all()),
        SECTION_AMENDMENTS,
        open=Count("pk", filter=Q(status=Amendment.Status.PROPOSED)),
    )
    names = _names(viewer, [c.author_id for c in comments] + [a.proposer_id for a in amendments])
    slug = draft.document.slug
    roots = _threads(comments, names, slug)
    _decorate_amendments(amendments, draft, {s.pk: s.key for s in sections}, names, slug)
    by_section: dict[int, dict] = defaultdict(
        lambda: {"comments": [], "amendments": [], "thread_count": 0, "amendment_count": 0, "open_count": 0}
    )
    for comment in roots:
        row = by_section[comment.section_id]
        row["comments"].append(comment)
        row["thread_count"] = comment.threads
    for amendment in amendments:
        row = by_section[amendment.section_id]
        row["amendments"].append(amendment)
        row["amendment_count"] = amendment.total
        row["open_count"] = amendment.open
    rendered = _rendered_sections(sections, text)
    for row in rendered:
        section = row["section"]
        row.update(by_section[section.pk])
        row["question"] = questions.get(section.pk)
        row["more_comments"] = row["thread_count"] > len(row["comments"])
        row["more_amendments"] = row["amendment_count"] > len(row["amendments"])
        row["mergeable"] = row["open_count"] >= 2
        row["comments_id"] = f"comments-{section.key}"
        row["form_url"] = reverse("strategy:comment_create", kwargs={"slug": slug, "key": section.key})
        context = {"row": row, "document": draft.document, "text": text, "LANGUAGE_CODE": get_language()}
        for part in ("head", "amendments_more", "comments_head", "comments_more"):
            row[part] = render_to_string("strategy/includes/consultation_part.html", {**context, "part": part})
        row["section"] = {"pk": section.pk, "key": section.key, "heading": section.heading}
        row["comments"] = [_comment_item(c) for c in row["comments"]]
        row["amendments"] = [_amendment_item(a) for a in row["amendments"]]
        del row["question"]
    # The round opens or closes with time alone: what the page says about it changes then.
    now = timezone.now()
    moment = consultation.opens_at if now < consultation.opens_at else consultation.closes_at
    return cache.Expiring({"sections": rendered}, moment if moment > now else None)


def _consultation_context(request, sections, draft: Version, consultation: Round) -> dict:
    """The consultation's shared part (cached for the reader's audience until the strategy or
    a name in it changes) and what belongs to the reader, drawn around it: the amendments they
    support, the comments they may still edit, the forms they asked for."""
    audience = request.viewer.audience
    shared = cache.fragment(
        "strategy_consultation",
        depends_on=DEPENDS_ON,
        audience=audience,
        parts=(consultation.pk, draft.pk),
        render=lambda: _consultation_shared(sections, draft, consultation, representative(audience)),
    )
    rows = shared["sections"]
    threads = [c for row in rows for c in row["comments"]]
    return {
        "draft": draft,
        "draft_text": _pick_text(draft, _language()),
        "consultation": consultation,
        "is_open": consultation.is_open(),
        "sections": rows,
        "me": request.user.pk,
        "editable": _editable(consultation, threads, request.user),
        "supported": _supported([a for row in rows for a in row["amendments"]], request.user),
        "reply_to": _asked(request, "reply"),
        "hide": _asked(request, "hide"),
        "write": "comment" if "comment" in request.GET else "propose" if "propose" in request.GET else None,
        "write_key": request.GET.get("comment") or request.GET.get("propose"),
        "base": _base_query(request),
        "comment_form": CommentForm(),
        "amendment_form": AmendmentForm(),
        # The forms' one-time key, written as plain hidden inputs (one per form on the page).
        "submission": uuid.uuid4(),
    }


def _page_of(page, object_list) -> SimpleNamespace:
    """What the templates read of a ``Page``, as plain values that keep in the cache (a real
    page holds its queryset)."""
    return SimpleNamespace(
        object_list=object_list,
        number=page.number,
        has_other_pages=page.has_other_pages(),
        has_previous=page.has_previous(),
        previous_page_number=page.number - 1,
        has_next=page.has_next(),
        next_page_number=page.number + 1,
        paginator=SimpleNamespace(count=page.paginator.count, num_pages=page.paginator.num_pages),
    )


def _section_shared(request, section, version: Version, consultation: Round, viewer) -> dict:
    """One page of a section's threads and amendments as everyone of ``viewer``'s audience sees
    them (``viewer`` is its representative), shared parts rendered."""
    threads = Paginator(
        consultation.comments.filter(section=section, parent__isnull=True)
        .select_related("author")
        .order_by("created_at", "pk"),
        SECTION_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    amendments = Paginator(
        # Only what the policy lets this audience see (visitors: what entered a published version).
        _with_supports(Amendment.objects.visible_to(viewer).filter(round=consultation, section=section)).order_by(
            "created_at", "pk"
        ),
        SECTION_PAGE_SIZE,
    ).get_page(request.GET.get("amendments"))
    comments = [*threads.object_list, *_replies(list(threads.object_list))]
    names = _names(viewer, [c.author_id for c in comments] + [a.proposer_id for a in amendments.object_list])
    amendment_list = list(amendments.object_list)
    _decorate_amendments(amendment_list, version, {section.pk: section.key}, names, version.document.slug)
    text = _pick_text(version, _language())
    return {
        "threads": _page_of(threads, [_comment_item(c) for c in _threads(comments, names, version.document.slug)]),
        "amendments": _page_of(amendments, [_amendment_item(a) for a in amendment_list]),
        "html": markdown_to_safe_html(text.section_text(section.key)) if text else "",
        "question": consultation.questions.filter(section=section).first(),
    }


def section_detail(request, slug, key):
    """Every thread and amendment of one section in the draft's latest round (or the round
    ``?round=`` of a version the viewer may see), page by page: where the document page's
    "all comments" links lead. The lists are cached for the reader's audience; what belongs to
    the reader is drawn around them."""
    document, versions = _document_and_versions(request, slug)
    section = next((s for s in document.section_list if s.key == key), None)
    if section is None:
        raise Http404
    round_id = request.GET.get("round")
    if round_id:
        # Only a plain, short number can name a round (no 500 on overlong or odd digits).
        wanted = int(round_id) if round_id.isascii() and round_id.isdigit() and len(round_id) <= 9 else 0
        consultation = Round.objects.filter(version__in=versions, pk=wanted).first()
    else:
        draft = next((v for v in versions if not v.is_published), None)
        consultation = draft.latest_round if draft is not None else None
    if consultation is None:
        raise Http404
    version = next(v for v in versions if v.pk == consultation.version_id)
    text = _pick_text(version, _language())
    audience = request.viewer.audience
    query = request.GET.copy()
    for name in ASKED:
        query.pop(name, None)
    shared = cache.fragment(
        "strategy_section",
        depends_on=DEPENDS_ON,
        audience=audience,
        query=query,
        parts=(consultation.pk, section.pk),
        render=lambda: _section_shared(request, section, version, consultation, representative(audience)),
    )
    threads, amendments = shared["threads"], shared["amendments"]
    is_open = consultation.is_open() and not version.is_published
    row = {"section": section, "html": shared["html"], "question": shared["question"]}
    return render(
        request,
        "strategy/section_detail.html",
        {
            "document": document,
            "version": version,
            "text": text,
            "consultation": consultation,
            "is_open": is_open,
            "is_coordinator": request.viewer.is_coordinator,
            "row": row,
            "threads": threads,
            "amendments": amendments,
            "me": request.user.pk,
            "editable": _editable(consultation, threads.object_list, request.user),
            "supported": _supported(amendments.object_list, request.user),
            "reply_to": _asked(request, "reply"),
            "hide": _asked(request, "hide"),
            "base": _base_query(request),
            "round_query": f"round={consultation.pk}&" if round_id else "",
            "comment_form": CommentForm(),
            "submission": uuid.uuid4(),
        },
    )


def document_detail(request, slug):
    """The current published version and, for signed-in members, the open consultation on the
    next draft (its text, a question, comments and amendments per section)."""
    document, versions = _document_and_versions(request, slug)
    language = _language()
    sections = document.section_list
    published = next((v for v in versions if v.is_published), None)
    draft = next((v for v in versions if not v.is_published), None)
    consultation = draft.latest_round if draft is not None else None
    if consultation is not None:
        open_round_exists = consultation.is_open()
    else:
        # Visitors do not see the draft, but are told a consultation is open.
        open_round_exists = Round.objects.open_at().filter(version__document=document).exists()
    # Without a consultation the page shows the current published version, or (coordinators
    # only: nobody else may read such a draft) the first draft.
    shown = published or draft
    context = {
        "document": document,
        "versions": versions,
        "published": published,
        "shown": shown,
        "shown_text": _pick_text(shown, language) if shown else None,
        "open_round_exists": open_round_exists,
        "is_coordinator": request.viewer.is_coordinator,
        "consultation": None,
    }
    if draft is not None and consultation is not None:
        context.update(_consultation_context(request, sections, draft, consultation))
    elif shown is not None:
        context["shown_sections"] = _rendered_sections(sections, context["shown_text"])
        citations.attach(context["shown_sections"], citations.citations_for(shown, request.viewer, language))
    else:
        raise Http404
    title_text = context.get("draft_text") or context["shown_text"]
    context["page_title"] = title_text.title if title_text else document.slug
    return render(request, "strategy/document_detail.html", context)


def _citation(version: Version, text: VersionText | None) -> Citation | None:
    """Published versions only (a draft is not yet something to cite); a strategy is the
    network's, so the citation names no author (``Citation`` then names the site)."""
    if not version.is_published or text is None:
        return None
    return Citation(
        key=f"learninglab-strategy-{version.document.slug}-v{version.number}",
        title=text.title,
        path=permalink_path(version),
        issued=version.published_at.date() if version.published_at else None,
        kind="report",
        language=text.language,
        licence=version.licence,
    )


def version_detail(request, slug, number):
    document = _document(request, slug)
    versions = _versions(request, document)
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404
    language = _language()
    text = _pick_text(version, language)
    credited = list(version.credited_amendments.select_related("section", "proposer").order_by("section__order", "pk"))
    names = _names(request.viewer, [a.proposer_id for a in credited])
    for amendment in credited:
        amendment.name = names[amendment.proposer_id] if not amendment.proposer.is_former else _("former member")
    sections = _rendered_sections(document.sections.all(), text)
    citations.attach(sections, citations.citations_for(version, request.viewer, language))
    return render(
        request,
        "strategy/version_detail.html",
        {
            "document": document,
            "version": version,
            "versions": versions,
            "text": text,
            "other_texts": [t for t in version.texts.all() if t.pk != getattr(text, "pk", None)],
            "sections": sections,
            "credited": credited,
            "citation": _citation(version, text),
            "licence_url": licence_url(version.licence),
        },
    )


def version_diff(request, slug, a, b):
    document = _document(request, slug)
    versions = {v.number: v for v in _versions(request, document)}
    if a not in versions or b not in versions:
        raise Http404
    language = _language()
    old, new = _pick_text(versions[a], language), _pick_text(versions[b], language)
    # Compare like with like: both in the reader's language if both have it, else the originals.
    if old is None or new is None or old.language != new.language:
        old = _pick_text(versions[a], versions[a].original_language)
        new = _pick_text(versions[b], versions[b].original_language)
    sections = sections_diff(document.sections.all(), old.sections if old else {}, new.sections if new else {})
    return render(
        request,
        "strategy/version_diff.html",
        {
            "document": document,
            "old": versions[a],
            "new": versions[b],
            "old_text": old,
            "new_text": new,
            "title_change": diff_html(old.title if old else "", new.title if new else ""),
            "sections": sections,
            "versions": sorted(versions.values(), key=lambda v: -v.number),
        },
    )


def case(request, slug):
    """The case for investment: the current published version as a report for funders, each
    section beside the live figures and the stories it cites (as the reader may see them)."""
    document = _document(request, slug)
    version = next((v for v in _versions(request, document) if v.is_published), None)
    if version is None:
        raise Http404
    language = _language()
    text = _pick_text(version, language)
    sections = _rendered_sections(document.sections.all(), text)
    citations.attach(sections, citations.citations_for(version, request.viewer, language))
    return render(
        request,
        "strategy/case.html",
        {"document": document, "version": version, "text": text, "sections": sections, "generated": timezone.now()},
    )


def _synthesis_shared(document: Document, consultation: Round, viewer) -> str:
    """The synthesis as everyone of ``viewer``'s audience sees it (``viewer`` is its
    representative), rendered: per section its latest comments and amendments with their fate,
    and who took part by country and kind of organisation, counted in SQL."""
    visible_comments = consultation.comments.filter(hidden_at__isnull=True)
    comments = _latest_per_section(visible_comments.select_related("author"), SECTION_THREADS)
    amendments = _latest_per_section(_with_supports(consultation.amendments.all()), SECTION_AMENDMENTS)
    names = _names(viewer, [c.author_id for c in comments] + [a.proposer_id for a in amendments])
    per_section: dict[int, dict] = defaultdict(
        lambda: {"comments": [], "amendments": [], "comment_count": 0, "amendment_count": 0}
    )
    for comment in comments:
        comment.name = names[comment.author_id]
        per_section[comment.section_id]["comments"].append(comment)
        per_section[comment.section_id]["comment_count"] = comment.total
    for amendment in amendments:
        amendment.name = names[amendment.proposer_id]
        amendment.text_html = markdown_to_safe_html(amendment.text)
        per_section[amendment.section_id]["amendments"].append(amendment)
        per_section[amendment.section_id]["amendment_count"] = amendment.total
    authors = visible_comments.values("author_id")
    proposers = consultation.amendments.values("proposer_id")
    # Everyone who took part, by their profile's country (None: no profile; counted, not listed).
    by_country: Counter = Counter()
    participants = 0
    for code, n in (
        User.objects.filter(Q(pk__in=authors) | Q(pk__in=proposers))
        .order_by()
        .values("member__country")
        .annotate(n=Count("pk"))
        .values_list("member__country", "n")
    ):
        participants += n
        if code is not None:
            by_country[str(code)] += n
    # Each person counts once per kind of organisation they belong to.
    kinds = dict(
        Membership.objects.approved()
        .filter(Q(member__user_id__in=authors) | Q(member__user_id__in=proposers))
        .order_by()
        .values("organisation__kind")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("organisation__kind", "n")
    )
    kind_names = dict(Organisation.Kind.choices)
    sections = []
    for section in document.section_list:
        row = {"section": section, **per_section[section.pk]}
        row["more"] = row["comment_count"] > len(row["comments"]) or row["amendment_count"] > len(row["amendments"])
        sections.append(row)
    return render_to_string(
        "strategy/includes/synthesis_body.html",
        {
            "document": document,
            "consultation": consultation,
            "sections": sections,
            "participants": participants,
            "by_country": sorted(
                ((countries.name(code) if code else _("not given"), n) for code, n in by_country.items()),
                key=lambda row: (-row[1], row[0]),
            ),
            "by_kind": sorted(((kind_names.get(k, k), n) for k, n in kinds.items()), key=lambda r: (-r[1], r[0])),
        },
    )


@login_required
def synthesis(request, slug):
    """After a round: per section, its latest comments and amendments with their fate (all of
    them on the section's page for that round), and who took part by country and kind of
    organisation (never a hidden profile's name). The same for everyone of an audience: cached
    until the strategy or a name in it changes."""
    document, versions = _document_and_versions(request, slug)
    consultation = Round.objects.filter(version__in=versions, closes_at__lte=timezone.now()).first()
    if consultation is None:
        raise Http404
    # The version as read above, with its texts.
    consultation.version = next(v for v in versions if v.pk == consultation.version_id)
    audience = request.viewer.audience
    body = cache.fragment(
        "strategy_synthesis",
        depends_on=DEPENDS_ON,
        audience=audience,
        parts=(consultation.pk,),
        render=lambda: _synthesis_shared(document, consultation, representative(audience)),
    )
    return render(
        request,
        "strategy/synthesis.html",
        {
            "document": document,
            "consultation": consultation,
            "draft_text": _pick_text(consultation.version, _language()),
            "body": body,
        },
    )


# --- taking part -----------------------------------------------------------------------------


def _open_round_section(request, slug, key):
    """The section and the round on the document's draft, for a signed-in member."""
    document = _document(request, slug)
    section = get_object_or_404(document.sections, key=key)
    consultation = (
        Round.objects.filter(version__document=document, version__status=Version.Status.DRAFT)
        .select_related("version")
        .order_by("-opens_at")
        .first()
    )
    if consultation is None:
        raise Http404
    return document, section, consultation


def _back(document, anchor: str = ""):
    return redirect(reverse("strategy:document_detail", kwargs={"slug": document.slug}) + anchor)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@login_required
def comment_create(request, slug, key):
    document, section, consultation = _open_round_section(request, slug, key)
    form = CommentForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(document, f"#section-{section.key}")
    parent = None
    if form.cleaned_data["parent"]:
        parent = get_object_or_404(Comment, pk=form.cleaned_data["parent"], round=consultation, section=section)
    try:
        comment = services.comment_create(
            consultation=consultation,
            section=section,
            author=request.user,
            body=form.cleaned_data["body"],
            language=_language(),
            submission=form.cleaned_data["submission"],
            parent=parent,
        )
    except services.StrategyError as error:
        messages.error(request, str(error))
        return _back(document, f"#section-{section.key}")
    messages.success(request, _("Thank you: your comment is published."))
    return _back(document, f"#comment-{comment.pk}")


def _own_comment(request, slug, pk) -> Comment:
    document = _document(request, slug)
    return get_object_or_404(
        Comment.objects.select_related("round", "section"),
        pk=pk,
        round__version__in=Version.objects.visible_to(request.viewer).filter(document=document),
    )


@login_required
def comment_edit(request, slug, pk):
    comment = _own_comment(request, slug, pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied
    if not services.comment_can_edit(comment, request.user):
        messages.error(request, _("This comment can no longer be edited."))
        return _back(comment.round.version.document, f"#comment-{comment.pk}")
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(comment=comment, user=request.user, body=form.cleaned_data["body"])
        except services.StrategyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your comment is updated."))
        return redirect(reverse("strategy:document_detail", kwargs={"slug": slug}) + f"#comment-{comment.pk}")
    return render(request, "strategy/comment_edit.html", {"comment": comment, "form": form, "slug": slug})


@require_POST
@login_required
def comment_report(request, slug, pk):
    comment = _own_comment(request, slug, pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        services.comment_report(comment=comment, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Thank you: coordinators will look at this comment."))
    return redirect(reverse("strategy:document_detail", kwargs={"slug": slug}) + f"#comment-{comment.pk}")


@require_POST
@coordinator_required
def comment_hide(request, slug, pk):
    comment = _own_comment(request, slug, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        services.comment_hide(comment=comment, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The comment is hidden."))
    else:
        _form_errors(request, form)
    return redirect(reverse("strategy:document_detail", kwargs={"slug": slug}) + f"#comment-{comment.pk}")


@require_POST
@login_required
def amendment_create(request, slug, key):
    document, section, consultation = _open_round_section(request, slug, key)
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(document, f"#section-{section.key}")
    try:
        amendment = services.amendment_create(
            consultation=consultation,
            section=section,
            proposer=request.user,
            text=form.cleaned_data["text"],
            explanation=form.cleaned_data["explanation"],
            language=_language(),
            submission=form.cleaned_data["submission"],
        )
    except services.StrategyError as error:
        messages.error(request, str(error))
        return _back(document, f"#section-{section.key}")
    messages.success(request, _("Thank you: your amendment is published for support."))
    return _back(document, f"#amendment-{amendment.pk}")


def _amendment(request, slug, pk) -> Amendment:
    document = _document(request, slug)
    return get_object_or_404(
        Amendment.objects.select_related("round__version__document", "section", "proposer"),
        pk=pk,
        round__version__in=Version.objects.visible_to(request.viewer).filter(document=document),
    )


@require_POST
@login_required
def amendment_support(request, slug, pk):
    amendment = _amendment(request, slug, pk)
    try:
        services.amendment_support(amendment=amendment, user=request.user)
        messages.success(request, _("You support this amendment."))
    except services.StrategyError as error:
        messages.error(request, str(error))
    return _back(amendment.round.version.document, f"#amendment-{amendment.pk}")


@require_POST
@login_required
def amendment_unsupport(request, slug, pk):
    amendment = _amendment(request, slug, pk)
    services.amendment_support_withdraw(amendment=amendment, user=request.user)
    messages.success(request, _("Your support is withdrawn."))
    return _back(amendment.round.version.document, f"#amendment-{amendment.pk}")


@coordinator_required
def amendment_accept(request, slug, pk):
    amendment = _amendment(request, slug, pk)
    form = AcceptForm(request.POST or None, initial={"text": amendment.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.amendment_accept(amendment=amendment, by=request.user, text=form.cleaned_data["text"])
        except services.StrategyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The amendment is accepted: its text is in the draft."))
        return _back(amendment.round.version.document, f"#amendment-{amendment.pk}")
    return render(
        request,
        "strategy/amendment_accept.html",
        {
            "amendment": amendment,
            "document": amendment.round.version.document,
            "form": form,
            "change": diff_html(amendment.base_text, amendment.text),
        },
    )


@coordinator_required
def amendment_decline(request, slug, pk):
    amendment = _amendment(request, slug, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.amendment_decline(amendment=amendment, by=request.user, reason=form.cleaned_data["reason"])
        except services.StrategyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The amendment is declined; the proposer is told why."))
        return _back(amendment.round.version.document, f"#amendment-{amendment.pk}")
    return render(
        request,
        "strategy/amendment_decline.html",
        {"amendment": amendment, "document": amendment.round.version.document, "form": form},
    )


@coordinator_required
def amendments_merge(request, slug, key):
    document, section, consultation = _open_round_section(request, slug, key)
    candidates = consultation.amendments.filter(section=section, status=Amendment.Status.PROPOSED)
    form = MergeForm(request.POST or None, amendments=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.amendments_merge(
                amendments=list(form.cleaned_data["amendments"]), by=request.user, text=form.cleaned_data["text"]
            )
        except services.StrategyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The amendments are merged into the draft."))
        return _back(document, f"#section-{section.key}")
    return render(request, "strategy/amendments_merge.html", {"document": document, "section": section, "form": form})


@coordinator_required
def round_create(request, slug):
    document = _document(request, slug)
    draft = document.versions.filter(status=Version.Status.DRAFT).first()
    if draft is None:
        messages.error(request, _("Start a draft of the next version in the admin first."))
        return _back(document)
    sections = list(document.sections.all())
    form = RoundForm(request.POST or None, sections=sections)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_open(
                version=draft,
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
                questions=form.questions(),
                by=request.user,
            )
        except services.StrategyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The consultation is set up."))
            return _back(document)
    return render(request, "strategy/round_form.html", {"document": document, "draft": draft, "form": form})
