"""What a notification under the bell says, written when it is read, in the reader's language.

notifications.events stores each notification's kind of message and the
values it names (``Notification.params``: people's names, the circle, a post's
title or, for an "in the room" post, only its kind and circle, a meeting's
date); ``bell_text`` turns them into words in the active language, which is
the reader's on their pages and in their digest. So a notification written
while an English member acted reads German to a German member, and follows
them when they change their language.

Each message is a whole sentence for the translators, with named
placeholders; a post is named by a phrase of its own (its quoted title, or one
phrase per kind of "in the room" post, since the words around it change with
the kind in German and Spanish).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.timefmt import day

MESSAGES = {
    "reply_to_my_post": gettext_lazy("%(replier)s replied to your post %(post)s."),
    "reply_in_thread": gettext_lazy("%(replier)s also replied to %(post)s."),
    "thanks": gettext_lazy("%(name)s thanked you for your reply to %(post)s."),
    "introduction_asked": gettext_lazy("%(introducer)s would like to introduce you to %(other)s."),
    "introduction_made": gettext_lazy("You and %(other)s are introduced: you both said yes."),
    "introduction_accepted": gettext_lazy("%(a)s and %(b)s both accepted your introduction."),
    "introduction_declined": gettext_lazy(
        "Your introduction of %(a)s and %(b)s will not go ahead."
    ),
    "join_approved": gettext_lazy("You are now a member of %(circle)s: your request was approved."),
    "invitation": gettext_lazy("%(inviter)s invited you to join %(circle)s."),
    "waitlist_promoted": gettext_lazy(
        "A seat opened at %(circle)s's meeting on %(day)s: you are going."
    ),
}

IN_THE_ROOM = {
    "ask": gettext_lazy("an in-the-room ask in %(circle)s"),
    "give": gettext_lazy("an in-the-room give in %(circle)s"),
    "discussion": gettext_lazy("an in-the-room discussion in %(circle)s"),
}


def post_phrase(post: dict) -> str:
    """How a post is named: its quoted title, or for an "in the room" post its kind and circle."""
    if "in_the_room" in post:
        return IN_THE_ROOM[post["in_the_room"]] % {"circle": post["circle"]}
    return _("“%(title)s”") % {"title": post["title"]}


def bell_text(params: dict) -> str:
    """The notification's sentence in the active language."""
    values = dict(params)
    message = MESSAGES[values.pop("message")]
    if "post" in values:
        values["post"] = post_phrase(values["post"])
    if "date" in values:
        values["day"] = day(dt.date.fromisoformat(values.pop("date")))
    return message % values


def notification_text(params: dict, text: str) -> str:
    """A stored notification's words: its message in the active language, else its ``text``
    (rows written before messages were kept, and notices written as plain text)."""
    if params.get("message") in MESSAGES:
        return bell_text(params)
    return text
