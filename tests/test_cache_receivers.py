"""The signal receivers that keep caches true are still connected after garbage collection.

A receiver defined inside ``AppConfig.ready()`` and connected weakly can be
collected once ready() returns; the cache it was to keep true then goes stale in
silence (in production, a live thread's poll once answered "nothing new" for
good that way, while the test suite passed).
"""

from __future__ import annotations

import gc
import sys
import weakref

import pytest
from django.db.models.signals import m2m_changed, post_delete, post_save

from circles.models import Circle, Membership, Topic
from conversations.models import Post, Reply
from meetings.models import Meeting
from members.models import Profile, User
from notifications.models import Notification

SAVE, DELETE = post_save, post_delete
RECEIVERS = [
    (SAVE, Post, "live-Post"),
    (DELETE, Post, "live-Post"),
    (SAVE, Reply, "live-Reply"),
    (DELETE, Reply, "live-Reply"),
    (SAVE, Membership, "live-Membership"),
    (DELETE, Membership, "live-Membership"),
    (SAVE, Membership, "dir-save-Membership"),
    (DELETE, Membership, "dir-del-Membership"),
    (SAVE, Circle, "dir-save-Circle"),
    (DELETE, Circle, "dir-del-Circle"),
    (SAVE, Topic, "dir-save-Topic"),
    (DELETE, Topic, "dir-del-Topic"),
    (SAVE, Meeting, "dir-save-Meeting"),
    (DELETE, Meeting, "dir-del-Meeting"),
    (m2m_changed, Circle.topics.through, "dir-topics"),
    (SAVE, User, "live-User"),
    (DELETE, User, "live-User"),
    (SAVE, Notification, "bell-unread-save"),
    (SAVE, Profile, "dir-save-Profile"),
    (DELETE, Profile, "dir-del-Profile"),
    (m2m_changed, Profile.can_help_with.through, "dir-profile-can_help_with"),
    (m2m_changed, Profile.looking_for.through, "dir-profile-looking_for"),
]


def _receiver(signal, model, uid):
    """The function connected under ``uid`` and whether only a weak reference holds it."""
    for (lookup_uid, sender_key), receiver, *_ in signal.receivers:
        if lookup_uid == uid and sender_key == id(model):
            if isinstance(receiver, weakref.ReferenceType):
                return receiver(), True
            return receiver, False
    return None, False


@pytest.mark.parametrize(("signal", "model", "uid"), RECEIVERS)
def test_the_receiver_is_held_for_good(signal, model, uid):
    gc.collect()
    function, weak = _receiver(signal, model, uid)
    assert function is not None, f"{uid} is not connected for {model.__name__}"
    if weak:
        # Django's per-sender receiver cache can keep a weakly held closure alive in
        # one process and not another; a weak reference is safe only to a function
        # its module holds.
        module = sys.modules[function.__module__]
        assert getattr(module, function.__qualname__, None) is function, (
            f"{uid}: connect a function defined inside ready() with weak=False"
        )
