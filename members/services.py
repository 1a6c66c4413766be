"""Writes for people and their profiles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from members import signals
from members.models import Profile, Topic, User

PROFILE_FIELDS = ("headline", "industry", "role", "experience", "city", "bio")


class AccountError(Exception):
    """A change we refuse, with a message for the person."""


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    time_zone: str,
    can_help_with: Iterable[Topic] = (),
    looking_for: Iterable[Topic] = (),
    avatar: ContentFile | None = None,
    remove_avatar: bool = False,
    **fields: Any,
) -> Profile:
    """Save the person's name, zone and profile. ``avatar`` is an already-checked picture."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {sorted(unknown)}")
    user.display_name = display_name
    user.time_zone = time_zone
    user.save(update_fields=["display_name", "time_zone"])
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    for name, value in fields.items():
        setattr(profile, name, value)
    old_avatar = profile.avatar.name if profile.avatar else ""
    if avatar is not None:
        profile.avatar.save(avatar.name, avatar, save=False)
    elif remove_avatar:
        profile.avatar = ""
    if profile.prompted_at is None:
        profile.prompted_at = timezone.now()
    profile.save()
    profile.can_help_with.set(can_help_with)
    profile.looking_for.set(looking_for)
    if old_avatar and old_avatar != (profile.avatar.name if profile.avatar else ""):
        _delete_file_on_commit(profile.avatar.storage, old_avatar)
    return profile


def profile_prompt_claim(*, user: User) -> bool:
    """Claim the one-time "fill in your profile" prompt: True only the first time.

    A conditional UPDATE, so two sign-ins at once still prompt once.
    """
    Profile.objects.get_or_create(user=user)
    return bool(
        Profile.objects.filter(user=user, prompted_at__isnull=True).update(
            prompted_at=timezone.now()
        )
    )


def _delete_file_on_commit(storage, name: str) -> None:
    transaction.on_commit(lambda: storage.delete(name))


def account_delete_blockers(user: User) -> list[str]:
    """Why this person's account cannot be deleted yet, for them to read; empty when it can.

    The apps built on members answer (members/signals.py): circles, when the
    person is the only host of a circle that has other members.
    """
    answers = signals.account_delete_blockers.send(sender=User, user=user)
    return [reason for _, reason in answers if reason]


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the person's account and profile.

    Their posts and replies stay, shown as by "a former member" (the author
    columns are SET_NULL), so other people's threads stay readable; their
    memberships, RSVPs and sign-in addresses go with them. It is refused while
    another app has a reason to keep it (``account_delete_blockers``): a circle
    they host alone must be handed on first.
    """
    blockers = account_delete_blockers(user)
    if blockers:
        raise AccountError(" ".join(blockers))
    profile = Profile.objects.filter(user=user).first()
    if profile is not None and profile.avatar:
        _delete_file_on_commit(profile.avatar.storage, profile.avatar.name)
    user.delete()
