"""Writes for meetings: schedule changes, host changes, RSVPs, the agenda, notes, calendars.

Every function is keyword-only and atomic. Emails go out through Celery
tasks queued on commit, so a worker never reads a row that is not there yet.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from circles import member_pages
from circles.models import Circle
from meetings import signals, tasks
from meetings.horizon import HORIZON_WEEKS, horizon_starts, meetings_materialize
from meetings.models import (
    AgendaTopic,
    Answer,
    Attendance,
    CalendarFeed,
    Commitment,
    Meeting,
    MeetingStatus,
    Rsvp,
    TopicStatus,
    Vote,
    new_feed_token,
)

if TYPE_CHECKING:
    from members.models import User


def _on_commit(task, *args) -> None:
    transaction.on_commit(lambda: task.delay(*args))


# --- Schedule changes (the horizon itself is meetings/horizon.py) ----------------------


@transaction.atomic
def meetings_schedule_changed(*, circle: Circle, now: dt.datetime | None = None) -> list[int]:
    """Bring future meetings in line with a saved schedule; returns the ids of moved ones.

    Future scheduled meetings nobody has answered are regenerated. Those with
    RSVPs (or agenda topics) keep them and move to the nearest new date (within a week;
    otherwise they are cancelled), and members are told. Past, cancelled,
    one-off and host-moved meetings are never touched.
    """
    now = now or timezone.now()
    future = list(
        Meeting.objects.select_for_update()
        .filter(circle=circle, starts_at__gt=now, status=MeetingStatus.SCHEDULED)
        .filter(is_one_off=False, is_moved=False)
        .order_by("starts_at")
    )
    # A meeting people have answered for, or put topics on, keeps its rows and moves;
    # one nobody has touched is simply made again from the new schedule.
    ids = [m.pk for m in future]
    answered_ids = set(
        Rsvp.objects.filter(meeting_id__in=ids).values_list("meeting_id", flat=True)
    ) | set(AgendaTopic.objects.filter(meeting_id__in=ids).values_list("meeting_id", flat=True))
    Meeting.objects.filter(pk__in=[pk for pk in ids if pk not in answered_ids]).delete()
    keep = [m for m in future if m.pk in answered_ids]
    # Free their dates first so reassigning them never trips the unique constraint.
    Meeting.objects.filter(pk__in=[m.pk for m in keep]).update(series_date=None, is_one_off=True)
    member_pages.circle_changed(circle.slug)  # update() sends no signals

    taken = set(
        circle.meetings.filter(series_date__isnull=False).values_list("series_date", flat=True)
    )
    free = [s for s in horizon_starts(circle, now, HORIZON_WEEKS) if s.date() not in taken]
    duration = dt.timedelta(minutes=circle.duration_minutes)
    moved: list[int] = []
    cancelled: list[int] = []
    for meeting in keep:
        nearest = min(free, key=lambda s: abs(s - meeting.starts_at), default=None)
        if nearest is not None and abs(nearest - meeting.starts_at) < dt.timedelta(days=7):
            free.remove(nearest)
            changed = (
                nearest.astimezone(dt.UTC) != meeting.starts_at
                or (nearest + duration).astimezone(dt.UTC) != meeting.ends_at
            )
            meeting.starts_at = nearest.astimezone(dt.UTC)
            meeting.ends_at = (nearest + duration).astimezone(dt.UTC)
            meeting.local_date = meeting.series_date = nearest.date()
            meeting.is_one_off = False
            if changed:
                meeting.sequence += 1
                moved.append(meeting.pk)
        else:
            # Left without a date in the new schedule: it stays, visibly cancelled.
            meeting.status = MeetingStatus.CANCELLED
            meeting.cancelled_at = now
            meeting.sequence += 1
            cancelled.append(meeting.pk)
        meeting.save()
    meetings_materialize(circle=circle, now=now)
    if moved:
        _on_commit(tasks.send_meetings_moved, moved)
    for pk in cancelled:
        _on_commit(tasks.send_meeting_cancelled, pk)
    return moved


# --- Host changes to one meeting -------------------------------------------------------


def _locked(meeting: Meeting) -> Meeting:
    """The meeting's row, locked until the transaction ends (serializes seat counting)."""
    return Meeting.objects.select_for_update().select_related("circle").get(pk=meeting.pk)


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """Cancel one meeting; it stays visible as cancelled and members are emailed."""
    meeting = _locked(meeting)
    if meeting.is_cancelled:
        return meeting
    if meeting.has_started:
        raise ValidationError("A meeting that has started cannot be cancelled.")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.sequence = F("sequence") + 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    meeting.refresh_from_db()
    _on_commit(tasks.send_meeting_cancelled, meeting.pk)
    return meeting


