"""The sender's forms. Every field but the description is optional: a sender in danger
writes what they can, and a question they skip costs them nothing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from docket.intake import receipts

TEXT_LIMIT = 50_000


class ReportForm(forms.Form):
    what = forms.CharField(
        label=_("What happened?"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("In your own words. Only this question must be answered."),
    )
    when = forms.CharField(
        label=_("When did it happen?"), required=False, max_length=300,
        help_text=_("A date and time, or as near as you remember: the night of 9 August 2020."),
    )  # fmt: skip
    where = forms.CharField(
        label=_("Where did it happen?"), required=False, max_length=300,
        help_text=_("A town, a street, a building, a detention centre."),
    )  # fmt: skip
    who = forms.CharField(
        label=_("Who was involved?"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Officers, units, vehicles, uniforms, names or numbers you saw or heard."),
    )  # fmt: skip
    injuries = forms.CharField(
        label=_("Was anyone hurt?"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Injuries, medical help, documents from a doctor."),
    )  # fmt: skip

    def answers(self) -> dict[str, str]:
        return {k: v.strip() for k, v in self.cleaned_data.items() if v and v.strip()}


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Your receipt"),
        max_length=400,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        ),
        help_text=_("The eight words you were given, in order."),
    )

    def clean_receipt(self) -> str:
        text: str = self.cleaned_data["receipt"]
        if not receipts.looks_like_receipt(text):
            raise forms.ValidationError(_("A receipt is eight words."))
        return text


class MessageForm(forms.Form):
    receipt = forms.CharField(widget=forms.HiddenInput, max_length=400)
    text = forms.CharField(
        label=_("Your message"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )  # fmt: skip
