"""Forms for members' sign-up and reflections, and the coordinators' email form."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from core.validators import validate_no_nul
from exchanges.models import WORKING_LANGUAGES, Exchange, HostOffer, Question, Reflection, Session, host_offer_months

TEXT_MAX = 2000


def _text(label, help_text="", max_length=TEXT_MAX):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=max_length,
        validators=[validate_no_nul],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RegistrationForm(forms.Form):
    """The questions asked on signing up; which appear depends on the exchange."""

    access_needs = _text(_("Access needs"), _("Seen only by the coordinators; erased after the exchange."))
    dietary_needs = _text(_("Dietary needs"), _("Seen only by the coordinators; erased after the exchange."))
    interpretation_needs = _text(_("Interpretation needs"), _("Which languages would you need interpreted?"))
    travel_support_requested = forms.BooleanField(label=_("I would like travel support"), required=False)
    travel_cost_estimate = forms.DecimalField(
        label=_("Estimated travel cost (EUR)"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100000"),
        max_digits=8,
        decimal_places=2,
    )
    hope_to_learn = _text(_("What do you hope to learn?"), max_length=4000)
    will_bring = _text(_("What do you bring to the exchange?"), max_length=4000)
    consent_show_name = forms.BooleanField(
        label=_("Show my name and organisation to other participants"), required=False
    )

    def __init__(self, *args, exchange: Exchange, **kwargs):
        super().__init__(*args, **kwargs)
        self.exchange = exchange
        self.questions = list(exchange.questions.select_related("show_if_question"))
        for question in self.questions:
            self.fields[_question_field_name(question)] = _question_field(question)
        if not exchange.is_in_person:
            del self.fields["travel_support_requested"]
            del self.fields["travel_cost_estimate"]
            del self.fields["dietary_needs"]
        if not exchange.interpretation:
            del self.fields["interpretation_needs"]
        if exchange.is_application:
            self.fields["hope_to_learn"].required = True
        else:
            del self.fields["hope_to_learn"]
            del self.fields["will_bring"]

    def clean(self):
        data = super().clean()
        if data.get("travel_support_requested") and data.get("travel_cost_estimate") is None:
            self.add_error("travel_cost_estimate", _("Please estimate the cost of your travel."))
        # Which questions are asked follows from the answers sent, in order, decided here and
        # not by the browser: a required question whose condition holds must be answered,
        # and answers to questions not asked are dropped.
        shown: dict[int, object] = {}
        for question in self.questions:
            name = _question_field_name(question)
            if not question.shown_for(shown):
                data[name] = None
                continue
            value = data.get(name)
            if name in self.errors:
                continue
            if _is_empty(value):
                if question.required:
                    self.add_error(name, _("Please answer this question."))
                continue
            shown[question.pk] = value
        return data

    def question_answers(self) -> dict[int, str]:
        """The answers to the exchange's own questions, as stored (``Answer.value``)."""
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(_question_field_name(question))
            if _is_empty(value):
                continue
            if question.kind == Question.Kind.MULTIPLE:
                value = "\n".join(value)
            answers[question.pk] = str(value)
        return answers


def _question_field_name(question: Question) -> str:
    return f"question_{question.pk}"


def _is_empty(value) -> bool:
    return value is None or value == "" or value == []


def _question_field(question: Question) -> forms.Field:
    """The form field of one of an exchange's own questions. Only unconditional questions are
    marked required on the field itself; conditional ones are checked in ``clean``."""
    help_text = question.help_text
    if question.show_if_question_id:
        condition = _("Answer only if you answered “%(value)s” to “%(question)s”.") % {
            "value": {Question.YES: _("yes"), Question.NO: _("no")}.get(question.show_if_value, question.show_if_value),
            "question": question.show_if_question.label,
        }
        help_text = f"{help_text} {condition}".strip()
    options = {
        "label": question.label,
        "help_text": help_text,
        "required": question.required and not question.show_if_question_id,
    }
    kind = question.kind
    if kind == Question.Kind.SHORT_TEXT:
        return forms.CharField(max_length=300, validators=[validate_no_nul], **options)
    if kind == Question.Kind.LONG_TEXT:
        return forms.CharField(
            max_length=4000, validators=[validate_no_nul], widget=forms.Textarea(attrs={"rows": 3}), **options
        )
    if kind == Question.Kind.NUMBER:
        return forms.DecimalField(max_digits=12, decimal_places=2, **options)
    if kind == Question.Kind.YES_NO:
        choices = [(Question.YES, _("yes")), (Question.NO, _("no"))]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **options)
    choices = [(choice, choice) for choice in question.choice_list]
    if kind == Question.Kind.MULTIPLE:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **options)
    return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **options)