@transaction.atomic
def meeting_move(
    *,
    meeting: Meeting,
    starts_at: dt.datetime,
    duration_minutes: int,
    venue_name: str = "",
    venue_address: str = "",
) -> Meeting:
    """Move one meeting in time or place; calendars see a new SEQUENCE, members are emailed."""
    meeting = _locked(meeting)
    if meeting.is_cancelled:
        raise ValidationError("A cancelled meeting cannot be moved.")
    if meeting.has_started:
        raise ValidationError("A meeting that has started cannot be moved.")
    if starts_at <= timezone.now():
        raise ValidationError("Choose a time in the future.")
    local = starts_at.astimezone(meeting.circle.zone)
    meeting.starts_at = starts_at.astimezone(dt.UTC)
    meeting.ends_at = meeting.starts_at + dt.timedelta(minutes=duration_minutes)
    meeting.local_date = local.date()
    meeting.venue_name = venue_name
    meeting.venue_address = venue_address if venue_name else ""
    meeting.is_moved = True
    meeting.sequence += 1
    meeting.save()
    _on_commit(tasks.send_meetings_moved, [meeting.pk])
    return meeting


@transaction.atomic
def meeting_add_one_off(
    *,
    circle: Circle,
    starts_at: dt.datetime,
    duration_minutes: int,
    venue_name: str = "",
    venue_address: str = "",
) -> Meeting:
    """A host adds a meeting outside the schedule."""
    if starts_at <= timezone.now():
        raise ValidationError("Choose a time in the future.")
    return Meeting.objects.create(
        circle=circle,
        starts_at=starts_at.astimezone(dt.UTC),
        ends_at=(starts_at + dt.timedelta(minutes=duration_minutes)).astimezone(dt.UTC),
        local_date=starts_at.astimezone(circle.zone).date(),
        is_one_off=True,
        venue_name=venue_name,
        venue_address=venue_address if venue_name else "",
    )


# --- RSVPs -----------------------------------------------------------------------------------


def _promote_waitlist(meeting: Meeting) -> list[Rsvp]:
    """Seat people from the waitlist, first come first served, while seats are free.

    The caller holds the meeting's row lock.
    """
    free = meeting.circle.seat_limit - meeting.rsvps.seated().count()
    promoted = list(meeting.rsvps.waitlist()[: max(free, 0)])
    for rsvp in promoted:
        rsvp.waitlisted = False
        rsvp.waitlisted_at = None
        rsvp.save(update_fields=["waitlisted", "waitlisted_at", "updated_at"])
        _on_commit(tasks.send_waitlist_promoted, rsvp.pk)
    if promoted:
        signals.waitlist_promoted.send(sender=Meeting, meeting=meeting, rsvps=promoted)
    return promoted


@transaction.atomic
def rsvp_set(*, meeting: Meeting, user: User, answer: str) -> Rsvp:
    """Record a member's answer. 'Going' takes a seat or joins the waitlist in arrival order.

    The meeting row is locked first, so two people answering at the same
    instant are counted one after the other and the seat limit holds.
    """
    if answer not in Answer.values:
        raise ValidationError("Choose going, maybe or not going.")
    meeting = _locked(meeting)
    if not meeting.is_open_for_rsvp:
        raise ValidationError(
            "This meeting was cancelled."
            if meeting.is_cancelled
            else "This meeting has started; RSVPs are closed."
        )
    rsvp = Rsvp.objects.filter(meeting=meeting, user=user).first()
    if rsvp is not None and rsvp.answer == answer:
        return rsvp  # Saying "going" twice never loses a seat or a place in line.
    was_seated = rsvp is not None and rsvp.answer == Answer.GOING and not rsvp.waitlisted
    if rsvp is None:
        rsvp = Rsvp(meeting=meeting, user=user)
    rsvp.answer = answer
    rsvp.waitlisted = False
    rsvp.waitlisted_at = None
    if answer == Answer.GOING:
        seated = meeting.rsvps.seated().count()
        if seated >= meeting.circle.seat_limit:
            rsvp.waitlisted = True
            rsvp.waitlisted_at = timezone.now()
    rsvp.save()
    if was_seated:
        _promote_waitlist(meeting)
    return rsvp


