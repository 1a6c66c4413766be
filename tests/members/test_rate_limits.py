"""Guessing passwords is rate limited, on our sign-in page and on the admin's."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts. Try again later."
WRONG = "The email address and/or password you specified are not correct."


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_failed_sign_ins_are_limited_per_account_then_the_window_passes(client):
    UserFactory(email="ana@example.com")
    # 5 failures per 5 minutes per address (settings.ACCOUNT_RATE_LIMITS["login_failed"]).
    assert "5/5m/key" in settings.ACCOUNT_RATE_LIMITS["login_failed"]

    for _ in range(5):
        response = sign_in(client, "ana@example.com", "wrong guess")
        assert response.status_code == 200
        assert WRONG in response.content.decode()

    limited = sign_in(client, "ana@example.com", "wrong guess")
    assert limited.status_code == 200
    assert TOO_MANY in limited.content.decode()

    # Even the right password is refused while the window lasts.
    right_too_soon = sign_in(client, "ana@example.com", TEST_PASSWORD)
    assert TOO_MANY in right_too_soon.content.decode()
    assert "_auth_user_id" not in client.session

    # A different address from the same place is not locked out by the first.
    UserFactory(email="ben@example.com")
    other = sign_in(client, "ben@example.com", TEST_PASSWORD)
    assert other.status_code == 302
    client.logout()

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        later = sign_in(client, "ana@example.com", TEST_PASSWORD)
    assert later.status_code == 302
    # Her first sign-in ever: it leads to filling in her profile (members/adapter.py).
    assert later["Location"] == reverse("members:profile_edit") + "?welcome=1"
    assert "_auth_user_id" in client.session


def test_the_limit_shows_on_our_sign_in_page_as_an_alert(client):
    UserFactory(email="ana@example.com")
    for _ in range(6):
        response = sign_in(client, "ana@example.com", "wrong guess")
    html = response.content.decode()
    assert '<main id="main"' in html
    assert 'role="alert"' in html
    assert TOO_MANY in html


def test_admin_login_goes_through_allauth(client):
    response = client.get("/" + settings.ADMIN_URL + "login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")

    admin_index = client.get("/" + settings.ADMIN_URL)
    assert admin_index.status_code == 302
    followed = client.get(admin_index["Location"])
    assert followed.status_code == 302
    assert followed["Location"].startswith(reverse("account_login"))


def test_admin_login_post_cannot_bypass_the_limit(client):
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    # Posting a password straight to the admin's form is not a way around allauth.
    response = client.post(
        "/" + settings.ADMIN_URL + "login/",
        {"username": staff.email, "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session

    for _ in range(5):
        sign_in(client, staff.email, "wrong guess")
    limited = sign_in(client, staff.email, TEST_PASSWORD)
    assert TOO_MANY in limited.content.decode()
    assert client.get("/" + settings.ADMIN_URL).status_code == 302


def test_staff_reach_the_admin_after_signing_in_through_allauth(client):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    next_url = "/" + settings.ADMIN_URL
    response = client.post(
        reverse("account_login") + "?next=" + next_url,
        {"login": "staff@example.com", "password": TEST_PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert client.get(next_url).status_code == 200


def test_signed_in_non_staff_get_403_from_the_admin_login(client):
    client.force_login(UserFactory())
    assert client.get("/" + settings.ADMIN_URL + "login/").status_code == 403
