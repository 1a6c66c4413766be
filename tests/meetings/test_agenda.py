"""The Lean Coffee agenda: propose, vote (limited, take-back), order, pin, lock, park, carry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import agenda_services
from meetings.models import AgendaTopic, TopicStatus, Vote
from tests.factories import CircleFactory

from .conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db


def topic_url(name: str, topic: AgendaTopic) -> str:
    meeting = topic.meeting
    return reverse(
        f"meetings:{name}",
        kwargs={"slug": meeting.circle.slug, "pk": meeting.pk, "topic_pk": topic.pk},
    )


def meeting_url(name: str, meeting) -> str:
    return reverse(f"meetings:{name}", kwargs={"slug": meeting.circle.slug, "pk": meeting.pk})


def agenda_titles(meeting) -> list[str]:
    meeting.refresh_from_db()
    return [
        t.title for t in meeting.topics.with_votes().in_agenda_order(pinned=meeting.agenda_pinned)
    ]


def test_a_member_proposes_a_topic_with_a_plain_form(client, meeting, member):
    client.force_login(member)
    response = client.post(
        meeting_url("topic_propose", meeting),
        {"title": "Saying no to a big customer", "details": "They want a custom build."},
    )
    assert response.url == meeting.get_absolute_url() + "#agenda"
    topic = AgendaTopic.objects.get()
    assert (topic.author, topic.title, topic.status) == (
        member,
        "Saying no to a big customer",
        "open",
    )
    assert "Saying no to a big customer" in client.get(meeting.get_absolute_url()).content.decode()


def test_an_empty_title_gets_a_clear_error(client, meeting, member):
    client.force_login(member)
    response = client.post(meeting_url("topic_propose", meeting), {"title": "  "})
    assert response.status_code == 400
    assert "Give the topic a title." in response.content.decode()
    response = client.post(
        meeting_url("topic_propose", meeting), {"title": ""}, HTTP_HX_REQUEST="true"
    )
    assert "Give the topic a title." in response.content.decode()
    assert not AgendaTopic.objects.exists()


def test_htmx_proposals_and_votes_answer_with_the_agenda_fragment(client, meeting, member):
    client.force_login(member)
    response = client.post(
        meeting_url("topic_propose", meeting), {"title": "Hiring"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="agenda"') and "<html" not in html
    topic = AgendaTopic.objects.get()
    html = client.post(topic_url("topic_vote", topic), HTTP_HX_REQUEST="true").content.decode()
    assert "Take vote back" in html
    assert '<strong class="votes-left">2</strong> of 3 votes left' in html


def test_each_member_has_three_votes_per_meeting_and_can_take_one_back(circle, meeting, member):
    topics = [
        agenda_services.topic_propose(meeting=meeting, user=member, title=f"T{i}") for i in range(4)
    ]
    for topic in topics[:3]:
        agenda_services.topic_vote(topic=topic, user=member)
    with pytest.raises(ValidationError, match="used all 3 of your votes"):
        agenda_services.topic_vote(topic=topics[3], user=member)
    assert Vote.objects.filter(user=member).count() == 3

    agenda_services.topic_unvote(topic=topics[0], user=member)
    agenda_services.topic_vote(topic=topics[3], user=member)
    assert set(Vote.objects.filter(user=member).values_list("topic", flat=True)) == {
        t.pk for t in topics[1:]
    }
    # Votes are per meeting: the next meeting's agenda has a fresh three.
    later = make_meeting(circle, in_days=14)
    agenda_services.topic_vote(
        topic=agenda_services.topic_propose(meeting=later, user=member, title="Later"), user=member
    )


def test_voting_twice_for_one_topic_counts_once(meeting, member):
    topic = agenda_services.topic_propose(meeting=meeting, user=member, title="Hiring")
    agenda_services.topic_vote(topic=topic, user=member)
    agenda_services.topic_vote(topic=topic, user=member)
    assert topic.votes.count() == 1


def test_the_circle_sets_the_votes_per_member(client):
    circle = CircleFactory(votes_per_member=1)
    meeting = make_meeting(circle)
    member = add_member(circle)
    first, second = (
        agenda_services.topic_propose(meeting=meeting, user=member, title=t) for t in ("A", "B")
    )
    client.force_login(member)
    client.post(topic_url("topic_vote", first))
    response = client.post(topic_url("topic_vote", second), follow=True)
    assert "You have used your 1 vote; take it back" in response.content.decode()
    assert list(Vote.objects.values_list("topic", flat=True)) == [first.pk]
    client.post(topic_url("topic_vote", first), {"action": "unvote"})
    client.post(topic_url("topic_vote", second))
    assert list(Vote.objects.values_list("topic", flat=True)) == [second.pk]


def test_topics_are_ordered_by_votes_then_by_age(circle, meeting, member):
    voters = [add_member(circle) for _ in range(3)]
    now = meeting.created_at
    old, middle, new = (
        AgendaTopic.objects.create(
            meeting=meeting, author=member, title=title, created_at=now + dt.timedelta(minutes=i)
        )
        for i, title in enumerate(("old", "middle", "new"))
    )
    assert agenda_titles(meeting) == ["old", "middle", "new"]
    for voter in voters[:2]:
        agenda_services.topic_vote(topic=new, user=voter)
    agenda_services.topic_vote(topic=middle, user=voters[2])
    agenda_services.topic_vote(topic=old, user=voters[2])
    assert agenda_titles(meeting) == ["new", "old", "middle"]


def test_the_host_pins_the_order_and_votes_no_longer_reorder_until_unpinned(
    client, circle, host, meeting, member
):
    a, b, c = (agenda_services.topic_propose(meeting=meeting, user=member, title=t) for t in "ABC")
    client.force_login(host)
    client.post(topic_url("topic_move", c), {"direction": "up"})
    assert agenda_titles(meeting) == ["A", "C", "B"]
    agenda_services.topic_vote(topic=b, user=member)
    assert agenda_titles(meeting) == ["A", "C", "B"]  # pinned
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "The host has set the order." in html
    client.post(meeting_url("agenda_unpin", meeting))
    assert agenda_titles(meeting) == ["B", "A", "C"]


def test_a_locked_agenda_takes_no_topics_or_votes(client, host, meeting, member):
    topic = agenda_services.topic_propose(meeting=meeting, user=member, title="Hiring")
    client.force_login(host)
    client.post(meeting_url("agenda_lock", meeting), {"locked": "1"})
    meeting.refresh_from_db()
    assert meeting.agenda_locked
    client.force_login(member)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "The host has locked this agenda." in html and "Propose a topic" not in html
    response = client.post(topic_url("topic_vote", topic), follow=True)
    assert "The host has locked this agenda." in response.content.decode()
    client.post(meeting_url("topic_propose", meeting), {"title": "Late"})
    assert not topic.votes.exists() and AgendaTopic.objects.count() == 1
    client.force_login(host)
    client.post(meeting_url("agenda_lock", meeting), {"locked": "0"})
    meeting.refresh_from_db()
    assert not meeting.agenda_locked


def test_the_agenda_closes_when_the_meeting_starts(circle, member):
    started = make_meeting(circle, in_days=-0.01)
    with pytest.raises(ValidationError, match="started"):
        agenda_services.topic_propose(meeting=started, user=member, title="Too late")


def test_only_hosts_order_lock_and_mark_topics(client, meeting, member):
    topic = agenda_services.topic_propose(meeting=meeting, user=member, title="Hiring")
    client.force_login(member)
    assert client.post(topic_url("topic_status", topic), {"status": "parked"}).status_code == 403
    assert client.post(topic_url("topic_move", topic), {"direction": "up"}).status_code == 403
    assert client.post(meeting_url("agenda_lock", meeting), {"locked": "1"}).status_code == 403
    assert client.post(meeting_url("agenda_carry", meeting)).status_code == 403
    topic.refresh_from_db()
    assert topic.status == TopicStatus.OPEN


def test_the_host_marks_topics_discussed_or_parked_with_htmx(client, host, meeting, member):
    topic = agenda_services.topic_propose(meeting=meeting, user=member, title="Hiring")
    client.force_login(host)
    html = client.post(
        topic_url("topic_status", topic), {"status": "discussed"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DISCUSSED
    assert '<span class="badge">Discussed</span>' in html
    client.post(topic_url("topic_status", topic), {"status": "bogus"})
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DISCUSSED


def test_parked_topics_carry_to_the_next_meeting_once(client, circle, host, member):
    past = make_meeting(circle, in_days=-1)
    following = make_meeting(circle, in_days=6)
    make_meeting(circle, in_days=13)
    topics = [
        AgendaTopic.objects.create(meeting=past, author=member, title=t, details=f"about {t}")
        for t in ("Pricing", "Hiring", "Travel")
    ]
    for topic, status in zip(topics, ["parked", "discussed", "parked"], strict=True):
        agenda_services.topic_set_status(topic=topic, status=status)
    client.force_login(host)
    assert (
        "Carry parked topics to the next meeting"
        in client.get(past.get_absolute_url()).content.decode()
    )

    response = client.post(meeting_url("agenda_carry", past), follow=True)

    assert response.redirect_chain[-1][0] == following.get_absolute_url() + "#agenda"
    carried = list(following.topics.order_by("title"))
    assert [(t.title, t.details, t.author) for t in carried] == [
        ("Pricing", "about Pricing", member),
        ("Travel", "about Travel", member),
    ]
    assert {t.carried_from_id for t in carried} == {topics[0].pk, topics[2].pk}
    html = response.content.decode()
    assert "2 parked topics carried to the next meeting." in html
    assert "Carried over" in html
    # Once only: the button is gone and a second carry copies nothing.
    assert "Carry parked topics" not in client.get(past.get_absolute_url()).content.decode()
    client.post(meeting_url("agenda_carry", past))
    assert following.topics.count() == 2


def test_carrying_with_no_next_meeting_says_so(client, circle, host, member):
    past = make_meeting(circle, in_days=-1)
    topic = AgendaTopic.objects.create(meeting=past, author=member, title="Pricing")
    agenda_services.topic_set_status(topic=topic, status="parked")
    client.force_login(host)
    response = client.post(meeting_url("agenda_carry", past), follow=True)
    assert "There is no next meeting" in response.content.decode()


def test_topic_details_are_rendered_through_the_sanitizer(client, meeting, member):
    agenda_services.topic_propose(
        meeting=meeting,
        user=member,
        title="<b>Bold</b> title",
        details="**really** <script>alert(1)</script>",
    )
    client.force_login(member)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "<strong>really</strong>" in html
    assert "<script>alert(1)" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in html
