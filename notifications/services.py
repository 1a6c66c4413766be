"""Writes for what a person sees and chooses: their notification preferences and the bell.

``wants`` is the one place that decides whether a person gets an optional
email; ``notify_all`` creates an event's notifications under the bell. The
delivery ledger (reminders and digests, exactly once) is ``notifications/ledger.py``
and the sweeps that send it ``notifications/sending.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator

from notifications.bell_texts import bell_text
from notifications.models import (
    ActivityEmail,
    Notification,
    NotificationKind,
    NotificationPreferences,
    Preference,
)

if TYPE_CHECKING:
    from circles.models import Circle
    from members.models import User


# --- Preferences --------------------------------------------------------------------------


def preferences_for(user: User) -> NotificationPreferences:
    """The person's preferences; an unsaved all-on row when they never changed anything."""
    prefs = NotificationPreferences.objects.filter(user_id=user.pk).first()
    return prefs or NotificationPreferences(user=user)


def wants(user: User, kind: str) -> bool:
    """Does this person want emails of this kind? ``kind``: "reminders", "digest" or "replies".

    The one question every app asks before sending an optional email (the
    conversations app asks through its signal, notifications/receivers.py). One query;
    a person who never changed their settings wants everything. Reply emails
    also need activity emails "at once": a person who chose the Monday digest
    finds their replies there (and under the bell), not in a separate email.
    """
    if kind not in Preference.values:
        raise ValueError(f"Unknown notification kind {kind!r}; one of {Preference.values}.")
    if not user.is_active:
        return False
    row = (
        NotificationPreferences.objects.filter(user_id=user.pk)
        .values_list(kind, "activity_email")
        .first()
    )
    if row is None:
        return True
    chosen, activity_email = row
    if kind == Preference.REPLIES and activity_email != ActivityEmail.IMMEDIATE:
        return False
    return bool(chosen)


@transaction.atomic
def preferences_set(
    *,
    user: User,
    reminders: bool | None = None,
    digest: bool | None = None,
    replies: bool | None = None,
    activity_email: str | None = None,
) -> NotificationPreferences:
    """Change some of a person's choices (None leaves one as is); creates the row on first use."""
    if activity_email is not None and activity_email not in ActivityEmail.values:
        raise ValueError(f"activity_email is one of {ActivityEmail.values}.")
    prefs, _ = NotificationPreferences.objects.select_for_update().get_or_create(user=user)
    changes = {
        "reminders": reminders,
        "digest": digest,
        "replies": replies,
        "activity_email": activity_email or None,
    }
    if digest is False and activity_email is None and prefs.activity_email == ActivityEmail.DIGEST:
        # Activity went by digest: with the digest off (the one-click unsubscribe,
        # which skips the form's check) it is emailed at once, not dropped.
        changes["activity_email"] = ActivityEmail.IMMEDIATE
    fields = [name for name, value in changes.items() if value is not None]
    for name in fields:
        setattr(prefs, name, changes[name])
    if fields:
        prefs.save(update_fields=[*fields, "updated_at"])
    return prefs


# --- In-app notifications (the bell) -----------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """One notification to create: for whom, what kind, what it says, where it leads.

    ``params`` names a message of notifications.bell_texts and its values, so it
    is written in each reader's language when read; ``text`` is for a notice with
    no such message (it reads the same in every language).
    """

    recipient_id: int
    kind: str
    url: str
    params: dict = field(default_factory=dict)
    text: str = ""


def is_site_path(url: str) -> bool:
    """A path on this site ("/circles/x/"), never another host ("//evil", "http://…", "/\\evil")."""
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and not any(ord(char) < 32 for char in url)
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


def _site_language_text(notice: Notice) -> str:
    """The notice in the site's language, kept in ``text`` for the admin's list and search."""
    if not notice.params:
        return notice.text
    with translation.override(settings.LANGUAGE_CODE):
        return bell_text(notice.params)


@transaction.atomic
def notify_all(
    *, notices: Iterable[Notice], actor: User | None = None, circle: Circle | None = None
) -> list[Notification]:
    """Create one event's notifications in one INSERT (bulk_create), whatever their number.

    Never for the person who did it (``actor``), and one per recipient: the
    first notice for a person wins. Texts longer than the column are cut.
    """
    actor_id = actor.pk if actor is not None else None
    seen: set[int] = set()
    rows = []
    now = timezone.now()
    for notice in notices:
        if notice.recipient_id in (None, actor_id) or notice.recipient_id in seen:
            continue
        if notice.kind not in NotificationKind.values:
            raise ValueError(f"Unknown notification kind {notice.kind!r}.")
        if not is_site_path(notice.url):
            raise ValueError(f"A notification leads to a path on this site, not {notice.url!r}.")
        seen.add(notice.recipient_id)
        rows.append(
            Notification(
                recipient_id=notice.recipient_id,
                kind=notice.kind,
                text=Truncator(_site_language_text(notice)).chars(200),
                params=notice.params,
                url=notice.url,
                actor_id=actor_id,
                circle_id=circle.pk if circle is not None else None,
                created_at=now,
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    _forget_unread_counts(seen)
    return created


def notify(
    *,
    recipient: User,
    kind: str,
    text: str,
    url: str,
    actor: User | None = None,
    circle: Circle | None = None,
) -> Notification | None:
    """Tell one person something under the bell; None when they are the actor."""
    created = notify_all(
        notices=[Notice(recipient_id=recipient.pk, kind=kind, url=url, text=text)],
        actor=actor,
        circle=circle,
    )
    return created[0] if created else None


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the person's own unread notifications read (all of them when ``ids`` is None).

    Other people's ids are ignored, not an error: the filter is on the recipient.
    Returns how many changed.
    """
    unread = Notification.objects.for_recipient(user).unread()
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    changed = unread.update(read_at=timezone.now())
    _forget_unread_counts([user.pk])
    return changed


# The bell is on every signed-in page and asks again every 30 seconds; its count
# is kept in the cache and dropped whenever a notification is created or read.
UNREAD_COUNT_SECONDS = 5 * 60


def unread_key(user_id: int) -> str:
    """Where the bell's count is kept (the header's bell reads it)."""
    return f"bell:unread:{user_id}"


def _forget_unread_counts(user_ids: Iterable[int]) -> None:
    # Now, and again after commit: a request that counted before the commit
    # may have stored the old number in between.
    keys = [unread_key(user_id) for user_id in user_ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def unread_count(user: User) -> int:
    """The number on the bell: from the cache, else one query on the partial unread index."""
    if not user.is_authenticated:
        return 0
    key = unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.for_recipient(user).unread().count()
        cache.set(key, count, UNREAD_COUNT_SECONDS)
    return count
