"""What the meeting services share: the meeting's row lock and queueing a task after commit."""

from __future__ import annotations

from django.db import transaction

from meetings.models import Meeting


def lock_meeting(meeting: Meeting) -> Meeting:
    """The meeting's row, locked until the transaction ends (serializes seat counting)."""
    return Meeting.objects.select_for_update().select_related("circle").get(pk=meeting.pk)


def queue_on_commit(task, *args) -> None:
    """Queue a Celery task once the transaction commits, so a worker never reads a row too early."""
    transaction.on_commit(lambda: task.delay(*args))
