"""Coordinators run exchanges here: every change with a consequence goes through services."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple, RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin import (
    AutocompleteListFilter,
    ChoicesSearchListFilter,
    QuickSelect,
    SearchBoxFiltersMixin,
    SecretFieldsAdminMixin,
    SharedChoicesField,
)
from core.formrender import RENDERER
from core.spreadsheets import csv_response
from exchanges import services
from exchanges.exports import participants_queryset, participants_table
from exchanges.forms import ParticipantsEmailForm
from exchanges.models import (
    PARTICIPANT_STATES,
    WORKING_LANGUAGES,
    Answer,
    CalendarFeed,
    Exchange,
    ExchangeTranslation,
    HostOffer,
    Question,
    Reflection,
    Registration,
    Session,
    TravelSupportRequest,
)

State = Registration.State

# The exchange form's fields of countries and time zones, by field name and language.
_CHOICE_FIELDS: dict[tuple[str, str | None], forms.Field] = {}


class ExchangeAdminForm(forms.ModelForm):
    # About a hundred and fifty fields with the sessions: written without a template each.
    default_renderer = RENDERER

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The chosen hosts, partners and themes are already loaded (the form's initial values):
        # their pickers label them from those rows instead of asking the database again.
        for name in ("hosts", "partners", "themes", "managers"):
            field = self.fields.get(name)
            widget = getattr(field.widget, "widget", None) if field is not None else None
            if isinstance(widget, _ChosenMembersWidget):
                widget.known = {str(o.pk): str(o) for o in self.initial.get(name) or [] if hasattr(o, "pk")}

    def clean(self):
        data = super().clean()
        if self.instance.pk and "capacity" in data:
            probe = Exchange(pk=self.instance.pk, capacity=data.get("capacity"))
            error = services.capacity_error(probe)
            if error:
                self.add_error("capacity", error)
        return data


class _QuickFormSet(BaseInlineFormSet):
    """The exchange page's inline formsets: their forms drawn by the renderer of ``ExchangeAdminForm``."""

    def __init__(self, *args, **kwargs):
        # formset_factory() sets the class's renderer (to None): the instance's comes first.
        self.renderer = RENDERER
        super().__init__(*args, **kwargs)

    @cached_property
    def empty_form(self):
        # Django builds a new empty form on every use, and the admin uses it four times per
        # inline (the headers' labels, the media, the multipart check, the row to copy): a
        # dozen forms built for the exchange's page, about a millisecond (make bench). The
        # page only reads it.
        return super().empty_form


class ExchangeTranslationInline(admin.StackedInline):
    """The title, summary and description in Swedish, Dutch (or English); empty fields show the original."""

    model = ExchangeTranslation
    formset = _QuickFormSet
    template = "admin/core/quick_stacked.html"
    extra = 0
    max_num = len(settings.LANGUAGES)


class _QuickAutocomplete:
    """The admin's autocomplete picker drawn by the form's Python renderer, also inside the
    admin's wrapper with its add and change icons (which draws its widget through Django's
    templates), and with nothing chosen written without building a query for no rows. The same
    markup (a test compares them)."""

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, attrs, renderer or RENDERER)

    def optgroups(self, name, value, attr=None):
        if any(v not in ("", None) for v in value):
            return super().optgroups(name, value, attr)
        blank = not self.is_required and not self.allow_multiple_selected
        return [(None, [self.create_option(name, "", "", False, 0)] if blank else [], 0)]


class _QuickAutocompleteSelect(_QuickAutocomplete, AutocompleteSelect):
    pass


class _ChosenMembersWidget(_QuickAutocomplete, AutocompleteSelectMultiple):
    """An autocomplete picker that labels the chosen rows from ``known`` (rows already loaded:
    the sessions' prefetched facilitators, set by ``_SessionFormSet``; an exchange's hosts,
    partners and themes, set by ``ExchangeAdminForm``), so that the form renders with the same
    queries whatever it holds. Values it does not know (a form sent back with a new choice) are
    looked up as usual."""

    known: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        chosen = [str(v) for v in value if v not in ("", None)]
        if self.known is None or not all(v in self.known for v in chosen):
            return super().optgroups(name, value, attr)
        return [(None, [self.create_option(name, v, self.known[v], True, i) for i, v in enumerate(chosen)], 0)]


