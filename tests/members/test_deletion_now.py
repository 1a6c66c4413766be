"""A deleted account's sessions end on their very next request (issue 19).

Deleted by the person (the account page), through the service, or as a plain
QuerySet.delete that no receiver sees, the session that had the circle, meeting and
thread pages and the thread's poll open gets the 404 or the sign-in page. Another
process's deletion: tests/test_other_process.py.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from members.models import User
from members.services import account_delete
from tests.open_pages import no_signals, open_pages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _poll_fast_path(settings):
    # The poll's cached "nothing new" on, as with Redis: the access check must come first.
    settings.THREAD_POLL_FAST_PATH = True


def test_deleted_on_the_account_page_in_another_session(client):
    scene = open_pages(client=client)
    scene.open()
    elsewhere = Client()
    elsewhere.force_login(scene.member)
    response = elsewhere.post(reverse("members:account_delete"), {"email": scene.member.email})
    assert response.status_code == 302
    assert not User.objects.filter(pk=scene.member.pk).exists()
    scene.assert_shut_out()


def test_deleted_through_the_service(client):
    scene = open_pages(client=client)
    scene.open()
    account_delete(user=scene.member)
    scene.assert_shut_out()


def test_deleted_with_a_plain_queryset_delete(client):
    scene = open_pages(client=client)
    scene.open()
    with no_signals():
        deleted, _ = User.objects.filter(pk=scene.member.pk).delete()
    assert deleted
    scene.assert_shut_out()
