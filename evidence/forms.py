from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.validators import validate_no_nul
from evidence.models import Attachment, Consent, EvidenceRecord, Indicator, Response
from network.models import Organisation

COMMON_FIELDS = [
    "title",
    "summary",
    "body",
    "layer",
    "dimensions",
    "outcome_types",
    "level_of_change",
    "expectedness",
    "organisations",
    "countries",
    "themes",
    "exchanges",
    "reflections",
    "period_start",
    "period_end",
    "original_language",
    "visibility",
    "licence",
]
KIND_FIELDS = {
    EvidenceRecord.Kind.STORY: ["why_it_matters"],
    EvidenceRecord.Kind.OUTCOME: [
        "outcome_who",
        "outcome_what",
        "outcome_when",
        "outcome_where",
        "significance",
        "contribution",
    ],
}

KIND_HELP = {
    EvidenceRecord.Kind.STORY: _(
        "A most significant change story: what changed for the storyteller, told in their words, and why it matters "
        "to them. Stories need the storyteller's consent below."
    ),
    EvidenceRecord.Kind.TESTIMONY: _("A quote or testimony from someone involved. It needs their consent below."),
    EvidenceRecord.Kind.OUTCOME: _(
        "An outcome statement: who changed what, when and where; why it is significant; and how the network "
        "contributed."
    ),
    EvidenceRecord.Kind.METRIC: _(
        "A metric update carries figures for the indicators. Save it, then add its values per indicator and period."
    ),
    EvidenceRecord.Kind.DOCUMENT: _("A document or report: summarise it and attach the file after saving."),
    EvidenceRecord.Kind.MEDIA: _(
        "Photos, audio or video. People who can be recognised must have given consent below; attach the files after "
        "saving, with an alternative text for images."
    ),
}


def fields_for_kind(kind: str) -> list[str]:
    return COMMON_FIELDS[:3] + KIND_FIELDS.get(kind, []) + COMMON_FIELDS[3:]


