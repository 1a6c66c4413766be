"""Shared set-up for notification tests: a frozen clock, a circle with members, meetings, posts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone

from circles.models import Circle, Role, Status
from meetings.models import Meeting
from members.models import User
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host

# A Monday, 10:00 UTC (04:00 in Chicago): the start of most stories here.
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    """A frozen clock the test moves by hand: ``clock.move_to(when)``."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def add_member(
    circle: Circle, *, role: str = Role.MEMBER, status=Status.ACTIVE, **user_fields
) -> User:
    user = UserFactory(**user_fields)
    MembershipFactory(circle=circle, user=user, role=role, status=status)
    return user


def make_meeting(circle: Circle, *, starts_at: dt.datetime, minutes: int = 75, **fields) -> Meeting:
    fields.setdefault("is_one_off", True)
    return Meeting.objects.create(
        circle=circle,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        local_date=starts_at.astimezone(circle.zone).date(),
        **fields,
    )


@dataclass
class Table:
    circle: Circle
    host: User
    members: list[User]
    meeting: Meeting

    @property
    def everyone(self) -> list[User]:
        return [self.host, *self.members]


def make_table(
    *,
    members: int = 3,
    lead_hours: int = 24,
    starts_in: dt.timedelta | None = None,
    **circle_fields,
) -> Table:
    """A circle (host + members) with one meeting 30 hours after now, reminder 24 hours ahead."""
    circle, host = make_circle_with_host(reminder_lead_hours=lead_hours, **circle_fields)
    people = [add_member(circle) for _ in range(members)]
    starts_at = timezone.now() + (starts_in or dt.timedelta(hours=30))
    return Table(
        circle=circle, host=host, members=people, meeting=make_meeting(circle, starts_at=starts_at)
    )


def only_email_to(user):
    """The one email in the outbox addressed to ``user``."""
    from django.core import mail

    [message] = [m for m in mail.outbox if user.email in m.to]
    return message


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server (aiosmtpd) on localhost, with Django's SMTP backend pointed at it.

    The sink is the benchmark's (bench/reminder_rig.py): it counts connections
    (EHLO/HELO), messages, and (recipient, subject) pairs seen more than once.
    """
    from aiosmtpd.controller import Controller

    from bench.reminder_rig import Sink, free_port
    from bench.reminders import DOMAIN

    sink = Sink(DOMAIN)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    controller.stop()
