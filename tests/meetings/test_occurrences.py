"""Occurrences: eight weeks of meetings from the schedule, in local wall-clock time across DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from meetings import horizon, record_services, tasks
from meetings.models import Meeting, MeetingStatus
from tests.factories import CircleFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def local(meeting: Meeting) -> dt.datetime:
    return meeting.starts_at.astimezone(meeting.circle.zone)


# zone, the first Tuesday on summer time, the first Tuesday back on standard time,
# the UTC hour of 06:30 local in standard time and in summer time.
TRANSITIONS = [
    # US: clocks go forward Sun 8 March 2026, back Sun 1 November 2026.
    ("America/Chicago", dt.date(2026, 3, 10), dt.date(2026, 11, 3), 12, 11),
    # EU: forward Sun 29 March 2026, back Sun 25 October 2026.
    ("Europe/Berlin", dt.date(2026, 3, 31), dt.date(2026, 10, 27), 5, 4),
]


@pytest.mark.parametrize(
    ("zone", "summer_from", "winter_from", "std_hour", "dst_hour"), TRANSITIONS
)
def test_a_year_of_tuesdays_stays_at_0630_local_across_dst(
    zone, summer_from, winter_from, std_hour, dst_hour
):
    circle = CircleFactory(
        time_zone=zone, weekday=1, start_time=dt.time(6, 30), starts_on=dt.date(2026, 1, 1)
    )
    created = horizon.meetings_materialize(
        circle=circle, now=dt.datetime(2026, 1, 1, tzinfo=UTC), weeks=52
    )
    meetings = list(circle.meetings.order_by("starts_at"))
    assert created == len(meetings) == 52
    for meeting in meetings:
        start = local(meeting)
        assert (start.weekday(), start.hour, start.minute) == (1, 6, 30), meeting
        assert meeting.local_date == meeting.series_date == start.date()
        assert meeting.ends_at - meeting.starts_at == dt.timedelta(minutes=75)
        in_summer = summer_from <= start.date() < winter_from
        assert meeting.starts_at.astimezone(UTC).hour == (dst_hour if in_summer else std_hour), (
            f"{start.date()} in {zone} should be {'summer' if in_summer else 'standard'} time"
        )
    # The UTC instant moves by exactly an hour at each change; the local time does not.
    by_date = {local(m).date(): m.starts_at for m in meetings}
    week = dt.timedelta(days=7)
    assert by_date[summer_from] - by_date[summer_from - week] == week - dt.timedelta(hours=1)
    assert by_date[winter_from] - by_date[winter_from - week] == week + dt.timedelta(hours=1)


def test_south_of_the_equator_the_seasons_are_the_other_way_round():
    """Sydney: summer time ends Sun 5 April 2026 and starts again Sun 4 October 2026."""
    circle = CircleFactory(
        time_zone="Australia/Sydney", city="Sydney", weekday=3, start_time=dt.time(6, 45),
        starts_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    horizon.meetings_materialize(circle=circle, now=dt.datetime(2026, 1, 1, tzinfo=UTC), weeks=52)
    meetings = list(circle.meetings.order_by("starts_at"))
    assert len(meetings) == 52
    for meeting in meetings:
        start = local(meeting)
        assert (start.weekday(), start.hour, start.minute) == (3, 6, 45)
        # 06:45 AEDT (+11) is 19:45 UTC the day before; 06:45 AEST (+10) is 20:45 UTC.
        summer = start.date() < dt.date(2026, 4, 5) or start.date() >= dt.date(2026, 10, 4)
        assert start.utcoffset() == dt.timedelta(hours=11 if summer else 10)
        assert meeting.starts_at.astimezone(UTC).hour == (19 if summer else 20)
        assert meeting.starts_at.astimezone(UTC).date() == start.date() - dt.timedelta(days=1)


def test_a_time_in_the_spring_forward_gap_lands_just_after_it():
    """02:30 does not exist in Chicago on 8 March 2026; the meeting is at 03:30 CDT, once."""
    circle = CircleFactory(weekday=6, start_time=dt.time(2, 30), starts_on=dt.date(2026, 3, 1))
    horizon.meetings_materialize(circle=circle, now=dt.datetime(2026, 3, 2, tzinfo=UTC), weeks=2)
    change_night = circle.meetings.get(series_date=dt.date(2026, 3, 8))
    assert change_night.starts_at == dt.datetime(2026, 3, 8, 8, 30, tzinfo=UTC)
    assert local(change_night).strftime("%H:%M %Z") == "03:30 CDT"
    after = circle.meetings.get(series_date=dt.date(2026, 3, 15))
    assert local(after).strftime("%H:%M %Z") == "02:30 CDT"


def test_an_ambiguous_fall_back_time_takes_its_first_occurrence():
    circle = CircleFactory(weekday=6, start_time=dt.time(1, 30), starts_on=dt.date(2026, 10, 1))
    horizon.meetings_materialize(circle=circle, now=dt.datetime(2026, 10, 26, tzinfo=UTC), weeks=1)
    meeting = circle.meetings.get(series_date=dt.date(2026, 11, 1))
    assert meeting.starts_at == dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 CDT


def test_the_horizon_is_eight_weeks_and_materializing_again_adds_nothing():
    circle = CircleFactory(starts_on=dt.date(2026, 1, 1))
    now = dt.datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert horizon.meetings_materialize(circle=circle, now=now) == 8
    assert horizon.meetings_materialize(circle=circle, now=now) == 0
    starts = list(circle.meetings.values_list("starts_at", flat=True))
    assert len(starts) == 8
    assert min(starts) > now
    assert max(starts) <= now + dt.timedelta(weeks=8)


def test_the_daily_sweep_keeps_eight_weeks_ahead_and_never_touches_the_past():
    chicago = CircleFactory(starts_on=dt.date(2026, 1, 1))
    berlin = CircleFactory(time_zone="Europe/Berlin", city="Berlin", starts_on=dt.date(2026, 1, 1))
    day = dt.datetime(2026, 2, 1, 3, tzinfo=UTC)
    horizon.meetings_extend_horizon(now=day)
    first = chicago.meetings.order_by("starts_at").first()
    record_services.meeting_notes_set(meeting=first, notes="We talked about pricing.")
    before = (first.starts_at, first.ends_at, first.sequence, first.updated_at)
    for _ in range(70):  # ten weeks of daily runs
        day += dt.timedelta(days=1)
        horizon.meetings_extend_horizon(now=day)
        for circle in (chicago, berlin):
            ahead = circle.meetings.filter(starts_at__gt=day).count()
            assert ahead == 8, f"{circle.time_zone} on {day:%Y-%m-%d}: {ahead} meetings ahead"
    first.refresh_from_db()
    assert (first.starts_at, first.ends_at, first.sequence, first.updated_at) == before
    assert first.notes == "We talked about pricing."
    dates = list(chicago.meetings.values_list("series_date", flat=True))
    assert len(dates) == len(set(dates)) == 8 + 10


def test_the_beat_task_extends_every_active_circle_and_is_idempotent():
    active = CircleFactory()
    archived = CircleFactory(archived_at=dt.datetime(2026, 1, 1, tzinfo=UTC))
    assert tasks.extend_meeting_horizon() == 8
    assert tasks.extend_meeting_horizon() == 0
    assert active.meetings.count() == 8
    assert archived.meetings.count() == 0


def test_the_beat_schedule_runs_the_sweep_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["meetings-extend-horizon"]
    assert entry["task"] == "meetings.tasks.extend_meeting_horizon"
    assert entry["schedule"] == 24 * 60 * 60.0


def test_a_cancelled_date_is_not_generated_again():
    circle = CircleFactory(starts_on=dt.date(2026, 1, 1))
    now = dt.datetime(2026, 6, 1, tzinfo=UTC)
    horizon.meetings_materialize(circle=circle, now=now)
    first = circle.meetings.order_by("starts_at").first()
    Meeting.objects.filter(pk=first.pk).update(status=MeetingStatus.CANCELLED, cancelled_at=now)
    assert horizon.meetings_materialize(circle=circle, now=now) == 0
    assert circle.meetings.filter(series_date=first.series_date).count() == 1


def test_fortnightly_circles_meet_every_other_week_from_their_first_week():
    circle = CircleFactory(frequency="fortnightly", starts_on=dt.date(2026, 6, 2))
    horizon.meetings_materialize(circle=circle, now=dt.datetime(2026, 6, 1, tzinfo=UTC))
    dates = list(circle.meetings.order_by("starts_at").values_list("series_date", flat=True))
    assert dates == [dt.date(2026, 6, 2) + dt.timedelta(weeks=2 * i) for i in range(4)]


def test_stored_instants_are_utc_and_the_local_date_is_the_circles():
    circle = CircleFactory(time_zone="Pacific/Auckland", city="Auckland", weekday=0,
                           start_time=dt.time(7, 0), starts_on=dt.date(2026, 1, 1))  # fmt: skip
    horizon.meetings_materialize(circle=circle, now=dt.datetime(2026, 7, 1, tzinfo=UTC), weeks=1)
    meeting = circle.meetings.get()
    # Monday 07:00 in Auckland (NZST, +12) is Sunday 19:00 UTC.
    assert meeting.local_date == dt.date(2026, 7, 6)
    assert meeting.starts_at == dt.datetime(2026, 7, 5, 19, 0, tzinfo=UTC)
    assert meeting.local_starts_at.tzinfo == ZoneInfo("Pacific/Auckland")
