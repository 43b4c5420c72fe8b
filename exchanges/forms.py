"""Forms for members' sign-up and reflections, and the coordinators' email form."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import validate_no_nul
from exchanges.models import Exchange, Reflection

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
        return data


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
