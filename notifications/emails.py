"""The meeting reminder, and what every email of this app shares: links, unsubscribing, the message.

Messages are built here (the digest in notifications/digest_emails.py) and
sent by notifications.sending, which records each in the delivery ledger.
Every link is absolute (settings.SITE_URL). Each is written in its
recipient's language (members.language.in_language_of): the reminder's
frames, subject and calendar file are made once per meeting and language.
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass, field
from email.policy import Compat32
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _

from meetings import timefmt
from meetings.ics import calendar_for
from meetings.models import Answer, Meeting, Rsvp, TopicStatus
from members.language import in_language_of, language_of
from notifications.models import Preference
from notifications.tokens import rsvp_token, unsubscribe_token

if TYPE_CHECKING:
    from members.models import User

TOP_TOPICS = 5
GOING_NAMES = 15


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def settings_url() -> str:
    return absolute(reverse("notifications:settings"))


@functools.cache
def _around_token(name: str, script_prefix: str) -> tuple[str, str]:
    """What a URL with a ``<str:token>`` has before and after the token: reversed once."""
    marker = "peertables0token0marker"
    before, after = reverse(name, kwargs={"token": marker}).split(marker)
    return before, after


def _token_url(name: str, token: str) -> str:
    """``absolute(reverse(name, kwargs={"token": token}))``, without resolving each time.

    A reminder carries four such links, and reversing them was a tenth of what
    the worker spent on one; the token is quoted as reverse() quotes it.
    """
    before, after = _around_token(name, get_script_prefix())
    return absolute(before + quote(token, safe=RFC3986_SUBDELIMS + "/~:@") + after)


def unsubscribe_url(user: User, preference: str) -> str:
    token = unsubscribe_token(user_id=user.pk, preference=preference)
    return _token_url("notifications:unsubscribe", token)


def rsvp_url(meeting: Meeting, user: User, answer: str) -> str:
    token = rsvp_token(meeting_id=meeting.pk, user_id=user.pk, answer=answer)
    return _token_url("notifications:rsvp", token)


def answer_text(rsvp: Rsvp | None) -> str:
    """The member's current answer, in words."""
    if rsvp is None:
        return _("You have not answered yet.")
    if rsvp.waitlisted:
        return _("Going, on the waitlist (you get a seat when one opens).")
    return {
        Answer.GOING: _("Going."),
        Answer.MAYBE: _("Maybe."),
        Answer.NOT_GOING: _("Not going."),
    }[rsvp.answer]


def unsubscribe_headers(user: User, preference: str, list_name: str) -> dict[str, str]:
    """Headers for any optional email: one-click unsubscribe from ``preference``.

    Other apps use it too, e.g. the reply email:
    ``unsubscribe_headers(post.author, "replies", circle.slug)``.
    """
    host = urlsplit(settings.SITE_URL).hostname or "peertables"
    return {
        # RFC 2369 + RFC 8058: mail clients show "Unsubscribe" and POST
        # "List-Unsubscribe=One-Click" to the URL, no sign-in, no cookies.
        "List-Unsubscribe": f"<{unsubscribe_url(user, preference)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"<{preference}.{list_name}.{host}>",
        "Auto-Submitted": "auto-generated",
    }


def build_message(
    *, to: str, subject: str, template: str, context: dict, headers: dict
) -> EmailMultiAlternatives:
    """One email, text and HTML from the template pair ``notifications/emails/<template>``."""
    context = {"site_url": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME, **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"notifications/emails/{template}.txt", context),
        to=[to],
        headers=headers,
    )
    message.attach_alternative(
        render_to_string(f"notifications/emails/{template}.html", context), "text/html"
    )
    return message


# --- The reminder ----------------------------------------------------------------------------

