"""Meetings follow their circle: what circles' signals (circles/signals.py) set off here.

Each receiver runs inside the circle service's transaction, so the meetings
it moves, makes or frees commit or roll back with the change to the circle.
Connected once, in MeetingsConfig.ready().
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from circles import directory_cache
from circles import signals as circle_signals
from meetings import horizon, rsvp_services, services
from meetings.models import Meeting


def circle_created(sender: type, circle: Any, **kwargs: Any) -> None:
    horizon.meetings_materialize(circle=circle)


def schedule_changed(sender: type, circle: Any, **kwargs: Any) -> None:
    services.meetings_schedule_changed(circle=circle)


def seats_added(sender: type, circle: Any, **kwargs: Any) -> None:
    rsvp_services.meetings_seat_limit_changed(circle=circle)


def member_departed(sender: type, circle: Any, user: Any, **kwargs: Any) -> None:
    rsvp_services.rsvps_release_for_departed(circle=circle, user=user)


def connect() -> None:
    for signal, receiver in (
        (circle_signals.circle_created, circle_created),
        (circle_signals.schedule_changed, schedule_changed),
        (circle_signals.seats_added, seats_added),
        (circle_signals.member_departed, member_departed),
    ):
        signal.connect(receiver, weak=False, dispatch_uid=f"meetings-{receiver.__name__}")
    # A directory card shows the circle's next meeting (circles/directory_cache.py).
    post_save.connect(
        directory_cache.meeting_saved, sender=Meeting, weak=False, dispatch_uid="dir-save-Meeting"
    )
    post_delete.connect(
        directory_cache.directory_changed,
        sender=Meeting,
        weak=False,
        dispatch_uid="dir-del-Meeting",
    )
