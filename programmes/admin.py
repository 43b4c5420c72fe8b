"""Coordinators make programmes, pick their exchanges and accept cohort applications."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programmes import services
from programmes.models import Enrolment, Programme


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    fields = ["user", "state", "created_at"]
    # Applications are accepted or declined in Admin → Enrolments, whose actions email the
    # member; a state edited here would tell them nothing.
    readonly_fields = ["user", "state", "created_at"]
    can_delete = True

    def has_add_permission(self, request, obj=None):
        # Members enrol themselves (/programmes/<slug>/).
        return False


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_on", "ends_on", "status", "cohort"]
    list_filter = ["status", "cohort"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["exchanges"]
    inlines = [EnrolmentInline]
    readonly_fields = ["content_changed_at"]

    def save_model(self, request, obj, form, change):
        # A digest's "updated programme" is one whose content changed, not any save of the form.
        services.programme_content_touch(programme=obj, changed=form.changed_data, new=not change)
        super().save_model(request, obj, form, change)


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "programme", "state", "created_at"]
    list_filter = ["state", "programme"]
    list_select_related = ["user", "programme"]
    search_fields = ["user__email", "programme__title"]
    raw_id_fields = ["user", "programme"]
    # The state changes through the actions below, which email the member.
    readonly_fields = ["state"]
    actions = ["accept", "decline"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Accept selected applications"))
    def accept(self, request, queryset):
        n = sum(services.enrolment_accept(enrolment=e) for e in queryset)
        message = ngettext("%(count)d application accepted.", "%(count)d applications accepted.", n)
        self.message_user(request, message % {"count": n}, messages.SUCCESS)

    @admin.action(description=_("Decline selected applications"))
    def decline(self, request, queryset):
        n = sum(services.enrolment_decline(enrolment=e) for e in queryset)
        message = ngettext("%(count)d application declined.", "%(count)d applications declined.", n)
        self.message_user(request, message % {"count": n}, messages.SUCCESS)
