"""Celery tasks for meetings: thin, take ids, call a service or send mail."""

from __future__ import annotations

from celery import shared_task

from meetings import emails, horizon
from meetings.models import Meeting, MeetingStatus, Rsvp


@shared_task(ignore_result=True)
def extend_meeting_horizon() -> int:
    """Daily (beat): every active circle has its next eight weeks of meetings."""
    return horizon.meetings_extend_horizon()


@shared_task(ignore_result=True)
def send_meeting_cancelled(meeting_id: int) -> int:
    meeting = Meeting.objects.select_related("circle").filter(pk=meeting_id).first()
    if meeting is None or meeting.status != MeetingStatus.CANCELLED:
        return 0
    return emails.send_cancelled(meeting)


@shared_task(ignore_result=True)
def send_meetings_moved(meeting_ids: list[int]) -> int:
    meetings = list(
        Meeting.objects.select_related("circle").filter(
            pk__in=meeting_ids, status=MeetingStatus.SCHEDULED
        )
    )
    return emails.send_moved(meetings)


@shared_task(ignore_result=True)
def send_waitlist_promoted(rsvp_id: int) -> bool:
    rsvp = (
        Rsvp.objects.select_related("meeting__circle", "user")
        .filter(pk=rsvp_id, waitlisted=False, answer="going")
        .first()
    )
    if rsvp is None:
        return False
    emails.send_promoted(rsvp.meeting, rsvp.user)
    return True
