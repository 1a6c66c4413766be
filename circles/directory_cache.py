"""The landing page and the directory list circles: a change to what they show drops their pages.

(The same version keeps a signed-in person's "Circles you might sit at", which
also rest on profiles: a profile's save or its tags' change bumps it too.)

config/pagecache.py keeps both pages for signed-out visitors under the
``DIRECTORY`` version. Any write to a circle, a membership (seat counts), a
circle's topics or a meeting's time or status bumps it, whoever writes: a
service, the staff admin, a beat sweep. That is why this is a signal receiver
and not a line in each service (the house style keeps side effects out of
signals; a cache that must never be stale is the exception). Writes that skip
signals (``QuerySet.update``, ``bulk_create``) are caught by the TTL
(``SIGNED_OUT_PAGE_CACHE_SECONDS``): only meetings are bulk-created, from the
circle's schedule, which the cards already show without them.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from config.pagecache import bump

DIRECTORY = "directory"
# A directory card shows the next scheduled meeting: its time and whether it is cancelled.
MEETING_FIELDS = frozenset({"starts_at", "status"})


def directory_changed(sender: Any, action: str = "", **kwargs: Any) -> None:
    if action.startswith("pre_"):  # m2m_changed: wait for the post_ signal
        return
    bump(DIRECTORY)


def meeting_saved(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """A meeting's save (connected by meetings): only its time or status shows on a card."""
    if update_fields is None or MEETING_FIELDS & set(update_fields):
        bump(DIRECTORY)


def connect() -> None:
    from circles.models import Circle, Membership
    from members.models import Profile, Topic

    for model in (Circle, Membership, Topic):
        post_save.connect(
            directory_changed, sender=model, dispatch_uid=f"dir-save-{model.__name__}"
        )
        post_delete.connect(
            directory_changed, sender=model, dispatch_uid=f"dir-del-{model.__name__}"
        )
    m2m_changed.connect(directory_changed, sender=Circle.topics.through, dispatch_uid="dir-topics")
    # A signed-in person's suggestions rest on their profile, and on other members'
    # industries ("no one in design yet"): circles/views.py _suggestions_html.
    post_save.connect(directory_changed, sender=Profile, dispatch_uid="dir-save-Profile")
    post_delete.connect(directory_changed, sender=Profile, dispatch_uid="dir-del-Profile")
    for field in ("can_help_with", "looking_for"):
        m2m_changed.connect(
            directory_changed,
            sender=getattr(Profile, field).through,
            dispatch_uid=f"dir-profile-{field}",
        )
    # Meetings connect ``meeting_saved`` and ``directory_changed`` for their own rows
    # (meetings/receivers.py): circles does not import the apps built on it.
