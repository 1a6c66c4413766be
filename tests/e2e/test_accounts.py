"""A person signs up, confirms by email, signs out and signs in again, in Chromium."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import link_in_email

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long quiet breakfast 42"  # noqa: S105 - test data


def test_sign_up_confirm_sign_out_and_sign_in(page, live_server, settings):
    settings.SITE_URL = live_server.url
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()

    page.get_by_label("Your name").fill("Rosa Breakfast")
    page.get_by_label("Email").fill("rosa@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign up", re.I)).click()

    expect(page.get_by_role("heading", name=re.compile("Verify your email", re.I))).to_be_visible()
    assert len(mail.outbox) == 1
    confirm = link_in_email(mail.outbox[0].body, "/accounts/confirm-email/")

    page.goto(confirm)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("banner")).to_contain_text("Rosa Breakfast")

    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("rosa@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("banner")).to_contain_text("Rosa Breakfast")


def test_a_wrong_password_is_explained_on_the_page(page, live_server):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("not correct", re.I))
