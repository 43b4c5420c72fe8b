"""Forms of the strategy pages. Text is length-capped here and by the model fields; it is
stored as written and rendered through the site's Markdown + nh3 helper."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import validate_no_nul
from evidence.models import EvidenceRecord
from strategy.models import AMENDMENT_MAX_LENGTH, COMMENT_MAX_LENGTH, REASON_MAX_LENGTH, Amendment, CommitmentStatus


class _SubmissionForm(forms.Form):
    # A one-time key written into the form when it is shown: a second POST of the same form
    # (a double click, a resend) carries the same key and finds the row the first one wrote.
    submission = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class CommentForm(_SubmissionForm):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_nul],
        help_text=_("Plain text or Markdown."),
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[validate_no_nul],
    )


class AmendmentForm(_SubmissionForm):
    text = forms.CharField(
        label=_("Your text for this section"),
        max_length=AMENDMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        validators=[validate_no_nul],
        help_text=_("The whole section as you would write it. Plain text or Markdown."),
    )
    explanation = forms.CharField(
        label=_("Why"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_no_nul],
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_no_nul],
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with it?"), max_length=REASON_MAX_LENGTH, required=False, validators=[validate_no_nul]
    )


class AcceptForm(forms.Form):
    text = forms.CharField(
        label=_("Text that enters the next version"),
        max_length=AMENDMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        validators=[validate_no_nul],
        help_text=_("In the strategy's original language. Adjust the proposal if needed."),
    )


class MergeForm(AcceptForm):
    amendments = forms.ModelMultipleChoiceField(
        label=_("Amendments to merge"), queryset=Amendment.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, amendments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amendments"].queryset = amendments if amendments is not None else Amendment.objects.none()

    def clean_amendments(self):
        chosen = self.cleaned_data["amendments"]
        if len(chosen) < 2:
            raise forms.ValidationError(_("Choose at least two amendments."))
        return chosen


class RoundForm(forms.Form):
    opens_at = forms.DateTimeField(label=_("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        for section in self.sections:
            self.fields[f"question_{section.pk}"] = forms.CharField(
                label=section.heading, max_length=500, required=False, validators=[validate_no_nul]
            )

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The round must close after it opens."))
        return data

    def questions(self) -> dict[int, str]:
        return {s.pk: self.cleaned_data.get(f"question_{s.pk}", "") for s in self.sections}


class CommitmentUpdateForm(_SubmissionForm):
    status = forms.ChoiceField(label=_("Status now"), choices=CommitmentStatus.choices)
    note = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_nul],
    )
    record = forms.ModelChoiceField(
        label=_("Evidence (optional)"),
        queryset=EvidenceRecord.objects.none(),
        required=False,
        help_text=_("One of your evidence records (yours or your organisations') that shows the progress."),
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        # "My evidence": what the person may read of their own and their organisations' records.
        self.fields["record"].queryset = EvidenceRecord.objects.mine(viewer).order_by("-updated_at")
