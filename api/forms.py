from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line

EXPIRY_CHOICES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("one year")),
    ("", _("never")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        validators=[validate_single_line],
        help_text=_("What the token is for, e.g. the report or program that uses it."),
    )
    expires_in = forms.ChoiceField(label=_("Expires after"), choices=EXPIRY_CHOICES, initial="90", required=False)

    def clean_expires_in(self) -> int | None:
        value = self.cleaned_data.get("expires_in")
        return int(value) if value else None
