from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.models import NOTE_MAX, Reason


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"),
        choices=Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason for the flag.")},
    )
    note = forms.CharField(
        label=_("Anything the hosts should know (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("reason") == Reason.OTHER and not (data.get("note") or "").strip():
            self.add_error(
                "note", _("Tell the hosts what is wrong when you choose 'Something else'.")
            )
        return data


class ReasonForm(forms.Form):
    """Why a host or staff member acts: kept in the moderation log."""

    reason = forms.CharField(
        label=_("Why (kept in the moderation log)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
