"""request.user comes from the cache (members/backends.py), and every change that matters
(suspension, a new password, a new name, deactivation, deletion) still counts on the very
next request."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import User
from members.services import account_delete, profile_update
from moderation import services as moderation
from tests.conversations.factories import PostFactory
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory, make_circle_with_host

pytestmark = pytest.mark.django_db

ACCOUNT = "members:account"
USER_BY_ID = 'FROM "members_user" WHERE "members_user"."id" ='


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def person():
    return UserFactory(email="rosa@example.com", display_name="Rosa Breakfast")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def user_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    sql = [q["sql"] for q in captured.captured_queries]
    return response.status_code, [q for q in sql if USER_BY_ID in q]


def is_signed_out(client) -> bool:
    response = client.get(reverse(ACCOUNT))
    return response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_backends_are_the_cached_ones():
    # members.apps connects the row's post_save and post_delete to dropping it; the tests
    # below show that working, through saves, updates and deletes.
    assert settings.AUTHENTICATION_BACKENDS == [
        "members.backends.CachedModelBackend",
        "members.backends.CachedAuthenticationBackend",
    ]


def test_after_the_first_signed_in_page_the_user_costs_no_query(person):
    client = signed_in(person)
    status, first = user_queries(client, reverse(ACCOUNT))
    assert status == 200 and len(first) == 1  # loaded once, then cached
    for _ in range(2):
        status, again = user_queries(client, reverse(ACCOUNT))
        assert status == 200 and again == []


def test_signing_in_through_the_form_uses_the_cached_backend(person):
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "rosa@example.com", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY].startswith("members.backends.")
    user_queries(client, reverse(ACCOUNT))
    status, again = user_queries(client, reverse(ACCOUNT))
    assert status == 200 and again == []


def test_a_suspension_ends_the_session_at_the_next_request(person):
    staff = UserFactory(is_staff=True, is_superuser=True)
    circle, _ = make_circle_with_host()
    MembershipFactory(circle=circle, user=person)
    post = PostFactory(circle=circle)
    client = signed_in(person)
    for _ in range(2):  # the second from the cache
        assert client.get(reverse(ACCOUNT)).status_code == 200
        assert client.get(post.get_absolute_url()).status_code == 200

    # QuerySet.update, no save(): the service drops the cached row itself.
    assert moderation.person_suspend(person=person, by=staff, reason="Spam")

    assert is_signed_out(client)
    thread = client.get(post.get_absolute_url())
    assert thread.status_code == 404  # members_only: signed out, offered to sign in
    assert "Rosa Breakfast" not in thread.content.decode()
    poll = reverse("conversations:reply_poll", args=[circle.slug, post.pk])
    assert client.get(poll, {"after": 0}, HTTP_HX_REQUEST="true").status_code == 404


def test_unsuspending_lets_the_person_back_in_at_once(person):
    staff = UserFactory(is_staff=True, is_superuser=True)
    moderation.person_suspend(person=person, by=staff)
    client = Client()
    login = {"login": "rosa@example.com", "password": TEST_PASSWORD}
    assert client.post(reverse("account_login"), login)["Location"] == reverse("account_inactive")
    assert moderation.person_unsuspend(person=person, by=staff)
    client.post(reverse("account_login"), login)
    assert client.get(reverse(ACCOUNT)).status_code == 200


def test_deactivating_with_save_ends_the_session_at_once(person):
    client = signed_in(person)
    assert client.get(reverse(ACCOUNT)).status_code == 200
    person.is_active = False
    person.save()
    assert is_signed_out(client)


def test_a_new_password_ends_the_other_sessions_at_once(person):
    here, elsewhere = signed_in(person), signed_in(person)
    for client in (here, elsewhere):
        assert client.get(reverse(ACCOUNT)).status_code == 200  # both cached the row

    response = here.post(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "a new long pass 42",
            "password2": "a new long pass 42",
        },
    )
    assert response.status_code == 302

    assert here.get(reverse(ACCOUNT)).status_code == 200  # the session that changed it stays
    assert is_signed_out(elsewhere)


def test_set_password_and_save_ends_every_session_at_once(person):
    client = signed_in(person)
    assert client.get(reverse(ACCOUNT)).status_code == 200
    person.set_password("something else entirely")
    person.save()
    assert is_signed_out(client)


def test_a_new_display_name_shows_at_once(person):
    client = signed_in(person)
    assert "Rosa Breakfast" in client.get(reverse(ACCOUNT)).content.decode()

    profile_update(user=person, display_name="Rosa Ruiz", time_zone="Europe/Madrid")
    html = client.get(reverse(ACCOUNT)).content.decode()
    assert "Rosa Ruiz" in html and "Rosa Breakfast" not in html

    # A plain save from elsewhere (the admin, a shell) counts too.
    fresh = User.objects.get(pk=person.pk)
    fresh.display_name = "Rosa R."
    fresh.save(update_fields=["display_name"])
    assert "Rosa R." in client.get(reverse(ACCOUNT)).content.decode()


def test_deleting_the_account_ends_the_session(person):
    other_session = signed_in(person)
    assert other_session.get(reverse(ACCOUNT)).status_code == 200
    client = signed_in(person)
    assert client.get(reverse(ACCOUNT)).status_code == 200

    response = client.post(reverse("members:account_delete"), {"email": "rosa@example.com"})
    assert response.status_code == 302
    assert is_signed_out(client)
    assert is_signed_out(other_session)


def test_deleting_through_the_service_ends_the_session(person):
    client = signed_in(person)
    assert client.get(reverse(ACCOUNT)).status_code == 200
    account_delete(user=person)
    assert is_signed_out(client)
