"""People and organisations in the admin.

Coordinators may look users up but never change a login (``network.roles``): the user page
is read-only for them and leaves the password field out (Django's ``UserAdmin`` itself
refuses lookups on the password hash). A member profile stays attached to the account it
was made for.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from core.admin import ChoicesSearchListFilter, SearchBoxFiltersMixin
from network.models import Member, Membership, Organisation, Theme, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined", "deleted_at"]
    list_filter = ["groups", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name", "member__display_name"]
    # ``is_staff`` follows the coordinator role (network.signals): give or take the role instead.
    readonly_fields = ["is_staff", "last_login", "date_joined", "deleted_at"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "deleted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # A read-only page would print the whole password hash: leave the field out.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "name_sv", "name_nl", "slug"]
    prepopulated_fields = {"slug": ("name_en",)}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["member", "organisation"]
    fields = ["member", "organisation", "role", "state", "since"]


@admin.register(Organisation)
class OrganisationAdmin(SearchBoxFiltersMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "country", "city", "founded_year", "contact_email"]
    list_filter = ["kind", ("country", ChoicesSearchListFilter), "themes"]
    search_fields = ["name", "city", "description", "contact_email"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["themes", "networks"]
    inlines = [MembershipInline]
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Member)
class MemberAdmin(SearchBoxFiltersMixin, admin.ModelAdmin):
    list_display = ["display_name", "user", "country", "city", "visibility", "preferred_language"]
    list_filter = ["visibility", "preferred_language", ("country", ChoicesSearchListFilter), "themes"]
    search_fields = ["display_name", "user__email", "city"]
    autocomplete_fields = ["user", "themes"]
    list_select_related = ["user"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # Re-pointing a profile at another account would hand that account the profile's
        # memberships (and what they unlock): the account is fixed once the profile exists.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user"] if obj is not None else fields


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Coordinators see every membership and request; a request is decided with the actions
    (the same services as the "Requests to join" page, with their emails)."""

    list_display = ["member", "organisation", "role", "state", "requested_at", "decided_at", "since"]
    list_filter = ["state", "role"]
    search_fields = ["member__display_name", "organisation__name"]
    autocomplete_fields = ["member", "organisation"]
    list_select_related = ["member", "organisation"]
    readonly_fields = ["requested_at", "decided_at", "decided_by"]
    actions = ["approve_requests", "decline_requests"]

    def _decide(self, request, queryset, decide) -> None:
        from network.services import MembershipError

        done = 0
        for membership in queryset.filter(state=Membership.State.REQUESTED).select_related("member__user"):
            try:
                decide(membership=membership, by=request.user)
            except MembershipError:
                continue
            done += 1
        message = ngettext("%(count)d request decided.", "%(count)d requests decided.", done)
        self.message_user(request, message % {"count": done})

    @admin.action(description=_("Approve the selected requests"), permissions=["change"])
    def approve_requests(self, request, queryset):
        from network.services import membership_approve

        self._decide(request, queryset, membership_approve)

    @admin.action(description=_("Decline the selected requests"), permissions=["change"])
    def decline_requests(self, request, queryset):
        from network.services import membership_decline

        self._decide(request, queryset, membership_decline)
