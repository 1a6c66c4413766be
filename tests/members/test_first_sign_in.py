"""The first sign-in leads to filling in the profile: once, and it can be skipped."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from members.models import Profile
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WELCOME = reverse("members:profile_edit") + "?welcome=1"


def sign_in(client, email, **extra):
    return client.post(
        reverse("account_login"), {"login": email, "password": TEST_PASSWORD}, **extra
    )


def test_first_sign_in_goes_to_the_profile_then_never_again(client):
    user = UserFactory(email="ana@example.com")
    first = sign_in(client, "ana@example.com")
    assert first["Location"] == WELCOME
    page = client.get(WELCOME).content.decode()
    assert "Welcome," in page and "Skip for now" in page
    client.logout()
    second = sign_in(client, "ana@example.com")
    assert second["Location"] == reverse("home")
    assert Profile.objects.get(user=user).prompted_at is not None


def test_sign_up_and_confirm_leads_to_the_profile(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "display_name": "New Person",
            "password1": "a quiet table by the window",
            "password2": "a quiet table by the window",
        },
    )
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body)[1]
    confirmed = client.post(link)
    assert confirmed["Location"] == WELCOME


def test_a_next_url_wins_over_the_prompt(client):
    UserFactory(email="ana@example.com")
    response = client.post(
        reverse("account_login") + "?next=/circles/",
        {"login": "ana@example.com", "password": TEST_PASSWORD, "next": "/circles/"},
    )
    assert response["Location"] == "/circles/"


def test_skipping_goes_on_and_is_remembered(client):
    user = UserFactory(email="ana@example.com")
    sign_in(client, "ana@example.com")
    skipped = client.post(reverse("members:profile_skip"))
    assert skipped.status_code == 302
    assert skipped["Location"] == reverse("circles:directory")
    profile = Profile.objects.get(user=user)
    assert profile.prompted_at is not None and not profile.is_filled_in
    client.logout()
    assert sign_in(client, "ana@example.com")["Location"] == reverse("home")


def test_skip_is_post_only(client):
    client.force_login(UserFactory())
    assert client.get(reverse("members:profile_skip")).status_code == 405


def test_saving_the_welcome_form_lands_on_the_profile(client):
    user = UserFactory(email="ana@example.com")
    sign_in(client, "ana@example.com")
    response = client.post(
        WELCOME,
        {"welcome": "1", "display_name": "Ana", "time_zone": "Europe/Berlin", "headline": "Hi"},
    )
    assert response["Location"] == reverse("members:me")
    assert Profile.objects.get(user=user).headline == "Hi"


@pytest.mark.parametrize("next_url", ["13", "home", "//evil.example/", "https://evil.example/"])
def test_skip_ignores_a_strange_next(client, next_url):
    client.force_login(UserFactory())
    response = client.post(reverse("members:profile_skip"), {"next": next_url})
    assert response["Location"] == reverse("circles:directory")
