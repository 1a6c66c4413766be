"""The bell hears what happens in the apps below through their signals.

circles, meetings and conversations send a signal where something happened,
inside their own transaction (circles/signals.py and its neighbours); each is
relayed here to the matching function in notifications/events.py, so the
bell's rows commit or roll back with the event. The one question asked the
other way, whether a person wants reply emails, is answered from their
notification settings. Connected once, in NotificationsConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from circles import signals as circle_signals
from conversations import signals as conversation_signals
from meetings import signals as meeting_signals
from notifications import events
from notifications.models import Preference
from notifications.services import wants

RELAYS: list[tuple[Any, Callable[..., None]]] = [
    (circle_signals.join_approved, events.join_approved),
    (circle_signals.invitation_created, events.invitation_sent),
    (meeting_signals.waitlist_promoted, events.waitlist_promoted),
    (conversation_signals.reply_posted, events.reply_posted),
    (conversation_signals.thanks_given, events.thanks_given),
    (conversation_signals.introduction_requested, events.introduction_requested),
    (conversation_signals.introduction_closed, events.introduction_closed),
]


def _relay(event: Callable[..., None]) -> Callable[..., None]:
    def receiver(sender: type, signal: Any = None, **kwargs: Any) -> None:
        event(**kwargs)

    return receiver


def reply_email_wanted(sender: type, user: Any, **kwargs: Any) -> bool:
    return wants(user, Preference.REPLIES)


def connect() -> None:
    for signal, event in RELAYS:
        # weak=False: the relay is made here and held by nothing else.
        signal.connect(_relay(event), weak=False, dispatch_uid=f"bell-{event.__name__}")
    conversation_signals.reply_email_wanted.connect(
        reply_email_wanted, weak=False, dispatch_uid="notifications-reply-email-wanted"
    )
