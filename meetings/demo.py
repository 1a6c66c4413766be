"""Demo meetings for `seed_demo`: the next weeks of meetings, a few RSVPs and agenda topics.

Idempotent: meetings are materialized by date, RSVPs and votes are set (not
added), and a topic is only proposed when that title is not on the agenda yet.
"""

from __future__ import annotations

from circles.models import Circle, Membership
from meetings import agenda_services, horizon, rsvp_services
from meetings.models import AgendaTopic, Answer

DEMO_TOPICS = [
    ("How do you say no to a big customer?", "Our largest account wants a custom build."),
    ("Hiring a first manager", "Promote from within or hire from outside?"),
    ("Keeping a weekly habit when travelling", ""),
]


def seed_meetings(circles: list[Circle]) -> None:
    for circle in circles:
        horizon.meetings_materialize(circle=circle)
        meeting = circle.meetings.scheduled().upcoming().order_by("starts_at").first()
        if meeting is None:
            continue
        members = [
            m.user for m in Membership.objects.active().filter(circle=circle).select_related("user")
        ]
        answers = [Answer.GOING, Answer.GOING, Answer.MAYBE, Answer.GOING, Answer.NOT_GOING]
        for user, answer in zip(members, answers, strict=False):
            rsvp_services.rsvp_set(meeting=meeting, user=user, answer=answer)
        for (title, details), author in zip(DEMO_TOPICS, members, strict=False):
            topic = AgendaTopic.objects.filter(meeting=meeting, title=title).first()
            if topic is None:
                topic = agenda_services.topic_propose(
                    meeting=meeting, user=author, title=title, details=details
                )
            for voter in members[: len(members) // 2]:
                if voter.agenda_votes.filter(meeting=meeting).count() < circle.votes_per_member:
                    agenda_services.topic_vote(topic=topic, user=voter)
