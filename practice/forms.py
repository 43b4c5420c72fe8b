from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries as all_countries

from network.models import Theme
from network.validators import validate_no_nul
from practice.models import (
    Characteristic,
    Guide,
    GuideImage,
    GuideWork,
    JointActionUpdate,
    Kind,
    sections_for,
)
from practice.searchindex import MAX_QUERY_LENGTH


class GuideTextForm(forms.Form):
    """The text of one language version: title, summary and the sections of the kind."""

    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_no_nul])
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


class GuideChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.language})"


class GuideWorkForm(forms.ModelForm):
    """What all languages of a guide share."""

    characteristics = CharacteristicChoiceField(
        label=_("Characteristics"),
        queryset=Characteristic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    related = GuideChoiceField(
        label=_("Informed by guides"),
        queryset=Guide.objects.none(),
        required=False,
        help_text=_("Guides this one builds on or links to (e.g. the cases of a method)."),
    )

    class Meta:
        model = GuideWork
        fields = ["characteristics", "themes", "countries", "organisations", "licence", "evidence_records", "exchanges"]
        widgets = {"themes": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from evidence.models import EvidenceRecord
        from exchanges.models import Exchange

        self.fields["related"].queryset = (
            Guide.objects.published().originals().exclude(work=self.instance.pk).only("id", "title", "language", "work")
        )
        if self.instance.pk:
            self.fields["related"].initial = list(
                Guide.objects.originals()
                .filter(work__in=self.instance.related_guides.all())
                .values_list("pk", flat=True)
            )
        self.fields["evidence_records"].queryset = EvidenceRecord.objects.filter(
            status=EvidenceRecord.Status.PUBLISHED
        ).only("id", "title")
        self.fields["evidence_records"].label = _("Informed by evidence records")
        self.fields["exchanges"].queryset = Exchange.objects.filter(status=Exchange.Status.PUBLISHED).only(
            "id", "title"
        )
        self.fields["exchanges"].label = _("Used in exchanges")
        self.fields["themes"].queryset = Theme.objects.all()

    def work_fields(self) -> dict:
        return {"countries": self.cleaned_data["countries"], "licence": self.cleaned_data["licence"]}

    def work_m2m(self) -> dict:
        data = self.cleaned_data
        return {
            "characteristics": data["characteristics"],
            "themes": data["themes"],
            "organisations": data["organisations"],
            "evidence_records": data["evidence_records"],
            "exchanges": data["exchanges"],
            "related_guides": GuideWork.objects.filter(versions__in=data["related"]).distinct(),
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
    class Meta:
        model = JointActionUpdate
        fields = ["date", "text"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "text": forms.Textarea(attrs={"rows": 2})}


class RevisionDiffForm(forms.Form):
    old = forms.IntegerField(min_value=1, max_value=1_000_000)
    new = forms.IntegerField(min_value=1, max_value=1_000_000)


def _kind_choices():
    return [("", _("All kinds")), *Kind.choices]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        validators=[validate_no_nul],
        error_messages={"max_length": _("Please use at most %(limit_value)d characters.")},
    )
    type = forms.CharField(required=False, max_length=30, validators=[validate_no_nul])
    language = forms.ChoiceField(required=False, choices=[("", "")] + list(settings.LANGUAGES))
    theme = forms.SlugField(required=False, max_length=100)
    country = forms.CharField(required=False, max_length=2)

    def clean_country(self):
        code = (self.cleaned_data.get("country") or "").upper()
        return code if code in all_countries else ""

    page = forms.IntegerField(required=False, min_value=1, max_value=500)
