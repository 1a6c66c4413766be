"""Shared set-up for meeting tests: eager Celery, a circle with a host, members and meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from circles.models import Circle, Role, Status
from meetings.models import Meeting
from members.models import User
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host


def add_member(circle: Circle, *, role: str = Role.MEMBER, **user_fields) -> User:
    user = UserFactory(**user_fields)
    MembershipFactory(circle=circle, user=user, role=role, status=Status.ACTIVE)
    return user


def make_meeting(circle: Circle, *, in_days: float = 7, minutes: int = 75, **fields) -> Meeting:
    """A one-off meeting ``in_days`` from now (negative: in the past)."""
    starts_at = timezone.now() + dt.timedelta(days=in_days)
    fields.setdefault("is_one_off", True)
    return Meeting.objects.create(
        circle=circle,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        local_date=starts_at.astimezone(circle.zone).date(),
        **fields,
    )


@pytest.fixture
def circle_and_host():
    return make_circle_with_host()


@pytest.fixture
def circle(circle_and_host):
    return circle_and_host[0]


@pytest.fixture
def host(circle_and_host):
    return circle_and_host[1]


@pytest.fixture
def member(circle):
    return add_member(circle)


@pytest.fixture
def meeting(circle):
    return make_meeting(circle)
