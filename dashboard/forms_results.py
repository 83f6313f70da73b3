"""The results pages' forms; ``results`` holds the rules (a RuleError becomes the form's error)."""

from __future__ import annotations

from django import forms

from results.entries import EXAMPLE
from results.models import TieBreak

CSV_MAX_BYTES = 200_000


class ArchiveFilter(forms.Form):
    q = forms.CharField(label="Title", max_length=100, required=False)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    season = forms.ChoiceField(required=False)

    def __init__(self, seasons, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["season"].choices = [("", "Any season"), *((str(s.id), s.name) for s in seasons)]


class ResultsForm(forms.Form):
    entries = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        max_length=4000,
        help_text=f"One entry a line: position, name (a team, a member or anyone), points, a note after a dash: "
        f"{EXAMPLE.strip('`')}. Ties: the same position twice.",
    )
    csv_file = forms.FileField(
        label="Or a CSV file", required=False, help_text="Columns: position, name, points, note (a header is skipped)."
    )
    season = forms.CharField(max_length=80, required=False, help_text="Blank: the event's series, else none.")

    def clean(self):
        data = super().clean()
        upload = data.get("csv_file")
        if upload is not None and upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {CSV_MAX_BYTES // 1000} kB.")
        if upload is None and not (data.get("entries") or "").strip():
            raise forms.ValidationError("Type the entries or upload a CSV file.")
        return data

    def csv_text(self) -> str | None:
        upload = self.cleaned_data.get("csv_file")
        if upload is None:
            return None
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None


TIE_BREAK_CHOICES = [("", "—"), *TieBreak.choices]


class TieBreakForm(forms.Form):
    first = forms.ChoiceField(choices=TIE_BREAK_CHOICES, required=False, label="First tie-break")
    second = forms.ChoiceField(choices=TIE_BREAK_CHOICES, required=False, label="Then")
    third = forms.ChoiceField(choices=TIE_BREAK_CHOICES, required=False, label="Then")

    def chosen(self) -> list[str]:
        return [self.cleaned_data[name] for name in ("first", "second", "third") if self.cleaned_data.get(name)]
