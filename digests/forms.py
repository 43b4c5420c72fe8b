from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from digests.models import DigestPreference, Scope
from network.models import Theme

# Languages the network's content is written in; the site's own three come first.
CONTENT_LANGUAGES = [code for code, _name in settings.LANGUAGES] + [
    "da",
    "de",
    "es",
    "fi",
    "fr",
    "it",
    "nb",
    "pl",
    "pt",
]


def _language_choices():
    return [(code, get_language_info(code)["name_translated"]) for code in CONTENT_LANGUAGES]


class PreferenceForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("chosen languages"), choices=_language_choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = DigestPreference
        fields = [
            "frequency",
            "send_exchanges",
            "send_guides",
            "send_evidence",
            "send_joint_actions",
            "send_host_offers",
            "send_programmes",
            "send_reminders",
            "send_consultations",
            "themes_scope",
            "themes",
            "countries_scope",
            "countries",
            "languages_scope",
            "languages",
        ]
        widgets = {
            "frequency": forms.RadioSelect,
            "themes_scope": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
            "countries_scope": forms.RadioSelect,
            "languages_scope": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        # A theme not yet named in this language still gets a label.
        self.fields["themes"].label_from_instance = lambda theme: theme.name or theme.slug
        self.fields["countries"].widget.attrs["size"] = 8
        if self.instance._state.adding:
            # An unsaved preference has no themes yet (the M2M can't be read before saving).
            self.initial.setdefault("themes", [])

    def clean(self):
        cleaned = super().clean()
        chosen_required = {
            "themes_scope": ("themes", _("Choose at least one theme, or another option.")),
            "countries_scope": ("countries", _("Choose at least one country, or another option.")),
            "languages_scope": ("languages", _("Choose at least one language, or another option.")),
        }
        for scope_field, (values_field, message) in chosen_required.items():
            if cleaned.get(scope_field) == Scope.CHOSEN and not cleaned.get(values_field):
                self.add_error(values_field, message)
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.Meta.fields}
