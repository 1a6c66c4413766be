"""A small, complete world for the security tests: one of everything a URL can point at.

Two circles (a listed one with members, an unlisted one none of our people
belong to), a meeting with an agenda topic, a post with a reply, an
introduction, a flag, a pending invitation and join request, a calendar feed,
signed email links, and the five kinds of people the tests walk as: signed
out, an outsider (signed in, in no circle of ours), a member, a host and site
staff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from circles.models import JoinPolicy, Listing, Membership, Role, Status
from conversations.models import Introduction, Post, Reply
from meetings.models import AgendaTopic, CalendarFeed, Meeting
from members.models import Profile, User
from moderation.models import Flag, Reason
from notifications.tokens import rsvp_token, unsubscribe_token
from tests.circles.factories import InvitationFactory
from tests.factories import CircleFactory, MembershipFactory, UserFactory

ROLES = ("anon", "outsider", "member", "host", "staff")


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


def build_world() -> World:
    host = UserFactory(display_name="Hana Host")
    member = UserFactory(display_name="Mo Member")
    member2 = UserFactory(display_name="Mina Member")
    requester = UserFactory(display_name="Remy Requester")
    outsider = UserFactory(display_name="Otto Outsider")
    staff = UserFactory(display_name="Stella Staff", is_staff=True, is_superuser=True)
    unverified = UserFactory(display_name="Una Unverified", verified=False)
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
    MembershipFactory(circle=unlisted, user=UserFactory(), role=Role.HOST)

    meeting = _meeting(circle, in_days=7)
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
    invitation = InvitationFactory(circle=circle, invited_by=host, email="friend@example.com")
    # Calendar feeds for the feed URL, and for walking the settings page with one.
    feeds = {user.pk: CalendarFeed.objects.create(user=user) for user in (member, host, outsider)}
    CalendarFeed.objects.create(user=staff)

    # Everyone here has signed in before: their one-time profile prompt is spent.
    for person in (host, member, member2, requester, outsider, staff):
        Profile.objects.update_or_create(user=person, defaults={"prompted_at": timezone.now()})

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
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


def content_type_id_for(obj) -> int:
    return ContentType.objects.get_for_model(obj).pk
