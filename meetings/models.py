"""Meetings: the occurrences of a circle's schedule, their RSVPs, agenda, notes and calendars.

Every instant is stored in UTC; the circle's local wall-clock time is the
truth it is computed from (see circles.schedule and meetings.services).

Why one module of over 400 lines: the meeting's models are one aggregate
(a meeting, its RSVPs, agenda topics and votes, commitments, attendance) whose
constraints name each other's fields and whose querysets each page combines;
each model is short, and the length is their named constraints and indexes,
which belong beside the fields they guard. The calendar feed is the one
model outside the aggregate, kept here so meetings has one migrations history.
"""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from circles.models import Circle
from config.text import render_markdown


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def scheduled(self) -> MeetingQuerySet:
        return self.filter(status=MeetingStatus.SCHEDULED)

    def upcoming(self, now=None) -> MeetingQuerySet:
        """Meetings that have not ended yet (cancelled ones included: they stay visible)."""
        return self.filter(ends_at__gt=now or timezone.now())

    def past(self, now=None) -> MeetingQuerySet:
        return self.filter(starts_at__lte=now or timezone.now())

    def for_member(self, user) -> MeetingQuerySet:
        """Meetings of every circle this person is an active member of."""
        return self.filter(
            circle__memberships__user=user,
            circle__memberships__status="active",
            circle__archived_at__isnull=True,
        )

    def with_counts(self) -> MeetingQuerySet:
        """Seated, maybe and waitlisted counts, in the same query."""
        return self.annotate(
            going_count=Count(
                "rsvps", filter=Q(rsvps__answer=Answer.GOING, rsvps__waitlisted=False)
            ),
            maybe_count=Count("rsvps", filter=Q(rsvps__answer=Answer.MAYBE)),
            waitlist_count=Count("rsvps", filter=Q(rsvps__waitlisted=True)),
        )


class Meeting(models.Model):
    """One gathering of a circle: from its schedule, or a one-off a host added."""

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("circle")
    )
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    local_date = models.DateField(
        verbose_name=_("local date"), help_text=_("The date in the circle's zone.")
    )
    series_date = models.DateField(
        verbose_name=_("series date"),
        null=True,
        blank=True,
        help_text=_(
            "The schedule date this meeting stands for; empty for one-offs. "
            "A moved or cancelled meeting keeps it, so the date is never generated twice."
        ),
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=10,
        choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
    )
    is_moved = models.BooleanField(verbose_name=_("moved"), default=False)
    is_one_off = models.BooleanField(verbose_name=_("one-off"), default=False)
    venue_name = models.CharField(
        verbose_name=_("venue name"),
        max_length=120,
        blank=True,
        help_text=_("Leave blank to use the circle's venue."),
    )
    venue_address = models.CharField(verbose_name=_("venue address"), max_length=200, blank=True)
    sequence = models.PositiveIntegerField(
        verbose_name=_("sequence"),
        default=0,
        help_text=_("iCalendar SEQUENCE: raised on every change calendars must see."),
    )
    notes = models.TextField(
        verbose_name=_("notes"),
        blank=True,
        help_text=_("Short notes after the meeting (markdown)."),
    )
    # The notes as sanitized HTML, written with them (save()), so a page never renders markdown.
    notes_html = models.TextField(verbose_name=_("notes as HTML"), blank=True, editable=False)
    agenda_locked = models.BooleanField(verbose_name=_("agenda locked"), default=False)
    agenda_pinned = models.BooleanField(
        verbose_name=_("agenda pinned"),
        default=False,
        help_text=_("The host fixed the order; votes no longer reorder topics."),
    )
    cancelled_at = models.DateTimeField(verbose_name=_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "series_date"],
                condition=Q(series_date__isnull=False),
                name="meetings_meeting_one_per_series_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values), name="meetings_meeting_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meetings_meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(is_one_off=True, series_date__isnull=True)
                | Q(is_one_off=False, series_date__isnull=False),
                name="meetings_meeting_one_off_has_no_series_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=MeetingStatus.CANCELLED) | Q(cancelled_at__isnull=False),
                name="meetings_meeting_cancelled_has_time",
            ),
        ]
        indexes = [
            # A circle's upcoming meetings (list page, next/previous meeting, horizon).
            models.Index(fields=["circle", "starts_at"], name="meetings_meeting_circle_idx"),
            # A member's calendar feed: upcoming meetings across circles.
            models.Index(fields=["ends_at"], name="meetings_meeting_ends_idx"),
        ]

    def __str__(self) -> str:
        return gettext("%(circle)s on %(date)s") % {
            "circle": self.circle,
            "date": f"{self.local_date:%Y-%m-%d}",
        }

    def save(self, *args, **kwargs) -> None:
        self.notes_html = render_markdown(self.notes)
        kwargs["update_fields"] = _with_html(kwargs.get("update_fields"), "notes", "notes_html")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", kwargs={"slug": self.circle.slug, "pk": self.pk})

    def notes_as_html(self) -> SafeString:
        """The notes as HTML: what save() stored (sanitized by config.text then)."""
        return stored_html(self.notes, self.notes_html)

    @property
    def zone(self) -> ZoneInfo:
        return self.circle.zone

    @property
    def local_starts_at(self):
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_ends_at(self):
        return timezone.localtime(self.ends_at, self.zone)

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def is_open_for_rsvp(self) -> bool:
        return not self.is_cancelled and not self.has_started

    @property
    def place_name(self) -> str:
        return place_name_of(self.venue_name, self.circle)

    @property
    def place_address(self) -> str:
        return self.venue_address if self.venue_name else self.circle.venue_address


