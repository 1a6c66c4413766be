"""Joining: open circles at once, request circles through the hosts' queue, pledges, leaving."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from circles import membership_services, rules
from circles.models import Membership, Role, Status
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def join_url(circle):
    return reverse("circles:join", args=[circle.slug])


# --- open circles ---------------------------------------------------------------


def test_open_circle_joins_at_once_from_the_circle_page(client):
    circle = CircleFactory(join_policy="open")
    MembershipFactory(circle=circle, role=Role.HOST)
    person = UserFactory()
    client.force_login(person)
    page = client.get(circle.get_absolute_url()).content.decode()
    assert f'action="{join_url(circle)}"' in page  # a one-click POST form
    response = client.post(join_url(circle), follow=True)
    assert f"Welcome to {circle.name}!" in response.content.decode()
    membership = Membership.objects.get(circle=circle, user=person)
    assert membership.status == Status.ACTIVE and membership.joined_at is not None
    assert "Members (2)" in response.content.decode()


def test_join_page_get_changes_nothing(client):
    circle = CircleFactory(join_policy="open")
    client.force_login(UserFactory())
    assert client.get(join_url(circle)).status_code == 200
    assert not Membership.objects.filter(circle=circle).exists()


def test_full_open_circle_says_so_clearly(client):
    circle = CircleFactory(join_policy="open", seat_limit=2)
    MembershipFactory.create_batch(2, circle=circle)
    person = UserFactory()
    client.force_login(person)
    assert "All seats are taken" in client.get(circle.get_absolute_url()).content.decode()
    response = client.post(join_url(circle))
    assert response.status_code == 200
    assert "is full: all 2 seats are taken" in response.content.decode()
    assert not Membership.objects.filter(circle=circle, user=person).exists()


def test_signed_out_join_goes_to_sign_in(client):
    circle = CircleFactory(join_policy="open")
    response = client.post(join_url(circle))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not Membership.objects.exists()


def test_rejoining_after_leaving_reuses_the_membership():
    circle = CircleFactory(join_policy="open")
    person = UserFactory()
    first = membership_services.membership_join(circle=circle, user=person)
    membership_services.membership_leave(membership=first)
    again = membership_services.membership_join(circle=circle, user=person)
    assert again.pk == first.pk and again.status == Status.ACTIVE


# --- pledge -----------------------------------------------------------------------------


def test_pledge_must_be_accepted_and_the_acceptance_is_recorded(client):
    circle = CircleFactory(join_policy="open", pledge="What is said here **stays here**.")
    person = UserFactory()
    client.force_login(person)
    page = client.get(join_url(circle)).content.decode()
    assert "<strong>stays here</strong>" in page
    response = client.post(join_url(circle), {})
    assert "Please accept the pledge" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()
    client.post(join_url(circle), {"accept_pledge": "on"})
    membership = Membership.objects.get(user=person)
    assert membership.status == Status.ACTIVE
    assert membership.pledge_accepted_at is not None


def test_service_refuses_without_the_pledge():
    circle = CircleFactory(join_policy="open", pledge="Confidential.")
    with pytest.raises(rules.CircleError, match="pledge"):
        membership_services.membership_join(circle=circle, user=UserFactory())


# --- requests -----------------------------------------------------------------------------


def test_request_with_a_note_reaches_the_hosts(client, send_mail):
    circle = CircleFactory(join_policy="request", name="Breakfast Thinkers")
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    cohost = MembershipFactory(circle=circle, role=Role.CO_HOST).user
    person = UserFactory(display_name="Rae Requester")
    client.force_login(person)
    page = client.get(join_url(circle)).content.decode()
    assert "A note to the hosts" in page
    with send_mail():
        client.post(join_url(circle), {"note": "I run a small bakery and love early mornings."})
    membership = Membership.objects.get(user=person)
    assert membership.status == Status.REQUESTED
    assert membership.note.startswith("I run a small bakery")
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([host.email, cohost.email])
    assert mail.outbox[0].subject == "Breakfast Thinkers: Rae Requester asks to join"
    # The requester sees that it is waiting, and still not the inside.
    page = client.get(circle.get_absolute_url()).content.decode()
    assert "Your request to join is with the hosts" in page
    assert client.get(reverse("circles:members", args=[circle.slug])).status_code == 404


def test_asking_twice_is_refused_politely():
    circle = CircleFactory(join_policy="request")
    person = UserFactory()
    membership_services.membership_request(circle=circle, user=person, note="hi")
    with pytest.raises(rules.CircleError, match="already with its hosts"):
        membership_services.membership_request(circle=circle, user=person, note="hi again")


def test_request_circle_cannot_be_joined_directly():
    circle = CircleFactory(join_policy="request")
    with pytest.raises(rules.CircleError, match="not open"):
        membership_services.membership_join(circle=circle, user=UserFactory())


def test_invite_only_circle_refuses_join_and_request(client):
    circle = CircleFactory(join_policy="invite")
    person = UserFactory()
    client.force_login(person)
    assert "is invite only" in client.get(join_url(circle)).content.decode()
    client.post(join_url(circle), {"note": "please"})
    assert not Membership.objects.filter(user=person).exists()
    with pytest.raises(rules.CircleError):
        membership_services.membership_request(circle=circle, user=person)


def test_host_approves_from_the_queue(client, send_mail):
    circle = CircleFactory(join_policy="request", name="Breakfast Thinkers")
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    request = MembershipFactory(
        circle=circle, status=Status.REQUESTED, note="Hello **hosts**", user__display_name="Ava"
    )
    client.force_login(host)
    queue = client.get(reverse("circles:requests", args=[circle.slug])).content.decode()
    assert "Ava" in queue and "<strong>hosts</strong>" in queue
    with send_mail():
        response = client.post(reverse("circles:request_approve", args=[circle.slug, request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.ACTIVE
    assert request.invited_by == host  # the approving host sponsors them
    assert [m.subject for m in mail.outbox] == ["Breakfast Thinkers: you're in"]
    assert mail.outbox[0].to == [request.user.email]


def test_host_declines_from_the_queue_with_htmx(client, send_mail):
    circle = CircleFactory(join_policy="request", name="Breakfast Thinkers")
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    request = MembershipFactory(circle=circle, status=Status.REQUESTED, user__display_name="Dee")
    client.force_login(host)
    with send_mail():
        response = client.post(
            reverse("circles:request_decline", args=[circle.slug, request.pk]),
            headers={"HX-Request": "true"},
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="request-queue">')
    assert "You declined Dee" in html and "No one is waiting" in html
    request.refresh_from_db()
    assert request.status == Status.REMOVED
    assert [m.subject for m in mail.outbox] == ["Breakfast Thinkers: your request was declined"]


def test_approving_when_full_is_refused(client):
    circle = CircleFactory(join_policy="request", seat_limit=2)
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    MembershipFactory(circle=circle)
    request = MembershipFactory(circle=circle, status=Status.REQUESTED)
    client.force_login(host)
    response = client.post(
        reverse("circles:request_approve", args=[circle.slug, request.pk]), follow=True
    )
    assert "is full" in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.REQUESTED


def test_a_decided_request_cannot_be_decided_again(client):
    circle = CircleFactory(join_policy="request")
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    request = MembershipFactory(circle=circle, status=Status.REQUESTED)
    membership_services.membership_approve(membership=request, approved_by=host)
    client.force_login(host)
    url = reverse("circles:request_decline", args=[circle.slug, request.pk])
    assert client.post(url).status_code == 404  # no longer in the queue
    request.refresh_from_db()
    assert request.status == Status.ACTIVE


def test_requests_queue_queries_do_not_grow(client, django_assert_max_num_queries):
    circle = CircleFactory(join_policy="request")
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    MembershipFactory.create_batch(12, circle=circle, status=Status.REQUESTED)
    client.force_login(host)
    # session, user, circle, topics, hosts, host check, the queue with its people,
    # the header bell's unread count
    with django_assert_max_num_queries(8):
        response = client.get(reverse("circles:requests", args=[circle.slug]))
    assert response.content.decode().count('class="card request"') == 12


def test_join_page_queries_do_not_grow(client, django_assert_max_num_queries):
    circle = CircleFactory(join_policy="request")
    MembershipFactory.create_batch(12, circle=circle)
    client.force_login(UserFactory())
    with django_assert_max_num_queries(4):
        assert client.get(join_url(circle)).status_code == 200
