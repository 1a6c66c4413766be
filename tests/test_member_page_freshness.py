"""A member's circle, meeting and thread pages never show what has changed since.

Black-box tests for the pages a member opens most: the circle page
(``circles:detail``), a meeting page (``meetings:detail``) and a thread
(``conversations:post_detail``). Each test signs a member in, opens the page
twice (the second answer is the one a kept copy would give), changes something
the way the app changes it (the real service, a model save where the app saves
the model, or the admin's own form), opens the page again and asserts that the
new state is there and the old one gone.

They pass without any page cache; with one they fail for every write path and
every clock boundary the cache does not notice. The writes are chosen to cover
each way a row changes: ``save()`` and ``delete()``, ``QuerySet.update()`` (agenda
order, moderation, a staff unarchive), ``bulk_create`` (the schedule's meetings,
carried agenda topics), many-to-many changes (a circle's topics), a person's own
row (a name, the staff flag, a suspension) and the passing of time (a meeting
starts or ends). Some pages show people who are no longer members (a past
reply, an answer for a past meeting): their changes must show too.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from circles import membership_services
from circles import services as circle_services
from circles.models import Circle, Membership, Role
from conversations import services as conversation_services
from conversations.models import Kind, Post
from meetings import agenda_services, record_services, rsvp_services, timefmt
from meetings import services as meeting_services
from meetings import tasks as meeting_tasks
from meetings.models import Answer, Meeting, TopicStatus
from members.models import User
from members.services import account_delete, profile_update
from moderation import services as moderation_services
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import CircleFactory, MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

# A fixed instant for the tests that move the clock: a Wednesday, after "today".
T0 = dt.datetime(2026, 12, 2, 15, 0, tzinfo=dt.UTC)


@dataclass
class Table:
    circle: Circle
    host: User
    viewer: User  # the member whose pages we watch
    other: User  # another member, who changes things
    viewing: Membership


def make_table(**circle_fields) -> Table:
    circle_fields.setdefault("name", "Tuesday Breakfast Thinkers")
    circle = CircleFactory(**circle_fields)
    host = UserFactory(display_name="Hana Host")
    viewer = UserFactory(display_name="Vera Viewer")
    other = UserFactory(display_name="Omar Other")
    MembershipFactory(circle=circle, user=host, role=Role.HOST)
    viewing = MembershipFactory(circle=circle, user=viewer)
    MembershipFactory(circle=circle, user=other)
    return Table(circle=circle, host=host, viewer=viewer, other=other, viewing=viewing)


@pytest.fixture
def table() -> Table:
    return make_table()


def meeting_in(circle: Circle, starts_in: dt.timedelta, *, minutes: int = 75, **fields) -> Meeting:
    """A one-off meeting of ``circle`` starting ``starts_in`` from now (negative: past)."""
    starts_at = timezone.now() + starts_in
    return Meeting.objects.create(
        circle=circle,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        local_date=starts_at.astimezone(circle.zone).date(),
        is_one_off=True,
        **fields,
    )


def html_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode()


def seen_twice(client: Client, user: User, url: str) -> str:
    """Sign ``user`` in and open ``url`` twice; the second page is what a kept copy shows."""
    client.force_login(user)
    html_of(client, url)
    return html_of(client, url)


def status_of(client: Client, url: str) -> int:
    return client.get(url).status_code


def circle_url(table: Table) -> str:
    return reverse("circles:detail", args=[table.circle.slug])


def add_member(circle: Circle, name: str, **user_fields) -> User:
    user = UserFactory(display_name=name, **user_fields)
    MembershipFactory(circle=circle, user=user)
    return user


def staff_client() -> Client:
    staff = UserFactory(display_name="Sam Staff", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client


def admin_save(client: Client, obj, **fields) -> None:
    """Change ``obj`` through its admin change form, as staff do (inlines left as they are)."""
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value
    # Each inline's management form (no inline rows are sent, so none change).
    for name, value in re.findall(
        r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d*)"',
        page.content.decode(),
    ):
        data[name] = value
    data.update(fields)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


# --- The circle page --------------------------------------------------------------------------


def test_circle_page_shows_a_member_who_joined_and_the_seats_they_took(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "Members (3)" in html and "9 of 12 seats open" in html
    newcomer = UserFactory(display_name="Nina Newcomer")
    membership_services.membership_join(circle=table.circle, user=newcomer)
    html = html_of(client, circle_url(table))
    assert "Members (4)" in html and "Members (3)" not in html
    assert '<span class="member-name">Nina Newcomer</span>' in html
    assert "8 of 12 seats open" in html and "9 of 12 seats open" not in html


def test_circle_page_shows_a_member_who_left(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert '<span class="member-name">Omar Other</span>' in html
    leaving = Membership.objects.get(circle=table.circle, user=table.other)
    membership_services.membership_leave(membership=leaving)
    html = html_of(client, circle_url(table))
    assert '<span class="member-name">Omar Other</span>' not in html
    assert "Members (2)" in html and "10 of 12 seats open" in html


def test_circle_page_shows_a_member_s_new_name(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert '<span class="member-name">Omar Other</span>' in html
    table.other.display_name = "Omar Renamed"
    table.other.save()
    html = html_of(client, circle_url(table))
    assert '<span class="member-name">Omar Renamed</span>' in html
    assert "Omar Other" not in html


def test_circle_page_shows_the_host_s_new_name_from_their_profile(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert '<dd class="hosts">Hana Host</dd>' in html
    profile_update(user=table.host, display_name="Hana Renamed", time_zone=table.host.time_zone)
    html = html_of(client, circle_url(table))
    assert '<dd class="hosts">Hana Renamed</dd>' in html
    assert "Hana Host" not in html


def test_circle_page_shows_another_member_s_going_in_the_meeting_row(client, table):
    meeting_in(table.circle, dt.timedelta(days=3))
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "0 going · 12 seats left" in html
    meeting = Meeting.objects.get(circle=table.circle)
    rsvp_services.rsvp_set(meeting=meeting, user=table.other, answer=Answer.GOING)
    html = html_of(client, circle_url(table))
    assert "1 going · 11 seats left" in html and "0 going" not in html


def test_circle_page_shows_the_viewer_s_own_answer(client, table):
    meeting = meeting_in(table.circle, dt.timedelta(days=3))
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "Your answer: not yet" in html
    rsvp_services.rsvp_set(meeting=meeting, user=table.viewer, answer=Answer.MAYBE)
    html = html_of(client, circle_url(table))
    assert "Your answer: Maybe" in html and "Your answer: not yet" not in html
    assert "1 maybe" in html


def test_circle_page_shows_a_new_post(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "No posts yet." in html
    conversation_services.post_create(
        circle=table.circle,
        author=table.other,
        kind=Kind.ASK,
        title="How do you price a first consulting gig?",
        body="Day rate or fixed fee?",
    )
    html = html_of(client, circle_url(table))
    assert "How do you price a first consulting gig?" in html
    assert "No posts yet." not in html


def test_circle_page_counts_a_new_reply(client, table):
    post = PostFactory(circle=table.circle, author=table.other, title="Hiring a first designer")
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "0 replies ·" in html
    conversation_services.reply_create(post=post, author=table.host, body="Look at portfolios.")
    html = html_of(client, circle_url(table))
    assert "1 reply ·" in html and "0 replies" not in html


def test_circle_page_drops_a_post_a_host_hides_and_shows_it_again_when_restored(client, table):
    post = PostFactory(circle=table.circle, author=table.other, title="Buy my coaching package")
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "Buy my coaching package" in html
    moderation_services.item_hide(item=post, by=table.host, reason="selling")
    html = html_of(client, circle_url(table))
    assert "Buy my coaching package" not in html
    html_of(client, circle_url(table))
    moderation_services.item_restore(item=post, by=table.host)
    assert "Buy my coaching package" in html_of(client, circle_url(table))


def test_circle_page_drops_a_post_its_author_deleted(client, table):
    post = PostFactory(circle=table.circle, author=table.other, title="Selling my old desk")
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "Selling my old desk" in html
    conversation_services.post_delete(post=post)
    assert "Selling my old desk" not in html_of(client, circle_url(table))


def test_circle_page_shows_the_purpose_a_host_edited(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "We meet to think out loud together." in html
    circle_services.circle_update(circle=table.circle, purpose="We now talk about **hiring**.")
    html = html_of(client, circle_url(table))
    assert "We now talk about <strong>hiring</strong>." in html
    assert "We meet to think out loud together." not in html


def test_circle_page_shows_the_circle_s_new_topics(client, table):
    pricing = TopicFactory(name="Pricing", slug="pricing")
    hiring = TopicFactory(name="Hiring", slug="hiring")
    table.circle.topics.set([pricing])
    html = seen_twice(client, table.viewer, circle_url(table))
    assert '<li class="tag">Pricing</li>' in html
    circle_services.circle_update(circle=table.circle, topics=[hiring])
    html = html_of(client, circle_url(table))
    assert '<li class="tag">Hiring</li>' in html
    assert '<li class="tag">Pricing</li>' not in html


def test_circle_page_shows_a_topic_added_to_the_circle_alone(client, table):
    # A many-to-many add: no save of the circle, nor of the topic (made beforehand).
    fundraising = TopicFactory(name="Fundraising", slug="fundraising")
    html = seen_twice(client, table.viewer, circle_url(table))
    assert 'aria-label="Topics"' not in html
    table.circle.topics.add(fundraising)
    assert '<li class="tag">Fundraising</li>' in html_of(client, circle_url(table))


def test_circle_page_shows_a_topic_given_circles_from_the_topic_s_side(client, table):
    pricing = TopicFactory(name="Pricing", slug="pricing")
    table.circle.topics.add(pricing)
    html = seen_twice(client, table.viewer, circle_url(table))
    assert '<li class="tag">Pricing</li>' in html
    pricing.circles.remove(table.circle)
    assert '<li class="tag">Pricing</li>' not in html_of(client, circle_url(table))
    html_of(client, circle_url(table))
    pricing.circles.add(table.circle)
    assert '<li class="tag">Pricing</li>' in html_of(client, circle_url(table))


def test_circle_page_drops_topics_cleared_from_the_circle(client, table):
    table.circle.topics.add(TopicFactory(name="Pricing", slug="pricing"))
    html = seen_twice(client, table.viewer, circle_url(table))
    assert '<li class="tag">Pricing</li>' in html
    table.circle.topics.clear()
    assert 'aria-label="Topics"' not in html_of(client, circle_url(table))


def test_circle_page_shows_a_renamed_topic(client, table):
    topic = TopicFactory(name="Pricing", slug="pricing")
    table.circle.topics.set([topic])
    html = seen_twice(client, table.viewer, circle_url(table))
    assert '<li class="tag">Pricing</li>' in html
    topic.name = "Pricing and packaging"
    topic.save()
    html = html_of(client, circle_url(table))
    assert '<li class="tag">Pricing and packaging</li>' in html
    assert '<li class="tag">Pricing</li>' not in html


def test_circle_page_shows_a_topic_staff_renamed_in_the_admin(client, table):
    topic = TopicFactory(name="Pricing", slug="pricing")
    table.circle.topics.set([topic])
    html = seen_twice(client, table.viewer, circle_url(table))
    assert '<li class="tag">Pricing</li>' in html
    admin_save(staff_client(), topic, name="Pricing for founders")
    html = html_of(client, circle_url(table))
    assert '<li class="tag">Pricing for founders</li>' in html
    assert '<li class="tag">Pricing</li>' not in html


def test_circle_page_shows_the_meetings_the_schedule_creates(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "No meetings are scheduled yet." in html
    assert meeting_services.meetings_materialize(circle=table.circle) > 0  # bulk_create
    first = Meeting.objects.filter(circle=table.circle).order_by("starts_at").first()
    html = html_of(client, circle_url(table))
    assert f'href="{first.get_absolute_url()}"' in html
    assert "No meetings are scheduled yet." not in html


def test_circle_page_shows_a_new_one_off_meeting(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "No meetings are scheduled yet." in html
    meeting = meeting_services.meeting_add_one_off(
        circle=table.circle,
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration_minutes=60,
        venue_name="The Library",
    )
    html = html_of(client, circle_url(table))
    assert f'href="{meeting.get_absolute_url()}"' in html and "The Library" in html


def test_circle_page_shows_a_cancelled_meeting_as_cancelled(client, table):
    meeting = meeting_in(table.circle, dt.timedelta(days=3))
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "badge-cancelled" not in html and 'name="answer"' in html
    meeting_services.meeting_cancel(meeting=meeting)
    html = html_of(client, circle_url(table))
    assert '<strong class="badge badge-cancelled">Cancelled</strong>' in html
    assert 'name="answer"' not in html


def test_circle_page_shows_meetings_moved_by_a_schedule_change(client, table):
    meeting_services.meetings_materialize(circle=table.circle)
    first = Meeting.objects.filter(circle=table.circle).order_by("starts_at").first()
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "at 06:30 (America/Chicago)" in html
    circle_services.circle_update(circle=table.circle, start_time=dt.time(7, 45))
    html = html_of(client, circle_url(table))
    assert "at 07:45 (America/Chicago)" in html and "at 06:30" not in html
    # Nobody had answered: the old meetings were deleted and made again from the schedule.
    assert f'href="{first.get_absolute_url()}"' not in html
    moved = Meeting.objects.filter(circle=table.circle).order_by("starts_at").first()
    assert f'href="{moved.get_absolute_url()}"' in html


def test_circle_page_loses_its_inside_for_a_removed_viewer(client, table):
    PostFactory(circle=table.circle, author=table.other, title="Our reading list")
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "Members (3)" in html and "Our reading list" in html
    membership_services.membership_remove(membership=table.viewing, removed_by=table.host)
    html = html_of(client, circle_url(table))
    assert "You can no longer join this circle." in html
    assert "Members (" not in html and "Our reading list" not in html
    assert "Omar Other" not in html


def test_circle_page_loses_its_inside_for_a_viewer_who_left(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "Members (3)" in html
    membership_services.membership_leave(membership=table.viewing)
    html = html_of(client, circle_url(table))
    assert "Members (" not in html
    assert "Join this circle" in html


def test_circle_page_shows_host_buttons_to_a_viewer_made_co_host(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "Edit circle" not in html
    membership_services.membership_set_role(
        membership=table.viewing, role=Role.CO_HOST, changed_by=table.host
    )
    html = html_of(client, circle_url(table))
    assert "Edit circle" in html and "Join requests" in html
    assert "Vera Viewer (co-host)" in html


def test_circle_page_drops_host_buttons_of_a_co_host_made_member_again(client, table):
    table.viewing.role = Role.CO_HOST
    table.viewing.save()
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "Edit circle" in html
    membership_services.membership_set_role(
        membership=table.viewing, role=Role.MEMBER, changed_by=table.host
    )
    assert "Edit circle" not in html_of(client, circle_url(table))


def test_circle_page_shows_the_inside_to_a_person_made_staff(client, table):
    PostFactory(circle=table.circle, author=table.other, title="Our reading list")
    outsider = UserFactory(display_name="Olive Outsider")
    html = seen_twice(client, outsider, circle_url(table))
    assert "Members (" not in html and "Our reading list" not in html
    outsider.is_staff = True
    outsider.save()
    html = html_of(client, circle_url(table))
    assert "Members (3)" in html and "Our reading list" in html


def test_circle_page_takes_the_inside_away_from_a_person_no_longer_staff(client, table):
    PostFactory(circle=table.circle, author=table.other, title="Our reading list")
    former_staff = UserFactory(display_name="Fred Former", is_staff=True)
    html = seen_twice(client, former_staff, circle_url(table))
    assert "Our reading list" in html
    former_staff.is_staff = False
    former_staff.save(update_fields=["is_staff"])
    assert "Our reading list" not in html_of(client, circle_url(table))


def test_circle_page_of_a_suspended_viewer_is_the_signed_out_page(client, table):
    PostFactory(circle=table.circle, author=table.other, title="Our reading list")
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "Our reading list" in html
    staff = UserFactory(is_staff=True)
    moderation_services.person_suspend(person=table.viewer, by=staff, reason="spam")  # update()
    html = html_of(client, circle_url(table))
    assert "Our reading list" not in html and "Sign in to join" in html


def test_circle_page_shows_an_archive_and_a_staff_unarchive(client, table):
    staff = UserFactory(is_staff=True)
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "This circle is archived" not in html
    moderation_services.circle_archive(circle=table.circle, by=staff)
    assert "This circle is archived" in html_of(client, circle_url(table))
    html_of(client, circle_url(table))
    moderation_services.circle_unarchive(circle=table.circle, by=staff)  # QuerySet.update
    assert "This circle is archived" not in html_of(client, circle_url(table))


def test_circle_page_shows_the_viewer_s_own_new_name(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert '<span class="member-name">Vera Viewer</span>' in html
    profile_update(user=table.viewer, display_name="Vera Renamed", time_zone="America/Chicago")
    html = html_of(client, circle_url(table))
    assert '<span class="member-name">Vera Renamed</span>' in html
    assert 'class="nav-person" title="Your profile and account">Vera Renamed</a>' in html
    assert "Vera Viewer" not in html


def test_circle_page_shows_the_inside_once_a_join_request_is_approved(client):
    table = make_table(join_policy="request")
    asker = UserFactory(display_name="Aria Asker")
    request = membership_services.membership_request(circle=table.circle, user=asker, note="Hi")
    html = seen_twice(client, asker, circle_url(table))
    assert "Your request to join is with the hosts." in html and "Members (" not in html
    membership_services.membership_approve(membership=request, approved_by=table.host)
    html = html_of(client, circle_url(table))
    assert "Members (4)" in html and "Your request to join" not in html


def test_circle_page_counts_a_member_who_deleted_their_account(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "Members (3)" in html
    account_delete(user=table.other)
    html = html_of(client, circle_url(table))
    assert "Members (2)" in html and "Omar Other" not in html


def test_circle_page_drops_a_deleted_topic(client, table):
    topic = TopicFactory(name="Pricing", slug="pricing")
    table.circle.topics.set([topic])
    html = seen_twice(client, table.viewer, circle_url(table))
    assert '<li class="tag">Pricing</li>' in html
    topic.delete()  # as staff do in the admin; the circle's link row goes with it
    assert '<li class="tag">Pricing</li>' not in html_of(client, circle_url(table))


def test_circle_page_shows_the_meetings_the_daily_sweep_creates(client, table):
    html = seen_twice(client, table.viewer, circle_url(table))
    assert "No meetings are scheduled yet." in html
    assert meeting_tasks.extend_meeting_horizon() > 0  # the Celery task beat runs daily
    html = html_of(client, circle_url(table))
    assert "No meetings are scheduled yet." not in html


def test_circle_page_shows_hosts_a_new_join_request(client):
    table = make_table(join_policy="request")
    html = seen_twice(client, table.host, circle_url(table))
    assert "Join requests</a>" in html
    asker = UserFactory(display_name="Aria Asker")
    membership_services.membership_request(circle=table.circle, user=asker, note="Hi")
    assert "Join requests (1)</a>" in html_of(client, circle_url(table))


def test_circle_page_is_gone_once_staff_delete_the_circle(client):
    table = make_table(listing="unlisted")
    seen_twice(client, table.viewer, circle_url(table))
    table.circle.delete()
    assert status_of(client, circle_url(table)) == 404


def test_circle_page_drops_a_meeting_once_it_has_ended(client):
    with time_machine.travel(T0, tick=False) as clock:
        table = make_table()
        ending = meeting_in(table.circle, -dt.timedelta(minutes=60), minutes=61)  # ends T0+1min
        later = meeting_in(table.circle, dt.timedelta(days=7))
        html = seen_twice(client, table.viewer, circle_url(table))
        assert f'href="{ending.get_absolute_url()}"' in html
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        html = html_of(client, circle_url(table))
        assert f'href="{ending.get_absolute_url()}"' not in html
        assert f'href="{later.get_absolute_url()}"' in html


def test_circle_page_closes_rsvp_in_a_row_once_the_meeting_starts(client):
    with time_machine.travel(T0, tick=False) as clock:
        table = make_table()
        meeting_in(table.circle, dt.timedelta(seconds=30))
        html = seen_twice(client, table.viewer, circle_url(table))
        assert 'name="answer"' in html
        clock.shift(dt.timedelta(seconds=31))
        assert 'name="answer"' not in html_of(client, circle_url(table))


def test_circle_page_next_meeting_moves_on_when_the_scheduled_one_starts(client):
    # No meeting rows: "Next" comes from the schedule (Tuesdays 06:30 Chicago).
    tuesday_0630 = dt.datetime(2026, 12, 8, 12, 30, tzinfo=dt.UTC)
    with time_machine.travel(tuesday_0630 - dt.timedelta(seconds=30), tick=False) as clock:
        table = make_table(starts_on=dt.date(2026, 12, 1))
        html = seen_twice(client, table.viewer, circle_url(table))
        assert "Tuesday 8 December, 06:30" in html
        clock.shift(dt.timedelta(seconds=31))
        html = html_of(client, circle_url(table))
        assert "Tuesday 15 December, 06:30" in html
        assert "Tuesday 8 December" not in html


# --- The meeting page ------------------------------------------------------------------------


@pytest.fixture
def meeting(table) -> Meeting:
    return meeting_in(table.circle, dt.timedelta(days=3))


@pytest.fixture
def met(table) -> Meeting:
    """A meeting that took place yesterday."""
    return meeting_in(table.circle, -dt.timedelta(days=1))


def test_meeting_page_shows_another_member_going(client, table, meeting):
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "0 going · 12 of 12 seats left" in html and "Going (0)" in html
    rsvp_services.rsvp_set(meeting=meeting, user=table.other, answer=Answer.GOING)
    html = html_of(client, url)
    assert "1 going · 11 of 12 seats left" in html and "0 going" not in html
    assert "Going (1)" in html and "<li>Omar Other</li>" in html


def test_meeting_page_shows_the_waitlist_move_up_when_a_seat_frees(client):
    table = make_table(seat_limit=3)
    meeting = meeting_in(table.circle, dt.timedelta(days=3))
    for person in (table.host, table.other):
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)
    waiting = add_member(table.circle, "Wanda Waiting")
    table.circle.seat_limit = 2
    table.circle.save()
    rsvp_services.rsvp_set(meeting=meeting, user=waiting, answer=Answer.GOING)
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "Waitlist (1)" in html
    rsvp_services.rsvp_set(meeting=meeting, user=table.other, answer=Answer.NOT_GOING)
    html = html_of(client, url)
    assert "Waitlist (" not in html and "<li>Wanda Waiting</li>" in html


def test_meeting_page_shows_a_proposed_topic(client, table, meeting):
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "No topics yet." in html
    agenda_services.topic_propose(meeting=meeting, user=table.other, title="Pricing a retainer")
    html = html_of(client, url)
    assert "<strong>Pricing a retainer</strong>" in html and "No topics yet." not in html
    assert "Proposed by Omar Other" in html


def test_meeting_page_shows_another_member_s_vote_and_its_withdrawal(client, table, meeting):
    topic = agenda_services.topic_propose(meeting=meeting, user=table.other, title="Hiring")
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert 'aria-label="0 votes"' in html
    agenda_services.topic_vote(topic=topic, user=table.other)
    html = html_of(client, url)
    assert 'aria-label="1 vote"' in html and 'aria-label="0 votes"' not in html
    agenda_services.topic_unvote(topic=topic, user=table.other)  # a delete
    assert 'aria-label="0 votes"' in html_of(client, url)


def test_meeting_page_shows_the_viewer_s_own_votes_left(client, table, meeting):
    topic = agenda_services.topic_propose(meeting=meeting, user=table.other, title="Hiring")
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    votes = table.circle.votes_per_member
    assert f'<strong class="votes-left">{votes}</strong>' in html
    agenda_services.topic_vote(topic=topic, user=table.viewer)
    html = html_of(client, url)
    assert f'<strong class="votes-left">{votes - 1}</strong>' in html
    assert "Take vote back" in html


def _agenda_order(html: str, *titles: str) -> list[str]:
    return sorted(titles, key=lambda title: html.index(f"<strong>{title}</strong>"))


def test_meeting_page_shows_the_order_a_host_pins(client, table, meeting):
    agenda_services.topic_propose(meeting=meeting, user=table.other, title="Pricing")
    hiring = agenda_services.topic_propose(meeting=meeting, user=table.other, title="Hiring")
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert _agenda_order(html, "Pricing", "Hiring") == ["Pricing", "Hiring"]
    agenda_services.agenda_move_topic(topic=hiring, direction="up")
    html = html_of(client, url)
    assert _agenda_order(html, "Pricing", "Hiring") == ["Hiring", "Pricing"]
    assert "The host has set the order." in html


def test_meeting_page_shows_a_host_s_move_on_an_already_pinned_agenda(client, table, meeting):
    # Once pinned, a move only runs QuerySet.update on pin_position: no save at all.
    pricing = agenda_services.topic_propose(meeting=meeting, user=table.other, title="Pricing")
    hiring = agenda_services.topic_propose(meeting=meeting, user=table.other, title="Hiring")
    agenda_services.agenda_move_topic(topic=hiring, direction="up")
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert _agenda_order(html, "Pricing", "Hiring") == ["Hiring", "Pricing"]
    agenda_services.agenda_move_topic(topic=pricing, direction="up")
    html = html_of(client, url)
    assert _agenda_order(html, "Pricing", "Hiring") == ["Pricing", "Hiring"]


def test_meeting_page_shows_the_vote_order_again_after_unpinning(client, table, meeting):
    agenda_services.topic_propose(meeting=meeting, user=table.other, title="Pricing")
    hiring = agenda_services.topic_propose(meeting=meeting, user=table.other, title="Hiring")
    agenda_services.agenda_move_topic(topic=hiring, direction="up")
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert _agenda_order(html, "Pricing", "Hiring") == ["Hiring", "Pricing"]
    agenda_services.agenda_unpin(meeting=meeting)
    html = html_of(client, url)
    assert _agenda_order(html, "Pricing", "Hiring") == ["Pricing", "Hiring"]
    assert "Ordered by votes" in html and "The host has set the order." not in html


def test_meeting_page_shows_a_topic_s_new_status(client, table, meeting):
    topic = agenda_services.topic_propose(meeting=meeting, user=table.other, title="Hiring")
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert '<span class="badge">Parked</span>' not in html
    agenda_services.topic_set_status(topic=topic, status=TopicStatus.PARKED)
    assert '<span class="badge">Parked</span>' in html_of(client, url)


def test_meeting_page_shows_a_locked_agenda(client, table, meeting):
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "<h3>Propose a topic</h3>" in html
    agenda_services.agenda_set_locked(meeting=meeting, locked=True)
    html = html_of(client, url)
    assert "The host has locked this agenda." in html and "<h3>Propose a topic</h3>" not in html


def test_meeting_page_shows_topics_carried_from_the_last_meeting(client, table):
    first = meeting_in(table.circle, dt.timedelta(days=3))
    second = meeting_in(table.circle, dt.timedelta(days=10))
    topic = agenda_services.topic_propose(meeting=first, user=table.other, title="Pricing")
    agenda_services.topic_set_status(topic=topic, status=TopicStatus.PARKED)
    url = second.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "No topics yet." in html
    target, count = agenda_services.agenda_carry_parked(meeting=first)  # bulk_create
    assert (target, count) == (second, 1)
    html = html_of(client, url)
    assert "<strong>Pricing</strong>" in html and "Carried over" in html


def test_meeting_page_shows_a_new_commitment(client, table, met):
    url = met.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "No commitments yet." in html
    record_services.commitment_set(meeting=met, user=table.other, text="Call three customers")
    html = html_of(client, url)
    assert "<strong>Omar Other</strong>: Call three customers" in html
    assert "No commitments yet." not in html


def test_next_meeting_page_shows_last_time_s_commitments(client, table, met):
    upcoming = meeting_in(table.circle, dt.timedelta(days=3))
    url = upcoming.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "Last time" not in html
    record_services.commitment_set(meeting=met, user=table.other, text="Ship the beta")
    html = html_of(client, url)
    assert "Last time&#x27;s commitments" in html or "Last time's commitments" in html
    assert "<strong>Omar Other</strong>: Ship the beta" in html


def test_meeting_page_shows_the_notes_a_host_wrote(client, table, met):
    url = met.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "No notes yet." in html
    record_services.meeting_notes_set(meeting=met, notes="We agreed to **ship on Friday**.")
    html = html_of(client, url)
    assert "<strong>ship on Friday</strong>" in html and "No notes yet." not in html


def test_meeting_page_shows_attendance_marks_to_the_host(client, table, met):
    url = met.get_absolute_url()
    html = seen_twice(client, table.host, url)
    assert re.search(r"<td>Omar Other</td>\s*<td>—</td>", html)
    record_services.attendance_set(meeting=met, user=table.other, attended=True)
    html = html_of(client, url)
    assert re.search(r"<td>Omar Other</td>\s*<td>Attended</td>", html)
    record_services.attendance_set(meeting=met, user=table.other, attended=False)
    assert re.search(r"<td>Omar Other</td>\s*<td>Absent</td>", html_of(client, url))


def test_meeting_page_shows_a_meeting_the_host_moved(client, table, meeting):
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    old_when = timefmt.when(meeting.starts_at, meeting.ends_at, table.circle.zone)
    assert old_when in html and "Moved from the usual time or place" not in html
    new_start = meeting.starts_at + dt.timedelta(days=1, hours=2)
    meeting_services.meeting_move(
        meeting=meeting, starts_at=new_start, duration_minutes=90, venue_name="The Library"
    )
    html = html_of(client, url)
    new_when = timefmt.when(new_start, new_start + dt.timedelta(minutes=90), table.circle.zone)
    assert new_when in html and old_when not in html
    assert "Moved from the usual time or place" in html and "The Library" in html


def test_meeting_page_shows_a_meeting_the_host_cancelled(client, table, meeting):
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert 'name="answer"' in html
    meeting_services.meeting_cancel(meeting=meeting)
    html = html_of(client, url)
    assert "This meeting is cancelled" in html and 'name="answer"' not in html


def test_meeting_page_closes_rsvps_once_the_meeting_starts(client):
    with time_machine.travel(T0, tick=False) as clock:
        table = make_table()
        meeting = meeting_in(table.circle, dt.timedelta(seconds=30))
        url = meeting.get_absolute_url()
        html = seen_twice(client, table.viewer, url)
        assert 'name="answer"' in html and "RSVPs are closed" not in html
        assert "<h3>Propose a topic</h3>" in html
        clock.shift(dt.timedelta(seconds=31))
        html = html_of(client, url)
        assert "This meeting has started; RSVPs are closed." in html
        assert 'name="answer"' not in html and "<h3>Propose a topic</h3>" not in html
        assert "No notes yet." in html  # the after-the-meeting sections open


def test_meeting_page_is_gone_for_a_removed_viewer(client, table, meeting):
    url = meeting.get_absolute_url()
    seen_twice(client, table.viewer, url)
    membership_services.membership_remove(membership=table.viewing, removed_by=table.host)
    assert status_of(client, url) == 404


def test_meeting_page_is_gone_for_a_viewer_who_left(client, table, meeting):
    url = meeting.get_absolute_url()
    seen_twice(client, table.viewer, url)
    membership_services.membership_leave(membership=table.viewing)
    assert status_of(client, url) == 404


def test_meeting_page_shows_a_going_member_s_new_name(client, table, meeting):
    rsvp_services.rsvp_set(meeting=meeting, user=table.other, answer=Answer.GOING)
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "<li>Omar Other</li>" in html
    profile_update(user=table.other, display_name="Omar Renamed", time_zone="America/Chicago")
    html = html_of(client, url)
    assert "<li>Omar Renamed</li>" in html and "Omar Other" not in html


def test_meeting_page_shows_a_former_member_s_new_name_in_a_past_meeting(client, table, met):
    # Answers for past meetings stay after a member leaves; so do commitments.
    record_services.commitment_set(meeting=met, user=table.other, text="Ship the beta")
    leaving = Membership.objects.get(circle=table.circle, user=table.other)
    membership_services.membership_leave(membership=leaving)
    url = met.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "<strong>Omar Other</strong>: Ship the beta" in html
    table.other.display_name = "Omar Elsewhere"
    table.other.save()
    html = html_of(client, url)
    assert "<strong>Omar Elsewhere</strong>: Ship the beta" in html


def test_meeting_page_follows_the_viewer_s_own_time_zone(client, table, meeting):
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "your time" not in html
    profile_update(user=table.viewer, display_name="Vera Viewer", time_zone="Europe/Berlin")
    assert "your time (Europe/Berlin)" in html_of(client, url)


def test_meeting_page_shows_the_circle_s_new_venue(client, table, meeting):
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "The Corner Diner, 1 Main St" in html
    circle_services.circle_update(
        circle=table.circle, venue_name="The Back Room", venue_address="9 Side St"
    )
    html = html_of(client, url)
    assert "The Back Room, 9 Side St" in html and "The Corner Diner" not in html


def test_meeting_page_shows_the_answer_and_message_after_answering_by_the_form(client, table):
    meeting = meeting_in(table.circle, dt.timedelta(days=3))
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "You have not answered yet." in html
    response = client.post(
        reverse("meetings:rsvp", args=[table.circle.slug, meeting.pk]),
        {"answer": Answer.GOING},
        follow=True,
    )
    html = response.content.decode()
    assert "Your answer: Going." in html  # the flash message, shown once
    assert "You answered: <strong>Going</strong>." in html and "<li>Vera Viewer</li>" in html
    html = html_of(client, url)
    assert "Your answer: Going." not in html
    assert "You answered: <strong>Going</strong>." in html


# --- The thread page -------------------------------------------------------------------------


@pytest.fixture
def post(table) -> Post:
    return PostFactory(
        circle=table.circle, author=table.other, title="How do I price a retainer?", kind=Kind.ASK
    )


def test_thread_shows_a_new_reply(client, table, post):
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "No replies yet." in html
    conversation_services.reply_create(post=post, author=table.host, body="Start from **value**.")
    html = html_of(client, url)
    assert "Start from <strong>value</strong>." in html and "No replies yet." not in html


def test_thread_shows_a_reply_its_author_edited(client, table, post):
    reply = ReplyFactory(post=post, author=table.host, body="Charge by the hour.")
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "Charge by the hour." in html and 'class="edited"' not in html
    conversation_services.reply_edit(reply=reply, body="Charge by the week.")
    html = html_of(client, url)
    assert "Charge by the week." in html and "Charge by the hour." not in html
    assert 'class="edited"' in html


def test_thread_drops_a_reply_its_author_deleted(client, table, post):
    reply = ReplyFactory(post=post, author=table.host, body="Charge by the hour.")
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "Charge by the hour." in html
    conversation_services.reply_delete(reply=reply)
    html = html_of(client, url)
    assert "Charge by the hour." not in html and "No replies yet." in html


def test_thread_shows_a_reply_staff_edited_in_the_admin(client, table, post):
    reply = ReplyFactory(post=post, author=table.host, body="Call me on 555-0100.")
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "555-0100" in html
    admin_save(staff_client(), reply, body="[number removed by staff]")
    html = html_of(client, url)
    assert "[number removed by staff]" in html and "555-0100" not in html


def test_thread_shows_the_thanks_and_the_resolved_ask(client, table, post):
    reply = ReplyFactory(post=post, author=table.host, body="Charge by the week.")
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "Thanked by" not in html and "tag-resolved" not in html
    conversation_services.post_resolve(post=post, by=table.other, replies=[reply], note="Thanks!")
    html = html_of(client, url)
    assert "Thanked by Omar Other" in html
    assert '<li class="tag tag-resolved">Resolved</li>' in html


def test_thread_shows_more_thanks_on_an_ask_already_resolved(client, table, post):
    # Thanking more helpers writes only the thanks: the post itself is not saved again.
    first = ReplyFactory(post=post, author=table.host, body="Charge by the week.")
    second = ReplyFactory(post=post, author=table.viewer, body="Ask for a deposit.")
    conversation_services.post_resolve(post=post, by=table.other, replies=[first])
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert html.count("Thanked by Omar Other") == 1
    conversation_services.post_resolve(post=post, by=table.other, replies=[second])
    assert html_of(client, url).count("Thanked by Omar Other") == 2


def test_thread_shows_an_ask_reopened(client, table, post):
    conversation_services.post_resolve(post=post, by=table.other)
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "tag-resolved" in html
    conversation_services.post_reopen(post=post)
    assert "tag-resolved" not in html_of(client, url)


def test_thread_shows_a_reply_a_host_hid_and_restored(client, table, post):
    reply = ReplyFactory(post=post, author=table.other, body="DM me for a discount code")
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "DM me for a discount code" in html
    moderation_services.item_hide(item=reply, by=table.host, reason="selling")  # update()
    html = html_of(client, url)
    assert "A reply hidden by a host." in html and "DM me for a discount code" not in html
    html_of(client, url)
    moderation_services.item_restore(item=reply, by=table.host)
    assert "DM me for a discount code" in html_of(client, url)


def test_thread_shows_a_post_a_host_hid(client, table, post):
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "How do I price a retainer?" in html
    moderation_services.item_hide(item=post, by=table.host, reason="selling")
    html = html_of(client, url)
    assert "A post hidden by a host" in html and "How do I price a retainer?" not in html


def test_thread_shows_the_post_its_author_edited(client, table, post):
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "How do I price a retainer?" in html
    conversation_services.post_edit(
        post=post, title="How do I price a yearly retainer?", body="Edited body.", in_the_room=True
    )
    html = html_of(client, url)
    assert "How do I price a yearly retainer?" in html and "Edited body." in html
    assert "How do I price a retainer?" not in html and "In the room" in html


def test_thread_is_gone_for_a_removed_viewer(client, table, post):
    url = post.get_absolute_url()
    seen_twice(client, table.viewer, url)
    membership_services.membership_remove(membership=table.viewing, removed_by=table.host)
    assert status_of(client, url) == 404


def test_thread_is_gone_for_a_suspended_viewer(client, table, post):
    url = post.get_absolute_url()
    seen_twice(client, table.viewer, url)
    moderation_services.person_suspend(person=table.viewer, by=table.host, reason="spam")
    response = client.get(url)
    assert response.status_code == 404
    assert "How do I price a retainer?" not in response.content.decode()


def test_thread_shows_a_replier_s_new_name(client, table, post):
    ReplyFactory(post=post, author=table.host, body="Charge by the week.")
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "Hana Host" in html
    table.host.display_name = "Hana Renamed"
    table.host.save(update_fields=["display_name"])
    html = html_of(client, url)
    assert "Hana Renamed" in html and "Hana Host" not in html


def test_thread_shows_a_former_member_s_new_name(client, table, post):
    # The author and a replier left the circle; their words, under their names, stay.
    ReplyFactory(post=post, author=table.host, body="Charge by the week.")
    leaving = Membership.objects.get(circle=table.circle, user=table.other)
    membership_services.membership_leave(membership=leaving)
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "Omar Other" in html
    table.other.display_name = "Omar Elsewhere"
    table.other.save()
    html = html_of(client, url)
    assert "Omar Elsewhere" in html and "Omar Other" not in html


def test_thread_shows_a_former_member_for_a_deleted_account(client, table, post):
    ReplyFactory(post=post, author=table.host, body="Charge by the week.")
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "Omar Other" in html
    account_delete(user=table.other)  # the post's author column is set to NULL
    html = html_of(client, url)
    assert "Omar Other" not in html and "A former member" in html


def test_thread_title_follows_the_post_s_edit(client, table, post):
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "<title>How do I price a retainer? · Tuesday Breakfast Thinkers" in html
    conversation_services.post_edit(post=post, title="Retainers", body="b", in_the_room=False)
    html = html_of(client, url)
    assert "<title>Retainers · Tuesday Breakfast Thinkers" in html


def test_thread_shows_the_bell_of_its_author_after_a_reply(client, table):
    post = PostFactory(circle=table.circle, author=table.viewer, title="Where to find a lawyer?")
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert 'data-unread="0"' in html
    conversation_services.reply_create(post=post, author=table.other, body="Ask the bar.")
    html = html_of(client, url)
    assert 'data-unread="1"' in html and "Ask the bar." in html


def test_thread_shows_the_new_name_of_staff_who_replied(client, table, post):
    staff = UserFactory(display_name="Sam Staff", is_staff=True)  # not a member
    conversation_services.reply_create(post=post, author=staff, body="Please keep it kind.")
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "Sam Staff" in html
    staff.display_name = "Sam from PeerTables"
    staff.save()
    html = html_of(client, url)
    assert "Sam from PeerTables" in html and "Sam Staff" not in html


def test_thread_shows_a_former_member_for_staff_who_deleted_their_account(client, table, post):
    staff = UserFactory(display_name="Sam Staff", is_staff=True)  # not a member
    conversation_services.reply_create(post=post, author=staff, body="Please keep it kind.")
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "Sam Staff" in html
    account_delete(user=staff)  # the reply's author column is set to NULL (an UPDATE)
    html = html_of(client, url)
    assert "Sam Staff" not in html and "A former member" in html


def test_thread_shows_its_host_the_reply_they_hid_with_a_restore_button(client, table, post):
    reply = ReplyFactory(post=post, author=table.other, body="DM me for a discount code")
    url = post.get_absolute_url()
    html = seen_twice(client, table.host, url)
    restore = reverse("moderation:restore", args=[table.circle.slug, "reply", reply.pk])
    assert restore not in html
    moderation_services.item_hide(item=reply, by=table.host, reason="selling")
    html = html_of(client, url)
    assert restore in html and "DM me for a discount code" in html
    assert "Hidden by a host: members see only a notice" in html


def test_thread_is_gone_once_staff_delete_the_post(client, table, post):
    url = post.get_absolute_url()
    seen_twice(client, table.viewer, url)
    post.delete()  # as staff do in the admin
    assert status_of(client, url) == 404


def test_thread_poll_after_a_kept_page_brings_a_new_reply(client, table, post):
    ReplyFactory(post=post, author=table.host, body="Charge by the week.")
    url = post.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    cursor = re.search(r'id="thread-cursor" name="after" value="(\d+)"', html).group(1)
    poll = reverse("conversations:reply_poll", args=[table.circle.slug, post.pk])
    headers = {"HX-Request": "true"}
    assert client.get(poll, {"after": cursor}, headers=headers).status_code == 204
    reply = conversation_services.reply_create(
        post=post, author=table.other, body="Or by the month."
    )
    response = client.get(poll, {"after": cursor}, headers=headers)
    assert response.status_code == 200 and "Or by the month." in response.content.decode()
    # The page opened again carries the new cursor, so its poll does not fetch the reply twice.
    html = html_of(client, url)
    assert f'id="thread-cursor" name="after" value="{reply.pk}"' in html


# --- Each viewer sees their own page ---------------------------------------------------------


def test_two_members_each_see_their_own_answer_on_the_meeting_page(table, meeting):
    url = meeting.get_absolute_url()
    vera, omar = Client(), Client()
    rsvp_services.rsvp_set(meeting=meeting, user=table.viewer, answer=Answer.GOING)
    vera_html = seen_twice(vera, table.viewer, url)
    omar_html = seen_twice(omar, table.other, url)
    assert "You answered: <strong>Going</strong>." in vera_html
    assert "You have not answered yet." in omar_html
    assert "You answered" not in omar_html
    rsvp_services.rsvp_set(meeting=meeting, user=table.other, answer=Answer.MAYBE)
    assert "You answered: <strong>Going</strong>." in html_of(vera, url)
    assert "You answered: <strong>Maybe</strong>." in html_of(omar, url)


def test_two_members_each_see_their_own_answer_on_the_circle_page(table, meeting):
    url = circle_url(table)
    vera, omar = Client(), Client()
    rsvp_services.rsvp_set(meeting=meeting, user=table.viewer, answer=Answer.GOING)
    assert "Your answer: Going" in seen_twice(vera, table.viewer, url)
    assert "Your answer: not yet" in seen_twice(omar, table.other, url)
    assert "Your answer: Going" in html_of(vera, url)


def test_a_member_and_staff_see_their_own_circle_page(table, meeting):
    url = circle_url(table)
    member, staff = Client(), Client()
    member_html = seen_twice(member, table.viewer, url)
    staff_html = seen_twice(staff, UserFactory(display_name="Sam Staff", is_staff=True), url)
    for html in (member_html, staff_html):
        assert "Members (3)" in html
    assert 'name="answer"' in member_html and "Leave" in member_html
    assert 'name="answer"' not in staff_html
    assert reverse("circles:leave", args=[table.circle.slug]) not in staff_html
    assert "Sam Staff" not in member_html


def test_a_member_and_staff_see_their_own_meeting_page(table, meeting):
    url = meeting.get_absolute_url()
    member, staff = Client(), Client()
    member_html = seen_twice(member, table.viewer, url)
    staff_html = seen_twice(staff, UserFactory(is_staff=True), url)
    assert 'name="answer"' in member_html and "<h3>Propose a topic</h3>" in member_html
    assert 'name="answer"' not in staff_html and "<h3>Propose a topic</h3>" not in staff_html


def test_a_member_and_staff_see_their_own_thread_controls(table, post):
    reply = ReplyFactory(post=post, author=table.viewer, body="My own reply.")
    url = post.get_absolute_url()
    member, staff = Client(), Client()
    member_html = seen_twice(member, table.viewer, url)
    staff_html = seen_twice(staff, UserFactory(is_staff=True), url)
    edit = reverse("conversations:reply_edit", args=[table.circle.slug, post.pk, reply.pk])
    hide = reverse("moderation:hide", args=[table.circle.slug, "post", post.pk])
    assert edit in member_html and hide not in member_html
    assert hide in staff_html and edit not in staff_html


def test_the_author_and_another_member_see_their_own_post_controls(table, post):
    url = post.get_absolute_url()
    author, reader = Client(), Client()
    author_html = seen_twice(author, table.other, url)
    reader_html = seen_twice(reader, table.viewer, url)
    post_edit = reverse("conversations:post_edit", args=[table.circle.slug, post.pk])
    assert post_edit in author_html and post_edit not in reader_html


@pytest.mark.parametrize("page", ["circle", "meeting", "thread"])
def test_a_form_on_the_page_carries_this_browser_s_csrf_token(table, meeting, post, page):
    """The same member in a second browser gets a token that its own cookie accepts."""
    url = {
        "circle": circle_url(table),
        "meeting": meeting.get_absolute_url(),
        "thread": post.get_absolute_url(),
    }[page]
    first = Client(enforce_csrf_checks=True)
    seen_twice(first, table.viewer, url)
    second = Client(enforce_csrf_checks=True)
    second.force_login(table.viewer)
    html = html_of(second, url)
    # Every form's token, the page's own as well as the header's: each must pass.
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    tokens += re.findall(r'"x-csrftoken": "([^"]+)"', html)
    assert len(tokens) > 2
    rsvp = reverse("meetings:rsvp", args=[table.circle.slug, meeting.pk])
    for token in tokens:
        response = second.post(rsvp, {"answer": Answer.GOING, "csrfmiddlewaretoken": token})
        assert response.status_code == 302  # 403 when the token is another browser's


# --- Writes that commit while a page is being read ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_meeting_page_shows_an_answer_committed_after_a_read_of_the_rows_before_it(client):
    """A page read while another request's write is still uncommitted is not kept past it.

    The reader sees the rows from before the write (nobody going) but after the
    writer's first signal; once the write commits, the next read shows it.
    """
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a second connection holds an open write meanwhile")
    table = make_table()
    meeting = meeting_in(table.circle, dt.timedelta(days=3))
    url = meeting.get_absolute_url()
    html = seen_twice(client, table.viewer, url)
    assert "Going (0)" in html
    written, commit = threading.Event(), threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                rsvp_services.rsvp_set(meeting=meeting, user=table.other, answer=Answer.GOING)
                written.set()
                assert commit.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert written.wait(10)
        assert "Going (0)" in html_of(client, url)  # the write is not committed yet
    finally:
        commit.set()
        thread.join(10)
    html = html_of(client, url)
    assert "Going (1)" in html and "<li>Omar Other</li>" in html