def place_name_of(venue_name: str | None, circle) -> str:
    """Where a meeting is: its own venue, else its circle's, else "Online" or the city.

    Meeting.place_name, and the meeting rows that read a meeting as values
    (meetings/meeting_rows.py).
    """
    return (
        venue_name or circle.venue_name or (gettext("Online") if circle.is_online else circle.city)
    )


def _with_html(update_fields, field: str, html_field: str):
    """A save() limited to ``field`` writes its HTML too."""
    if update_fields is None or field not in update_fields:
        return update_fields
    return {*update_fields, html_field}


def stored_html(text: str, html: str) -> SafeString:
    if not text:
        return mark_safe("")  # noqa: S308 - empty string
    if not html:
        # Rows written by bulk_create (carried topics, the benchmark's data) skipped
        # save(); render them here. config.text keeps the results, so it is cheap.
        return render_markdown(text)
    return mark_safe(html)  # noqa: S308 - render_markdown's output (nh3's allow-list), stored by save()


class Answer(models.TextChoices):
    GOING = "going", _("Going")
    MAYBE = "maybe", _("Maybe")
    NOT_GOING = "not_going", _("Not going")


class RsvpQuerySet(models.QuerySet["Rsvp"]):
    def seated(self) -> RsvpQuerySet:
        return self.filter(answer=Answer.GOING, waitlisted=False)

    def waitlist(self) -> RsvpQuerySet:
        """Arrival order: who joined the waitlist first is promoted first."""
        return self.filter(waitlisted=True).order_by("waitlisted_at", "pk")


class Rsvp(models.Model):
    """A member's answer for one meeting; 'going' past the seat limit waits in line."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="rsvps", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="rsvps",
        verbose_name=_("user"),
    )
    answer = models.CharField(verbose_name=_("answer"), max_length=10, choices=Answer.choices)
    waitlisted = models.BooleanField(verbose_name=_("waitlisted"), default=False)
    waitlisted_at = models.DateTimeField(verbose_name=_("waitlisted at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = RsvpQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("RSVPs")
        ordering = ["meeting", "updated_at", "pk"]
        verbose_name = _("RSVP")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="meetings_rsvp_unique"),
            models.CheckConstraint(
                condition=Q(answer__in=Answer.values), name="meetings_rsvp_answer_valid"
            ),
            models.CheckConstraint(
                condition=Q(waitlisted=False) | Q(answer=Answer.GOING, waitlisted_at__isnull=False),
                name="meetings_rsvp_waitlist_is_going",
            ),
        ]
        indexes = [
            # Seat counts and the waitlist in arrival order for one meeting.
            models.Index(
                fields=["meeting", "answer", "waitlisted", "waitlisted_at"],
                name="meetings_rsvp_seats_idx",
            ),
        ]

    def __str__(self) -> str:
        state = gettext("waitlisted") if self.waitlisted else self.get_answer_display()
        return gettext("%(person)s for %(meeting)s: %(answer)s") % {
            "person": self.user,
            "meeting": self.meeting,
            "answer": state,
        }


class TopicStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISCUSSED = "discussed", _("Discussed")
    PARKED = "parked", _("Parked")


class AgendaTopicQuerySet(models.QuerySet["AgendaTopic"]):
    def with_votes(self) -> AgendaTopicQuerySet:
        """Vote counts, and whether a parked topic was already carried to a later meeting."""
        return self.annotate(
            vote_count=Count("votes", distinct=True),
            is_carried=Exists(AgendaTopic.objects.filter(carried_from=OuterRef("pk"))),
        )

    def in_agenda_order(self, *, pinned: bool) -> AgendaTopicQuerySet:
        """Votes first, ties by age; a pinned agenda keeps the host's order."""
        by_votes = ["-vote_count", "created_at", "pk"]
        if pinned:
            return self.order_by(F("pin_position").asc(nulls_last=True), *by_votes)
        return self.order_by(*by_votes)


