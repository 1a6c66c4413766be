from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circles.models import Circle
from circles.schedule import local_start
from config.forms import IdField
from meetings.models import AgendaTopic, Answer, Commitment, TopicStatus


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        choices=Answer.choices,
        error_messages={"invalid_choice": _("Choose going, maybe or not going.")},
    )


class MeetingTimeForm(forms.Form):
    """A date and time on the circle's clock (moving a meeting, or adding a one-off)."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(min_value=15, max_value=480, label=_("Length (minutes)"))
    venue_name = forms.CharField(
        label=_("Venue name"),
        max_length=120,
        required=False,
        help_text=_("Leave blank to meet at the circle's usual place."),
    )
    venue_address = forms.CharField(label=_("Venue address"), max_length=200, required=False)

    def __init__(self, *args, circle: Circle, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.circle = circle
        self.fields["time"].help_text = _("In the circle's time zone, %(zone)s.") % {
            "zone": circle.time_zone
        }

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date") and data.get("time"):
            starts_at = local_start(data["date"], data["time"], self.circle.zone)
            if starts_at <= timezone.now():
                raise forms.ValidationError(_("Choose a time in the future."))
            if starts_at > timezone.now() + dt.timedelta(days=366):
                raise forms.ValidationError(_("Choose a time within the next year."))
            data["starts_at"] = starts_at
        if data.get("venue_address") and not data.get("venue_name"):
            self.add_error("venue_name", _("Name the place when you give an address."))
        return data

    def meeting_time(self) -> dict:
        """The valid form as the keyword arguments of meeting_add_one_off and meeting_move."""
        fields = ("starts_at", "duration_minutes", "venue_name", "venue_address")
        return {name: self.cleaned_data[name] for name in fields}


class TopicForm(forms.ModelForm):
    class Meta:
        model = AgendaTopic
        fields = ["title", "details"]
        widgets = {"details": forms.Textarea(attrs={"rows": 3})}
        labels = {"title": _("Topic"), "details": _("Details (optional)")}
        error_messages = {"title": {"required": _("Give the topic a title.")}}


class TopicStatusForm(forms.Form):
    status = forms.ChoiceField(choices=TopicStatus.choices)


class MoveTopicForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


class NotesForm(forms.Form):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=10000,
        label=_("Notes"),
        help_text=_("Markdown. Short and useful: what was said, what was decided."),
    )


class CommitmentForm(forms.ModelForm):
    text = forms.CharField(
        max_length=280,
        required=False,
        label=_("Your commitment for next time"),
        help_text=_("One thing you will do before the next meeting. Leave empty to remove it."),
    )

    class Meta:
        model = Commitment
        fields = ["text"]


class AttendanceForm(forms.Form):
    user = IdField()
    attended = forms.TypedChoiceField(
        choices=[("1", _("Attended")), ("0", _("Absent"))], coerce=lambda v: v == "1"
    )


class LockForm(forms.Form):
    locked = forms.TypedChoiceField(
        choices=[("1", _("Lock")), ("0", _("Unlock"))], coerce=lambda v: v == "1"
    )
