"""A suspension takes effect on the suspended person's very next request (issue 19).

Whether it comes through the moderation service (the admin's Suspend action calls it)
or as a plain QuerySet.update that no signal sees, their open circle, meeting and
thread pages and the thread's poll answer the 404 or the sign-in page, never what
they showed. Another process's suspension: tests/test_other_process.py.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from members.models import User
from moderation import services as moderation
from tests.factories import UserFactory
from tests.open_pages import no_signals, open_pages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _poll_fast_path(settings):
    # The poll's cached "nothing new" on, as with Redis: the access check must come first.
    settings.THREAD_POLL_FAST_PATH = True


def test_suspended_through_the_service(client):
    scene = open_pages(client=client)
    scene.open()
    staff = UserFactory(is_staff=True, is_superuser=True)
    assert moderation.person_suspend(person=scene.member, by=staff, reason="Spam")
    scene.assert_shut_out()


def test_suspended_with_a_plain_update(client):
    scene = open_pages(client=client)
    scene.open()
    with no_signals():
        User.objects.filter(pk=scene.member.pk).update(
            is_active=False, suspended_at=timezone.now(), suspended_reason="Spam"
        )
    scene.assert_shut_out()
