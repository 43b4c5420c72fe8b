"""Forms of the invitation pages (staff pages and admin share them)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.validators import FORMULA_PREFIXES, validate_no_nul, validate_upload_size
from invitations.models import Invitation
from network.models import Membership, Organisation


def validate_not_formula(value: str) -> None:
    if value and value.startswith(FORMULA_PREFIXES):
        raise forms.ValidationError(
            _("This must not start with “%(char)s”, which spreadsheets treat as a formula."),
            code="formula",
            params={"char": value[0]},
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    name = forms.CharField(
        label=_("Name"), max_length=150, required=False, validators=[validate_no_nul, validate_not_formula]
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        help_text=_("The invited person becomes a member of this organisation when they accept."),
    )
    role = forms.ChoiceField(label=_("Role in the organisation"), choices=Membership.Role.choices)
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )
    message = forms.CharField(
        label=_("Personal message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_nul],
    )


class InvitationImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        validators=[validate_upload_size],
        help_text=_(
            "Columns: name, email (required); organisation, role, language, message (optional). "
            "The first row names the columns."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language for rows without one"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )
    message = forms.CharField(
        label=_("Personal message for rows without one"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_no_nul],
    )


class InvitationImportConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput, max_length=5_000_000)
    language = forms.ChoiceField(choices=settings.LANGUAGES, widget=forms.HiddenInput)
    message = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput, validators=[validate_no_nul])


class InvitationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("all"))] + list(Invitation.State.choices), required=False
    )
    q = forms.CharField(label=_("Search"), max_length=100, required=False, validators=[validate_no_nul])
