"""Seats: active members never exceed the seat limit, also when people race for the last one.

The services lock the circle's row (SELECT ... FOR UPDATE) before counting
seats, so concurrent joins, approvals and invitation acceptances are served
one after the other. These tests race real threads, each with its own
PostgreSQL connection; a short pause after each seat count widens the window,
so without the lock every thread would see the seat free and all would join.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from circles import invitation_services, membership_services, rules
from circles.models import Membership, Role, Status
from tests.circles.factories import InvitationFactory
from tests.factories import CircleFactory, MembershipFactory, UserFactory

RACERS = 6


@pytest.fixture
def slow_seat_count(monkeypatch):
    real = rules.active_count

    def slow(circle):
        count = real(circle)
        time.sleep(0.05)
        return count

    monkeypatch.setattr(rules, "active_count", slow)


def race(attempts) -> list[str]:
    """Run the callables at once in threads; collect 'ok' or the refusal's class name."""
    barrier = threading.Barrier(len(attempts))
    results: list[str] = []
    lock = threading.Lock()

    def run(attempt):
        try:
            barrier.wait()
            attempt()
            outcome = "ok"
        except rules.CircleError as error:
            outcome = type(error).__name__
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def active(circle) -> int:
    return Membership.objects.filter(circle=circle, status=Status.ACTIVE).count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_last_seat_goes_to_exactly_one_of_many_joiners(on_postgres, slow_seat_count):
    circle = CircleFactory(join_policy="open", seat_limit=3)
    MembershipFactory(circle=circle, role=Role.HOST)
    MembershipFactory(circle=circle)
    people = UserFactory.create_batch(RACERS)
    results = race(
        [lambda u=u: membership_services.membership_join(circle=circle, user=u) for u in people]
    )
    assert sorted(results) == ["CircleFull"] * (RACERS - 1) + ["ok"]
    assert active(circle) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hosts_approving_at_once_never_overfill(on_postgres, slow_seat_count):
    circle = CircleFactory(join_policy="request", seat_limit=2)
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    requests = MembershipFactory.create_batch(RACERS, circle=circle, status=Status.REQUESTED)
    results = race(
        [
            lambda m=m: membership_services.membership_approve(membership=m, approved_by=host)
            for m in requests
        ]
    )
    assert results.count("ok") == 1
    assert active(circle) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_invitations_and_joins_racing_for_the_last_seat(on_postgres, slow_seat_count):
    circle = CircleFactory(join_policy="open", seat_limit=2)
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    invitations = InvitationFactory.create_batch(3, circle=circle, invited_by=host)
    guests = UserFactory.create_batch(3)
    joiners = UserFactory.create_batch(3)
    attempts = [
        lambda i=i, g=g: invitation_services.invitation_accept(invitation=i, user=g)
        for i, g in zip(invitations, guests, strict=True)
    ] + [lambda u=u: membership_services.membership_join(circle=circle, user=u) for u in joiners]
    results = race(attempts)
    assert results.count("ok") == 1
    assert active(circle) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_link_clicked_twice_at_once_is_used_once(on_postgres):
    circle = CircleFactory(seat_limit=10)
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    invitation = InvitationFactory(circle=circle, invited_by=host)
    people = UserFactory.create_batch(4)
    results = race(
        [
            lambda u=u: invitation_services.invitation_accept(invitation=invitation, user=u)
            for u in people
        ]
    )
    assert results.count("ok") == 1
    assert active(circle) == 2


@pytest.mark.django_db
def test_seat_limit_holds_one_at_a_time():
    """The same rule without concurrency (runs on SQLite too)."""
    circle = CircleFactory(join_policy="open", seat_limit=2)
    MembershipFactory(circle=circle, role=Role.HOST)
    membership_services.membership_join(circle=circle, user=UserFactory())
    with pytest.raises(rules.CircleFull):
        membership_services.membership_join(circle=circle, user=UserFactory())
    assert active(circle) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_hosts_leaving_at_once_leave_one_host(on_postgres, monkeypatch):
    """The same lock keeps the last-host rule: one of two hosts leaving together must stay."""
    real = rules.ensure_another_host

    def slow(circle, leaving):
        real(circle, leaving)
        time.sleep(0.05)

    monkeypatch.setattr(rules, "ensure_another_host", slow)
    circle = CircleFactory()
    hosts = MembershipFactory.create_batch(2, circle=circle, role=Role.HOST)
    results = race([lambda m=m: membership_services.membership_leave(membership=m) for m in hosts])
    assert sorted(results) == ["LastHost", "ok"]
    assert (
        Membership.objects.filter(circle=circle, role=Role.HOST, status=Status.ACTIVE).count() == 1
    )
