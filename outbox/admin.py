"""The outbox in the admin: coordinators see every email, why one failed, and resend it.

Rows are read-only (they are a record of what was sent); the only change is "resend" for
failed rows, which goes through ``outbox_resend``.
"""

from __future__ import annotations

import base64

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.spreadsheets import csv_response
from outbox.models import OutboxMessage
from outbox.services import outbox_resend


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to", "language", "state", "attempts", "sent_at", "short_error"]
    list_filter = ["state", "kind", "language"]
    search_fields = ["to", "subject", "idempotency_key"]
    date_hierarchy = "created_at"
    list_per_page = 100
    show_full_result_count = False
    actions = ["resend", "export_csv"]
    fieldsets = (
        (None, {"fields": ("to", "kind", "language", "state", "attempts", "last_error")}),
        (_("Times"), {"fields": ("created_at", "enqueued_at", "claimed_at", "next_attempt_at", "sent_at")}),
        (_("Message"), {"fields": ("from_email", "subject", "text_body", "html_body", "headers", "attachment_list")}),
        (_("Technical"), {"fields": ("idempotency_key", "user")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return [
            "to",
            "kind",
            "language",
            "state",
            "attempts",
            "last_error",
            "created_at",
            "enqueued_at",
            "claimed_at",
            "next_attempt_at",
            "sent_at",
            "from_email",
            "subject",
            "text_body",
            "html_body",
            "headers",
            "attachment_list",
            "idempotency_key",
            "user",
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # The outbox is the record of what was sent.
        return False

    def has_change_permission(self, request, obj=None):
        # Read-only detail page; resending has its own permission check below.
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("outbox.change_outboxmessage")

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.display(description=_("text body"))
    def text_body(self, obj):
        return format_html('<pre style="white-space:pre-wrap;max-width:60em;">{}</pre>', obj.body_text)

    @admin.display(description=_("HTML body (source)"))
    def html_body(self, obj):
        return format_html('<pre style="white-space:pre-wrap;max-width:60em;">{}</pre>', obj.body_html)

    @admin.display(description=_("attachments"))
    def attachment_list(self, obj):
        rows = [
            (a["filename"], a["mimetype"], filesizeformat(len(base64.b64decode(a["content_b64"]))))
            for a in obj.attachments
        ]
        return format_html_join("", "<div>{} ({}, {})</div>", rows) or "—"

    @admin.action(description=_("Resend selected failed emails"), permissions=["resend"])
    def resend(self, request, queryset: QuerySet):
        count = outbox_resend(message_ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count) % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email was not failed and was left alone.",
                    "%(count)d emails were not failed and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request, queryset: QuerySet):
        fields = ["created_at", "kind", "to", "language", "state", "attempts", "sent_at", "subject", "last_error"]
        return csv_response(
            "outbox.csv", fields, ([getattr(m, f) for f in fields] for m in queryset.order_by("created_at"))
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "state_counts": self._state_counts()}
        return super().changelist_view(request, extra_context=extra_context)

    def _state_counts(self):
        counts = OutboxMessage.objects.state_counts()
        return [(value, label, counts[value]) for value, label in OutboxMessage.State.choices]
