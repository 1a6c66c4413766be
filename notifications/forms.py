from __future__ import annotations

from django import forms

from notifications.models import NotificationPreferences


class PreferencesForm(forms.ModelForm):
    """The three switches on /settings/notifications/."""

    class Meta:
        model = NotificationPreferences
        fields = ["reminders", "digest", "replies"]
