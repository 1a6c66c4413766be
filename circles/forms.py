from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from circles.models import Circle, CircleQuerySet, Weekday
from circles.schedule import SCHEDULE_FIELDS
from config.forms import IdsChoiceField
from members.models import Topic
from members.timezones import zone_choices


class CircleForm(forms.ModelForm):
    """Create or edit a circle. Times are wall-clock times in the circle's own zone."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("The zone the circle's clock follows, e.g. America/Chicago."),
    )
    topics = IdsChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Circle
        fields = [
            "name",
            "purpose",
            "topics",
            "is_online",
            "city",
            "meeting_link",
            "venue_name",
            "venue_address",
            *SCHEDULE_FIELDS,
            "seat_limit",
            "join_policy",
            "listing",
            "members_can_invite",
            "reminder_lead_hours",
            "pledge",
        ]
        labels = {
            "is_online": _("Meets online"),
            "start_time": _("Starts at (local time)"),
            "duration_minutes": _("Length in minutes"),
            "starts_on": _("First meeting week"),
            "seat_limit": _("Seats (2 to 30, hosts included)"),
            "reminder_lead_hours": _("Send reminders this many hours before"),
        }
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "pledge": forms.Textarea(attrs={"rows": 3}),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", _("Choose a time zone")), *zone_choices()]
        self.fields["name"].help_text = _("E.g. Tuesday Breakfast Thinkers.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("is_online") and not (data.get("city") or "").strip():
            self.add_error("city", _("Name the city the circle meets in, or tick 'Meets online'."))
        return data

    def _post_clean(self) -> None:
        # The slug is made by the service; validate everything else on the instance.
        self._validate_unique = False
        super()._post_clean()

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("topics", None)
        return data


# Local start times: [from, until) in the circle's own zone.
TIME_OF_DAY = {
    "morning": Q(start_time__lt=dt.time(12, 0)),
    "afternoon": Q(start_time__gte=dt.time(12, 0), start_time__lt=dt.time(17, 0)),
    "evening": Q(start_time__gte=dt.time(17, 0)),
}


ONLINE = "online"


class DirectoryFilterForm(forms.Form):
    """The directory's filters: a plain GET form; every field optional."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    # A topic's slug, from the topics the page read for its <select> (circles/directory_reads.py).
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    place = forms.ChoiceField(label=_("Where"), required=False)
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any day")), *Weekday.choices],
    )
    time_of_day = forms.ChoiceField(
        label=_("Time of day"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("morning", _("Morning (before noon)")),
            ("afternoon", _("Afternoon (noon to 5 pm)")),
            ("evening", _("Evening (from 5 pm)")),
        ],
    )
    open_seats = forms.BooleanField(label=_("Has open seats"), required=False)

    def __init__(
        self,
        *args: Any,
        topics: Iterable[tuple[str, str]] = (),
        cities: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices(topics=topics, cities=cities)

    def set_choices(
        self, *, topics: Iterable[tuple[str, str]] = (), cities: Iterable[str] = ()
    ) -> None:
        """The topic and place choices (read by circles/directory_reads.py ``filter_choices``)."""
        # Every topic's (slug, name); an unknown slug is not a choice.
        self.fields["topic"].choices = [("", _("Any topic")), *topics]
        # "online" or the name of a city some listed circle meets in.
        self.fields["place"].choices = [
            ("", _("Anywhere")),
            (ONLINE, _("Online")),
            *((city, city) for city in cities),
        ]

    def is_filtered(self) -> bool:
        # Monday is weekday 0 (and 0 == False): "set" means not empty, not "truthy".
        def is_set(value: object) -> bool:
            return value is not None and value is not False and value != ""

        return self.is_bound and any(is_set(self.cleaned_data.get(name)) for name in self.fields)

    def filter(self, circles: CircleQuerySet) -> CircleQuerySet:
        """Narrow circles (annotated by with_directory_data) by the valid filters."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if q := (data.get("q") or "").strip():
            by_topic = Topic.objects.filter(name__icontains=q).values("circles")
            circles = circles.filter(
                Q(name__icontains=q)
                | Q(purpose__icontains=q)
                | Q(city__icontains=q)
                | Q(pk__in=by_topic)
            )
        if topic := data.get("topic"):
            tagged = Circle.topics.through.objects.filter(topic__slug=topic)
            circles = circles.filter(pk__in=tagged.values("circle_id"))
        if (place := data.get("place")) == ONLINE:
            circles = circles.filter(is_online=True)
        elif place:
            circles = circles.filter(is_online=False, city__iexact=place)
        if data.get("weekday") is not None:
            circles = circles.filter(weekday=data["weekday"])
        if span := TIME_OF_DAY.get(data.get("time_of_day") or ""):
            circles = circles.filter(span)
        if data.get("open_seats"):
            circles = circles.filter(active_member_count__lt=F("seat_limit"))
        return circles


class JoinForm(forms.Form):
    """Join or ask to join; the pledge box appears only when the circle has a pledge."""

    note = forms.CharField(
        label=_("A note to the hosts"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who you are and what you hope to bring and find here."),
    )
    accept_pledge = forms.BooleanField(label=_("I accept the circle's pledge"), required=False)

    def __init__(self, *args: Any, circle: Circle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.circle = circle
        if circle.join_policy != "request":
            del self.fields["note"]
        if not circle.pledge:
            del self.fields["accept_pledge"]

    def clean_accept_pledge(self) -> bool:
        if not self.cleaned_data.get("accept_pledge"):
            raise forms.ValidationError(_("Please accept the pledge to join this circle."))
        return True


class PledgeForm(forms.Form):
    accept_pledge = forms.BooleanField(
        label=_("I accept the circle's pledge"),
        error_messages={"required": _("Please accept the pledge to join this circle.")},
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Their email address"), max_length=254)
    message = forms.CharField(
        label=_("A personal message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you think they would fit this circle."),
    )
