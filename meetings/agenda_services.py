"""Writes for a meeting's agenda (Lean Coffee): topics, votes, the host's order and carrying.

Members propose and vote while the agenda is open (not locked, not started,
not cancelled); the meeting's row lock serializes votes, so nobody spends
more than the circle's votes per member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetings.models import AgendaTopic, Meeting, TopicStatus, Vote
from meetings.service_common import lock_meeting
from meetings.services import next_meeting_after

if TYPE_CHECKING:
    from members.models import User


def _agenda_open(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting was cancelled."))
    if meeting.agenda_locked:
        raise ValidationError(_("The host has locked this agenda."))
    if meeting.has_started:
        raise ValidationError(_("This meeting has started; the agenda is closed."))


@transaction.atomic
def topic_propose(*, meeting: Meeting, user: User, title: str, details: str = "") -> AgendaTopic:
    """A member proposes a topic for an upcoming meeting."""
    meeting = lock_meeting(meeting)
    _agenda_open(meeting)
    title = title.strip()
    if not title:
        raise ValidationError(_("Give the topic a title."))
    return AgendaTopic.objects.create(
        meeting=meeting, author=user, title=title, details=details.strip()
    )


@transaction.atomic
def topic_vote(*, topic: AgendaTopic, user: User) -> Vote:
    """Spend one of the member's votes for this meeting on a topic (one vote per topic)."""
    meeting = lock_meeting(topic.meeting)
    _agenda_open(meeting)
    existing = Vote.objects.filter(topic=topic, user=user).first()
    if existing is not None:
        return existing
    used = Vote.objects.filter(meeting=meeting, user=user).count()
    if used >= meeting.circle.votes_per_member:
        allowed = meeting.circle.votes_per_member
        raise ValidationError(
            ngettext(
                "You have used your %(count)d vote; take it back to vote for this topic.",
                "You have used all %(count)d of your votes; take one back to vote for this topic.",
                allowed,
            )
            % {"count": allowed}
        )
    return Vote.objects.create(topic=topic, meeting=meeting, user=user)


@transaction.atomic
def topic_unvote(*, topic: AgendaTopic, user: User) -> None:
    """Take a vote back."""
    meeting = lock_meeting(topic.meeting)
    _agenda_open(meeting)
    Vote.objects.filter(topic=topic, user=user).delete()


@transaction.atomic
def topic_set_status(*, topic: AgendaTopic, status: str) -> AgendaTopic:
    """The host marks a topic discussed or parked (or open again)."""
    if status not in TopicStatus.values:
        raise ValidationError(_("Unknown topic status."))
    topic.status = status
    topic.save(update_fields=["status"])
    return topic


@transaction.atomic
def agenda_move_topic(*, topic: AgendaTopic, direction: str) -> None:
    """The host moves a topic up or down; the agenda is pinned in that order from then on."""
    meeting = lock_meeting(topic.meeting)
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
    if not meeting.agenda_pinned:
        meeting.agenda_pinned = True
        meeting.save(update_fields=["agenda_pinned", "updated_at"])


@transaction.atomic
def agenda_unpin(*, meeting: Meeting) -> None:
    """Back to ordering by votes."""
    meeting = lock_meeting(meeting)
    meeting.topics.update(pin_position=None)
    meeting.agenda_pinned = False
    meeting.save(update_fields=["agenda_pinned", "updated_at"])


@transaction.atomic
def agenda_set_locked(*, meeting: Meeting, locked: bool) -> Meeting:
    """The host locks the agenda (no new topics or votes) or opens it again."""
    meeting = lock_meeting(meeting)
    meeting.agenda_locked = locked
    meeting.save(update_fields=["agenda_locked", "updated_at"])
    return meeting


@transaction.atomic
def agenda_carry_parked(*, meeting: Meeting) -> tuple[Meeting | None, int]:
    """Copy this meeting's parked topics to the next meeting's agenda, once each."""
    target = next_meeting_after(meeting)
    if target is None:
        raise ValidationError(_("There is no next meeting to carry topics to yet."))
    parked = meeting.topics.filter(status=TopicStatus.PARKED, carried_to__isnull=True)
    copies = [
        AgendaTopic(
            meeting=target,
            author_id=topic.author_id,
            title=topic.title,
            details=topic.details,
            details_html=topic.details_html,  # bulk_create skips save(), which writes it
            carried_from=topic,
        )
        for topic in parked
    ]
    AgendaTopic.objects.bulk_create(copies)
    return target, len(copies)