@transaction.atomic
def meetings_seat_limit_changed(*, circle: Circle, now: dt.datetime | None = None) -> int:
    """A raised seat limit seats people from each upcoming waitlist; returns how many.

    A lowered limit takes no seat away: it only stops new people being seated.
    """
    now = now or timezone.now()
    promoted = 0
    for meeting in circle.meetings.scheduled().filter(starts_at__gt=now).order_by("starts_at"):
        promoted += len(_promote_waitlist(_locked(meeting)))
    return promoted


@transaction.atomic
def rsvps_release_for_departed(
    *, circle: Circle, user: User, now: dt.datetime | None = None
) -> int:
    """A member who left or was removed gives up their answers for upcoming meetings.

    Their seats go to the waitlists (people promoted are emailed); answers for
    past meetings stay as the record of who came. Returns how many were released.
    """
    now = now or timezone.now()
    released = 0
    upcoming = circle.meetings.filter(starts_at__gt=now, rsvps__user=user).order_by("starts_at")
    for meeting in upcoming:
        meeting = _locked(meeting)
        rsvp = Rsvp.objects.filter(meeting=meeting, user=user).first()
        if rsvp is None:
            continue
        was_seated = rsvp.answer == Answer.GOING and not rsvp.waitlisted
        rsvp.delete()
        released += 1
        if was_seated and not meeting.is_cancelled:
            _promote_waitlist(meeting)
    Vote.objects.filter(meeting__circle=circle, meeting__starts_at__gt=now, user=user).delete()
    return released


# --- The agenda (Lean Coffee) -----------------------------------------------------------


