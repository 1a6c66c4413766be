"""A change made by another process takes effect on the member's very next request (issue 19).

A second web process, a Celery worker or ``manage.py shell`` writes to the same
database but, with the embedded default, keeps a cache of its own: nothing it drops
from or bumps in its cache reaches this process. So suspension, deletion, removal
from a circle and a new password are made here by a real subprocess
(``manage.py shell`` with this test's database and no Redis) while this test's
client holds its session with the circle, meeting and thread pages and the thread's
poll open; the client's next request must get the 404 or the sign-in page.

The subprocess must see committed rows, so these tests are transactional, on
PostgreSQL and on SQLite (whose test database is a file: config/settings.py).

The last tests play two web processes in this one: two clients, each behind its own
cache (the embedded default, a local memory cache per process) or both behind
Redis. What one process's cache holds must not keep a person signed in, or in a
circle, after the other process ended it.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.utils import timezone

from circles import membership_services as circle_services
from circles.models import Membership, Status
from members.models import User
from members.services import account_delete
from moderation import services as moderation
from tests.factories import UserFactory
from tests.open_pages import (
    in_another_process,
    no_signals,
    open_pages,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _poll_fast_path(settings):
    # The poll's cached "nothing new" on, as with Redis: the access check must come first.
    settings.THREAD_POLL_FAST_PATH = True


# --- Another process makes the change --------------------------------------------------


def test_suspended_by_another_process(client, tmp_path):
    scene = open_pages(client=client)
    staff = UserFactory(is_staff=True, is_superuser=True)
    scene.open()
    in_another_process(
        "from members.models import User\n"
        "from moderation.services import person_suspend\n"
        f"person = User.objects.get(pk={scene.member.pk})\n"
        f"assert person_suspend(person=person, by=User.objects.get(pk={staff.pk}))\n",
        tmp_path,
    )
    assert User.objects.get(pk=scene.member.pk).is_suspended
    scene.assert_shut_out()


def test_deleted_by_another_process(client, tmp_path):
    scene = open_pages(client=client)
    scene.open()
    in_another_process(
        "from members.models import User\n"
        "from members.services import account_delete\n"
        f"account_delete(user=User.objects.get(pk={scene.member.pk}))\n",
        tmp_path,
    )
    assert not User.objects.filter(pk=scene.member.pk).exists()
    scene.assert_shut_out()


def test_new_password_set_by_another_process(client, tmp_path):
    scene = open_pages(client=client)
    scene.open()
    in_another_process(
        "from members.models import User\n"
        f"person = User.objects.get(pk={scene.member.pk})\n"
        "person.set_password('set from a shell, long enough 42')\n"
        "person.save()\n",
        tmp_path,
    )
    scene.assert_shut_out()


REMOVE = (
    "from circles.models import Membership\n"
    "from circles.membership_services import membership_remove\n"
    "from members.models import User\n"
    "membership = Membership.objects.get(circle_id={circle}, user_id={member})\n"
    "membership_remove(membership=membership, removed_by=User.objects.get(pk={host}))\n"
)


def test_removed_from_the_circle_by_another_process(client, tmp_path):
    scene = open_pages(client=client)
    scene.open()
    in_another_process(
        REMOVE.format(circle=scene.circle.pk, member=scene.member.pk, host=scene.host.pk),
        tmp_path,
    )
    scene.assert_shut_out()


def test_removed_by_another_process_the_poll_is_404_at_once(client, tmp_path):
    scene = open_pages(client=client)
    scene.open()
    in_another_process(
        REMOVE.format(circle=scene.circle.pk, member=scene.member.pk, host=scene.host.pk),
        tmp_path,
    )
    assert Membership.objects.get(circle=scene.circle, user=scene.member).status == Status.REMOVED
    assert scene.poll().status_code == 404


# --- Two web processes, each with its cache ------------------------------------------


REDIS_URL = os.environ.get("REDIS_URL", "")
LOCAL = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def two_processes(kind: str):
    """Two "processes": each a client and the cache it runs behind."""
    if kind == "redis":
        if not REDIS_URL:
            pytest.skip("needs Redis (set REDIS_URL): both processes share its cache")
        shared = {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "peertables-two-processes",
        }
        return shared, shared
    # The embedded default: each process its own memory.
    return {**LOCAL, "LOCATION": "web-1"}, {**LOCAL, "LOCATION": "web-2"}


@contextmanager
def behind(cache_settings: dict):
    """Requests in here are served as by the process with this cache."""
    with override_settings(CACHES={"default": cache_settings}):
        yield
    caches["default"].close()


CHANGES = {
    "suspension": lambda scene, staff: moderation.person_suspend(person=scene.member, by=staff),
    "deletion": lambda scene, staff: account_delete(user=scene.member),
    "password": lambda scene, staff: _new_password(scene.member),
    "removal": lambda scene, staff: circle_services.membership_remove(
        membership=Membership.objects.get(circle=scene.circle, user=scene.member),
        removed_by=scene.host,
    ),
}


def _new_password(member: User) -> None:
    member.set_password("changed on the other process 42")
    member.save()


@pytest.mark.parametrize("kind", ["embedded", "redis"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_on_one_web_process_counts_on_the_other(kind, change):
    web_1, web_2 = two_processes(kind)
    with behind(web_1):
        staff = UserFactory(is_staff=True, is_superuser=True)
        scene = open_pages(client=Client())
    with behind(web_2):
        scene.open()  # the member's pages and poll, kept by web 2
        caches["default"].set("web-2-was-here", True)
    with behind(web_1):
        # Web 1 does not see web 2's cache, unless they share Redis.
        assert caches["default"].get("web-2-was-here") is (True if kind == "redis" else None)
        CHANGES[change](scene, staff)
    with behind(web_2):
        scene.assert_shut_out()


def test_an_update_without_signals_counts_on_every_process():
    """No process's cache hears of it: each must read the row."""
    web_1, web_2 = two_processes("embedded")
    with behind(web_1):
        scene = open_pages(client=Client())
        scene.open()
    with behind(web_2):
        scene.open()
    with no_signals():
        User.objects.filter(pk=scene.member.pk).update(is_active=False, suspended_at=timezone.now())
    for web in (web_1, web_2):
        with behind(web):
            scene.assert_shut_out()
