from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin import QuickSelect
from core.validators import validate_no_nul
from network.languages import language_choices
from network.models import Member, Membership, Organisation, Theme


class MemberForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"), required=False, widget=forms.CheckboxSelectMultiple
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes you work on"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Member
        fields = [
            "display_name",
            "country",
            "city",
            "languages",
            "themes",
            "bio",
            "photo",
            "photo_alt",
            "visibility",
            "suggestable",
            "preferred_language",
            "time_zone",
        ]
        widgets = {
            "visibility": forms.RadioSelect,
            "bio": forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
        }
        help_texts = {
            "suggestable": _("Organisers in other countries may see your name among the people they could learn from."),
            "display_name": _("The name other members see."),
            "bio": _("A few lines about you and your organising (at most 1,000 characters)."),
            "visibility": _(
                "Public: anyone may see your name on organisation pages. Network members only: signed-in "
                "members. Hidden: nobody else sees your profile."
            ),
            "preferred_language": _(
                "The language of the emails we send you. The site's language is the one you choose at the "
                "top of each page."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Sorted by name in the language the page is shown in.
        self.fields["languages"].choices = language_choices()
        for name in ("display_name", "city", "bio", "photo_alt"):
            self.fields[name].validators.append(validate_no_nul)
        self.fields["display_name"].required = True


class OrganisationLogoForm(forms.ModelForm):
    """An organisation's logo, for its administrators (coordinators also have the admin)."""

    class Meta:
        model = Organisation
        fields = ["logo", "logo_alt"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo_alt"].validators.append(validate_no_nul)


class MembershipRequestForm(forms.Form):
    """Ask to join an organisation: it grants nothing until an administrator approves it."""

    # Any organisation of the network is accepted, but only the chosen one is drawn as an option
    # (``chosen``): the network is thousands of organisations (20,000 at issue 16's ten times),
    # found through the search beside the form instead of one long list.
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.only("id", "name"),
        widget=QuickSelect,
    )
    role = forms.ChoiceField(label=_("Your role there"), choices=(), initial=Membership.Role.MEMBER)
    message = forms.CharField(
        label=_("A word to the organisation (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        validators=[validate_no_nul],
        help_text=_("Who you are and how you work with them: it helps them recognise you."),
    )

    def __init__(self, *args, chosen: Organisation | None = None, **kwargs):
        from network.services import REQUESTABLE_ROLES

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = REQUESTABLE_ROLES
        self.fields["organisation"].widget.choices = [(chosen.pk, chosen.name)] if chosen else []


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Enter your password to confirm that you want to delete your account."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."), code="wrong_password")
        return password