class AgendaTopic(models.Model):
    """A question or subject a member proposes for one meeting (Lean Coffee)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="topics", verbose_name=_("meeting")
    )
    # A topic others voted on outlives its author's account ("a former member").
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_topics",
        verbose_name=_("author"),
    )
    title = models.CharField(verbose_name=_("title"), max_length=140)
    details = models.TextField(verbose_name=_("details"), blank=True, max_length=2000)
    # The details as sanitized HTML, written with them (save()), so the agenda never
    # renders markdown while a member reads it.
    details_html = models.TextField(verbose_name=_("details as HTML"), blank=True, editable=False)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=10,
        choices=TopicStatus.choices,
        default=TopicStatus.OPEN,
    )
    pin_position = models.PositiveSmallIntegerField(
        verbose_name=_("pin position"), null=True, blank=True
    )
    carried_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        help_text=_("The parked topic of an earlier meeting this one continues."),
        verbose_name=_("carried from"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), default=timezone.now)

    objects = AgendaTopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda topic")
        verbose_name_plural = _("agenda topics")
        ordering = ["meeting", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TopicStatus.values), name="meetings_topic_status_valid"
            ),
        ]
        indexes = [
            # One meeting's agenda.
            models.Index(fields=["meeting", "created_at"], name="meetings_topic_meeting_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.details_html = render_markdown(self.details)
        kwargs["update_fields"] = _with_html(kwargs.get("update_fields"), "details", "details_html")
        super().save(*args, **kwargs)

    def details_as_html(self) -> SafeString:
        """The details as HTML: what save() stored (sanitized by config.text then)."""
        return stored_html(self.details, self.details_html)


class Vote(models.Model):
    """One of a member's votes for a topic; the meeting is kept to count votes per member."""

    topic = models.ForeignKey(
        AgendaTopic, on_delete=models.CASCADE, related_name="votes", verbose_name=_("topic")
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="votes", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agenda_votes",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="meetings_vote_unique"),
        ]
        indexes = [
            # "How many votes has this member used for this meeting?"
            models.Index(fields=["meeting", "user"], name="meetings_vote_member_idx"),
        ]

    def __str__(self) -> str:
        return gettext("%(person)s for %(topic)s") % {"person": self.user, "topic": self.topic}


class Commitment(models.Model):
    """What a member commits to do before the next meeting; one per member per meeting."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="commitments",
        verbose_name=_("user"),
    )
    text = models.CharField(verbose_name=_("text"), max_length=280)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["meeting", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="meetings_commitment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.text}"


class Attendance(models.Model):
    """Whether a member came, as marked by a host."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("user"),
    )
    attended = models.BooleanField(verbose_name=_("attended"))
    marked_at = models.DateTimeField(verbose_name=_("marked at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="meetings_attendance_unique"),
        ]

    def __str__(self) -> str:
        text = (
            gettext("%(person)s attended %(meeting)s")
            if self.attended
            else gettext("%(person)s was absent from %(meeting)s")
        )
        return text % {"person": self.user, "meeting": self.meeting}


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's private calendar feed; the token is the only key, so it can be rotated."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token = models.CharField(
        verbose_name=_("token"), max_length=64, unique=True, default=new_feed_token
    )
    rotated_at = models.DateTimeField(verbose_name=_("rotated at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["user"]

    def __str__(self) -> str:
        return gettext("Calendar feed of %(person)s") % {"person": self.user}

    def get_absolute_url(self) -> str:
        return reverse("calendar:feed", kwargs={"token": self.token})
