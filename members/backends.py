"""Authentication backends that load the signed-in person from the cache, not the database.

Every signed-in request needs ``request.user``; Django's backends fetch it with
one query each time. These keep the row in the cache (Redis when REDIS_URL is
set, shared by every web process) for USER_CACHE_SECONDS and drop it whenever
the row is saved or deleted (``forget_user``, connected in members.apps), so a
password change, a suspension or a deactivation takes effect on the next request
just as before: Django still compares the session's password hash and the
backends still refuse inactive accounts.

The cached object is the bare row. Related objects (the profile) are fetched
as before; nothing read through ``request.user`` outlives one request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

if TYPE_CHECKING:
    from members.models import User

CACHE_KEY = "auth:user:{}:v1"


def _cache_key(user_id: object) -> str:
    return CACHE_KEY.format(user_id)


def forget_user(user_id: object) -> None:
    """Drop a person's cached row: now, and again once the change is committed.

    Call it after any write that bypasses save() (``QuerySet.update``). The second
    delete covers a request that read the old row while the change was still
    uncommitted and cached it just before the commit.
    """
    key = _cache_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def forget_user_when_changed(sender: type, instance: User, **kwargs: object) -> None:
    """post_save and post_delete of a User (members.apps)."""
    forget_user(instance.pk)


def cached_user(user_id: object) -> User | None:
    """The user with this primary key, from the cache when it is there."""
    key = _cache_key(user_id)
    user = cache.get(key)
    if user is None:
        model = get_user_model()
        try:
            user = model._default_manager.get(pk=user_id)
        except (model.DoesNotExist, ValueError, TypeError):
            return None
        cache.set(key, user, settings.USER_CACHE_SECONDS)
    return user


class CachedUserMixin:
    def get_user(self, user_id: object) -> User | None:
        user = cached_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class CachedModelBackend(CachedUserMixin, ModelBackend):
    """Django's username-and-password backend (staff and tests), with the cached user."""


class CachedAuthenticationBackend(CachedUserMixin, AllauthBackend):
    """allauth's email-and-password backend, with the cached user."""
