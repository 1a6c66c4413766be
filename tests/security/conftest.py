"""A small, complete world for the security tests: one of everything a URL can point at.

Two circles (a listed one with members, an unlisted one none of our people
belong to, with a post and reply of its own), topics the forms offer, a
meeting with an agenda topic and one that has started (its attendance form),
a post with a reply, an introduction, a flag, a pending invitation and join
request, a calendar feed, signed email links, and the five kinds of people the
tests walk as: signed out, an outsider (signed in, in no circle of ours), a
member, a host and site staff. ``foreign_ids`` are real ids nobody here may
use (the unlisted circle's rows, rows since deleted): what a hand-made request
would try.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass

import factory
import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings

from circles.models import JoinPolicy, Listing, Membership, Role, Status, Topic
from conversations.models import Introduction, Post, Reply
from meetings.models import AgendaTopic, CalendarFeed, Meeting
from members.models import Profile, User
from moderation.models import Flag, Reason
from notifications.tokens import rsvp_token, unsubscribe_token
from tests.circles.factories import InvitationFactory
from tests.factories import TEST_PASSWORD, CircleFactory, MembershipFactory, UserFactory

ROLES = ("anon", "outsider", "member", "host", "staff")

# The fuzzers' hypothesis settings (tests/security/test_forms_fuzz.py). "ci", the
# default: a few examples per URL, the same ones every run, so the suite's time and
# answer do not vary. "explore" (HYPOTHESIS_PROFILE=explore): many more, at random.
_FUZZ = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("ci", max_examples=6, derandomize=True, **_FUZZ)
settings.register_profile("explore", max_examples=100, **_FUZZ)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@dataclass
class World:
    host: User
    member: User
    member2: User
    requester: User
    outsider: User
    staff: User
    unverified: User
    circle: object
    unlisted: object
    meeting: Meeting
    started_meeting: Meeting
    topics: list[Topic]
    topic: AgendaTopic
    post: Post
    reply: Reply
    introduction: Introduction
    flag: Flag
    invitation: object
    member_membership: Membership
    member2_membership: Membership
    request_membership: Membership
    feed: CalendarFeed
    rsvp_token: str
    unsubscribe_token: str
    confirm_key: str
    reset_uidb36: str
    reset_key: str
    foreign_ids: list[int]

    def user_for(self, role: str) -> User | None:
        return None if role == "anon" else getattr(self, role)

    def client_for(self, role: str, **kwargs) -> Client:
        client = Client(**kwargs)
        user = self.user_for(role)
        if user is not None:
            client.force_login(user)
        return client


def _meeting(circle, *, in_days: float) -> Meeting:
    starts_at = timezone.now() + dt.timedelta(days=in_days)
    return Meeting.objects.create(
        circle=circle,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=75),
        local_date=starts_at.astimezone(circle.zone).date(),
        is_one_off=True,
    )


@functools.cache
def _password_hash() -> str:
    return make_password(TEST_PASSWORD)


def somebody(**kwargs) -> User:
    """A UserFactory person whose password (TEST_PASSWORD) was hashed once per run, not per person:
    argon2 is slow on purpose, and the world has eight people."""
    return UserFactory(password=factory.Transformer.Force(_password_hash()), **kwargs)


def build_world() -> World:
    host = somebody(display_name="Hana Host")
    member = somebody(display_name="Mo Member")
    member2 = somebody(display_name="Mina Member")
    requester = somebody(display_name="Remy Requester")
    outsider = somebody(display_name="Otto Outsider")
    staff = somebody(display_name="Stella Staff", is_staff=True, is_superuser=True)
    unverified = somebody(display_name="Una Unverified", verified=False)
    EmailAddress.objects.create(user=unverified, email=unverified.email, primary=True)

    circle = CircleFactory(
        name="Tuesday Breakfast Thinkers",
        join_policy=JoinPolicy.REQUEST,
        listing=Listing.LISTED,
    )
    MembershipFactory(circle=circle, user=host, role=Role.HOST)
    member_membership = MembershipFactory(circle=circle, user=member)
    member2_membership = MembershipFactory(circle=circle, user=member2)
    request_membership = MembershipFactory(
        circle=circle, user=requester, status=Status.REQUESTED, note="May I join?"
    )
    unlisted = CircleFactory(name="Quiet Founders", listing=Listing.UNLISTED)
    unlisted_host = MembershipFactory(circle=unlisted, user=somebody(), role=Role.HOST)
    topics = [Topic.objects.create(name=name, slug=name.lower()) for name in ("Pricing", "Hiring")]
    circle.topics.add(topics[0])

    meeting = _meeting(circle, in_days=7)
    started_meeting = _meeting(circle, in_days=-0.02)
    topic = AgendaTopic.objects.create(meeting=meeting, author=member, title="Pricing a service")
    post = Post.objects.create(
        circle=circle, author=member, kind="ask", title="Who knows payroll?", body="Help me."
    )
    reply = Reply.objects.create(post=post, author=member2, body="I do.")
    introduction = Introduction.objects.create(
        circle=circle,
        introducer=member,
        person_a=member2,
        person_b=host,
        note_for_a="Meet Hana.",
        note_for_b="Meet Mina.",
    )
    flag = Flag.objects.create(circle=circle, post=post, flagged_by=member2, reason=Reason.SPAM)
    unlisted_post = Post.objects.create(
        circle=unlisted, author=unlisted_host.user, kind="give", title="Quiet", body="Shh."
    )
    unlisted_reply = Reply.objects.create(post=unlisted_post, author=unlisted_host.user, body="Ok.")
    gone = Reply.objects.create(post=post, author=member2, body="Deleted for good.")
    gone_id = gone.pk
    gone.delete()
    invitation = InvitationFactory(circle=circle, invited_by=host, email="friend@example.com")
    # Calendar feeds for the feed URL, and for walking the settings page with one.
    feeds = {user.pk: CalendarFeed.objects.create(user=user) for user in (member, host, outsider)}
    CalendarFeed.objects.create(user=staff)

    # Everyone here has signed in before: their one-time profile prompt is spent.
    for person in (host, member, member2, requester, outsider, staff):
        Profile.objects.update_or_create(user=person, defaults={"prompted_at": timezone.now()})
    member.profile.can_help_with.add(topics[0])

    email = EmailAddress.objects.get(user=unverified)
    return World(
        host=host,
        member=member,
        member2=member2,
        requester=requester,
        outsider=outsider,
        staff=staff,
        unverified=unverified,
        circle=circle,
        unlisted=unlisted,
        meeting=meeting,
        started_meeting=started_meeting,
        topics=topics,
        topic=topic,
        post=post,
        reply=reply,
        introduction=introduction,
        flag=flag,
        invitation=invitation,
        member_membership=member_membership,
        member2_membership=member2_membership,
        request_membership=request_membership,
        feed=feeds[member.pk],
        rsvp_token=rsvp_token(meeting_id=meeting.pk, user_id=member.pk, answer="going"),
        unsubscribe_token=unsubscribe_token(user_id=member.pk, preference="reminders"),
        confirm_key=EmailConfirmationHMAC(email).key,
        reset_uidb36=user_pk_to_url_str(member),
        reset_key=default_token_generator.make_token(member),
        foreign_ids=[
            unlisted.pk,
            unlisted_host.pk,
            unlisted_host.user_id,
            unlisted_post.pk,
            unlisted_reply.pk,
            gone_id,
        ],
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


def content_type_id_for(obj) -> int:
    return ContentType.objects.get_for_model(obj).pk
