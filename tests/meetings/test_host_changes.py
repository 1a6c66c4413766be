"""Hosts cancel one meeting, move one (time or place), or add a one-off; members are told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, MeetingStatus

from .conftest import make_meeting

pytestmark = pytest.mark.django_db


def url(name: str, meeting) -> str:
    return reverse(f"meetings:{name}", kwargs={"slug": meeting.circle.slug, "pk": meeting.pk})


def test_a_host_cancels_a_meeting_members_are_emailed_and_it_stays_visible(
    client, circle, host, member, meeting, django_capture_on_commit_callbacks
):
    client.force_login(host)
    confirm = client.get(url("cancel", meeting))
    assert "Cancel this meeting?" in confirm.content.decode()
    assert (
        Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED
    )  # GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("cancel", meeting), follow=True)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.sequence == 1
    assert "This meeting is cancelled" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([host.email, member.email])
    assert all(m.subject.startswith(f"{circle.name}: the meeting on") for m in mail.outbox)
    assert "is cancelled" in mail.outbox[0].subject
    listing = client.get(reverse("meetings:list", kwargs={"slug": circle.slug})).content.decode()
    assert "Cancelled" in listing


def test_a_host_moves_a_meeting_in_time_and_place(
    client, circle, host, member, meeting, django_capture_on_commit_callbacks
):
    client.force_login(host)
    new_day = (timezone.now() + dt.timedelta(days=10)).astimezone(circle.zone).date()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("move", meeting),
            {
                "date": new_day.isoformat(),
                "time": "07:45",
                "duration_minutes": "60",
                "venue_name": "Bean There Café",
                "venue_address": "9 Elm St",
            },
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    local = meeting.local_starts_at
    assert (local.date(), local.hour, local.minute) == (new_day, 7, 45)
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(minutes=60)
    assert meeting.is_moved and meeting.sequence == 1
    assert meeting.place_name == "Bean There Café" and meeting.place_address == "9 Elm St"
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject == f"{circle.name}: a meeting has moved"
    assert "07:45" in mail.outbox[0].body and "Bean There Café" in mail.outbox[0].body


def test_moving_into_the_past_or_with_bad_input_gets_clear_errors(client, host, meeting):
    client.force_login(host)
    yesterday = (timezone.now() - dt.timedelta(days=1)).date().isoformat()
    response = client.post(
        url("move", meeting), {"date": yesterday, "time": "07:00", "duration_minutes": "60"}
    )
    assert response.status_code == 200
    assert "Choose a time in the future." in response.content.decode()
    response = client.post(
        url("move", meeting), {"date": "not a date", "time": "25:00", "duration_minutes": "5"}
    )
    html = response.content.decode()
    assert "Enter a valid date." in html and "Enter a valid time." in html
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_a_host_adds_a_one_off_meeting_in_the_circles_zone(client, circle, host):
    client.force_login(host)
    day = (timezone.now() + dt.timedelta(days=3)).astimezone(circle.zone).date()
    response = client.post(
        reverse("meetings:add", kwargs={"slug": circle.slug}),
        {"date": day.isoformat(), "time": "18:00", "duration_minutes": "90"},
    )
    meeting = Meeting.objects.get()
    assert response.url == meeting.get_absolute_url()
    assert meeting.is_one_off and meeting.series_date is None
    assert meeting.local_starts_at.strftime("%H:%M") == "18:00"
    assert meeting.local_date == day
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Extra meeting" in page and "18:00–19:30" in page


def test_members_who_are_not_hosts_get_403_and_outsiders_404(client, member, meeting):
    from tests.factories import UserFactory

    client.force_login(member)
    for name in ("cancel", "move"):
        assert client.get(url(name, meeting)).status_code == 403
        assert client.post(url(name, meeting)).status_code == 403
    add = reverse("meetings:add", kwargs={"slug": meeting.circle.slug})
    assert client.get(add).status_code == 403
    client.force_login(UserFactory())
    for name in ("cancel", "move"):
        assert client.post(url(name, meeting)).status_code == 404
    assert client.get(add).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_a_meeting_that_has_started_cannot_be_cancelled(client, circle, host):
    started = make_meeting(circle, in_days=-0.01)
    client.force_login(host)
    response = client.post(url("cancel", started), follow=True)
    assert "A meeting that has started cannot be cancelled." in response.content.decode()
    started.refresh_from_db()
    assert started.status == MeetingStatus.SCHEDULED
