from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import ActivityEmail, NotificationPreferences


class PreferencesForm(forms.ModelForm):
    """The switches on /settings/notifications/, and when activity emails go out."""

    activity_email = forms.ChoiceField(
        label=_("Emails about replies, thanks and the rest of the bell"),
        choices=ActivityEmail.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("The bell shows them either way."),
    )

    class Meta:
        model = NotificationPreferences
        fields = ["reminders", "digest", "replies", "activity_email"]

    def clean_activity_email(self) -> str:
        # Left out (an older form, a hand-made POST): keep what the person had.
        return self.cleaned_data.get("activity_email") or self.instance.activity_email

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("activity_email") == ActivityEmail.DIGEST and not cleaned.get("digest"):
            self.add_error(
                "activity_email",
                _(
                    "The Monday digest is off, so nothing would reach you by email. "
                    "Turn the weekly digest on, or choose to be emailed at once."
                ),
            )
        return cleaned