class EvidenceForm(forms.ModelForm):
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=countries,
        required=False,
        help_text=_("Every country this evidence is about; cross-border evidence names several."),
    )
    original_language = forms.ChoiceField(label=_("Original language"), choices=settings.LANGUAGES)

    class Meta:
        model = EvidenceRecord
        fields = [f for f in dict.fromkeys(COMMON_FIELDS + sum(KIND_FIELDS.values(), [])) if f != "countries"]
        widgets = {
            "dimensions": forms.CheckboxSelectMultiple,
            "outcome_types": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
            "organisations": forms.CheckboxSelectMultiple,
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {
            "title": _("A short, concrete title."),
            "summary": _("One or two sentences shown in the library."),
            "body": _("The full account. Markdown: *emphasis*, lists, links."),
            "layer": _(
                "Process: how people organise (trust, leadership, learning). Outcome: what they won or changed."
            ),
            "level_of_change": _("Where the change happened."),
            "visibility": _("Who you propose may read it once published; a coordinator decides when reviewing."),
            "organisations": _("Organisations this evidence is about (you can choose your own)."),
            "reflections": _("Your own reflections after exchanges."),
            "licence": _(
                "How others may reuse it once it is public. Only openly licensed records reach open data. "
                "Stories, testimony and media stay 'all rights reserved' unless the storyteller agreed to public use."
            ),
        }

    def __init__(self, *args, viewer, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = set(fields_for_kind(kind))
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        from exchanges.models import Exchange, Reflection

        if viewer.is_coordinator:
            self.fields["organisations"].queryset = Organisation.objects.all()
        else:
            # Only the organisations of the author's approved memberships.
            self.fields["organisations"].queryset = Organisation.objects.filter(pk__in=viewer.organisation_ids)
        self.fields["exchanges"].queryset = Exchange.objects.filter(status=Exchange.Status.PUBLISHED).order_by(
            "-starts_at"
        )
        self.fields["reflections"].queryset = Reflection.objects.filter(
            registration__user_id=viewer.user_id
        ).select_related("registration__exchange")
        self.fields["reflections"].label_from_instance = lambda r: str(r.registration.exchange)
        for name in ("title", "summary", "body", "why_it_matters", "outcome_what", "significance", "contribution"):
            if name in self.fields:
                self.fields[name].validators.append(validate_no_nul)
        if self.instance.pk and not self.is_bound:
            self.initial["countries"] = list(self.instance.record_countries.values_list("country", flat=True))
        if kind == EvidenceRecord.Kind.OUTCOME:
            self.fields["outcome_who"].help_text = _("The person, group or institution that changed (a social actor).")
            self.fields["outcome_what"].help_text = _("What they now do differently: behaviour, relationships, policy.")
            self.fields["contribution"].help_text = _("How the network's work plausibly contributed to this change.")
        if kind == EvidenceRecord.Kind.STORY:
            self.fields["why_it_matters"].required = True
        # Not sent (an older form, a script): the record keeps its licence, CC BY 4.0 when new.
        self.fields["licence"].required = False

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data

    def record_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["kind"] = self.kind
        if not data.get("licence"):
            data.pop("licence", None)
        return data


class ConsentForm(forms.ModelForm):
    own_story = forms.BooleanField(
        label=_("This is my own story"),
        required=False,
        help_text=_(
            "Tick this if you are the storyteller. If you ever delete your account, your consent is "
            "withdrawn with it and the story is no longer shown anywhere."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["own_story"].initial = bool(self.instance.pk and self.instance.storyteller_id)

    class Meta:
        model = Consent
        fields = [
            "person_name",
            "identity_level",
            "pseudonym",
            "audience_network",
            "audience_funders",
            "audience_public",
            "obtained_on",
            "method",
            "expires_on",
        ]
        widgets = {
            "obtained_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "identity_level": _("How the storyteller will be named wherever the record is shown."),
            "expires_on": _("Leave empty if the consent does not expire. After this date the record is hidden."),
        }

    def clean(self):
        data = super().clean()
        if not any(data.get(f"audience_{a}") for a in ("network", "funders", "public")):
            raise ValidationError(_("Choose at least one audience the storyteller agreed to."))
        return data

    def consent_data(self) -> dict:
        return dict(self.cleaned_data)


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file", "title", "alt_text"]


class WithdrawConsentForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False, validators=[validate_no_nul])


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the author"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_no_nul],
    )


def parse_splits(text: str) -> dict[str, Decimal]:
    """``category: value`` per line → dict; raises a clear ValidationError on anything else."""
    result: dict[str, Decimal] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        category, sep, raw = line.rpartition(":")
        if not sep or not category.strip():
            raise ValidationError(_("Line %(n)s: write “category: value”."), params={"n": number})
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            raise ValidationError(
                _("Line %(n)s: “%(value)s” is not a number."), params={"n": number, "value": raw.strip()}
            ) from None
        if not value.is_finite():
            raise ValidationError(
                _("Line %(n)s: “%(value)s” is not a number."), params={"n": number, "value": raw.strip()}
            )
        result[category.strip()] = value
    return result


class MetricUpdateForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.all())
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    period_start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period until"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(label=_("Value (total)"), min_value=0, max_digits=14, decimal_places=2)
    splits = forms.CharField(
        label=_("Split (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_nul],
        help_text=_("One “category: value” per line, using the indicator's categories; they must add up to the total."),
    )

    def __init__(self, *args, record: EvidenceRecord, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = record.organisations.all()
        self.fields["indicator"].label_from_instance = lambda i: (
            f"{i.name} ({i.unit})" + (f" — {', '.join(i.split_categories)}" if i.split_categories else "")
        )

    def clean_splits(self):
        return parse_splits(self.cleaned_data.get("splits", ""))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data


SCORE_CHOICES = [(i, str(i)) for i in range(1, 6)]


class ResponseForm(forms.Form):
    group = forms.ChoiceField(label=_("I answer as"), choices=Response.Group.choices)

    def __init__(self, *args, questions, evidence_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[f"q{q.pk}_score"] = forms.TypedChoiceField(
                label=q.text,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=_("1 = hardly at all, 5 = systematically"),
            )
            self.fields[f"q{q.pk}_comment"] = forms.CharField(
                label=_("Comment (optional)"),
                required=False,
                max_length=2000,
                validators=[validate_no_nul],
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"q{q.pk}_evidence"] = forms.ModelChoiceField(
                label=_("Linked evidence (optional)"),
                required=False,
                queryset=evidence_qs,
            )

    def rows(self):
        for q in self.questions:
            yield q, self[f"q{q.pk}_score"], self[f"q{q.pk}_comment"], self[f"q{q.pk}_evidence"]

    def answers(self) -> dict[int, dict]:
        return {
            q.pk: {
                "score": self.cleaned_data[f"q{q.pk}_score"],
                "comment": self.cleaned_data.get(f"q{q.pk}_comment", ""),
                "evidence": self.cleaned_data.get(f"q{q.pk}_evidence"),
            }
            for q in self.questions
        }