class _SessionFormSet(_QuickFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = [form.instance for form in self.forms if form.instance.pk is not None]
        known = {str(m.pk): str(m) for session in saved for m in session.facilitators.all()}
        for form in self.forms:
            widget = form.fields["facilitators"].widget
            getattr(widget, "widget", widget).known = known


class SessionInline(admin.TabularInline):
    """The programme, one row per session; facilitators are picked by typing a name."""

    model = Session
    formset = _SessionFormSet
    template = "admin/core/quick_tabular.html"
    extra = 0
    fields = ["title", "starts_at", "ends_at", "room", "facilitators", "description"]
    autocomplete_fields = ["facilitators"]
    # One line per session: the browser's own date-and-time field instead of the admin's
    # two fields with shortcuts, and a two-line description.
    formfield_overrides = {
        models.DateTimeField: {
            "form_class": forms.DateTimeField,
            "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        },
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 24})},
    }

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("facilitators")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "facilitators":
            kwargs["widget"] = _ChosenMembersWidget(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # Facilitators are members who joined through invitations: a session row has no use for
        # the add/change/view icons around the picker, which cost more to draw than the picker.
        if db_field.name == "facilitators" and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            formfield.widget = formfield.widget.widget
        return formfield


def _registrations_url(exchange_id: int, **filters) -> str:
    query = urlencode({"exchange__id__exact": exchange_id, **filters})
    return f"{reverse('admin:exchanges_registration_changelist')}?{query}"


def _count_link(exchange_id: int, count: int, state: str):
    """A count that opens the exchange's registrations (in ``state``), or a plain 0."""
    if not count:
        return 0
    return format_html('<a href="{}">{}</a>', _registrations_url(exchange_id, state__in=state), count)


def _participants_csv(registrations, *, sensitive: bool):
    header, rows = participants_table(participants_queryset(registrations), sensitive=sensitive)
    return csv_response("participants.csv", header, rows)


class _QuestionFormSet(_QuickFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # "Show only if" offers this exchange's questions, which the formset has loaded already:
        # every form (and the empty one) labels them from those rows, not from a query of its own.
        field = form.fields.get("show_if_question")
        if field is not None and self.instance.pk is not None:
            field.widget.choices = [("", field.empty_label), *((q.pk, str(q)) for q in self.get_queryset())]


class QuestionInline(admin.StackedInline):
    """The exchange's own questions, asked on signing up after the fixed ones."""

    model = Question
    formset = _QuestionFormSet
    template = "admin/core/quick_stacked.html"
    extra = 0
    fields = [
        ("position", "kind", "required", "sensitive"),
        "label",
        "help_text",
        "choices",
        ("show_if_question", "show_if_value"),
    ]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 40})}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "show_if_question":
            # Only the questions of this exchange (a new exchange has none yet).
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            queryset = Question.objects.none()
            if object_id and str(object_id).isdigit():
                queryset = Question.objects.filter(exchange_id=int(object_id))
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Exchange)
class ExchangeAdmin(SearchBoxFiltersMixin, admin.ModelAdmin):
    """The form holds the exchange and its programme; its registrations are a filtered list of
    their own (linked with their counts), so the page stays short and quick at any size."""

    class Media:
        css = {"screen": ["exchanges/admin/exchanges.css"]}

    form = ExchangeAdminForm
    _field_names: tuple[str, ...] | None = None
    # Few, narrow columns, so that every count stays in view beside the filters.
    list_display = [
        "exchange",
        "starts",
        "status",
        "places",
        "offered",
        "waitlisted",
        "applied",
        "travel_total",
        "reflections_link",
    ]
    list_filter = [
        "status",
        "kind",
        "format",
        "signup_mode",
        ("country", ChoicesSearchListFilter),
        ("themes", AutocompleteListFilter),
    ]
    search_fields = ["title", "slug", "city"]
    list_per_page = 50
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["hosts", "partners", "themes", "managers", "return_visit"]
    date_hierarchy = "starts_at"
    readonly_fields = ["registrations_overview", "sequence", "published_at", "cancelled_at"]
    inlines = [ExchangeTranslationInline, SessionInline, QuestionInline]
    actions = ["duplicate", "export_participants", "email_participants", "cancel_exchanges"]

    def get_queryset(self, request):
        # Correlated subqueries: PostgreSQL counts only for the rows of the page (or the one
        # exchange of the change form), and the change list's count() leaves them out.
        registrations = Registration.objects.filter(exchange_id=OuterRef("pk")).order_by().values("exchange_id")
        travel = registrations.filter(travel_support_requested=True).exclude(
            state__in=[State.CANCELLED, State.DECLINED]
        )
        reflections = Reflection.objects.filter(registration__exchange_id=OuterRef("pk")).order_by()
        return (
            super()
            .get_queryset(request)
            .with_place_counts()
            .annotate(
                registrations_count=Coalesce(Subquery(registrations.annotate(n=Count("pk")).values("n")[:1]), 0),
                travel=Subquery(travel.annotate(total=Sum("travel_cost_estimate")).values("total")[:1]),
                reflections_count=Coalesce(
                    Subquery(reflections.values("registration__exchange_id").annotate(n=Count("pk")).values("n")[:1]),
                    0,
                ),
            )
        )

    def get_object(self, request, object_id, from_field=None):
        # The change form (and its history and delete pages) shows only the registrations'
        # counts of ``registrations_overview``: counted in one join grouped by the exchange,
        # not with the change list's eight correlated subqueries, whose building and running
        # took 2 to 4 ms more on the largest exchange's change form (make bench).
        queryset = super().get_queryset(request)
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        per_state = {
            "confirmed_count": PARTICIPANT_STATES,
            "offered_count": [State.OFFERED],
            "waitlisted_count": [State.WAITLISTED],
            "applied_count": [State.APPLIED],
        }
        counts = {name: Count("registrations", filter=Q(registrations__state__in=s)) for name, s in per_state.items()}
        queryset = queryset.annotate(registrations_count=Count("registrations"), **counts)
        try:
            object_id = field.to_python(object_id)
            return queryset.get(**{field.name: object_id})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "return_visit":
            kwargs["widget"] = _QuickAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in ("hosts", "partners", "themes", "managers"):
            kwargs["widget"] = _ChosenMembersWidget(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # Hundreds of countries and time zones: written without a template per option.
        if db_field.name not in ("country", "time_zone"):
            return super().formfield_for_choice_field(db_field, request, **kwargs)
        # Both fields are the same for every exchange and coordinator (the countries' names in
        # each language): made once per process and language, where Django makes them, lists
        # their choices and checks each choice anew for every form drawn (one to two
        # milliseconds of the largest exchange's form, make bench). Each form copies them.
        key = (db_field.name, get_language())
        if key not in _CHOICE_FIELDS:
            kwargs["widget"] = QuickSelect
            kwargs["choices_form_class"] = SharedChoicesField
            formfield = super().formfield_for_choice_field(db_field, request, **kwargs)
            formfield.choices = list(formfield.choices)
            _CHOICE_FIELDS[key] = formfield
        return _CHOICE_FIELDS[key]

    def get_fields(self, request, obj=None):
        # Django builds the whole form class to learn its field names, and then again to show
        # it. The names depend on no one's permissions here (no per-user exclusions or
        # read-only fields), so they are learnt once per process.
        if self._field_names is None:
            self._field_names = tuple(super().get_fields(request, obj))
        return list(self._field_names)

    def get_fieldsets(self, request, obj=None):
        # The registrations' counts and links come first on an existing exchange's page.
        fields = [f for f in self.get_fields(request, obj) if f != "registrations_overview"]
        if obj is None:
            return [(None, {"fields": fields})]
        return [(_("Registrations"), {"fields": ["registrations_overview"]}), (None, {"fields": fields})]

    @admin.display(description=_("exchange"), ordering="title")
    def exchange(self, obj):
        where = ", ".join(part for part in [obj.city, obj.country.name if obj.country else ""] if part)
        details = " · ".join(str(part) for part in [obj.get_kind_display(), where] if part)
        return format_html("{}<br><small>{}</small>", obj.title, details)

    @admin.display(description=_("starts"), ordering="starts_at")
    def starts(self, obj):
        return date_format(timezone.localtime(obj.starts_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("confirmed / capacity"), ordering="confirmed_count")
    def places(self, obj):
        confirmed = _count_link(obj.pk, obj.confirmed_count, ",".join(PARTICIPANT_STATES))
        if obj.capacity is None:
            return confirmed
        return format_html("{}\u00a0/\u00a0{}", confirmed, obj.capacity)

    @admin.display(description=_("offered"), ordering="offered_count")
    def offered(self, obj):
        return _count_link(obj.pk, obj.offered_count, State.OFFERED)

    @admin.display(description=_("waitlisted"), ordering="waitlisted_count")
    def waitlisted(self, obj):
        return _count_link(obj.pk, obj.waitlisted_count, State.WAITLISTED)

    @admin.display(description=_("applied"), ordering="applied_count")
    def applied(self, obj):
        return _count_link(obj.pk, obj.applied_count, State.APPLIED)

    @admin.display(description=_("travel support (EUR)"), ordering="travel")
    def travel_total(self, obj):
        return obj.travel or 0

    @admin.display(description=_("reflections"), ordering="reflections_count")
    def reflections_link(self, obj):
        if not obj.reflections_count:
            return 0
        url = reverse("admin:exchanges_reflection_changelist") + f"?registration__exchange__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.reflections_count)

    @admin.display(description=_("registrations"))
    def registrations_overview(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        counts = [
            (obj.confirmed_count, _("confirmed"), ",".join(PARTICIPANT_STATES)),
            (obj.offered_count, _("place offered"), State.OFFERED),
            (obj.waitlisted_count, _("waitlisted"), State.WAITLISTED),
            (obj.applied_count, _("applied, waiting for a decision"), State.APPLIED),
        ]
        total = ngettext("%(count)d registration", "%(count)d registrations", obj.registrations_count) % {
            "count": obj.registrations_count
        }
        return format_html(
            '<a href="{}">{}</a>: {}',
            _registrations_url(obj.pk),
            total,
            format_html_join(
                ", ",
                '<a href="{}">{} {}</a>',
                ((_registrations_url(obj.pk, state__in=state), n, label) for n, label, state in counts if n),
            )
            or _("none yet"),
        )

    def save_model(self, request, obj, form, change):
        services.exchange_save(exchange=obj, changed_fields=form.changed_data)

    @admin.action(description=_("Duplicate as a draft"))
    def duplicate(self, request, queryset):
        n = 0
        for exchange in queryset:
            services.exchange_duplicate(exchange=exchange)
            n += 1
        message = ngettext("%(count)d exchange duplicated as a draft.", "%(count)d exchanges duplicated as drafts.", n)
        self.message_user(request, message % {"count": n}, messages.SUCCESS)

    @admin.action(description=_("Cancel (emails everyone registered)"))
    def cancel_exchanges(self, request, queryset):
        n = 0
        for exchange in queryset:
            services.exchange_cancel(exchange=exchange)
            n += 1
        message = ngettext(
            "%(count)d exchange cancelled; everyone registered is being emailed.",
            "%(count)d exchanges cancelled; everyone registered is being emailed.",
            n,
        )
        self.message_user(request, message % {"count": n}, messages.SUCCESS)

    @admin.action(description=_("Export participants (CSV)"))
    def export_participants(self, request, queryset):
        registrations = Registration.objects.filter(exchange__in=queryset, state__in=PARTICIPANT_STATES).order_by(
            "exchange__starts_at", "created_at"
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
    """Apply ``service`` to each registration; ``done_message(n)`` says how many it changed."""
    done, refused = 0, []
    for registration in queryset.select_related("exchange", "user"):
        try:
            service(registration=registration)
            done += 1
        except services.ExchangeError as error:
            refused.append(f"{registration.user.email}: {error.message}")
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.ERROR)


def _summary(*parts: tuple[str, str], words: int = 20) -> str:
    """Non-empty answers as "label: first words…", one per line, for a change list cell."""
    return format_html_join(
        mark_safe("<br>"),  # noqa: S308 — a constant.
        "<strong>{}:</strong> {}",
        ((label, Truncator(text).words(words)) for label, text in parts if text),
    )


class AnswerInline(admin.TabularInline):
    """The answers to the exchange's own questions, as the member gave them (read only).
    Sensitive answers only for coordinators, like the access and dietary needs."""

    model = Answer
    extra = 0
    fields = ["question", "answer"]
    readonly_fields = ["question", "answer"]
    can_delete = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("question")
        if not request.viewer.is_coordinator:
            queryset = queryset.filter(question__sensitive=False)
        return queryset

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("answer"))
    def answer(self, obj):
        return obj.display()


@admin.register(Registration)
class RegistrationAdmin(SearchBoxFiltersMixin, admin.ModelAdmin):
    """Registrations of every exchange, to be filtered to one (the exchange's page links here
    with its counts): who, in what state, and what they answered, readable in the list."""

    class Media:
        css = {"screen": ["exchanges/admin/exchanges.css"]}

    list_display = ["member", "exchange", "state_and_place", "answers", "needs", "travel", "registered"]
    list_filter = [
        ("exchange", AutocompleteListFilter),
        "state",
        "travel_support_requested",
        "exchange__kind",
    ]
    list_select_related = ["user__member", "exchange"]
    # Newest first by key (the table's order of creation): an index scan, where sorting on
    # created_at would sort every registration for each page. Nor a second count of them all.
    ordering = ["-pk"]
    show_full_result_count = False
    list_per_page = 50
    search_fields = ["user__email", "user__member__display_name", "exchange__title"]
    raw_id_fields = ["user", "exchange"]
    readonly_fields = ["created_at", "updated_at", "sensitive_erased_at", "offered_at", "checked_in_at"]
    inlines = [AnswerInline]
    actions = [
        "accept_applications",
        "decline_applications",
        "offer_places",
        "mark_attended",
        "mark_no_show",
        "export_csv",
    ]

    def get_queryset(self, request):
        # The answers to the exchange's own questions, for the list's columns: one query a page.
        answers = Answer.objects.select_related("question").order_by("question__position", "question_id")
        return super().get_queryset(request).prefetch_related(Prefetch("answers", queryset=answers))

    def has_add_permission(self, request):
        # Registrations are made by members, so that capacity and the waitlist always apply.
        return False

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        # Access, dietary and interpretation needs are for coordinators only.
        if not request.viewer.is_coordinator:
            fields.remove("needs")
        # Filtered to one exchange (as linked from its page), its name on every row is noise.
        if request.GET.get("exchange__id__exact"):
            fields.remove("exchange")
        return fields

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

    @admin.display(description=_("member"), ordering="user__member__display_name")
    def member(self, obj):
        member = getattr(obj.user, "member", None)
        name = member.display_name if member is not None else ""
        return format_html("{}<br><small>{}</small>", name, obj.user.email) if name else obj.user.email

    @admin.display(description=_("state"), ordering="state")
    def state_and_place(self, obj):
        if obj.state == State.WAITLISTED and obj.waitlist_position:
            return format_html(
                "{}<br><small>{}</small>", obj.get_state_display(), _("number %(n)d") % {"n": obj.waitlist_position}
            )
        if obj.state == State.OFFERED and obj.offer_expires_at:
            until = date_format(timezone.localtime(obj.offer_expires_at), "SHORT_DATETIME_FORMAT")
            return format_html(
                "{}<br><small>{}</small>", obj.get_state_display(), _("until %(date)s") % {"date": until}
            )
        return obj.get_state_display()

    @admin.display(description=_("registered"), ordering="created_at")
    def registered(self, obj):
        return date_format(timezone.localtime(obj.created_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("answers"))
    def answers(self, obj):
        own = [(a.question.label, a.display()) for a in obj.answers.all() if not a.question.sensitive]
        return (
            _summary((_("what I hope to learn"), obj.hope_to_learn), (_("what I bring"), obj.will_bring), *own) or "–"
        )

    @admin.display(description=_("needs"))
    def needs(self, obj):
        return (
            _summary(
                (_("access needs"), obj.access_needs),
                (_("dietary needs"), obj.dietary_needs),
                (_("interpretation needs"), obj.interpretation_needs),
                *[(a.question.label, a.display()) for a in obj.answers.all() if a.question.sensitive],
                words=12,
            )
            or "–"
        )

    @admin.display(description=_("travel support (EUR)"), ordering="travel_cost_estimate")
    def travel(self, obj):
        if not obj.travel_support_requested:
            return "–"
        return obj.travel_cost_estimate if obj.travel_cost_estimate is not None else _("requested")

    @admin.action(description=_("Accept selected applications (emails them)"))
    def accept_applications(self, request, queryset):
        def message(n):
            return ngettext("%(count)d application accepted.", "%(count)d applications accepted.", n) % {"count": n}

        _run(self, request, queryset, services.application_accept, message)

    @admin.action(description=_("Decline selected applications (emails them)"))
    def decline_applications(self, request, queryset):
        def message(n):
            return ngettext("%(count)d application declined.", "%(count)d applications declined.", n) % {"count": n}

        _run(self, request, queryset, services.application_decline, message)

    @admin.action(description=_("Offer a place to selected waitlisted members"))
    def offer_places(self, request, queryset):
        def message(n):
            return ngettext("%(count)d place offered.", "%(count)d places offered.", n) % {"count": n}

        _run(self, request, queryset, services.place_offer, message)

    @admin.action(description=_("Mark attended"))
    def mark_attended(self, request, queryset):
        n = services.attendance_mark(registrations=list(queryset), attended=True)
        message = ngettext("%(count)d registration marked attended.", "%(count)d registrations marked attended.", n)
        self.message_user(request, message % {"count": n}, messages.SUCCESS)

    @admin.action(description=_("Mark no-show"))
    def mark_no_show(self, request, queryset):
        n = services.attendance_mark(registrations=list(queryset), attended=False)
        message = ngettext("%(count)d registration marked no-show.", "%(count)d registrations marked no-show.", n)
        self.message_user(request, message % {"count": n}, messages.SUCCESS)

    @admin.action(description=_("Export selected (CSV)"))
    def export_csv(self, request, queryset):
        return _participants_csv(queryset, sensitive=request.viewer.is_coordinator)


@admin.register(TravelSupportRequest)
class TravelSupportRequestAdmin(SearchBoxFiltersMixin, admin.ModelAdmin):
    list_display = ["user", "exchange", "state", "travel_cost_estimate"]
    list_filter = [("exchange", AutocompleteListFilter)]
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
class ReflectionAdmin(SearchBoxFiltersMixin, admin.ModelAdmin):
    list_display = ["registration", "exchange", "rating", "created_at"]
    list_filter = [("registration__exchange", AutocompleteListFilter), "rating"]
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


@admin.register(HostOffer)
class HostOfferAdmin(SearchBoxFiltersMixin, admin.ModelAdmin):
    """Offers to host and proposed exchanges, reviewed by coordinators: write a comment to the
    member on the offer's page, then approve, ask for changes or decline from the list (each
    emails the member; approving makes a draft exchange the member manages)."""

    list_display = ["title", "organisation", "kind", "status", "months_offered", "created_by", "created_at"]
    list_filter = ["status", "kind", "format"]
    list_select_related = ["organisation", "created_by__member"]
    search_fields = ["title", "organisation__name"]
    fields = [
        "kind",
        "status",
        "organisation",
        "created_by",
        "title",
        "description",
        "themes",
        "working_languages",
        "months",
        "format",
        "capacity",
        "city",
        "exchange",
        "review_comment",
        "reviewed_at",
        "reviewed_by",
    ]
    readonly_fields = [f for f in fields if f != "review_comment"]
    actions = ["approve", "request_changes", "decline"]

    def has_add_permission(self, request):
        # Members make offers (/exchanges/host/); coordinators create exchanges directly.
        return False

    @admin.display(description=_("months"))
    def months_offered(self, obj):
        return ", ".join(obj.months)

    def _review(self, request, queryset, service, done):
        n = 0
        for offer in queryset:
            try:
                service(offer=offer, user=request.user, comment=offer.review_comment)
                n += 1
            except services.ExchangeError as error:
                self.message_user(request, f"{offer.title}: {error.message}", messages.ERROR)
        if n:
            self.message_user(request, done(n) % {"count": n}, messages.SUCCESS)

    @admin.action(description=_("Approve (makes a draft exchange; emails the member)"))
    def approve(self, request, queryset):
        self._review(
            request,
            queryset,
            services.host_offer_approve,
            lambda n: ngettext("%(count)d offer approved.", "%(count)d offers approved.", n),
        )

    @admin.action(description=_("Ask for changes (emails the member the comment)"))
    def request_changes(self, request, queryset):
        self._review(
            request,
            queryset,
            services.host_offer_request_changes,
            lambda n: ngettext("Changes asked for on %(count)d offer.", "Changes asked for on %(count)d offers.", n),
        )

    @admin.action(description=_("Decline (emails the member)"))
    def decline(self, request, queryset):
        self._review(
            request,
            queryset,
            services.host_offer_decline,
            lambda n: ngettext("%(count)d offer declined.", "%(count)d offers declined.", n),
        )
