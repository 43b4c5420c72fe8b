"""Coordinators' tools: the review queue (guides in review), stale translations, joint actions.

Guide text is written on the site's structured form (it keeps revisions and flags
translations); here coordinators move guides through the workflow with actions.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from core.admin import ChoicesSearchListFilter, SearchBoxFiltersMixin
from core.translations import OutdatedListFilter
from practice import services
from practice.forms import ReturnForm
from practice.models import (
    Characteristic,
    Guide,
    GuideImage,
    GuideRevision,
    GuideWork,
    JointAction,
    JointActionUpdate,
    Participation,
    PartnerInvitation,
)


class RevisionInline(admin.TabularInline):
    model = GuideRevision
    extra = 0
    fields = ["number", "created_by", "created_at", "status", "note"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


class ImageInline(admin.TabularInline):
    model = GuideImage
    extra = 0
    fields = ["file", "alt_text", "caption"]


def _run(modeladmin, request, queryset, service, done_message):
    done = 0
    for guide in queryset:
        try:
            service(guide, request.user)
            done += 1
        except services.GuideStateError as error:
            modeladmin.message_user(request, f"{guide}: {error}", messages.WARNING)
        except PermissionDenied:
            modeladmin.message_user(request, _("You may not do this."), messages.ERROR)
            return
    modeladmin.message_user(request, done_message(done), messages.SUCCESS)


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "kind", "status", "outdated_flag", "submitted_at", "reviewed_at"]
    list_filter = ["status", "language", OutdatedListFilter, "work__kind"]
    search_fields = ["title", "summary", "slug"]
    list_select_related = ["work"]
    readonly_fields = [
        "work",
        "language",
        "title",
        "summary",
        "sections",
        "status",
        "created_by",
        "source_version",
        "reviewed_at",
        "reviewed_by",
        "submitted_at",
        "published_at",
        "on_site",
    ]
    fields = readonly_fields[:-1] + ["slug", "authors", "review_comment", "on_site"]
    autocomplete_fields = ["authors"]
    inlines = [ImageInline, RevisionInline]
    actions = ["publish", "return_to_authors", "archive"]

    @admin.display(description=_("kind"), ordering="work__kind")
    def kind(self, obj):
        return obj.work.get_kind_display()

    @admin.display(description=_("may be outdated"), boolean=True)
    def outdated_flag(self, obj):
        return obj.outdated

    @admin.display(description=_("on the site"))
    def on_site(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            obj.get_absolute_url(),
            _("view"),
            reverse("practice:guide_edit", kwargs={"slug": obj.slug}),
            _("edit"),
        )

    def has_add_permission(self, request):
        # Guides are written on the site's structured form.
        return False

    @admin.action(description=_("Publish the selected guides"), permissions=["change"])
    def publish(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda guide, user: services.guide_publish(guide=guide, user=user),
            lambda n: ngettext("%(n)d guide published.", "%(n)d guides published.", n) % {"n": n},
        )

    @admin.action(description=_("Return the selected guides to their authors…"), permissions=["change"])
    def return_to_authors(self, request, queryset):
        """Asks for the comment on an intermediate page, then returns each guide in review."""
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            comment = form.cleaned_data["comment"]
            _run(
                self,
                request,
                queryset,
                lambda guide, user: services.guide_return(guide=guide, user=user, comment=comment),
                lambda n: ngettext("%(n)d guide returned.", "%(n)d guides returned.", n) % {"n": n},
            )
            return None
        return TemplateResponse(
            request,
            "practice/admin_guide_return.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Return to the authors"),
                "guides": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Archive the selected guides"), permissions=["change"])
    def archive(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda guide, user: services.guide_archive(guide=guide, user=user),
            lambda n: ngettext("%(n)d guide archived.", "%(n)d guides archived.", n) % {"n": n},
        )


class VersionInline(admin.TabularInline):
    model = Guide
    extra = 0
    fields = ["language", "title", "status", "source_version"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GuideWork)
class GuideWorkAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "original_language", "content_version", "licence"]
    list_filter = ["kind", "original_language", "themes", "characteristics"]
    filter_horizontal = ["characteristics", "themes"]
    autocomplete_fields = ["organisations", "related_guides"]
    # Raw ids: the evidence and exchanges admins are their owners' to shape.
    raw_id_fields = ["evidence_records", "exchanges"]
    search_fields = ["versions__title"]
    readonly_fields = ["content_version"]
    inlines = [VersionInline]


@admin.register(Characteristic)
class CharacteristicAdmin(TranslationAdmin):
    list_display = ["name", "facet", "slug", "order"]
    list_filter = ["facet"]
    search_fields = ["name", "name_sv", "name_nl", "slug"]
    prepopulated_fields = {"slug": ("name_en",)}


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 1
    autocomplete_fields = ["organisation"]


class UpdateInline(admin.TabularInline):
    model = JointActionUpdate
    extra = 1
    fields = ["date", "text"]


@admin.register(JointAction)
class JointActionAdmin(SearchBoxFiltersMixin, admin.ModelAdmin):
    list_display = ["title", "issue", "status", "language", "started_on"]
    list_filter = ["status", "issue", "language", ("participations__organisation__country", ChoicesSearchListFilter)]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ["guides"]
    raw_id_fields = ["exchanges", "evidence_records"]
    inlines = [ParticipationInline, UpdateInline]
    list_select_related = ["issue"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(admin.ModelAdmin):
    list_display = ["joint_action", "organisation", "role", "state", "created_at", "decided_at"]
    list_filter = ["state"]
    readonly_fields = ["joint_action", "organisation", "role", "state", "invited_by", "decided_by", "decided_at"]

    def has_add_permission(self, request):
        # Invitations come from the proposal form; the partner's administrators answer them.
        return False
