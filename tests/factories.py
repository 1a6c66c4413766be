"""Factories shared by every test module. App-specific ones live beside their tests."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from circles.models import Circle, JoinPolicy, Listing, Membership, Role, Status
from members.models import Topic, User

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    time_zone = "America/Chicago"
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):  # noqa: N805
        """Users are created with a verified primary address unless verified=False."""
        if not create or extracted is False:
            return
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class CircleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Circle

    name = factory.Sequence(lambda n: f"Circle {n}")
    slug = factory.Sequence(lambda n: f"circle-{n}")
    purpose = "We meet to think out loud together."
    city = "Chicago"
    is_online = False
    venue_name = "The Corner Diner"
    venue_address = "1 Main St"
    time_zone = "America/Chicago"
    weekday = 1  # Tuesday
    start_time = dt.time(6, 30)
    duration_minutes = 75
    seat_limit = 12
    join_policy = JoinPolicy.OPEN
    listing = Listing.LISTED
    starts_on = factory.LazyFunction(timezone.localdate)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    circle = factory.SubFactory(CircleFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER
    status = Status.ACTIVE
    joined_at = factory.LazyAttribute(
        lambda m: timezone.now() if m.status == Status.ACTIVE else None
    )


def make_circle_with_host(**kwargs) -> tuple[Circle, User]:
    """A circle and its host, the starting point of most circle tests."""
    circle = CircleFactory(**kwargs)
    host = UserFactory()
    MembershipFactory(circle=circle, user=host, role=Role.HOST)
    return circle, host
