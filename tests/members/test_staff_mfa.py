"""Two-factor sign-in: available to everyone, required for staff when MFA_REQUIRED_FOR_STAFF."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory
from tests.members.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def staff():
    user = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    ProfileFactory(user=user)
    return user


def test_the_authenticator_setup_page_renders_for_members(client):
    client.force_login(UserFactory())
    # allauth asks for the password again before an authenticator is added.
    first = client.get(reverse("mfa_activate_totp"))
    assert first["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert "Authenticator" in response.content.decode()


def test_staff_without_totp_are_sent_to_set_it_up(client, staff, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # Deeper admin URLs too, not just the index.
    assert client.get(reverse("admin:members_user_changelist")).status_code == 302


def test_the_rule_is_off_when_the_setting_is(client, staff, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_members_are_not_asked(client, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(UserFactory())
    # Not staff: the admin sends them to its login, not to set up two-factor.
    response = client.get(reverse("admin:index"))
    assert reverse("mfa_activate_totp") not in response.get("Location", "")


def test_staff_with_totp_sign_in_with_a_code_and_reach_the_admin(client, staff, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()

    response = client.post(
        reverse("account_login"), {"login": "staff@example.com", "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session, "no session before the code"

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert "_auth_user_id" in client.session
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_login_is_allauths(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
