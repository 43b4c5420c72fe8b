"""Invitations in the admin: list, filters, invite one person, import a CSV with a preview,
resend, revoke, export. Every change goes through ``invitations.services``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import AutocompleteListFilter, SearchBoxFiltersMixin, SecretFieldsAdminMixin
from core.spreadsheets import csv_response
from invitations import services
from invitations.forms import InvitationForm, InvitationImportConfirmForm, InvitationImportForm
from invitations.models import Invitation
from invitations.views import csv_preview_for_upload, import_confirm_form, import_confirmed


@admin.register(Invitation)
class InvitationAdmin(SearchBoxFiltersMixin, SecretFieldsAdminMixin, admin.ModelAdmin):
    list_display = ["email", "name", "organisation", "role", "language", "state", "created_at", "expires_at"]
    list_filter = ["state", "language", "role", ("organisation", AutocompleteListFilter)]
    search_fields = ["email", "name", "organisation__name"]
    list_select_related = ["organisation"]
    date_hierarchy = "created_at"
    actions = ["resend", "revoke", "export_csv"]
    readonly_fields = [
        "email",
        "name",
        "organisation",
        "role",
        "language",
        "message",
        "state",
        "invited_by",
        "accepted_by",
        "outbox_message",
        "send_count",
        "created_at",
        "sent_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    exclude = ["token_hash"]
    secret_fields = ("token_hash",)
    change_list_template = "admin/invitations/invitation/change_list.html"

    def changelist_view(self, request, extra_context=None):
        Invitation.objects.expire_due()
        return super().changelist_view(request, extra_context=extra_context)

    def has_change_permission(self, request, obj=None):
        # Invitations change only through their actions (resend, revoke).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_invite_permission(self, request):
        return request.user.has_perm("invitations.add_invitation")

    def get_urls(self):
        return [
            path("invite/", self.admin_site.admin_view(self.invite_view), name="invitations_invitation_invite"),
            path("import/", self.admin_site.admin_view(self.import_view), name="invitations_invitation_import"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:invitations_invitation_invite")

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **extra}

    def invite_view(self, request):
        if not self.has_invite_permission(request):
            raise PermissionDenied
        form = InvitationForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
        if request.method == "POST" and form.is_valid():
            try:
                result = services.invitation_create(**form.cleaned_data, invited_by=request.user)
            except ValidationError as exc:
                form.add_error("email", exc)
            else:
                self.message_user(request, result.message, messages.SUCCESS if result.created else messages.WARNING)
                return redirect("admin:invitations_invitation_changelist")
        return TemplateResponse(
            request, "admin/invitations/invitation/invite.html", self._context(request, _("Invite someone"), form=form)
        )

    def import_view(self, request):
        """Upload → preview (nothing saved) → confirm (all good rows in one transaction)."""
        if not self.has_invite_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "payload" in request.POST:
            confirm = InvitationImportConfirmForm(request.POST)
            if confirm.is_valid():
                import_confirmed(request, confirm)
            else:
                self.message_user(request, _("The preview is too old or was changed. Upload the file again."), "error")
            return redirect("admin:invitations_invitation_changelist")
        form = InvitationImportForm(request.POST or None, request.FILES or None, initial={"language": "en"})
        context = self._context(request, _("Invite from a CSV file"), form=form)
        if request.method == "POST" and form.is_valid():
            preview = csv_preview_for_upload(form)
            context.update(
                preview=preview,
                confirm_form=import_confirm_form(form, preview),
                confirm_action=reverse("admin:invitations_invitation_import"),
            )
        return TemplateResponse(request, "admin/invitations/invitation/import.html", context)

    @admin.action(description=_("Send the selected invitations again"), permissions=["invite"])
    def resend(self, request, queryset: QuerySet):
        done = 0
        for invitation in queryset:
            try:
                services.invitation_resend(invitation=invitation)
                done += 1
            except services.InvitationError as exc:
                self.message_user(request, f"{invitation.email}: {exc}", messages.WARNING)
        self.message_user(
            request,
            ngettext("%(count)d invitation sent again.", "%(count)d invitations sent again.", done) % {"count": done},
        )

    @admin.action(description=_("Revoke the selected invitations"), permissions=["invite"])
    def revoke(self, request, queryset: QuerySet):
        done = sum(1 for invitation in queryset if services.invitation_revoke(invitation=invitation))
        self.message_user(
            request, ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", done) % {"count": done}
        )

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request, queryset: QuerySet):
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
            for i in queryset.select_related("organisation").order_by("created_at")
        )
        return csv_response("invitations.csv", fields, rows)