def _agenda_open(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise ValidationError("This meeting was cancelled.")
    if meeting.agenda_locked:
        raise ValidationError("The host has locked this agenda.")
    if meeting.has_started:
        raise ValidationError("This meeting has started; the agenda is closed.")


@transaction.atomic
def topic_propose(*, meeting: Meeting, user: User, title: str, details: str = "") -> AgendaTopic:
    """A member proposes a topic for an upcoming meeting."""
    meeting = _locked(meeting)
    _agenda_open(meeting)
    title = title.strip()
    if not title:
        raise ValidationError("Give the topic a title.")
    return AgendaTopic.objects.create(
        meeting=meeting, author=user, title=title, details=details.strip()
    )


@transaction.atomic
def topic_vote(*, topic: AgendaTopic, user: User) -> Vote:
    """Spend one of the member's votes for this meeting on a topic (one vote per topic)."""
    meeting = _locked(topic.meeting)
    _agenda_open(meeting)
    existing = Vote.objects.filter(topic=topic, user=user).first()
    if existing is not None:
        return existing
    used = Vote.objects.filter(meeting=meeting, user=user).count()
    if used >= meeting.circle.votes_per_member:
        raise ValidationError(
            f"You have used all {meeting.circle.votes_per_member} of your votes; "
            "take one back to vote for this topic."
        )
    return Vote.objects.create(topic=topic, meeting=meeting, user=user)


@transaction.atomic
def topic_unvote(*, topic: AgendaTopic, user: User) -> None:
    """Take a vote back."""
    meeting = _locked(topic.meeting)
    _agenda_open(meeting)
    Vote.objects.filter(topic=topic, user=user).delete()


@transaction.atomic
def topic_set_status(*, topic: AgendaTopic, status: str) -> AgendaTopic:
    """The host marks a topic discussed or parked (or open again)."""
    if status not in TopicStatus.values:
        raise ValidationError("Unknown topic status.")
    topic.status = status
    topic.save(update_fields=["status"])
    return topic


@transaction.atomic
def agenda_move_topic(*, topic: AgendaTopic, direction: str) -> None:
    """The host moves a topic up or down; the agenda is pinned in that order from then on."""
    meeting = _locked(topic.meeting)
    topics = list(
        meeting.topics.with_votes().in_agenda_order(pinned=meeting.agenda_pinned).only("pk")
    )
    order = [t.pk for t in topics]
    index = order.index(topic.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    for position, pk in enumerate(order, start=1):
        AgendaTopic.objects.filter(pk=pk).update(pin_position=position)
    member_pages.circle_changed(meeting.circle.slug)  # update() sends no signals
    if not meeting.agenda_pinned:
        meeting.agenda_pinned = True
        meeting.save(update_fields=["agenda_pinned", "updated_at"])


@transaction.atomic
def agenda_unpin(*, meeting: Meeting) -> None:
    """Back to ordering by votes."""
    meeting = _locked(meeting)
    meeting.topics.update(pin_position=None)
    member_pages.circle_changed(meeting.circle.slug)  # update() sends no signals
    meeting.agenda_pinned = False
    meeting.save(update_fields=["agenda_pinned", "updated_at"])


@transaction.atomic
def agenda_set_locked(*, meeting: Meeting, locked: bool) -> Meeting:
    meeting = _locked(meeting)
    meeting.agenda_locked = locked
    meeting.save(update_fields=["agenda_locked", "updated_at"])
    return meeting


def next_meeting_after(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.scheduled()
        .filter(circle_id=meeting.circle_id, starts_at__gt=meeting.starts_at)
        .order_by("starts_at", "pk")
        .first()
    )


def previous_meeting_before(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.scheduled()
        .filter(circle_id=meeting.circle_id, starts_at__lt=meeting.starts_at)
        .order_by("-starts_at", "-pk")
        .first()
    )


@transaction.atomic
def agenda_carry_parked(*, meeting: Meeting) -> tuple[Meeting | None, int]:
    """Copy this meeting's parked topics to the next meeting's agenda, once each."""
    target = next_meeting_after(meeting)
    if target is None:
        raise ValidationError("There is no next meeting to carry topics to yet.")
    parked = meeting.topics.filter(status=TopicStatus.PARKED, carried_to__isnull=True)
    copies = [
        AgendaTopic(
            meeting=target,
            author_id=topic.author_id,
            title=topic.title,
            details=topic.details,
            carried_from=topic,
        )
        for topic in parked
    ]
    AgendaTopic.objects.bulk_create(copies)
    member_pages.circle_changed(meeting.circle.slug)  # bulk_create sends no signals
    return target, len(copies)


# --- After the meeting ---------------------------------------------------------------------


@transaction.atomic
def meeting_notes_set(*, meeting: Meeting, notes: str) -> Meeting:
    meeting.notes = notes.strip()
    meeting.save(update_fields=["notes", "updated_at"])
    return meeting


@transaction.atomic
def commitment_set(*, meeting: Meeting, user: User, text: str) -> Commitment | None:
    """A member's one commitment for the next meeting; an empty text removes it."""
    if not meeting.has_started:
        raise ValidationError("Commitments are recorded once the meeting has taken place.")
    text = text.strip()
    if not text:
        Commitment.objects.filter(meeting=meeting, user=user).delete()
        return None
    commitment, _ = Commitment.objects.update_or_create(
        meeting=meeting, user=user, defaults={"text": text}
    )
    return commitment


@transaction.atomic
def attendance_set(*, meeting: Meeting, user: User, attended: bool) -> Attendance:
    if not meeting.has_started:
        raise ValidationError("Attendance can be marked once the meeting has started.")
    record, _ = Attendance.objects.update_or_create(
        meeting=meeting, user=user, defaults={"attended": attended}
    )
    return record


# --- Calendar feed ---------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_for(*, user: User) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """A new secret; the old feed URL stops working at once."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    feed.token = new_feed_token()
    feed.rotated_at = timezone.now()
    feed.save(update_fields=["token", "rotated_at"])
    return feed
