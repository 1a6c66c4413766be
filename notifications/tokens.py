"""Signed links in emails that work without signing in.

An RSVP link names one meeting, one member and one answer; it is valid until
the meeting starts (checked when it is used, so a moved meeting moves the
deadline with it). An unsubscribe link names one member and one kind of
email and does not expire: RFC 8058 mail clients may use it months later.
Tampering with any character makes the signature fail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

RSVP_SALT = "notifications.rsvp"
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


class BadLink(Exception):
    """The link was altered or is not one of ours."""


@dataclass(frozen=True)
class RsvpClaim:
    meeting_id: int
    user_id: int
    answer: str


@dataclass(frozen=True)
class UnsubscribeClaim:
    user_id: int
    preference: str


def rsvp_token(*, meeting_id: int, user_id: int, answer: str) -> str:
    return signing.dumps([meeting_id, user_id, answer], salt=RSVP_SALT)


def read_rsvp_token(token: str) -> RsvpClaim:
    try:
        meeting_id, user_id, answer = signing.loads(token, salt=RSVP_SALT)
        return RsvpClaim(meeting_id=int(meeting_id), user_id=int(user_id), answer=str(answer))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadLink(str(exc)) from exc


def unsubscribe_token(*, user_id: int, preference: str) -> str:
    return signing.dumps([user_id, preference], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> UnsubscribeClaim:
    try:
        user_id, preference = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return UnsubscribeClaim(user_id=int(user_id), preference=str(preference))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadLink(str(exc)) from exc
