"""Coordinators' view of digests: preferences, a preview of any member's next digest
(rendered, never sent), the runs of the job, and deliveries per period with counts."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from digests.models import DigestDelivery, DigestPreference, DigestRun
from digests.services import digest_preview


class PreviewLookupForm(forms.Form):
    email = forms.EmailField(label=_("Member's email address"), max_length=254)


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "frequency",
        "themes_scope",
        "countries_scope",
        "languages_scope",
        "covered_until",
        "preview",
    ]
    list_filter = ["frequency", "themes_scope", "countries_scope", "languages_scope", "send_reminders"]
    search_fields = ["user__email", "user__member__display_name"]
    list_select_related = ["user__member"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["themes"]
    readonly_fields = ["covered_until", "unsubscribed_at", "created_at", "updated_at"]
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        # A preference stays with the member it belongs to.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user"] if obj is not None else fields

    @admin.display(description=_("next digest"))
    def preview(self, obj: DigestPreference) -> str:
        url = reverse("admin:digests_preview", kwargs={"user_id": obj.user_id})
        return format_html('<a href="{}">{}</a>', url, _("preview"))

    def get_urls(self):
        own = [
            path("preview/", self.admin_site.admin_view(self.preview_lookup_view), name="digests_preview_lookup"),
            path("preview/<int:user_id>/", self.admin_site.admin_view(self.preview_view), name="digests_preview"),
            path(
                "preview/<int:user_id>/html/",
                self.admin_site.admin_view(self.preview_html_view),
                name="digests_preview_html",
            ),
        ]
        return own + super().get_urls()

    def _check(self, request) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def _member(self, user_id: int):
        return get_object_or_404(get_user_model(), pk=user_id, deleted_at__isnull=True, member__isnull=False)

    def preview_lookup_view(self, request):
        self._check(request)
        form = PreviewLookupForm(request.GET or None)
        if form.is_valid():
            user = (
                get_user_model()
                .objects.filter(email__iexact=form.cleaned_data["email"], deleted_at__isnull=True)
                .only("pk")
                .first()
            )
            if user is not None:
                return redirect("admin:digests_preview", user_id=user.pk)
            form.add_error("email", _("No member has this email address."))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Preview a member's next digest"),
            "form": form,
        }
        return TemplateResponse(request, "admin/digests/preview_lookup.html", context)

    def preview_view(self, request, user_id: int):
        self._check(request)
        member = self._member(user_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Next digest of %(member)s") % {"member": member.email},
            "member": member,
            "preview": digest_preview(user=member),
        }
        return TemplateResponse(request, "admin/digests/preview.html", context)

    def preview_html_view(self, request, user_id: int):
        """The HTML exactly as the email would carry it (no scripts; inline styles only)."""
        self._check(request)
        preview = digest_preview(user=self._member(user_id))
        return HttpResponse(preview.html)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "preview_lookup_url": reverse("admin:digests_preview_lookup")}
        return super().changelist_view(request, extra_context=extra_context)


class PeriodFilter(admin.SimpleListFilter):
    title = _("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        periods = DigestDelivery.objects.order_by("-period").values_list("period", flat=True).distinct()[:26]
        return [(p, p) for p in periods]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(period=self.value())
        return queryset


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "period", "state", "item_count", "email_state", "created_at"]
    list_filter = ["frequency", PeriodFilter, "state", "message__state"]
    search_fields = ["user__email", "period"]
    list_select_related = ["user__member", "message"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "user",
        "frequency",
        "period",
        "run",
        "window_since",
        "window_until",
        "state",
        "item_count",
        "message",
        "claim",
        "created_at",
    ]
    list_per_page = 100

    @admin.display(description=_("email"), ordering="message__state")
    def email_state(self, obj: DigestDelivery) -> str:
        return obj.message.get_state_display() if obj.message else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context=extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if changelist is not None:
            # Counts per period for what the filters select, aggregated in SQL.
            response.context_data["summary"] = list(changelist.queryset.order_by().summary()[:26])
        return response


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "frequency",
        "period",
        "member_count",
        "batch_count",
        "queued_count",
        "empty_count",
        "already_count",
        "deferred_count",
    ]
    list_filter = ["frequency", "period"]
    exclude = ["items", "boundaries"]
    readonly_fields = [
        "frequency",
        "period",
        "period_until",
        "item_count",
        "member_count",
        "batch_count",
        "queued_count",
        "empty_count",
        "already_count",
        "deferred_count",
        "started_at",
        "updated_at",
    ]

    @admin.display(description=_("candidate items"))
    def item_count(self, obj: DigestRun) -> int:
        return len(obj.items)

    def get_queryset(self, request):
        # The list never needs the stored candidates; they can be large.
        qs = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            qs = qs.defer("items", "boundaries")
        return qs

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
