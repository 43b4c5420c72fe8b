"""The outbox in the admin: coordinators see every email, why one failed, and resend it.

Rows are read-only (they are a record of what was sent); the only change is "resend" for
failed rows, which goes through ``outbox_resend`` and sends the row as it is, to the same
recipient.

An email that carries a secret (``OutboxMessage.carries_secret``: password reset, email
confirmation, login code, invitation, digest) is shown to everybody, superusers included,
only as a redacted record: recipient, kind, language, state, attempts, error and times.
Its subject, bodies, headers and attachments appear on no page and in no export, and are
matched by neither the search box nor a lookup in the query string (lookups on those
fields are refused for every row).
"""

from __future__ import annotations

import base64

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import SecretFieldsAdminMixin
from core.spreadsheets import csv_response
from outbox.models import OutboxMessage
from outbox.services import outbox_resend

SECRET_NOTICE = _(
    "This email carries a secret (a link or code that signs in, resets a password, confirms an address, "
    "accepts an invitation or changes someone's settings). Its content is shown to nobody, and is removed "
    "from the outbox once it has been sent."
)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SecretFieldsAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "to",
        "language",
        "state",
        "attempts",
        "sent_at",
        "short_error",
        "carries_secret",
        "possibly_duplicated",
    ]
    # "Possibly sent more than once": an attempt was handed to the SMTP server and its answer
    # never recorded (a worker died or the connection broke); see ``outbox.services``.
    list_filter = ["state", "kind", "language", "carries_secret", "possibly_duplicated"]
    # The search box matches recipient, key and (for emails without a secret) subject:
    # see ``get_search_results``.
    search_fields = ["to", "idempotency_key", "subject"]
    secret_fields = ("subject", "body_text", "body_html", "headers", "attachments")
    date_hierarchy = "created_at"
    list_per_page = 100
    show_full_result_count = False
    actions = ["resend", "export_csv"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "to",
                    "kind",
                    "language",
                    "state",
                    "attempts",
                    "last_error",
                    "possibly_duplicated",
                    "carries_secret",
                )
            },
        ),
        (
            _("Times"),
            {"fields": ("created_at", "enqueued_at", "claimed_at", "handed_at", "next_attempt_at", "sent_at")},
        ),
        (
            _("Message"),
            {"fields": ("from_email", "subject_shown", "text_body", "html_body", "header_list", "attachment_list")},
        ),
        (_("Technical"), {"fields": ("idempotency_key", "user")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.carries_secret:
            # The redacted view: what happened to the email, never what it said.
            return (
                self.fieldsets[0],
                self.fieldsets[1],
                (_("Message"), {"fields": ("from_email", "secret_notice")}),
                self.fieldsets[3],
            )
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [
            "to",
            "kind",
            "language",
            "state",
            "attempts",
            "last_error",
            "carries_secret",
            "created_at",
            "enqueued_at",
            "claimed_at",
            "next_attempt_at",
            "sent_at",
            "from_email",
            "subject_shown",
            "text_body",
            "html_body",
            "header_list",
            "attachment_list",
            "secret_notice",
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

    # Every display of content checks the mark itself as well, so that a secret stays hidden
    # even if a field list is changed without the redacted view in mind.

    @admin.display(description=_("content"))
    def secret_notice(self, obj):
        return SECRET_NOTICE

    @admin.display(description=_("subject"))
    def subject_shown(self, obj):
        return SECRET_NOTICE if obj.carries_secret else obj.subject

    @admin.display(description=_("text body"))
    def text_body(self, obj):
        if obj.carries_secret:
            return SECRET_NOTICE
        return format_html('<pre style="white-space:pre-wrap;max-width:60em;">{}</pre>', obj.body_text)

    @admin.display(description=_("HTML body (source)"))
    def html_body(self, obj):
        if obj.carries_secret:
            return SECRET_NOTICE
        return format_html('<pre style="white-space:pre-wrap;max-width:60em;">{}</pre>', obj.body_html)

    @admin.display(description=_("headers"))
    def header_list(self, obj):
        if obj.carries_secret:
            return SECRET_NOTICE
        return format_html_join("", "<div>{}: {}</div>", sorted(obj.headers.items())) or "—"

    @admin.display(description=_("attachments"))
    def attachment_list(self, obj):
        if obj.carries_secret:
            return SECRET_NOTICE
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

    def get_search_results(self, request, queryset, search_term):
        """Each word must match the recipient or the idempotency key, or the subject of an
        email without a secret: a secret email's subject is never matched, so the search
        box cannot be used to probe it."""
        if not search_term:
            return queryset, False
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            queryset = queryset.filter(
                Q(to__icontains=bit)
                | Q(idempotency_key__icontains=bit)
                | Q(carries_secret=False, subject__icontains=bit)
            )
        return queryset, False

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request, queryset: QuerySet):
        fields = ["created_at", "kind", "to", "language", "state", "attempts", "sent_at", "subject", "last_error"]
        rows = (
            [
                *(getattr(m, f) for f in fields[:7]),
                # A secret email's subject stays out of the file, like the rest of its content.
                "" if m.carries_secret else m.subject,
                m.last_error,
                "yes" if m.carries_secret else "",
            ]
            for m in queryset.order_by("created_at")
        )
        return csv_response("outbox.csv", [*fields, "carries_secret"], rows)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "state_counts": self._state_counts()}
        return super().changelist_view(request, extra_context=extra_context)

    def _state_counts(self):
        counts = OutboxMessage.objects.state_counts()
        return [(value, label, counts[value]) for value, label in OutboxMessage.State.choices]
