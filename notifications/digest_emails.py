"""The weekly digest: a member's open asks and gives, meetings ahead, and unread bell items.

Built and sent like the reminder (notifications/emails.py holds what both
share: absolute links, one-click unsubscribe, the message itself). A post
marked "in the room" is never quoted: it is named only as "an ask in
<circle>" with a link. Written in the recipient's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from circles.models import Circle
from conversations.models import Kind, Post, PostStatus
from meetings import timefmt
from meetings.models import Meeting, Rsvp
from members.language import in_language_of
from notifications.bell_texts import notification_text
from notifications.emails import (
    absolute,
    answer_text,
    build_message,
    settings_url,
    unsubscribe_headers,
    unsubscribe_url,
)
from notifications.models import ActivityEmail, Notification, Preference

if TYPE_CHECKING:
    from members.models import User

DIGEST_MAX_POSTS = 40
DIGEST_MAX_NOTICES = 20
DIGEST_LOOKBACK = dt.timedelta(days=7)


@dataclass(frozen=True)
class DigestPost:
    circle: Circle
    kind: str
    title: str  # "" for an in-the-room post: never quoted
    author: str
    url: str
    confidential: bool
    kind_value: str = ""  # Kind's value ("ask"): the words around it differ by kind


@dataclass(frozen=True)
class DigestMeeting:
    meeting: Meeting
    when: str
    your_when: str
    answer: str
    url: str


@dataclass(frozen=True)
class DigestNotice:
    text: str
    url: str


@dataclass
class DigestContent:
    circles: list[Circle] = field(default_factory=list)
    posts: list[DigestPost] = field(default_factory=list)
    meetings: list[DigestMeeting] = field(default_factory=list)
    # Unread notifications of the week, for people who chose the digest for activity emails.
    notices: list[DigestNotice] = field(default_factory=list)
    unread_more: int = 0

    @property
    def circle_names(self) -> str:
        return ", ".join(circle.name for circle in self.circles)

    @property
    def is_empty(self) -> bool:
        return not self.posts and not self.meetings and not self.notices


def digest_content(*, user: User, now: dt.datetime) -> DigestContent:
    """Open asks and gives from the last week in the member's circles (not their own),
    and their meetings in the week ahead; for a person who left activity emails to
    the digest, what is still unread under their bell from the last week.
    Five queries whatever the size. Its words (kinds, times, answers) in their language.
    """
    with in_language_of(user):
        return _digest_content(user=user, now=now)


def _digest_content(*, user: User, now: dt.datetime) -> DigestContent:
    notices, unread_more = _digest_notices(user=user, now=now)
    circles = list(Circle.objects.active().member_of(user).order_by("name"))
    if not circles:
        return DigestContent(notices=notices, unread_more=unread_more)
    posts = (
        Post.objects.live()
        .filter(
            circle__in=circles,
            kind__in=[Kind.ASK, Kind.GIVE],
            status=PostStatus.OPEN,
            last_activity_at__gte=now - dt.timedelta(days=7),
        )
        .exclude(author=user)
        .select_related("circle", "author")
        .order_by("circle__name", "circle_id", "-created_at", "-pk")[:DIGEST_MAX_POSTS]
    )
    meetings = list(
        Meeting.objects.scheduled()
        .filter(circle__in=circles, starts_at__gt=now, starts_at__lte=now + dt.timedelta(days=7))
        .select_related("circle")
        .order_by("starts_at", "pk")
    )
    answers = {
        rsvp.meeting_id: rsvp for rsvp in Rsvp.objects.filter(user=user, meeting__in=meetings)
    }
    return DigestContent(
        circles=circles,
        notices=notices,
        unread_more=unread_more,
        posts=[
            DigestPost(
                circle=post.circle,
                kind=post.get_kind_display(),
                title="" if post.in_the_room else post.title,
                author="" if post.in_the_room else (post.author.name if post.author else ""),
                url=absolute(post.get_absolute_url()),
                confidential=post.in_the_room,
                kind_value=post.kind,
            )
            for post in posts
        ],
        meetings=[
            DigestMeeting(
                meeting=meeting,
                when=timefmt.when(meeting.starts_at, meeting.ends_at, meeting.circle.zone),
                your_when=timefmt.viewer_when(
                    meeting.starts_at, meeting.circle.zone, user.time_zone
                ),
                answer=answer_text(answers.get(meeting.pk)),
                url=absolute(meeting.get_absolute_url()),
            )
            for meeting in meetings
        ],
    )


def _digest_notices(*, user: User, now: dt.datetime) -> tuple[list[DigestNotice], int]:
    """Unread notifications of the last 7 days, only if the person chose "the Monday digest".

    One query (two past DIGEST_MAX_NOTICES): the preference is joined in, so people
    who get activity emails at once (everyone by default) read nothing here.
    Notification texts never quote an in-the-room post, so they are safe to put
    in an email as they are.
    """
    unread = (
        Notification.objects.for_recipient(user)
        .unread()
        .filter(
            created_at__gte=now - DIGEST_LOOKBACK,
            created_at__lte=now,
            recipient__notification_preferences__activity_email=ActivityEmail.DIGEST,
        )
    )
    rows = list(
        unread.newest_first().values_list("params", "text", "url")[: DIGEST_MAX_NOTICES + 1]
    )
    shown = rows[:DIGEST_MAX_NOTICES]
    # Only a full list needs the true total ("and 12 more"): a second query then.
    more = unread.count() - len(shown) if len(rows) > len(shown) else 0
    notices = [
        DigestNotice(text=notification_text(params, text), url=absolute(url))
        for params, text, url in shown
    ]
    return notices, more


def digest_subject(content: DigestContent) -> str:
    names = [circle.name for circle in content.circles]
    if not names:
        return _("%(site)s: your week") % {"site": settings.SITE_NAME}
    if len(names) > 2:
        return ngettext(
            "%(first)s, %(second)s and %(more)d more: your week",
            "%(first)s, %(second)s and %(more)d more: your week",
            len(names) - 2,
        ) % {"first": names[0], "second": names[1], "more": len(names) - 2}
    if len(names) == 2:
        return _("%(first)s and %(second)s: your week") % {"first": names[0], "second": names[1]}
    return _("%(circle)s: your week") % {"circle": names[0]}


def digest_message(*, user: User, content: DigestContent) -> EmailMultiAlternatives:
    """The digest in the member's language."""
    context = {
        "person": user,
        "content": content,
        "settings_url": settings_url(),
        "unsubscribe_url": unsubscribe_url(user, Preference.DIGEST),
        "notifications_url": absolute(reverse("notifications:list")),
    }
    with in_language_of(user):
        return build_message(
            to=user.email,
            subject=digest_subject(content),
            template="digest",
            context=context,
            headers=unsubscribe_headers(user, Preference.DIGEST, "digest"),
        )
