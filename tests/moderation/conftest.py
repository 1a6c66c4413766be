from __future__ import annotations

from dataclasses import dataclass

import pytest

from circles.models import Circle, Role
from conversations.models import Post, Reply
from members.models import User
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host


@dataclass
class Table:
    circle: Circle
    host: User
    member: User  # flags things
    seller: User  # posts a sales pitch
    post: Post
    reply: Reply


@pytest.fixture
def table() -> Table:
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    member = UserFactory(display_name="Mia Member")
    seller = UserFactory(display_name="Sid Seller")
    MembershipFactory(circle=circle, user=member)
    MembershipFactory(circle=circle, user=seller)
    post = PostFactory(
        circle=circle, author=seller, title="Buy my coaching package", body="Only $999 today!"
    )
    reply = ReplyFactory(post=post, author=seller, body="DM me for a discount code")
    return Table(circle, host, member, seller, post, reply)


@pytest.fixture
def other_table() -> Table:
    circle, host = make_circle_with_host(name="Loop Product Circle")
    member = UserFactory()
    seller = UserFactory()
    MembershipFactory(circle=circle, user=member)
    MembershipFactory(circle=circle, user=seller)
    post = PostFactory(circle=circle, author=seller, title="Another circle's post")
    reply = ReplyFactory(post=post, author=seller)
    return Table(circle, host, member, seller, post, reply)


def co_host(circle: Circle) -> User:
    user = UserFactory()
    MembershipFactory(circle=circle, user=user, role=Role.CO_HOST)
    return user
