"""Writes for what a meeting leaves behind: the notes, each member's commitment, attendance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from meetings.models import Attendance, Commitment, Meeting

if TYPE_CHECKING:
    from members.models import User


@transaction.atomic
def meeting_notes_set(*, meeting: Meeting, notes: str) -> Meeting:
    """The host's notes of the meeting (markdown; sanitized when shown)."""
    meeting.notes = notes.strip()
    meeting.save(update_fields=["notes", "updated_at"])
    return meeting


@transaction.atomic
def commitment_set(*, meeting: Meeting, user: User, text: str) -> Commitment | None:
    """A member's one commitment for the next meeting; an empty text removes it."""
    if not meeting.has_started:
        raise ValidationError(_("Commitments are recorded once the meeting has taken place."))
    text = text.strip()
    if not text:
        Commitment.objects.filter(meeting=meeting, user=user).delete()
        return None
    commitment, _created = Commitment.objects.update_or_create(
        meeting=meeting, user=user, defaults={"text": text}
    )
    return commitment


@transaction.atomic
def attendance_set(*, meeting: Meeting, user: User, attended: bool) -> Attendance:
    """The host marks a member attended or absent, once the meeting has started."""
    if not meeting.has_started:
        raise ValidationError(_("Attendance can be marked once the meeting has started."))
    record, _created = Attendance.objects.update_or_create(
        meeting=meeting, user=user, defaults={"attended": attended}
    )
    return record