# What differs between two members' reminders for the same meeting. Everything else
# (the meeting, the place, who is going, the agenda, the footer) is rendered once per
# meeting, with a marker where each of these goes; see ReminderFrames.
PERSONAL_SLOTS = ("name", "your_when", "answer", "going", "maybe", "not_going", "unsubscribe")


@dataclass(frozen=True)
class MeetingBrief:
    """What every member's reminder for one meeting shares; built once per meeting per sweep."""

    going: list[str]
    going_count: int
    topics: list[tuple[str, int]]
    # What is written in words, made on first use in each language: the subject and the
    # calendar file by language; the rendered templates with markers by language and
    # "does this reader get a second clock line".
    subjects: dict[str, str] = field(default_factory=dict, compare=False)
    calendars: dict[str, bytes] = field(default_factory=dict, compare=False)
    frames: dict[tuple[str, bool], ReminderFrames] = field(default_factory=dict, compare=False)


def meeting_brief(meeting: Meeting) -> MeetingBrief:
    """Three queries: who is going, the top open agenda topics, and nothing else (ics is local)."""
    seated = Rsvp.objects.seated().filter(meeting=meeting).select_related("user")
    going = [rsvp.user.name for rsvp in seated.order_by("updated_at", "pk")]
    topics = (
        meeting.topics.filter(status=TopicStatus.OPEN)
        .with_votes()
        .in_agenda_order(pinned=meeting.agenda_pinned)[:TOP_TOPICS]
    )
    return MeetingBrief(
        going=going[:GOING_NAMES],
        going_count=len(going),
        topics=[(topic.title, topic.vote_count) for topic in topics],
    )


def reminder_subject(meeting: Meeting) -> str:
    """'Tuesday Breakfast Thinkers: reminder for Tuesday 24 November, 06:30 CST'."""
    return _("%(circle)s: reminder for %(when)s") % {
        "circle": meeting.circle.name,
        "when": timefmt.day_and_time(meeting.local_starts_at),
    }


def reminder_context(*, meeting: Meeting, brief: MeetingBrief, personal: dict) -> dict:
    """The templates' context; ``personal`` holds the PERSONAL_SLOTS (values or markers)."""
    circle = meeting.circle
    return {
        "site_url": settings.SITE_URL,
        "SITE_NAME": settings.SITE_NAME,
        "person": {"name": personal["name"]},
        "circle": circle,
        "meeting": meeting,
        "when": timefmt.when(meeting.starts_at, meeting.ends_at, circle.zone),
        "your_when": personal["your_when"],
        "place_name": meeting.place_name,
        "place_address": meeting.place_address,
        "meeting_link": circle.meeting_link,
        "brief": brief,
        "others_going": max(brief.going_count - len(brief.going), 0),
        "answer": personal["answer"],
        "rsvp_links": [(label, personal[value]) for value, label in Answer.choices],
        "url": absolute(meeting.get_absolute_url()),
        "settings_url": settings_url(),
        "unsubscribe_url": personal["unsubscribe"],
    }


def reminder_personal(*, meeting: Meeting, user: User, rsvp: Rsvp | None) -> dict[str, str]:
    """One member's values for PERSONAL_SLOTS: name, own clock, answer and the signed links."""
    return {
        "name": user.name,
        "your_when": timefmt.viewer_when(meeting.starts_at, meeting.circle.zone, user.time_zone),
        "answer": answer_text(rsvp),
        **{value: rsvp_url(meeting, user, value) for value in Answer.values},
        "unsubscribe": unsubscribe_url(user, Preference.REMINDERS),
    }


