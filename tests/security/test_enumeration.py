"""Nobody can learn whether an email address has an account here.

Sign-up, sign-in and password reset answer a known address exactly as they
answer an unknown one: the same status, the same next page, the same words.
Whether the address has an account is told only to the address itself, by
email (allauth's ACCOUNT_PREVENT_ENUMERATION).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KNOWN = "known.person@example.com"
UNKNOWN = "nobody.here@example.com"


@pytest.fixture
def known_person(db):
    return UserFactory(email=KNOWN)


def visible_text(response) -> str:
    """What a person reads: the page without tokens, without the address typed in."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"x-csrftoken": "[^"]+"', "", html)
    html = html.replace(KNOWN, "ADDRESS").replace(UNKNOWN, "ADDRESS")
    return html


def answer(path: str, data: dict) -> tuple[int, str, str]:
    """Status, where it sends the person, and the page they end up reading."""
    client = Client()
    response = client.post(path, data)
    location = response.get("Location", "")
    final = client.get(location) if location else response
    return response.status_code, location, visible_text(final)


def test_sign_up_answers_alike_for_a_known_and_an_unknown_address(known_person):
    data = {
        "password1": "a long and fine passphrase 42",
        "password2": "a long and fine passphrase 42",
        "display_name": "Somebody",
    }
    known = answer(reverse("account_signup"), {**data, "email": KNOWN})
    unknown = answer(reverse("account_signup"), {**data, "email": UNKNOWN})
    assert known == unknown
    assert known[0] == 302
    # Each address hears by email, and only the address itself.
    assert sorted(message.to[0] for message in mail.outbox) == sorted([KNOWN, UNKNOWN])


def test_sign_in_fails_alike_for_a_known_and_an_unknown_address(known_person):
    known = answer(reverse("account_login"), {"login": KNOWN, "password": "wrong password 1"})
    unknown = answer(reverse("account_login"), {"login": UNKNOWN, "password": "wrong password 1"})
    assert known == unknown
    assert known[0] == 200
    assert "not correct" in known[2] or "incorrect" in known[2].lower()


def test_password_reset_answers_alike_for_a_known_and_an_unknown_address(known_person):
    known = answer(reverse("account_reset_password"), {"email": KNOWN})
    unknown = answer(reverse("account_reset_password"), {"email": UNKNOWN})
    assert known == unknown
    assert known[0] == 302
    # The known address gets a reset link; the unknown one at most a note that it has no account.
    links = [m for m in mail.outbox if m.to == [KNOWN] and "/password/reset/key/" in m.body]
    assert len(links) == 1
    assert not [m for m in mail.outbox if m.to == [UNKNOWN] and "/password/reset/key/" in m.body]


def test_an_unconfirmed_account_signs_in_like_a_confirmed_one_would_not_reveal(db):
    """An unconfirmed address is asked to confirm; a wrong password still reads as any other."""
    UserFactory(email=KNOWN, verified=False)
    known = answer(reverse("account_login"), {"login": KNOWN, "password": "wrong password 1"})
    unknown = answer(reverse("account_login"), {"login": UNKNOWN, "password": "wrong password 1"})
    assert known == unknown
