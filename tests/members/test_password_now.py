"""A new password ends the person's other sessions on their very next request (issue 19).

Django keeps a hash of the password in the session; every request compares it with the
row, read from the database. Set through the form, with save(), or as a plain
QuerySet.update that no signal sees, a session from before the change gets the 404 or
the sign-in page on every page it had open, and its thread poll a 404. Another
process's change: tests/test_other_process.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from members.models import User
from tests.factories import TEST_PASSWORD
from tests.open_pages import no_signals, open_pages

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long passphrase 42"


@pytest.fixture(autouse=True)
def _poll_fast_path(settings):
    # The poll's cached "nothing new" on, as with Redis: the access check must come first.
    settings.THREAD_POLL_FAST_PATH = True


def test_changed_through_the_form_in_another_session(client):
    scene = open_pages(client=client)
    scene.open()
    here = Client()
    here.force_login(scene.member)
    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    scene.assert_shut_out()
    scene.open(here)  # the session that changed it stays signed in


def test_set_password_and_save(client):
    scene = open_pages(client=client)
    scene.open()
    member = User.objects.get(pk=scene.member.pk)
    member.set_password(NEW_PASSWORD)
    member.save()
    scene.assert_shut_out()


def test_changed_with_a_plain_update(client):
    scene = open_pages(client=client)
    scene.open()
    with no_signals():
        User.objects.filter(pk=scene.member.pk).update(password=make_password(NEW_PASSWORD))
    scene.assert_shut_out()