class ReflectionForm(forms.ModelForm):
    # No "required" attributes: a browser would stop the form with a tooltip of its own (easy to
    # miss on a radio group), while the server's message stands next to the field itself.
    use_required_attribute = False

    rating = forms.TypedChoiceField(
        label=_("How useful was the exchange for you? (1–5)"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how useful the exchange was for you, from 1 to 5.")},
    )

    class Meta:
        model = Reflection
        fields = ["learned", "will_try", "stay_in_touch", "rating"]
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in ["learned", "will_try", "stay_in_touch"]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("learned", "will_try", "stay_in_touch"):
            self.fields[name].validators.append(validate_no_nul)
            self.fields[name].max_length = 5000
            self.fields[name].widget.attrs["maxlength"] = 5000


class ParticipantsEmailForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150, validators=[validate_no_nul])
    message = forms.CharField(
        label=_("Message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 10}), validators=[validate_no_nul]
    )


class CheckInSearchForm(forms.Form):
    """The check-in page's search (a name or email) and a participant's personal code."""

    q = forms.CharField(label=_("Name or email"), required=False, max_length=100, validators=[validate_no_nul])
    code = forms.CharField(required=False, max_length=40, validators=[validate_no_nul])


def _datetime_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ExchangeDescriptionForm(forms.ModelForm):
    """What a manager may change about the exchange itself: how it is described."""

    class Meta:
        model = Exchange
        fields = ["summary", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(validate_no_nul)
        self.fields["description"].max_length = 20000
        self.fields["description"].widget.attrs["maxlength"] = 20000


class SessionForm(forms.ModelForm):
    """A session of the programme, in the manager's time zone."""

    starts_at = _datetime_field(_("Starts"))
    ends_at = _datetime_field(_("Ends"))

    class Meta:
        model = Session
        fields = ["title", "starts_at", "ends_at", "room", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "room", "description"):
            self.fields[name].validators.append(validate_no_nul)
        self.fields["description"].max_length = 5000

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("A session can't end before it starts."))
        return data


class QuestionForm(forms.ModelForm):
    """One of the exchange's own questions; the model's ``clean`` checks the choices and the
    condition (an earlier question of the same exchange, one of its values)."""

    class Meta:
        model = Question
        fields = [
            "label",
            "help_text",
            "kind",
            "choices",
            "required",
            "sensitive",
            "show_if_question",
            "show_if_value",
            "position",
        ]
        widgets = {"choices": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show_if_question"].queryset = Question.objects.filter(exchange_id=self.instance.exchange_id)
        for name in ("label", "help_text", "choices", "show_if_value"):
            self.fields[name].validators.append(validate_no_nul)


class HostOfferForm(forms.ModelForm):
    """Offer to host, or propose an exchange. Languages and months are chosen from lists, so
    anything outside them (a crafted request) is a field error."""

    working_languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=WORKING_LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    months = forms.MultipleChoiceField(label=_("Months that suit"), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = HostOffer
        fields = [
            "kind",
            "organisation",
            "title",
            "description",
            "themes",
            "working_languages",
            "months",
            "format",
            "capacity",
            "city",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, organisations, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
        self.fields["months"].choices = host_offer_months(now)
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["capacity"].validators.append(MinValueValidator(1))
        self.fields["capacity"].validators.append(MaxValueValidator(10000))
        for name in ("title", "description", "city"):
            self.fields[name].validators.append(validate_no_nul)
