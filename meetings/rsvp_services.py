"""Writes for RSVPs: a member's answer, the seat limit and the waitlist in arrival order.

Every change that can free or add seats holds the meeting's row lock
(``lock_meeting``) while it counts, so two people answering at once are
counted one after the other and the seat limit holds. People seated from the
waitlist are emailed (a task queued on commit) and told under the bell
(``meetings.signals.waitlist_promoted``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circles.models import Circle
from meetings import signals, tasks
from meetings.models import Answer, Meeting, Rsvp, Vote
from meetings.service_common import lock_meeting, queue_on_commit

if TYPE_CHECKING:
    from members.models import User


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
        queue_on_commit(tasks.send_waitlist_promoted, rsvp.pk)
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
        raise ValidationError(_("Choose going, maybe or not going."))
    meeting = lock_meeting(meeting)
    if not meeting.is_open_for_rsvp:
        raise ValidationError(
            _("This meeting was cancelled.")
            if meeting.is_cancelled
            else _("This meeting has started; RSVPs are closed.")
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
        promoted += len(_promote_waitlist(lock_meeting(meeting)))
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
        meeting = lock_meeting(meeting)
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
