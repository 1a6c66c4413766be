"""Hosting: create, edit, archive, co-hosts, removing members, transferring hosting.

Destructive actions ask first (a GET shows a confirmation page and changes nothing).
A circle always keeps at least one active host.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse

from circles import membership_services, rules, services
from circles.models import Circle, Listing, Membership, Role, Status
from meetings.services import meetings_materialize
from tests.factories import CircleFactory, MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Tuesday Breakfast Thinkers",
    "purpose": "Founders thinking out loud over breakfast.",
    "city": "Chicago",
    "venue_name": "Lou's Diner",
    "venue_address": "1 Main St",
    "time_zone": "America/Chicago",
    "weekday": "1",
    "start_time": "06:30",
    "duration_minutes": "75",
    "frequency": "weekly",
    "starts_on": "2026-12-01",
    "seat_limit": "12",
    "join_policy": "request",
    "listing": "listed",
    "reminder_lead_hours": "24",
}


def circle_fields(**overrides):
    fields = {
        "name": "Table",
        "purpose": "p",
        "city": "Chicago",
        "time_zone": "America/Chicago",
        "weekday": 1,
        "start_time": dt.time(6, 30),
        "seat_limit": 12,
    }
    fields.update(overrides)
    return fields


# --- create -----------------------------------------------------------------


def test_signed_out_person_is_sent_to_sign_in(client):
    response = client.get(reverse("circles:create"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_create_makes_the_creator_host(client):
    topic = TopicFactory(name="Founders", slug="founders")
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse("circles:create")).status_code == 200
    response = client.post(reverse("circles:create"), {**VALID, "topics": [topic.pk]})
    circle = Circle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == circle.get_absolute_url()
    assert circle.slug == "tuesday-breakfast-thinkers"
    assert list(circle.topics.all()) == [topic]
    membership = Membership.objects.get(circle=circle)
    assert (membership.user, membership.role, membership.status) == (person, "host", "active")
    page = client.get(circle.get_absolute_url()).content.decode()
    assert "Every week on Tuesday at 06:30 (America/Chicago), 75 minutes" in page
    assert "12 of 12" not in page and "11 of 12 seats open" in page
    # The next weeks of meetings exist at once (journey 3), at 06:30 Chicago time.
    meetings = list(circle.meetings.order_by("starts_at"))
    assert len(meetings) >= 8
    local = meetings[0].starts_at.astimezone(circle.zone)
    assert (local.weekday(), local.hour, local.minute) == (1, 6, 30)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"seat_limit": "40"}, "seat_limit", "less than or equal to 30"),
        ({"seat_limit": "1"}, "seat_limit", "greater than or equal to 2"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
        ({"city": ""}, "city", "Name the city"),
        ({"name": ""}, "name", "required"),
        ({"start_time": "25:00"}, "start_time", "valid time"),
    ],
)
def test_create_explains_bad_input(client, change, field, message):
    client.force_login(UserFactory())
    response = client.post(reverse("circles:create"), {**VALID, **change})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not Circle.objects.exists()


def test_online_circle_needs_no_city(client):
    client.force_login(UserFactory())
    data = {**VALID, "city": "", "is_online": "on", "meeting_link": "https://meet.example.com/x"}
    assert client.post(reverse("circles:create"), data).status_code == 302
    assert Circle.objects.get().place == "Online"


def test_slugs_stay_unique_and_avoid_reserved_words():
    host = UserFactory()
    first = services.circle_create(host=host, **circle_fields(name="Breakfast"))
    second = services.circle_create(host=host, **circle_fields(name="Breakfast"))
    reserved = services.circle_create(host=host, **circle_fields(name="New"))
    assert (first.slug, second.slug) == ("breakfast", "breakfast-2")
    assert reserved.slug == "new-2"


def test_slug_collision_at_insert_is_retried_not_raised():
    """Two requests that both saw 'breakfast' free: the loser retries under the next slug."""
    host = UserFactory()
    CircleFactory(slug="breakfast")  # taken between the candidate choice and the insert
    circle = services.circle_create(host=host, **circle_fields(name="Breakfast"))
    assert circle.slug == "breakfast-2"


def test_the_database_refuses_a_duplicate_slug():
    CircleFactory(slug="same")
    with pytest.raises(IntegrityError):
        CircleFactory(slug="same")


# --- edit ------------------------------------------------------------------------


def test_cohost_edits_the_circle(client):
    circle = CircleFactory(name="Old Name", slug="old-name")
    MembershipFactory(circle=circle, role=Role.HOST)
    cohost = MembershipFactory(circle=circle, role=Role.CO_HOST).user
    client.force_login(cohost)
    page = client.get(reverse("circles:edit", args=[circle.slug]))
    assert 'value="Old Name"' in page.content.decode()
    response = client.post(
        reverse("circles:edit", args=[circle.slug]), {**VALID, "name": "New Name"}
    )
    assert response.status_code == 302
    circle.refresh_from_db()
    assert circle.name == "New Name"
    assert circle.slug == "old-name"  # links keep working


def test_schedule_change_moves_future_meetings(client):
    circle = CircleFactory(slug="moving", start_time=dt.time(6, 30))
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    meetings_materialize(circle=circle)
    client.force_login(host)
    response = client.post(
        reverse("circles:edit", args=["moving"]), {**VALID, "start_time": "07:15"}
    )
    assert response.status_code == 302
    future = circle.meetings.filter(status="scheduled")
    assert future.exists()
    assert {m.starts_at.astimezone(circle.zone).time() for m in future} == {dt.time(7, 15)}


def test_seat_limit_cannot_drop_below_active_members(client):
    circle = CircleFactory(slug="busy")
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    MembershipFactory.create_batch(4, circle=circle)
    client.force_login(host)
    response = client.post(reverse("circles:edit", args=["busy"]), {**VALID, "seat_limit": "3"})
    assert response.status_code == 200
    assert "has 5 active members" in response.content.decode()
    circle.refresh_from_db()
    assert circle.seat_limit == 12


# --- archive ----------------------------------------------------------------------


def test_archive_asks_first_then_archives(client):
    circle = CircleFactory(name="Closing Table")
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    client.force_login(host)
    url = reverse("circles:archive", args=[circle.slug])
    page = client.get(url)
    assert "Archive Closing Table?" in page.content.decode()
    circle.refresh_from_db()
    assert circle.archived_at is None  # the GET changed nothing
    assert client.post(url).status_code == 302
    circle.refresh_from_db()
    assert circle.archived_at is not None
    assert not Circle.objects.listed().filter(pk=circle.pk).exists()


def test_archived_circle_takes_no_one_new():
    circle = CircleFactory(join_policy="open", archived_at="2026-01-01T00:00:00Z")
    with pytest.raises(rules.CircleError, match="archived"):
        membership_services.membership_join(circle=circle, user=UserFactory())


# --- co-hosts and roles --------------------------------------------------------------


def test_host_names_and_unnames_a_cohost(client):
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    member = MembershipFactory(circle=circle)
    client.force_login(host)
    url = reverse("circles:member_role", args=[circle.slug, member.pk])
    response = client.post(url, {"role": "co_host"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.CO_HOST
    client.post(url, {"role": "member"})
    member.refresh_from_db()
    assert member.role == Role.MEMBER


def test_role_change_with_htmx_returns_the_member_list(client):
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    member = MembershipFactory(circle=circle, user__display_name="Rita Role")
    client.force_login(host)
    response = client.post(
        reverse("circles:member_role", args=[circle.slug, member.pk]),
        {"role": "co_host"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="member-list">')
    assert "Rita Role is now a co-host" in html  # the message rides in the fragment
    assert "Make member" in html


def test_role_cannot_be_set_to_host_by_the_role_form(client):
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    member = MembershipFactory(circle=circle)
    client.force_login(host)
    client.post(reverse("circles:member_role", args=[circle.slug, member.pk]), {"role": "host"})
    member.refresh_from_db()
    assert member.role == Role.MEMBER


def test_cohost_cannot_demote_the_host():
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST)
    cohost = MembershipFactory(circle=circle, role=Role.CO_HOST).user
    with pytest.raises(rules.CircleError, match="Only a host"):
        membership_services.membership_set_role(
            membership=host, role=Role.MEMBER, changed_by=cohost
        )


# --- removing members -------------------------------------------------------------------


def test_remove_asks_first_then_removes(client):
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    member = MembershipFactory(circle=circle, user__display_name="Rob Removed")
    client.force_login(host)
    url = reverse("circles:member_remove", args=[circle.slug, member.pk])
    assert "Remove Rob Removed from" in client.get(url).content.decode()
    member.refresh_from_db()
    assert member.status == Status.ACTIVE
    client.post(url)
    member.refresh_from_db()
    assert member.status == Status.REMOVED
    client.force_login(member.user)
    assert client.get(reverse("circles:members", args=[circle.slug])).status_code == 404


def test_cohost_removes_a_cohost_but_not_the_host():
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST)
    cohost = MembershipFactory(circle=circle, role=Role.CO_HOST)
    other = MembershipFactory(circle=circle, role=Role.CO_HOST)
    membership_services.membership_remove(membership=other, removed_by=cohost.user)
    other.refresh_from_db()
    assert other.status == Status.REMOVED
    with pytest.raises(rules.CircleError, match="Only a host"):
        membership_services.membership_remove(membership=host, removed_by=cohost.user)


# --- the last-host rule and transfer ----------------------------------------------------


def test_the_last_host_cannot_leave():
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST)
    MembershipFactory(circle=circle, role=Role.CO_HOST)
    with pytest.raises(rules.LastHost, match="needs at least one host"):
        membership_services.membership_leave(membership=host)
    host.refresh_from_db()
    assert host.status == Status.ACTIVE and host.role == Role.HOST


def test_the_last_host_leaving_through_the_page_gets_a_clear_message(client):
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST)
    client.force_login(host.user)
    response = client.post(reverse("circles:leave", args=[circle.slug]), follow=True)
    assert "needs at least one host" in response.content.decode()
    host.refresh_from_db()
    assert host.status == Status.ACTIVE


def test_a_host_can_leave_when_another_host_remains():
    circle = CircleFactory()
    first = MembershipFactory(circle=circle, role=Role.HOST)
    MembershipFactory(circle=circle, role=Role.HOST)
    membership_services.membership_leave(membership=first)
    first.refresh_from_db()
    assert first.status == Status.LEFT


def test_transfer_asks_first_then_hands_hosting_on(client):
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST)
    member = MembershipFactory(circle=circle, user__display_name="Tess Transfer")
    client.force_login(host.user)
    url = reverse("circles:transfer", args=[circle.slug, member.pk])
    assert "Make Tess Transfer the host" in client.get(url).content.decode()
    client.post(url)
    host.refresh_from_db()
    member.refresh_from_db()
    assert (member.role, host.role) == (Role.HOST, Role.CO_HOST)
    # The former host can now leave: the circle still has its host.
    membership_services.membership_leave(membership=host)
    assert Membership.objects.filter(circle=circle, role=Role.HOST, status="active").count() == 1


def test_transfer_only_to_an_active_member():
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST)
    gone = MembershipFactory(circle=circle, status=Status.LEFT, joined_at=None)
    with pytest.raises(rules.CircleError, match="active member"):
        membership_services.hosting_transfer(circle=circle, from_user=host.user, to_membership=gone)


def test_member_leaves_after_confirming(client):
    circle = CircleFactory(listing=Listing.UNLISTED)
    MembershipFactory(circle=circle, role=Role.HOST)
    member = MembershipFactory(circle=circle)
    client.force_login(member.user)
    url = reverse("circles:leave", args=[circle.slug])
    assert "Leave " in client.get(url).content.decode()
    client.post(url)
    member.refresh_from_db()
    assert member.status == Status.LEFT
    assert client.get(circle.get_absolute_url()).status_code == 404


def test_hosting_pages_queries_do_not_grow(client, django_assert_max_num_queries):
    circle = CircleFactory()
    circle.topics.add(*TopicFactory.create_batch(5))
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    MembershipFactory.create_batch(11, circle=circle)
    TopicFactory.create_batch(20)
    client.force_login(host)
    # session, user, circle, host check (membership), topics choices, circle topics,
    # the header bell's unread count
    with django_assert_max_num_queries(7):
        assert client.get(reverse("circles:edit", args=[circle.slug])).status_code == 200
    with django_assert_max_num_queries(5):  # +1 the bell, as above
        assert client.get(reverse("circles:archive", args=[circle.slug])).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("circles:create")).status_code == 200


def test_staff_search_invitations_in_the_admin(client):
    from tests.circles.factories import InvitationFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    InvitationFactory(email="someone@example.com")
    InvitationFactory(email="other@example.com")
    client.force_login(staff)
    page = client.get(reverse("admin:circles_invitation_changelist"), {"q": "someone"})
    html = page.content.decode()
    assert "someone@example.com" in html and "other@example.com" not in html


def test_confirmation_pages_queries_do_not_grow(client, django_assert_max_num_queries):
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    target = MembershipFactory(circle=circle)
    MembershipFactory.create_batch(10, circle=circle)
    client.force_login(host)
    # session, user, circle, the host check, the target membership with its person,
    # the header bell's unread count
    for name in ("member_remove", "transfer"):
        with django_assert_max_num_queries(6):
            response = client.get(reverse(f"circles:{name}", args=[circle.slug, target.pk]))
        assert response.status_code == 200
    client.force_login(target.user)
    with django_assert_max_num_queries(5):  # +1 the bell, as above
        assert client.get(reverse("circles:leave", args=[circle.slug])).status_code == 200
