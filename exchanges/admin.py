"""Coordinators run exchanges here: every change with a consequence goes through services."""

from __future__ import annotations

import csv

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import SecretFieldsAdminMixin
from core.validators import spreadsheet_safe
from exchanges import services
from exchanges.forms import ParticipantsEmailForm
from exchanges.models import (
    PARTICIPANT_STATES,
    WORKING_LANGUAGES,
    CalendarFeed,
    Exchange,
    ExchangeTranslation,
    Reflection,
    Registration,
    Session,
    TravelSupportRequest,
)

State = Registration.State


class ExchangeAdminForm(forms.ModelForm):
    online_link = forms.URLField(
        label=_("online joining link"),
        required=False,
        assume_scheme="https",
        help_text=_("Shown only to confirmed participants."),
    )

    working_languages = forms.MultipleChoiceField(
        label=_("working languages"),
        choices=WORKING_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Exchange
        # The admin decides the fields (fieldsets); the form only adds the capacity check.
        fields = "__all__"  # noqa: DJ007

    def clean(self):
        data = super().clean()
        if self.instance.pk and "capacity" in data:
            probe = Exchange(pk=self.instance.pk, capacity=data.get("capacity"))
            error = services.capacity_error(probe)
            if error:
                self.add_error("capacity", error)
        return data


class ExchangeTranslationInline(admin.StackedInline):
    """The title, summary and description in Swedish, Dutch (or English); empty fields show the original."""

    model = ExchangeTranslation
    extra = 0
    max_num = len(settings.LANGUAGES)


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    filter_horizontal = ["facilitators"]


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["user", "state", "waitlist_position", "offer_expires_at", "consent_show_name", "travel_support_requested"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    ordering = ["state", "waitlist_position", "created_at"]

    def has_add_permission(self, request, obj=None):
        # Registrations are made by members (or through actions), so capacity rules apply.
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user__member")


def _participants_csv(registrations, *, sensitive: bool) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="participants.csv"'
    writer = csv.writer(response)
    header = ["exchange", "name", "organisations", "state", "email", "travel support", "estimated cost"]
    if sensitive:
        header += ["access needs", "dietary needs", "interpretation needs"]
    writer.writerow(header)
    for reg in registrations:
        member = getattr(reg.user, "member", None)
        orgs = ", ".join(o.name for o in member.organisations.all()) if member else ""
        # Without consent, other participants' names are not shared; coordinators still
        # need to know who comes, so the email identifies the person instead.
        name = reg.user.public_name if reg.consent_show_name else ""
        row = [
            reg.exchange.title,
            name,
            orgs if reg.consent_show_name else "",
            reg.get_state_display(),
            reg.user.email,
            "yes" if reg.travel_support_requested else "",
            reg.travel_cost_estimate or "",
        ]
        if sensitive:
            row += [reg.access_needs, reg.dietary_needs, reg.interpretation_needs]
        writer.writerow([spreadsheet_safe(str(v)) for v in row])
    return response


@admin.register(Exchange)
class ExchangeAdmin(admin.ModelAdmin):
    form = ExchangeAdminForm
    list_display = [
        "title",
        "kind",
        "status",
        "starts_at",
        "country",
        "capacity",
        "confirmed",
        "offered",
        "waitlisted",
        "applied",
        "travel_total",
        "reflections_link",
    ]
    list_filter = ["status", "kind", "format", "signup_mode", "country", "themes"]
    search_fields = ["title", "slug", "city"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["hosts", "partners", "themes"]
    date_hierarchy = "starts_at"
    readonly_fields = ["sequence", "published_at", "cancelled_at"]
    inlines = [ExchangeTranslationInline, SessionInline, RegistrationInline]
    actions = ["duplicate", "export_participants", "email_participants", "cancel_exchanges"]

    def get_queryset(self, request):
        reg = "registrations__state"
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_confirmed=Count("registrations", filter=Q(**{f"{reg}__in": PARTICIPANT_STATES}), distinct=True),
                n_offered=Count("registrations", filter=Q(**{reg: State.OFFERED}), distinct=True),
                n_waitlisted=Count("registrations", filter=Q(**{reg: State.WAITLISTED}), distinct=True),
                n_applied=Count("registrations", filter=Q(**{reg: State.APPLIED}), distinct=True),
                n_reflections=Count("registrations__reflection", distinct=True),
                travel=Sum(
                    "registrations__travel_cost_estimate",
                    filter=Q(registrations__travel_support_requested=True)
                    & ~Q(**{f"{reg}__in": [State.CANCELLED, State.DECLINED]}),
                ),
            )
        )

    @admin.display(description=_("confirmed"), ordering="n_confirmed")
    def confirmed(self, obj):
        return obj.n_confirmed

    @admin.display(description=_("offered"), ordering="n_offered")
    def offered(self, obj):
        return obj.n_offered

    @admin.display(description=_("waitlisted"), ordering="n_waitlisted")
    def waitlisted(self, obj):
        return obj.n_waitlisted

    @admin.display(description=_("applied"), ordering="n_applied")
    def applied(self, obj):
        return obj.n_applied

    @admin.display(description=_("travel support (EUR)"), ordering="travel")
    def travel_total(self, obj):
        return obj.travel or 0

    @admin.display(description=_("reflections"), ordering="n_reflections")
    def reflections_link(self, obj):
        if not obj.n_reflections:
            return 0
        url = reverse("admin:exchanges_reflection_changelist") + f"?registration__exchange__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.n_reflections)

    def save_model(self, request, obj, form, change):
        services.exchange_save(exchange=obj, changed_fields=form.changed_data)

    @admin.action(description=_("Duplicate as a draft"))
    def duplicate(self, request, queryset):
        for exchange in queryset:
            services.exchange_duplicate(exchange=exchange)
        self.message_user(request, _("Duplicated as drafts."), messages.SUCCESS)

    @admin.action(description=_("Cancel (emails everyone registered)"))
    def cancel_exchanges(self, request, queryset):
        for exchange in queryset:
            services.exchange_cancel(exchange=exchange)
        self.message_user(request, _("Cancelled; everyone registered is being emailed."), messages.SUCCESS)

    @admin.action(description=_("Export participants (CSV)"))
    def export_participants(self, request, queryset):
        registrations = (
            Registration.objects.filter(exchange__in=queryset, state__in=PARTICIPANT_STATES)
            .select_related("exchange", "user__member")
            .prefetch_related("user__member__organisations")
            .order_by("exchange__starts_at", "created_at")
        )
        return _participants_csv(registrations, sensitive=request.viewer.is_coordinator)

    @admin.action(description=_("Email all participants"))
    def email_participants(self, request, queryset):
        if "apply" in request.POST:
            form = ParticipantsEmailForm(request.POST)
            if form.is_valid():
                total = 0
                for exchange in queryset:
                    total += services.exchange_email_participants(
                        exchange=exchange, subject=form.cleaned_data["subject"], message=form.cleaned_data["message"]
                    )
                self.message_user(
                    request,
                    ngettext("%(count)d email queued.", "%(count)d emails queued.", total) % {"count": total},
                    messages.SUCCESS,
                )
                return None
        else:
            form = ParticipantsEmailForm()
        return render(
            request,
            "admin/exchanges/email_participants.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Email all participants"),
                "form": form,
                "exchanges": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


def _run(modeladmin, request, queryset, service, done_message):
    done, refused = 0, []
    for registration in queryset.select_related("exchange", "user"):
        try:
            service(registration=registration)
            done += 1
        except services.ExchangeError as error:
            refused.append(f"{registration.user.email}: {error.message}")
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.ERROR)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "exchange", "state", "waitlist_position", "offer_expires_at", "created_at"]
    list_filter = ["state", "travel_support_requested", "exchange__kind", "exchange"]
    list_select_related = ["user__member", "exchange"]
    search_fields = ["user__email", "user__member__display_name", "exchange__title"]
    raw_id_fields = ["user", "exchange"]
    readonly_fields = ["created_at", "updated_at", "sensitive_erased_at", "offered_at"]
    actions = [
        "accept_applications",
        "decline_applications",
        "offer_places",
        "mark_attended",
        "mark_no_show",
        "export_csv",
    ]

    def has_add_permission(self, request):
        # Registrations are made by members, so that capacity and the waitlist always apply.
        return False

    def delete_model(self, request, obj):
        services.registration_delete(registration=obj)

    def delete_queryset(self, request, queryset):
        for registration in queryset:
            services.registration_delete(registration=registration)

    def get_readonly_fields(self, request, obj=None):
        # State changes go through the actions so that capacity and emails are respected.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["exchange", "user", "state", "waitlist_position", "offer_expires_at"]
        return fields

    @admin.action(description=_("Accept selected applications (emails them)"))
    def accept_applications(self, request, queryset):
        _run(self, request, queryset, services.application_accept, _("%(count)d applications accepted."))

    @admin.action(description=_("Decline selected applications (emails them)"))
    def decline_applications(self, request, queryset):
        _run(self, request, queryset, services.application_decline, _("%(count)d applications declined."))

    @admin.action(description=_("Offer a place to selected waitlisted members"))
    def offer_places(self, request, queryset):
        _run(self, request, queryset, services.place_offer, _("%(count)d places offered."))

    @admin.action(description=_("Mark attended"))
    def mark_attended(self, request, queryset):
        n = services.attendance_mark(registrations=list(queryset), attended=True)
        self.message_user(request, _("%(count)d marked attended.") % {"count": n}, messages.SUCCESS)

    @admin.action(description=_("Mark no-show"))
    def mark_no_show(self, request, queryset):
        n = services.attendance_mark(registrations=list(queryset), attended=False)
        self.message_user(request, _("%(count)d marked no-show.") % {"count": n}, messages.SUCCESS)

    @admin.action(description=_("Export selected (CSV)"))
    def export_csv(self, request, queryset):
        queryset = queryset.select_related("exchange", "user__member").prefetch_related("user__member__organisations")
        return _participants_csv(queryset, sensitive=request.viewer.is_coordinator)


