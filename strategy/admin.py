"""Coordinators' tools: documents and their sections, versions and their texts (drafts only:
a published version is read-only), rounds with their questions, comments and amendments.

Writes with consequences go through ``strategy.services`` (publishing, starting a draft,
saving a text, which keeps the outdated-translation flag)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationTabularInline

from core.translations import OutdatedListFilter
from strategy import services
from strategy.models import (
    Amendment,
    Citation,
    Comment,
    Commitment,
    CommitmentUpdate,
    Document,
    Objective,
    Question,
    Round,
    Section,
    Version,
    VersionText,
)


class SectionInline(TranslationTabularInline):
    model = Section
    extra = 1
    fields = ["order", "key", "heading"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["slug", "original_language", "created_at"]
    search_fields = ["slug"]
    inlines = [SectionInline]
    actions = ["start_draft"]

    @admin.action(description=_("Start the next version as a draft"))
    def start_draft(self, request, queryset):
        for document in queryset:
            try:
                services.version_draft_create(document=document, by=request.user)
            except services.StrategyError as error:
                self.message_user(request, f"{document}: {error}", messages.WARNING)


class VersionTextInline(admin.TabularInline):
    model = VersionText
    extra = 0
    fields = ["language", "title", "source_version", "updated_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class CitationInline(admin.TabularInline):
    """What each section of a draft cites; read-only once the version is published."""

    model = Citation
    extra = 1
    fields = ["section", "record", "indicator", "guide", "order"]
    raw_id_fields = ["record", "guide"]

    def _editable(self, obj) -> bool:
        return obj is None or not obj.is_published

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            version_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Section.objects.filter(document__versions__pk=version_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "original_language", "licence", "content_version", "published_at"]
    list_filter = ["status", "licence", "document"]
    readonly_fields = ["document", "number", "status", "content_version", "published_at", "created_by"]
    # The licence is chosen before publishing and stays editable afterwards: it is not the
    # text, and "all rights reserved" must be able to take a version out of open data at once.
    fields = ["document", "number", "status", "original_language", "note", "licence", *readonly_fields[3:]]
    inlines = [VersionTextInline, CitationInline]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return [*self.readonly_fields, "original_language", "note"]
        return self.readonly_fields

    def has_add_permission(self, request):
        # New versions start as drafts from a document ("Start the next version as a draft").
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                services.version_publish(version=version)
            except services.StrategyError as error:
                self.message_user(request, f"{version}: {error}", messages.WARNING)


class VersionTextForm(forms.ModelForm):
    """The title and summary, and one text box per section of the document."""

    class Meta:
        model = VersionText
        fields = ["version", "language", "title", "summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        version = self.instance.version if self.instance.pk else None
        document_sections = version.document.sections.all() if version else Section.objects.none()
        self.section_keys = []
        for section in document_sections:
            name = f"section_{section.key}"
            self.section_keys.append((name, section.key))
            self.fields[name] = forms.CharField(
                label=section.heading,
                required=False,
                widget=forms.Textarea(attrs={"rows": 8}),
                initial=self.instance.section_text(section.key),
                help_text=_("Markdown."),
            )


@admin.register(VersionText)
class VersionTextAdmin(admin.ModelAdmin):
    form = VersionTextForm
    list_display = ["title", "version", "language", "outdated_flag"]
    list_filter = ["language", OutdatedListFilter]
    search_fields = ["title"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("version__document").with_outdated()

    def get_fields(self, request, obj=None):
        section_fields = [name for name, _key in self.form(instance=obj).section_keys] if obj else []
        return ["version", "language", "title", "summary", *section_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            locked = obj.version.is_published and obj.is_original
            return ["version", "language", *(["title", "summary"] if locked else [])]
        return []

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = ["version", "language", "title", "summary"]
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        sections = {key: form.cleaned_data.get(name, "") for name, key in getattr(form, "section_keys", [])}
        if change and not sections:
            sections = obj.sections
        try:
            saved = services.version_text_save(
                version=obj.version, language=obj.language, title=obj.title, summary=obj.summary, sections=sections
            )
        except services.StrategyError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        obj.pk = saved.pk

    @admin.display(description=_("may be outdated"), boolean=True)
    def outdated_flag(self, obj):
        return obj.outdated


class QuestionInline(TranslationTabularInline):
    model = Question
    extra = 0
    fields = ["section", "text"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["__str__", "opens_at", "closes_at"]
    fields = ["version", "opens_at", "closes_at"]
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        return ["version"] if obj else []

    def has_add_permission(self, request):
        # Rounds are opened on the document's page (services.round_open).
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "section", "author", "created_at", "report_count", "hidden_at"]
    list_filter = ["round"]
    fields = ["round", "section", "parent", "author", "language", "body", "hidden_at", "hidden_by", "hidden_reason"]
    readonly_fields = ["round", "section", "parent", "author", "language", "body", "hidden_at", "hidden_by"]
    search_fields = ["body"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).select_related("section", "author").annotate(report_count=Count("reports"))

    @admin.display(description=_("reports"), ordering="report_count")
    def report_count(self, obj):
        return obj.report_count

    def has_add_permission(self, request):
        return False


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "section", "proposer", "status", "created_at"]
    list_filter = ["status", "round"]
    readonly_fields = [f.name for f in Amendment._meta.fields]
    search_fields = ["text"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Decisions are taken on the document's page (accept, merge, decline with a reason).
        return False


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["text", "exchange", "order"]
    list_filter = ["exchange"]
    search_fields = ["text"]


class CommitmentUpdateInline(admin.TabularInline):
    model = CommitmentUpdate
    extra = 0
    fields = ["created_at", "status", "note", "record", "created_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Progress is posted on the commitment's page (services.commitment_update_add).
        return False


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    """Coordinators record a convening's outcomes here: the commitments, who holds them, the
    owner and the due date. Their holders post progress on the site."""

    list_display = ["title", "exchange", "status", "due_on", "visibility"]
    list_filter = ["status", "visibility", "exchange"]
    search_fields = ["title"]
    filter_horizontal = ["organisations"]
    raw_id_fields = ["owner"]
    readonly_fields = ["status"]
    inlines = [CommitmentUpdateInline]
