"""Accounts through allauth's real URLs: sign up, confirm, sign in, reset and change a password."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a quiet table by the window"


def sign_up(client, *, email="ana@example.com", name="Ana Ruiz", password=NEW_PASSWORD):
    return client.post(
        reverse("account_signup"),
        {"email": email, "display_name": name, "password1": password, "password2": password},
    )


def sign_in(client, *, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def first_link(body: str, contains: str) -> str:
    for url in re.findall(r"https?://[^\s<>\"]+", body):
        if contains in url:
            return url
    raise AssertionError(f"no link containing {contains!r} in:\n{body}")


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_up_sends_a_confirmation_email_and_confirming_signs_in(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="ana@example.com")
    assert user.display_name == "Ana Ruiz"
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert address.email == "ana@example.com" and not address.verified
    assert not is_signed_in(client), "mandatory verification: no session before confirming"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"]
    assert message.subject == "[PeerTables] Please Confirm Your Email Address"
    link = first_link(message.body, "/accounts/confirm-email/")

    # GET shows a page that asks; it does not confirm (mail scanners follow links).
    page = client.get(path_of(link))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirm Email Address" in html
    assert '<main id="main"' in html
    assert 'method="post"' in html
    address.refresh_from_db()
    assert not address.verified

    confirmed = client.post(path_of(link))
    assert confirmed.status_code == 302
    address.refresh_from_db()
    assert address.verified and address.primary
    assert is_signed_in(client)
    assert int(client.session["_auth_user_id"]) == user.pk

    home = client.get(reverse("home"))
    assert "Ana Ruiz" in home.content.decode()


def test_confirmed_person_signs_in_from_another_browser(client, django_user_model):
    sign_up(client)
    link = first_link(mail.outbox[0].body, "/accounts/confirm-email/")
    client.post(path_of(link))
    client.post(reverse("account_logout"))
    assert not is_signed_in(client)

    response = sign_in(client, email="ANA@example.com", password=NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_signed_in(client)


def test_unverified_person_cannot_sign_in(client):
    sign_up(client)
    mail.outbox.clear()
    client.logout()

    response = sign_in(client, email="ana@example.com", password=NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_signed_in(client)
    assert client.get(reverse("account_email")).status_code == 302  # still signed out
    # The link from sign-up is minutes old: no second copy yet (1 per 3 minutes)...
    assert mail.outbox == []

    # ...but a later attempt sends a fresh link, and still does not sign them in.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        again = sign_in(client, email="ana@example.com", password=NEW_PASSWORD)
    assert again["Location"] == reverse("account_email_verification_sent")
    assert not is_signed_in(client)
    assert [m.subject for m in mail.outbox] == ["[PeerTables] Please Confirm Your Email Address"]


def test_sign_up_with_a_taken_email_reveals_nothing_and_warns_the_owner(client):
    owner = UserFactory(email="ana@example.com", display_name="The Real Ana")

    taken = sign_up(client, email="Ana@Example.com", name="Impostor")
    fresh = sign_up(client.__class__(), email="ben@example.com", name="Ben")

    # Same answer for a taken address as for a new one.
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="ana@example.com").count() == 1
    owner.refresh_from_db()
    assert owner.display_name == "The Real Ana"
    assert not is_signed_in(client)

    to_owner = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    assert len(to_owner) == 1
    assert to_owner[0].subject == "[PeerTables] Account Already Exists"
    assert "/accounts/password/reset/" in to_owner[0].body
    to_ben = [m for m in mail.outbox if m.to == ["ben@example.com"]]
    assert len(to_ben) == 1


@pytest.mark.parametrize("name", ["", "    "])
def test_display_name_is_required(client, name):
    response = sign_up(client, name=name)

    assert response.status_code == 200
    html = response.content.decode()
    assert "field-errors" in html
    assert 'id="id_display_name"' in html
    assert not User.objects.exists()
    assert mail.outbox == []


def test_display_name_is_saved_with_spaces_tidied(client):
    sign_up(client, name="  Ana   Ruiz ")
    assert User.objects.get().display_name == "Ana Ruiz"


def test_weak_or_mismatched_passwords_are_explained(client):
    weak = sign_up(client, password="password")
    assert weak.status_code == 200
    assert "This password is too common." in weak.content.decode()

    mismatch = client.post(
        reverse("account_signup"),
        {
            "email": "ana@example.com",
            "display_name": "Ana",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD + "x",
        },
    )
    assert mismatch.status_code == 200
    assert "You must type the same password each time." in mismatch.content.decode()
    assert not User.objects.exists()


def test_sign_up_page_asks_for_name_email_and_password(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(reverse("account_signup"))
    html = response.content.decode()
    for field in ("id_email", "id_display_name", "id_password1", "id_password2"):
        assert f'<label for="{field}">' in html
    assert "How other members will see you." in html


def test_password_reset_by_email(client):
    person = UserFactory(email="ana@example.com")

    response = client.post(reverse("account_reset_password"), {"email": "ana@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[PeerTables] Password Reset Email"
    link = first_link(mail.outbox[0].body, "/accounts/password/reset/key/")

    # allauth moves the key into the session, then shows the form.
    form_page = client.get(path_of(link), follow=True)
    assert form_page.status_code == 200
    assert 'id="id_password1"' in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path_of(link)

    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("account_reset_password_from_key_done")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)

    client.logout()
    assert sign_in(client, email="ana@example.com", password=TEST_PASSWORD).status_code == 200
    assert not is_signed_in(client)
    sign_in(client, email="ana@example.com", password=NEW_PASSWORD)
    assert is_signed_in(client)


def test_password_reset_for_an_unknown_address_answers_the_same(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    # The mailbox's owner learns someone asked; no reset link exists for them.
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" not in mail.outbox[0].body


def test_password_change(client):
    person = UserFactory(email="ana@example.com")
    client.force_login(person)

    wrong = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "Please type your current password." in wrong.content.decode()

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert is_signed_in(client), "changing the password keeps this session"

    client.logout()
    sign_in(client, email="ana@example.com", password=NEW_PASSWORD)
    assert is_signed_in(client)


def test_password_change_needs_a_signed_in_person(client):
    response = client.get(reverse("account_change_password"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
