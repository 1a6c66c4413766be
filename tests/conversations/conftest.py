from __future__ import annotations

from dataclasses import dataclass

import pytest

from circles.models import Circle, Role
from members.models import User
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host


@dataclass
class Cast:
    circle: Circle
    host: User
    alice: User  # a member who asks
    bob: User  # a member who answers
    outsider: User  # signed in, not in the circle


@pytest.fixture
def cast(db) -> Cast:
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    alice = UserFactory(display_name="Alice Asker")
    bob = UserFactory(display_name="Bob Helper")
    MembershipFactory(circle=circle, user=alice, role=Role.MEMBER)
    MembershipFactory(circle=circle, user=bob, role=Role.MEMBER)
    outsider = UserFactory(display_name="Olive Outsider")
    return Cast(circle=circle, host=host, alice=alice, bob=bob, outsider=outsider)


@pytest.fixture
def as_user(client):
    """as_user(person) signs the test client in as that person and returns it."""

    def sign_in(user: User):
        client.force_login(user)
        return client

    return sign_in
