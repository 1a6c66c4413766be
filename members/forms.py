from __future__ import annotations

from django import forms
from django.http import HttpRequest

from members.models import User


class SignupExtraForm(forms.Form):
    """What allauth's sign-up form asks beyond email and password."""

    display_name = forms.CharField(
        label="Your name",
        max_length=80,
        help_text="How other members will see you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError("Tell us the name other members should see.")
        return name

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
