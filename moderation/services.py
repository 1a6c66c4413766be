"""Writes for moderation: flag, hide, restore, resolve, suspend, archive. Each is logged.

Nothing here deletes a post, reply, person or circle: hiding and suspension
are flags on the row, reversible, and every step leaves a ModerationAction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circles.models import Circle
from conversations import live
from conversations.models import Post, Reply
from moderation.models import ActionKind, Flag, ModerationAction, Reason

if TYPE_CHECKING:
    from members.models import User

LABEL_MAX = 200


class ModerationError(Exception):
    """Something we refuse, with a message for the person."""


def _label(obj: models.Model) -> str:
    if isinstance(obj, Post):
        text = f"Post {obj.pk}: {obj.title}"
    elif isinstance(obj, Reply):
        text = f"Reply {obj.pk} on post {obj.post_id}"
    else:
        text = f"{obj._meta.verbose_name.capitalize()} {obj.pk}: {obj}"
    return text[:LABEL_MAX]


def action_record(
    *,
    actor: User | None,
    kind: str,
    target: models.Model,
    reason: str = "",
    circle: Circle | None = None,
    as_staff: bool = False,
) -> ModerationAction:
    return ModerationAction.objects.create(
        actor=actor,
        kind=kind,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        target_label=_label(target),
        circle=circle,
        reason=reason,
        as_staff=as_staff,
    )


def _item_changed(item: Post | Reply) -> None:
    """A hide or restore writes with update(): tell the thread's pollers."""
    live.thread_changed(item.pk if isinstance(item, Post) else item.post_id)


def _circle_of(item: Post | Reply) -> Circle:
    return item.circle if isinstance(item, Post) else item.post.circle


@transaction.atomic
def flag_create(*, item: Post | Reply, flagged_by: User, reason: str, note: str = "") -> Flag:
    """File one flag. A second flag by the same person on the same item is refused."""
    if reason not in Reason.values:
        raise ModerationError(_("Choose a reason for the flag."))
    if item.author_id == flagged_by.pk:
        raise ModerationError(_("You cannot flag your own words; edit or delete them instead."))
    target = {"post": item} if isinstance(item, Post) else {"reply": item}
    try:
        # A savepoint, so a duplicate leaves the outer transaction usable.
        with transaction.atomic():
            return Flag.objects.create(
                circle=_circle_of(item), flagged_by=flagged_by, reason=reason, note=note, **target
            )
    except IntegrityError:
        raise ModerationError(
            _("You have already flagged this. The hosts have it in their queue.")
        ) from None


@transaction.atomic
def item_hide(*, item: Post | Reply, by: User, reason: str = "", as_staff: bool = False) -> bool:
    """Hide a post or reply from members ("hidden by a host"). Its text stays whole.

    Returns False when it was hidden already (nothing logged twice).
    """
    return _item_set_hidden(item=item, hide=True, by=by, reason=reason, as_staff=as_staff)


@transaction.atomic
def item_restore(*, item: Post | Reply, by: User, reason: str = "", as_staff: bool = False) -> bool:
    """Show a hidden post or reply again. Returns False when it was not hidden."""
    return _item_set_hidden(item=item, hide=False, by=by, reason=reason, as_staff=as_staff)


def _item_set_hidden(
    *, item: Post | Reply, hide: bool, by: User, reason: str, as_staff: bool
) -> bool:
    """Hide or show one item by a conditional UPDATE: a second click changes and logs nothing."""
    to_change = type(item).objects.filter(pk=item.pk, hidden_at__isnull=hide)
    if hide:
        updated = to_change.update(hidden_at=timezone.now(), hidden_by=by)
    else:
        updated = to_change.update(hidden_at=None, hidden_by=None)
    if not updated:
        return False
    item.refresh_from_db(fields=["hidden_at", "hidden_by"])
    _item_changed(item)
    action_record(
        actor=by,
        kind=ActionKind.HIDE if hide else ActionKind.RESTORE,
        target=item,
        reason=reason,
        circle=_circle_of(item),
        as_staff=as_staff,
    )
    return True


@transaction.atomic
def flags_resolve(
    *, flags: Iterable[Flag], by: User, note: str = "", as_staff: bool = False
) -> int:
    """Close open flags (the item was handled, or needs nothing). One log entry per item."""
    ids = [flag.pk for flag in flags]
    open_flags = list(
        Flag.objects.open()
        .filter(pk__in=ids)
        .select_related("post", "reply", "reply__post", "circle")
        .select_for_update(of=("self",))
    )
    if not open_flags:
        return 0
    Flag.objects.filter(pk__in=[f.pk for f in open_flags]).update(
        resolved_at=timezone.now(), resolved_by=by, resolution_note=note
    )
    seen: set[tuple[str, int]] = set()
    for flag in open_flags:
        item = flag.item
        key = (type(item).__name__, item.pk)
        if key in seen:
            continue
        seen.add(key)
        action_record(
            actor=by,
            kind=ActionKind.RESOLVE,
            target=item,
            reason=note,
            circle=flag.circle,
            as_staff=as_staff,
        )
    return len(open_flags)


@transaction.atomic
def person_suspend(*, person: User, by: User, reason: str = "") -> bool:
    """Suspend a person: they cannot sign in and their open sessions stop working.

    is_active=False does both (Django's auth backends refuse inactive users,
    so an existing session resolves to nobody on its next request); their
    posts and replies stay. Returns False when already suspended.
    """
    from members.models import User

    if person.pk == by.pk:
        raise ModerationError(_("You cannot suspend yourself."))
    updated = User.objects.filter(pk=person.pk, suspended_at__isnull=True).update(
        is_active=False, suspended_at=timezone.now(), suspended_reason=reason
    )
    if not updated:
        return False
    live.access_changed(person.pk)  # their thread polls' "nothing new" stops counting
    person.refresh_from_db(fields=["is_active", "suspended_at", "suspended_reason"])
    action_record(actor=by, kind=ActionKind.SUSPEND, target=person, reason=reason, as_staff=True)
    return True


@transaction.atomic
def person_unsuspend(*, person: User, by: User, reason: str = "") -> bool:
    from members.models import User

    updated = User.objects.filter(pk=person.pk, suspended_at__isnull=False).update(
        is_active=True, suspended_at=None, suspended_reason=""
    )
    if not updated:
        return False
    person.refresh_from_db(fields=["is_active", "suspended_at", "suspended_reason"])
    action_record(actor=by, kind=ActionKind.UNSUSPEND, target=person, reason=reason, as_staff=True)
    return True


@transaction.atomic
def circle_archive(*, circle: Circle, by: User, reason: str = "") -> bool:
    """Archive a circle (staff): it leaves the directory and takes no one new."""
    from circles import services as circle_services

    if circle.archived_at is not None:
        return False
    circle_services.circle_archive(circle=circle)
    action_record(
        actor=by,
        kind=ActionKind.ARCHIVE,
        target=circle,
        reason=reason,
        circle=circle,
        as_staff=True,
    )
    return True


@transaction.atomic
def circle_unarchive(*, circle: Circle, by: User, reason: str = "") -> bool:
    updated = Circle.objects.filter(pk=circle.pk, archived_at__isnull=False).update(
        archived_at=None, updated_at=timezone.now()
    )
    if not updated:
        return False
    circle.refresh_from_db(fields=["archived_at", "updated_at"])
    action_record(
        actor=by,
        kind=ActionKind.UNARCHIVE,
        target=circle,
        reason=reason,
        circle=circle,
        as_staff=True,
    )
    return True
