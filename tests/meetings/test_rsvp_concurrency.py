"""Many people answering at the same instant never fill more seats than the circle has.

Real threads, each with its own PostgreSQL connection, released together by a
barrier; the meeting row lock in rsvp_set is what keeps the count right.
"""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from meetings import rsvp_services
from meetings.models import Answer, Rsvp
from tests.factories import CircleFactory

from .conftest import add_member, make_meeting

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(calls) -> list[BaseException]:
    """Run each call in its own thread, all released at the same moment; return errors."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def worker(call):
        try:
            barrier.wait(timeout=10)
            call()
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_twenty_people_saying_going_at_once_fill_exactly_the_seats(on_postgres):
    circle = CircleFactory(seat_limit=5)
    meeting = make_meeting(circle)
    people = [add_member(circle) for _ in range(20)]

    errors = run_together(
        [
            lambda person=person: rsvp_services.rsvp_set(
                meeting=meeting, user=person, answer=Answer.GOING
            )
            for person in people
        ]
    )

    assert errors == []
    assert Rsvp.objects.filter(meeting=meeting).count() == 20
    assert meeting.rsvps.seated().count() == 5
    waitlist = list(meeting.rsvps.waitlist())
    assert len(waitlist) == 15
    # Arrival order is strict: every place in line has its own moment.
    stamps = [r.waitlisted_at for r in waitlist]
    assert stamps == sorted(stamps)


def test_drop_outs_and_new_answers_racing_never_exceed_the_limit(on_postgres):
    circle = CircleFactory(seat_limit=4)
    meeting = make_meeting(circle)
    seated = [add_member(circle) for _ in range(4)]
    waiting = [add_member(circle) for _ in range(3)]
    for person in seated + waiting:
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)
    newcomers = [add_member(circle) for _ in range(8)]

    calls = [
        lambda person=person: rsvp_services.rsvp_set(
            meeting=meeting, user=person, answer=Answer.NOT_GOING
        )
        for person in seated[:2]
    ] + [
        lambda person=person: rsvp_services.rsvp_set(
            meeting=meeting, user=person, answer=Answer.GOING
        )
        for person in newcomers
    ]
    errors = run_together(calls)

    assert errors == []
    assert meeting.rsvps.seated().count() == 4
    # The two freed seats went to the two who had waited longest, not to newcomers.
    assert set(meeting.rsvps.seated().values_list("user", flat=True)) == {
        seated[2].pk,
        seated[3].pk,
        waiting[0].pk,
        waiting[1].pk,
    }
    assert meeting.rsvps.waitlist().count() == 1 + 8
