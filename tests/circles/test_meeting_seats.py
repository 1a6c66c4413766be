"""Membership changes reach the meetings: leaving frees seats, more seats move waitlists up."""

from __future__ import annotations

import pytest

from circles import membership_services, services
from circles.models import Membership
from meetings import rsvp_services
from meetings.models import Answer
from tests.factories import CircleFactory
from tests.meetings.conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle():
    return CircleFactory(seat_limit=2)


def fill(meeting, people):
    for person in people:
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)


def test_a_member_who_leaves_gives_their_seat_to_the_first_in_line(circle):
    meeting = make_meeting(circle)
    leaver, stayer, waiting = (add_member(circle) for _ in range(3))
    add_member(circle, role="host")
    fill(meeting, [leaver, stayer, waiting])

    membership_services.membership_leave(
        membership=Membership.objects.get(circle=circle, user=leaver)
    )

    seated = set(meeting.rsvps.seated().values_list("user", flat=True))
    assert seated == {stayer.pk, waiting.pk}
    assert not meeting.rsvps.filter(user=leaver).exists()


def test_a_removed_member_gives_up_their_seat_too(circle):
    meeting = make_meeting(circle)
    host = add_member(circle, role="host")
    removed, stayer, waiting = (add_member(circle) for _ in range(3))
    fill(meeting, [removed, stayer, waiting])

    membership_services.membership_remove(
        membership=Membership.objects.get(circle=circle, user=removed), removed_by=host
    )

    assert set(meeting.rsvps.seated().values_list("user", flat=True)) == {stayer.pk, waiting.pk}


def test_raising_the_seat_limit_seats_the_waitlist(circle):
    circle.seat_limit = 4
    circle.save()
    meeting = make_meeting(circle)
    people = [add_member(circle) for _ in range(4)]
    circle.seat_limit = 2  # lowered after they joined: seats at meetings follow the limit
    circle.save()
    fill(meeting, people)
    assert meeting.rsvps.waitlist().count() == 2

    services.circle_update(circle=circle, seat_limit=5)

    assert not meeting.rsvps.waitlist().exists()
    assert meeting.rsvps.seated().count() == 4