@admin.register(TravelSupportRequest)
class TravelSupportRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "exchange", "state", "travel_cost_estimate"]
    list_filter = ["exchange"]
    list_select_related = ["user__member", "exchange"]
    change_list_template = "admin/exchanges/travelsupportrequest/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(travel_support_requested=True)
            .exclude(state__in=[State.CANCELLED, State.DECLINED])
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        try:
            qs = response.context_data["cl"].queryset
        except (AttributeError, KeyError):
            return response
        response.context_data["travel_total"] = qs.aggregate(total=Sum("travel_cost_estimate"))["total"] or 0
        response.context_data["per_exchange"] = (
            qs.order_by().values("exchange__title").annotate(total=Sum("travel_cost_estimate"), n=Count("pk"))
        )
        return response


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin):
    list_display = ["registration", "exchange", "rating", "created_at"]
    list_filter = ["registration__exchange", "rating"]
    list_select_related = ["registration__exchange", "registration__user__member"]
    search_fields = ["learned", "will_try", "registration__exchange__title"]
    readonly_fields = ["registration", "created_at", "updated_at"]

    @admin.display(description=_("exchange"), ordering="registration__exchange__starts_at")
    def exchange(self, obj):
        return obj.registration.exchange

    def has_add_permission(self, request):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(SecretFieldsAdminMixin, admin.ModelAdmin):
    """Who has a private calendar feed; the token (the feed's only credential) is shown to
    nobody and cannot be filtered on. Deleting a feed revokes it."""

    list_display = ["user", "created_at"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]
    secret_fields = ("token",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
