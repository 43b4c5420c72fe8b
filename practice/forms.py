from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries as countries_choices

from core.policy import ANONYMOUS
from core.validators import validate_no_nul, validate_single_line
from network.models import Organisation, Theme
from practice.models import (
    Characteristic,
    Guide,
    GuideImage,
    GuideWork,
    JointActionUpdate,
    Participation,
    sections_for,
)


class GuideTextForm(forms.Form):
    """The text of one language version: title, summary and the sections of the kind."""

    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_single_line])
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        required=False,
        validators=[validate_no_nul],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences shown in lists and search results."),
    )

    def __init__(self, *args, kind: str, languages=None, show_note=False, show_synced=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if languages is not None:
            self.fields["language"] = forms.ChoiceField(label=_("Language"), choices=languages)
            self.order_fields(["language", "title", "summary"])
        for key, heading, help_text in sections_for(kind):
            self.fields[f"section_{key}"] = forms.CharField(
                label=heading,
                required=False,
                max_length=50_000,
                validators=[validate_no_nul],
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text=help_text,
            )
        if show_synced:
            self.fields["synced"] = forms.BooleanField(
                label=_("This translation now matches the current original"),
                required=False,
                help_text=_("Tick when you have brought the translation up to date with the original."),
            )
        if show_note:
            self.fields["note"] = forms.CharField(
                label=_("What did you change?"),
                max_length=300,
                required=False,
                validators=[validate_no_nul],
                help_text=_("A short note kept with this revision."),
            )

    def section_data(self) -> dict:
        return {key: self.cleaned_data.get(f"section_{key}", "") for key, _h, _help in sections_for(self.kind)}

    @staticmethod
    def initial_for(guide: Guide) -> dict:
        initial = {"title": guide.title, "summary": guide.summary}
        for key, value in (guide.sections or {}).items():
            initial[f"section_{key}"] = value
        return initial


class CharacteristicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


_LANGUAGE_PREFIX = re.compile(r"^/(?:" + "|".join(code for code, _name in settings.LANGUAGES) + r")(?=/)")


def resolve_link(address: str, viewer):
    """What a pasted address of our site names, if ``viewer`` may see it: ``("related_guides",
    GuideWork)``, ``("evidence_records", EvidenceRecord)`` or ``("exchanges", Exchange)``;
    None for anything else (another site, another page, something the viewer may not read)."""
    from evidence import search as evidence_search
    from exchanges import search as exchanges_search

    # The path decides, whatever the host: the same page may be pasted from any of the site's
    # addresses (production, a staging copy, a language domain).
    path = _LANGUAGE_PREFIX.sub("", urlsplit(address.strip()).path or "") or "/"
    try:
        with translation.override(settings.LANGUAGE_CODE):
            match = resolve(path if path.endswith("/") else path + "/")
    except Resolver404:
        return None
    if match.view_name == "practice:guide_detail":
        guide = Guide.objects.visible_to(viewer).filter(slug=match.kwargs.get("slug")).first()
        return ("related_guides", guide.work) if guide else None
    if match.view_name == "evidence:detail":
        record = evidence_search.visible(viewer).filter(pk=match.kwargs.get("pk")).first()
        return ("evidence_records", record) if record else None
    if match.view_name == "exchanges:detail":
        exchange = exchanges_search.visible(viewer).filter(slug=match.kwargs.get("slug")).first()
        return ("exchanges", exchange) if exchange else None
    return None


class GuideWorkForm(forms.ModelForm):
    """What all languages of a guide share. Links are pasted as addresses (one per line), so the
    form stays small however many guides, exchanges and evidence records the network has."""

    characteristics = CharacteristicChoiceField(
        label=_("Characteristics"),
        queryset=Characteristic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    links = forms.CharField(
        label=_("Related guides, evidence records and exchanges"),
        required=False,
        max_length=10_000,
        validators=[validate_no_nul],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Paste their addresses, one per line. Guides and evidence records are shown as "
            "“informed by”, exchanges as “used in”."
        ),
    )

    class Meta:
        model = GuideWork
        fields = ["characteristics", "themes", "countries", "organisations", "licence"]
        widgets = {"themes": forms.CheckboxSelectMultiple}

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer if viewer is not None else ANONYMOUS
        self.fields["themes"].queryset = Theme.objects.all()
        if self.instance.pk and not self.is_bound:
            self.initial["links"] = "\n".join(self._current_links())

    def _current_links(self) -> list[str]:
        work = self.instance
        with translation.override(settings.LANGUAGE_CODE):
            urls = [
                g.get_absolute_url()
                for g in Guide.objects.originals().filter(work__in=work.related_guides.all()).only("slug")
            ]
            urls += [r.get_absolute_url() for r in work.evidence_records.all().only("pk")]
            urls += [e.get_absolute_url() for e in work.exchanges.all().only("pk", "slug")]
        return urls

    def clean_links(self) -> dict:
        found = {"related_guides": [], "evidence_records": [], "exchanges": []}
        unknown = []
        for line in (self.cleaned_data.get("links") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            target = resolve_link(line, self.viewer)
            if target is None or (target[0] == "related_guides" and target[1].pk == self.instance.pk):
                unknown.append(line)
            else:
                found[target[0]].append(target[1])
        if unknown:
            raise forms.ValidationError(
                _("Not a guide, evidence record or exchange you can see: %(lines)s"),
                params={"lines": ", ".join(unknown[:5])},
                code="unknown_link",
            )
        return found

    def work_fields(self) -> dict:
        return {"countries": self.cleaned_data["countries"], "licence": self.cleaned_data["licence"]}

    def work_m2m(self) -> dict:
        data = self.cleaned_data
        return {
            "characteristics": data["characteristics"],
            "themes": data["themes"],
            "organisations": data["organisations"],
            **data["links"],
        }


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the authors"),
        max_length=2000,
        validators=[validate_no_nul],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GuideImageForm(forms.ModelForm):
    class Meta:
        model = GuideImage
        fields = ["file", "alt_text", "caption"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"})}


class JointActionUpdateForm(forms.ModelForm):
    link = forms.CharField(
        label=_("Link (optional)"),
        required=False,
        max_length=500,
        validators=[validate_single_line],
        help_text=_("The address of a guide or of a record of the evidence base that this update is about."),
    )

    class Meta:
        model = JointActionUpdate
        fields = ["date", "text", "picture", "picture_alt"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "text": forms.Textarea(attrs={"rows": 2}),
            "picture": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("picture") and not (data.get("picture_alt") or "").strip():
            self.add_error("picture_alt", _("Say what the picture shows, for people who cannot see it."))
        return data

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer if viewer is not None else ANONYMOUS

    def clean_link(self) -> dict:
        """``{"guide": GuideWork}`` or ``{"record": EvidenceRecord}`` (or nothing): only what the
        poster may read; readers see the link only if they may read it too."""
        address = self.cleaned_data.get("link") or ""
        if not address.strip():
            return {}
        target = resolve_link(address, self.viewer)
        if target is None or target[0] not in ("related_guides", "evidence_records"):
            raise forms.ValidationError(
                _("Not the address of a guide or an evidence record you can see."), code="unknown_link"
            )
        return {"guide": target[1]} if target[0] == "related_guides" else {"record": target[1]}


class RevisionDiffForm(forms.Form):
    old = forms.IntegerField(min_value=1, max_value=1_000_000)
    new = forms.IntegerField(min_value=1, max_value=1_000_000)


class JointActionProposalForm(forms.Form):
    """A member proposes a joint action on behalf of one of their approved organisations."""

    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_single_line])
    issue = forms.ModelChoiceField(label=_("Issue"), queryset=Theme.objects.all())
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=list(countries_choices),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}), validators=[validate_no_nul]
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        validators=[validate_no_nul],
        help_text=_("Markdown."),
    )
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Your organisation's role"), choices=Participation.Role.choices)
    partners = forms.ModelMultipleChoiceField(
        label=_("Invite partner organisations"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Each partner's administrators are asked to accept; a partner is shown once it accepts."),
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=viewer.organisation_ids).order_by(
            "name"
        )
