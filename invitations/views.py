"""Invitation pages: the coordinators' staff pages and the invitee's accept page.

Staff pages are for coordinators only (anonymous → login, everyone else → 403). The
accept page is public: the link's secret is the only credential, and any link that is not
open (used, expired, revoked, forged) gets a clear page and changes nothing.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.decorators import coordinator_required
from core.spreadsheets import csv_response
from invitations import services
from invitations.forms import (
    InvitationFilterForm,
    InvitationForm,
    InvitationImportConfirmForm,
    InvitationImportForm,
)
from invitations.models import Invitation
from network.models import User


def _filtered_invitations(request):
    form = InvitationFilterForm(request.GET or None)
    invitations = Invitation.objects.select_related("organisation", "invited_by__member", "accepted_by__member")
    if form.is_valid():
        if form.cleaned_data["state"]:
            invitations = invitations.filter(state=form.cleaned_data["state"])
        query = form.cleaned_data["q"].strip()
        if query:
            invitations = invitations.filter(Q(email__icontains=query) | Q(name__icontains=query))
    elif form.is_bound:
        invitations = invitations.none()
    return form, invitations


@coordinator_required
def invitation_list(request):
    Invitation.objects.expire_due()
    form, invitations = _filtered_invitations(request)
    page = Paginator(invitations, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "invitations/invitation_list.html",
        {"form": form, "page": page, "invitations": page.object_list, "query": query.urlencode()},
    )


@coordinator_required
def invitation_create(request):
    form = InvitationForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.invitation_create(**data, invited_by=request.user)
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.add_message(request, messages.SUCCESS if result.created else messages.WARNING, result.message)
            return redirect("invitations:index")
    return render(request, "invitations/invitation_form.html", {"form": form, "ttl_days": settings.INVITATION_TTL_DAYS})


def csv_preview_for_upload(form: InvitationImportForm) -> services.CsvPreview:
    upload = form.cleaned_data["file"]
    data = upload.read(settings.MAX_UPLOAD_SIZE + 1)
    return services.invitation_csv_parse(data, default_language=form.cleaned_data["language"])


def import_confirm_form(form: InvitationImportForm, preview: services.CsvPreview) -> InvitationImportConfirmForm:
    return InvitationImportConfirmForm(
        initial={
            "payload": preview.payload(),
            "language": form.cleaned_data["language"],
            "message": form.cleaned_data["message"],
        }
    )


def import_confirmed(request, form: InvitationImportConfirmForm) -> list[services.InviteResult] | None:
    """Import the rows of a confirmed preview; None (with a message) if the preview is
    tampered with or too old."""
    try:
        rows = services.invitation_csv_payload_load(form.cleaned_data["payload"])
    except signing.BadSignature:
        messages.error(request, _("The preview is too old or was changed. Upload the file again."))
        return None
    results = services.invitation_import(
        rows=rows,
        invited_by=request.user,
        message=form.cleaned_data["message"],
        default_language=form.cleaned_data["language"],
    )
    created = sum(1 for r in results if r.created)
    messages.success(
        request,
        ngettext("%(count)d invitation created.", "%(count)d invitations created.", created) % {"count": created},
    )
    for result in results:
        if not result.created:
            messages.warning(request, result.message)
    return results


@coordinator_required
def invitation_import(request):
    form = InvitationImportForm(
        request.POST or None, request.FILES or None, initial={"language": request.LANGUAGE_CODE}
    )
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        preview = csv_preview_for_upload(form)
        context.update(preview=preview, confirm_form=import_confirm_form(form, preview))
    return render(request, "invitations/invitation_import.html", context)


@coordinator_required
@require_POST
def invitation_import_confirm(request):
    form = InvitationImportConfirmForm(request.POST)
    if form.is_valid():
        import_confirmed(request, form)
    else:
        messages.error(request, _("The preview is too old or was changed. Upload the file again."))
    return redirect("invitations:index")


@coordinator_required
def invitation_export(request):
    _form, invitations = _filtered_invitations(request)
    fields = ["created_at", "email", "name", "organisation", "role", "language", "state", "sent_at", "accepted_at"]
    rows = (
        [
            i.created_at,
            i.email,
            i.name,
            i.organisation.name if i.organisation else "",
            i.role,
            i.language,
            i.state,
            i.sent_at,
            i.accepted_at,
        ]
        for i in invitations.iterator(chunk_size=500)
    )
    return csv_response("invitations.csv", fields, rows)


@coordinator_required
@require_POST
def invitation_resend(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.invitation_resend(invitation=invitation)
    except services.InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The invitation to %(email)s was sent again.") % {"email": invitation.email})
    return redirect("invitations:index")


@coordinator_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    if services.invitation_revoke(invitation=invitation):
        messages.success(request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email})
    else:
        messages.error(request, _("This invitation is no longer open; nothing was changed."))
    return redirect("invitations:index")


def _invalid(request, invitation: Invitation | None):
    if invitation is None:
        reason = "unknown"
    elif invitation.state == Invitation.State.ACCEPTED:
        reason = "accepted"
    elif invitation.state == Invitation.State.REVOKED:
        reason = "revoked"
    else:
        reason = "expired"
    return render(request, "invitations/invitation_invalid.html", {"reason": reason}, status=410)


def _email_matches(user: User, email: str) -> bool:
    if user.email.lower() == email:
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email).exists()


def invitation_accept(request, token):
    """GET shows the invitation; POST accepts it (signed in) or starts signup (new person)."""
    invitation = services.invitation_for_token(token)
    if invitation is None or not invitation.is_open:
        return _invalid(request, invitation)
    user = request.user
    existing = User.objects.filter(email__iexact=invitation.email, deleted_at__isnull=True).exists()
    if user.is_authenticated:
        mode = "join" if _email_matches(user, invitation.email) else "wrong_account"
    else:
        mode = "login" if existing else "signup"
    if request.method == "POST":
        if mode == "join":
            try:
                services.invitation_accept(invitation=invitation, user=user)
            except services.InvitationError:
                return _invalid(request, None)
            if invitation.organisation:
                messages.success(
                    request, _("Welcome to %(organisation)s!") % {"organisation": invitation.organisation.name}
                )
                return redirect(invitation.organisation.get_absolute_url())
            messages.success(request, _("Your invitation is accepted. Welcome!"))
            return redirect("home")
        if mode == "signup":
            # The address is proven by the link: allauth creates it verified, and the
            # invitation is accepted when the account is saved (see invitations.adapters).
            request.session[services.SESSION_KEY] = token
            get_adapter(request).stash_verified_email(request, invitation.email)
            return redirect("account_signup")
        if mode == "login":
            return redirect_to_login(request.get_full_path(), login_url=reverse("account_login"))
    return render(
        request,
        "invitations/invitation_accept.html",
        {"invitation": invitation, "mode": mode, "ttl_days": settings.INVITATION_TTL_DAYS},
    )
