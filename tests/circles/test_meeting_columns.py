"""The directory and the circle page get their meeting times from meetings, by name.

circles does not import meetings: meetings registers the columns it adds to a
list of circles (circles/annotations.py, meetings/circle_times.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from circles import annotations
from meetings.horizon import meetings_materialize
from meetings.models import Meeting
from meetings.services import meeting_move
from tests.factories import CircleFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("circles:directory")


def test_a_moved_meeting_is_the_next_one_on_the_card_and_the_page(client):
    circle = CircleFactory(time_zone="America/Chicago", start_time=dt.time(6, 30))
    meetings_materialize(circle=circle)
    first = Meeting.objects.filter(circle=circle).order_by("starts_at").first()
    earlier = max(first.starts_at - dt.timedelta(hours=2), timezone.now() + dt.timedelta(hours=1))
    earlier = earlier.replace(second=0, microsecond=0)
    meeting_move(meeting=first, starts_at=earlier, duration_minutes=75)
    local = earlier.astimezone(circle.zone)
    assert f'datetime="{local.isoformat()}"' in client.get(DIRECTORY).content.decode()
    assert (
        f'datetime="{local.isoformat()}"' in client.get(circle.get_absolute_url()).content.decode()
    )


def test_meetings_registered_the_next_meeting_column_as_of_a_moment():
    circle = CircleFactory()
    meetings_materialize(circle=circle)
    qs = annotations.annotate(annotations.NEXT_MEETING, circle.__class__.objects.all())
    first, second = Meeting.objects.filter(circle=circle).order_by("starts_at")[:2]
    assert qs.get(pk=circle.pk).next_meeting_at == first.starts_at
    later = annotations.annotate(
        annotations.NEXT_MEETING, circle.__class__.objects.all(), now=first.starts_at
    )
    assert later.get(pk=circle.pk).next_meeting_at == second.starts_at


def test_without_meetings_columns_the_pages_fall_back_to_the_schedule(client, monkeypatch):
    monkeypatch.setattr(annotations, "_annotators", {})
    circle = CircleFactory(time_zone="America/Chicago", start_time=dt.time(6, 30))
    meetings_materialize(circle=circle)
    # Every meeting cancelled: only the meetings' column would know.
    Meeting.objects.filter(circle=circle).update(status="cancelled", cancelled_at=timezone.now())
    local = circle.next_starts()[0]
    assert f'datetime="{local.isoformat()}"' in client.get(DIRECTORY).content.decode()
    assert (
        f'datetime="{local.isoformat()}"' in client.get(circle.get_absolute_url()).content.decode()
    )
