"""Coordinators manage the evidence base here. Every change to a record goes through the
services so that it is kept as a revision; the review queue lists what waits for a decision."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from evidence import services
from evidence.models import (
    Answer,
    AssessmentDimension,
    Attachment,
    Community,
    Consent,
    EvidenceRecord,
    Framework,
    Indicator,
    MetricSplit,
    MetricUpdate,
    OutcomeType,
    ProcessDimension,
    Question,
    RecordCountry,
    Response,
    ReviewQueueItem,
    Revision,
    Round,
    Target,
)


class ConsentInline(admin.StackedInline):
    model = Consent
    extra = 0
    readonly_fields = ["withdrawn_at", "withdrawn_note"]
    # The member whose own story it is: their consent goes when their account goes.
    autocomplete_fields = ["storyteller"]


class CountryInline(admin.TabularInline):
    model = RecordCountry
    extra = 1


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "user", "action", "changes"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


def _transition(step: str, label):
    def action(modeladmin, request, queryset):
        done = 0
        for record in queryset:
            try:
                services.record_transition(record=record, user=request.user, step=step)
                done += 1
            except ValidationError as error:
                modeladmin.message_user(request, f"{record}: {' '.join(error.messages)}", messages.WARNING)
        message = ngettext("%(count)d record changed.", "%(count)d records changed.", done)
        modeladmin.message_user(request, message % {"count": done}, messages.SUCCESS)

    action.__name__ = f"action_{step}"
    action.short_description = label
    return action


def _verify(level: str, label):
    def action(modeladmin, request, queryset):
        done = 0
        for record in queryset:
            services.record_update(record=record, user=request.user, data={"verification": level}, action="verify")
            done += 1
        message = ngettext(
            "Verification level set on %(count)d record.", "Verification level set on %(count)d records.", done
        )
        modeladmin.message_user(request, message % {"count": done}, messages.SUCCESS)

    action.__name__ = f"verify_{level}"
    action.short_description = label
    return action


def _visibility(level: str, label):
    def action(modeladmin, request, queryset):
        done = 0
        for record in queryset:
            services.record_update(record=record, user=request.user, data={"visibility": level}, action="visibility")
            done += 1
        message = ngettext("Visibility set on %(count)d record.", "Visibility set on %(count)d records.", done)
        modeladmin.message_user(request, message % {"count": done}, messages.SUCCESS)

    action.__name__ = f"visibility_{level}"
    action.short_description = label
    return action


WORKFLOW_ACTIONS = [
    _transition("start_review", _("Start review")),
    _transition("publish", _("Publish")),
    _transition("return", _("Return for revision")),
    _transition("reject", _("Reject")),
    *[_verify(v, _("Verification: %(level)s") % {"level": label}) for v, label in EvidenceRecord.Verification.choices],
    *[_visibility(v, _("Visibility: %(level)s") % {"level": label}) for v, label in EvidenceRecord.Visibility.choices],
]


@admin.register(EvidenceRecord)
class EvidenceRecordAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "layer", "status", "verification", "visibility", "published_at", "created_by"]
    list_filter = ["status", "kind", "layer", "verification", "visibility", "themes", "dimensions", "outcome_types"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "created_at"
    readonly_fields = ["status", "published_at", "created_by", "created_at", "updated_at", "reviewed_by"]
    autocomplete_fields = ["organisations"]
    filter_horizontal = ["themes", "dimensions", "outcome_types", "exchanges", "reflections"]
    inlines = [CountryInline, ConsentInline, AttachmentInline, RevisionInline]
    actions = WORKFLOW_ACTIONS
    list_select_related = ["created_by"]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in services.SIMPLE_FIELDS}
        if not change:
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            services.revision_write(record=obj, user=request.user, action="create", changes={"admin": True})
            return
        before = EvidenceRecord.objects.get(pk=obj.pk)
        services.record_update(record=before, user=request.user, data=data, action="admin edit")

    def save_related(self, request, form, formsets, change):
        before = services._snapshot(form.instance)
        super().save_related(request, form, formsets, change)
        changes = services._diff(before, services._snapshot(form.instance))
        for key in services.SIMPLE_FIELDS:
            changes.pop(key, None)
        if changes:
            services.revision_write(record=form.instance, user=request.user, action="admin edit", changes=changes)


@admin.register(ReviewQueueItem)
class ReviewQueueAdmin(EvidenceRecordAdmin):
    """Submitted records and records in review, oldest first."""

    list_display = ["title", "kind", "status", "verification", "visibility", "created_by", "updated_at"]
    list_filter = ["status", "kind", "layer"]
    ordering = ["updated_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(status__in=[EvidenceRecord.Status.SUBMITTED, EvidenceRecord.Status.IN_REVIEW])
        )

    def has_add_permission(self, request):
        return False


@admin.register(ProcessDimension, OutcomeType)
class ListAdmin(TranslationAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(Indicator)
class IndicatorAdmin(TranslationAdmin):
    list_display = ["name", "unit", "dimension", "outcome_type", "aggregation", "order"]
    prepopulated_fields = {"slug": ("name_en",)}


class MetricSplitInline(admin.TabularInline):
    model = MetricSplit
    extra = 0


@admin.register(MetricUpdate)
class MetricUpdateAdmin(admin.ModelAdmin):
    list_display = ["indicator", "organisation", "period_start", "period_end", "value", "record"]
    list_filter = ["indicator"]
    raw_id_fields = ["record"]
    list_select_related = ["indicator", "organisation", "record"]
    inlines = [MetricSplitInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "organisation", "period_start", "period_end", "value"]
    list_filter = ["indicator"]
    list_select_related = ["indicator", "organisation"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = [
        "record",
        "identity_level",
        "audience_network",
        "audience_funders",
        "audience_public",
        "expires_on",
        "withdrawn_at",
    ]
    list_filter = ["identity_level", "audience_funders", "audience_public"]
    raw_id_fields = ["record"]
    autocomplete_fields = ["storyteller"]
    actions = ["withdraw"]

    @admin.action(description=_("Withdraw consent"))
    def withdraw(self, request, queryset):
        done = 0
        for consent in queryset:
            services.consent_withdraw(consent=consent, user=request.user, note="admin")
            done += 1
        message = ngettext("%(count)d consent withdrawn.", "%(count)d consents withdrawn.", done)
        self.message_user(request, message % {"count": done}, messages.SUCCESS)


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["record", "action", "user", "created_at"]
    list_filter = ["action"]
    readonly_fields = ["record", "action", "user", "changes", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class QuestionInline(TranslationTabularInline):
    model = Question
    extra = 0


@admin.register(AssessmentDimension)
class AssessmentDimensionAdmin(TranslationAdmin):
    list_display = ["name", "framework", "order"]
    list_filter = ["framework"]
    inlines = [QuestionInline]


class DimensionInline(TranslationTabularInline):
    model = AssessmentDimension
    extra = 0
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(TranslationAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = [DimensionInline]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    filter_horizontal = ["organisations"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["title", "framework", "community", "opens_on", "closes_on"]
    list_filter = ["framework", "community"]
    filter_horizontal = ["invited"]
    readonly_fields = ["opened_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.opened_by = request.user
        super().save_model(request, obj, form, change)


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    raw_id_fields = ["evidence"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["round", "respondent", "group", "submitted_at"]
    list_filter = ["round", "group"]
    # Whose answers these are is a fact, never re-pointed to another account.
    readonly_fields = ["round", "respondent"]
    inlines = [AnswerInline]
