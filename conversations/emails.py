"""Emails about conversations: plain text and HTML, the circle's name leading the subject.

A post marked "in the room" is never quoted: not its title, body or replies.
Its emails say that something new is there and link to it. Each is written in
its recipient's language (members.language.in_language_of).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from conversations.models import Introduction, Reply
from members.language import in_language_of

if TYPE_CHECKING:
    from members.models import User


def _message(
    name: str, subject: str, to: User, context: dict[str, object], reply_to: list[str] | None = None
) -> EmailMultiAlternatives:
    context = {**context, "recipient": to, "SITE_NAME": settings.SITE_NAME}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"conversations/emails/{name}.txt", context),
        to=[to.email],
        reply_to=reply_to,
    )
    message.attach_alternative(
        render_to_string(f"conversations/emails/{name}.html", context), "text/html"
    )
    return message


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def reply_email(reply: Reply) -> EmailMultiAlternatives:
    """The message telling a post's author that someone replied."""
    post = reply.post
    circle = post.circle
    recipient = post.author
    assert recipient is not None
    with in_language_of(recipient):
        if post.in_the_room:
            subject = _("%(circle)s: a new reply to your in-the-room post") % {
                "circle": circle.name
            }
        else:
            # A title is plain text (never markdown): quoted as written, shortened.
            subject = _("%(circle)s: new reply to “%(title)s”") % {
                "circle": circle.name,
                "title": Truncator(post.title).chars(80),
            }
        context = {
            "reply": reply,
            "post": post,
            "circle": circle,
            "confidential": post.in_the_room,
            "replier_name": reply.author.name if reply.author else _("A former member"),
            "url": _absolute(reply.get_absolute_url()),
        }
        return _message("reply", subject, recipient, context)


def _member_url(introduction: Introduction, person: User) -> str:
    return _absolute(
        reverse(
            "conversations:member",
            kwargs={"slug": introduction.circle.slug, "user_id": person.pk},
        )
    )


def _introduction_context(introduction: Introduction, person: User) -> dict[str, Any]:
    """What an email to one of the two people introduced shows: the other, and the note."""
    other = introduction.other_person(person)
    assert other is not None
    return {
        "introduction": introduction,
        "circle": introduction.circle,
        "introducer": introduction.introducer,
        "other": other,
        "note": introduction.note_for(person),
        "other_url": _member_url(introduction, other),
        "url": _absolute(introduction.get_absolute_url()),
    }


def introduction_request_email(introduction: Introduction, person: User) -> EmailMultiAlternatives:
    """Ask one of the two whether they would like to be introduced."""
    context = _introduction_context(introduction, person)
    circle, other = introduction.circle, context["other"]
    with in_language_of(person):
        subject = _("%(circle)s: %(introducer)s would like to introduce you to %(other)s") % {
            "circle": circle.name,
            "introducer": introduction.introducer.name,
            "other": other.name,
        }
        return _message("introduction_request", subject, person, context)


def introduction_made_email(introduction: Introduction, person: User) -> EmailMultiAlternatives:
    """Both accepted: introduce this person to the other (replying reaches the other)."""
    context = _introduction_context(introduction, person)
    circle, other = introduction.circle, context["other"]
    with in_language_of(person):
        subject = _("%(circle)s: meet %(other)s") % {"circle": circle.name, "other": other.name}
        return _message("introduction_made", subject, person, context, reply_to=[other.email])


def introduction_declined_email(introduction: Introduction) -> EmailMultiAlternatives:
    """Tell the introducer, and only them, that one of the two declined."""
    circle = introduction.circle
    decliner = (
        introduction.person_a if introduction.answer_a == "declined" else introduction.person_b
    )
    context = {
        "introduction": introduction,
        "circle": circle,
        "decliner": decliner,
        "url": _absolute(introduction.get_absolute_url()),
    }
    with in_language_of(introduction.introducer):
        subject = _("%(circle)s: your introduction of %(a)s and %(b)s will not go ahead") % {
            "circle": circle.name,
            "a": introduction.person_a.name,
            "b": introduction.person_b.name,
        }
        return _message("introduction_declined", subject, introduction.introducer, context)