class ReminderFrames:
    """A meeting's reminder templates rendered once, with a marker in each personal slot.

    Rendering both templates for every member was most of the time a reminder took.
    Here they are rendered once per meeting (twice when some readers get a second
    clock line and some do not: the ``{% if your_when %}`` differs) with a marker
    in place of each personal value; each member's email is then one pass of
    re.sub that puts their values in, escaped for the HTML part exactly as the
    template would have. The markers carry a random nonce made per frame, so no
    text a member wrote (a topic title, a circle name) can contain one, and one
    pass never looks inside a value it put in. tests/notifications/
    test_reminder_email.py checks the result is identical to a full render.
    """

    def __init__(self, *, meeting: Meeting, brief: MeetingBrief, has_your_when: bool) -> None:
        nonce = secrets.token_hex(12)
        markers = {slot: f"{nonce}:{slot};" for slot in PERSONAL_SLOTS}
        if not has_your_when:
            markers["your_when"] = ""
        context = reminder_context(meeting=meeting, brief=brief, personal=markers)
        self.text = render_to_string("notifications/emails/reminder.txt", context)
        self.html = render_to_string("notifications/emails/reminder.html", context)
        self.pattern = re.compile(re.escape(nonce) + r":(\w+);")

    def fill(self, personal: dict[str, str]) -> tuple[str, str]:
        """This member's text and HTML parts."""
        escaped = {slot: str(escape(value)) for slot, value in personal.items()}
        return (
            self.pattern.sub(lambda found: personal[found[1]], self.text),
            self.pattern.sub(lambda found: escaped[found[1]], self.html),
        )


class _ShortHeaders(Compat32):
    """compat32 (Django's policy), writing a short one-line ASCII header as it is.

    compat32 runs every header through email.header.Header to fold it, even one that
    fits on its line as it stands: a fifth of a reminder's CPU time for ~23 headers.
    For those the result is the header unchanged, so this writes it directly; any
    other header (long, non-ASCII, multi-line, a Header object) folds as before.
    """

    def fold_binary(self, name, value):
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + len(value) + 2 <= 76
            and "\r" not in value
            and "\n" not in value
            and "=?" not in value
            and "  " not in value
            and value == value.strip()
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


SHORT_HEADERS = _ShortHeaders()


class _BoundedEmail(EmailMultiAlternatives):
    """A message whose MIME boundaries are chosen up front, at random.

    Left unset, the email package picks each boundary when it writes the message and
    compiles a fresh regular expression per boundary to check the parts do not contain
    it: a tenth of a reminder's CPU time, and it evicts other entries from the re
    module's cache. 128 random bits per boundary cannot occur in the text by chance,
    and no member can guess them. Short headers are written without refolding
    (_ShortHeaders).
    """

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
        for part in message.walk():
            part.policy = SHORT_HEADERS
            if part.is_multipart():
                part.set_boundary(f"===============peertables-{secrets.token_hex(16)}==")
        return message


def reminder_message(
    *, meeting: Meeting, user: User, rsvp: Rsvp | None, brief: MeetingBrief
) -> EmailMultiAlternatives:
    """One member's reminder, in their language: the meeting's frames filled in, the .ics,
    one-click unsubscribe."""
    language = language_of(user)
    with in_language_of(user):
        personal = reminder_personal(meeting=meeting, user=user, rsvp=rsvp)
        frame = (language, bool(personal["your_when"]))
        if frame not in brief.frames:
            brief.frames[frame] = ReminderFrames(
                meeting=meeting, brief=brief, has_your_when=frame[1]
            )
        if language not in brief.subjects:
            brief.subjects[language] = reminder_subject(meeting)
            brief.calendars[language] = calendar_for([meeting], name=meeting.circle.name)
    text, html = brief.frames[frame].fill(personal)
    host = urlsplit(settings.SITE_URL).hostname or "peertables"
    message = _BoundedEmail(
        subject=brief.subjects[language],
        body=text,
        to=[user.email],
        headers={
            # unsubscribe_headers(), with the link already signed for the footer.
            "List-Unsubscribe": f"<{personal['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"<{Preference.REMINDERS}.{meeting.circle.slug}.{host}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    message.attach(
        f"{meeting.circle.slug}-{meeting.local_date:%Y-%m-%d}.ics",
        brief.calendars[language],
        "text/calendar",
    )
    return message
