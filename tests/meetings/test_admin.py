"""Staff find meetings, RSVPs, topics, votes, commitments, attendance and feeds in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings import agenda_services, calendar_services, record_services, rsvp_services
from meetings.models import Answer
from tests.factories import UserFactory

from .conftest import make_meeting

pytestmark = pytest.mark.django_db

MODELS = ["meeting", "rsvp", "agendatopic", "vote", "commitment", "attendance", "calendarfeed"]


@pytest.mark.parametrize("model", MODELS)
def test_staff_search_and_open_every_meetings_model(client, circle, member, model):
    meeting = make_meeting(circle)
    past = make_meeting(circle, in_days=-1)
    rsvp_services.rsvp_set(meeting=meeting, user=member, answer=Answer.GOING)
    topic = agenda_services.topic_propose(meeting=meeting, user=member, title="Pricing")
    agenda_services.topic_vote(topic=topic, user=member)
    record_services.commitment_set(meeting=past, user=member, text="Call a customer")
    record_services.attendance_set(meeting=past, user=member, attended=True)
    feed = calendar_services.calendar_feed_for(user=member)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    changelist = reverse(f"admin:meetings_{model}_changelist")
    response = client.get(
        changelist, {"q": circle.name if model != "calendarfeed" else member.email}
    )
    assert response.status_code == 200
    assert "0 results" not in response.content.decode()
    if model == "calendarfeed":
        change = client.get(reverse("admin:meetings_calendarfeed_change", args=[member.pk]))
        assert change.status_code == 200
        assert feed.token not in change.content.decode()  # the secret stays secret
