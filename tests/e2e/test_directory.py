"""The directory's filters in Chromium, with htmx and without JavaScript; and journey 2:
a host starts a circle, someone asks to join, the host approves, the new member sees the members.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from circles.models import Membership, Status
from tests.factories import TEST_PASSWORD, CircleFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def directory_circles():
    founders = TopicFactory(name="Founders", slug="founders")
    berlin = CircleFactory(
        name="Kreuzberg Founders Table", city="Berlin", time_zone="Europe/Berlin"
    )
    berlin.topics.add(founders)
    CircleFactory(name="Remote Makers", is_online=True, city="", start_time=dt.time(19, 0))
    CircleFactory(name="Tuesday Breakfast Thinkers", city="Chicago")


def card_titles(page):
    return page.locator("#results .card-title")


def test_filters_update_the_results_in_place_with_htmx(page, directory_circles):
    page.goto("/circles/")
    expect(card_titles(page)).to_have_count(3)
    # A marker that a full page load would wipe: the swap must keep it.
    page.evaluate("window.stillHere = true")

    page.get_by_label("Where").select_option("online")
    expect(card_titles(page)).to_have_count(1)
    expect(card_titles(page)).to_have_text(["Remote Makers"])
    expect(page.locator("#results")).to_contain_text("1 circle matches your filters")
    assert page.evaluate("window.stillHere") is True
    expect(page).to_have_url(re.compile(r"place=online"))  # hx-push-url: the link is shareable

    page.get_by_label("Where").select_option("")
    page.get_by_label("Search").fill("kreuzberg")  # typing filters after a short pause
    expect(card_titles(page)).to_have_text(["Kreuzberg Founders Table"])

    page.get_by_label("Search").fill("")
    page.get_by_label("Day:", exact=True).select_option("0")  # Monday: no circle meets then
    expect(page.locator("#results")).to_contain_text("No circle matches all of these filters")
    assert page.evaluate("window.stillHere") is True

    # Back restores the earlier results (a full page, thanks to Vary: HX-Request).
    page.go_back()
    expect(card_titles(page).first).to_be_visible()


def test_filters_work_as_a_plain_form_without_javascript(browser, live_server, directory_circles):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/circles/")
        page.get_by_label("Topic:", exact=True).select_option("founders")
        page.get_by_role("button", name="Show circles").click()
        expect(page).to_have_url(re.compile(r"topic=founders"))
        expect(card_titles(page)).to_have_text(["Kreuzberg Founders Table"])
    finally:
        context.close()


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("banner")).to_contain_text(user.name)


def test_host_creates_a_circle_and_approves_a_request(new_page, settings):
    host = UserFactory(display_name="Hana Host", time_zone="America/Chicago")
    friend = UserFactory(display_name="Femi Friend")

    # A host starts "Tuesday Breakfast Thinkers".
    host_page = new_page()
    sign_in(host_page, host)
    host_page.goto("/circles/new/")
    host_page.get_by_label("Name:", exact=True).fill("Tuesday Breakfast Thinkers")
    host_page.get_by_label("Purpose").fill("Founders thinking out loud over breakfast.")
    host_page.get_by_label("City").fill("Chicago")
    host_page.get_by_label("Time zone").select_option("America/Chicago")
    host_page.get_by_label("Weekday").select_option("1")
    host_page.get_by_label("Starts at (local time)").fill("06:30")
    host_page.get_by_label("Join policy").select_option("request")
    host_page.get_by_role("button", name="Start the circle").click()
    expect(host_page.get_by_role("heading", level=1)).to_have_text("Tuesday Breakfast Thinkers")
    expect(host_page.locator(".facts")).to_contain_text("Tuesday at 06:30 (America/Chicago)")

    # Someone finds it in the directory and asks to join with a note.
    friend_page = new_page()
    sign_in(friend_page, friend)
    friend_page.goto("/circles/")
    friend_page.get_by_role("link", name="Tuesday Breakfast Thinkers").click()
    friend_page.get_by_role("link", name="Ask to join").click()
    friend_page.get_by_label("A note to the hosts").fill("I run a bakery; mornings suit me.")
    friend_page.get_by_role("button", name="Send my request").click()
    expect(friend_page.locator(".messages")).to_contain_text("Your request is with the hosts")
    assert any("Femi Friend asks to join" in m.subject for m in mail.outbox)

    # The host approves from the queue (an htmx swap).
    host_page.reload()
    host_page.get_by_role("link", name=re.compile(r"Join requests \(1\)")).click()
    expect(host_page.locator("#request-queue")).to_contain_text("I run a bakery")
    host_page.get_by_role("button", name="Approve").click()
    expect(host_page.locator("#request-queue")).to_contain_text("No one is waiting")
    membership = Membership.objects.get(user=friend)
    assert membership.status == Status.ACTIVE
    assert any(m.subject == "Tuesday Breakfast Thinkers: you're in" for m in mail.outbox)

    # The new member sees the members list.
    friend_page.reload()
    members = friend_page.locator(".member-list")
    expect(members).to_contain_text("Hana Host")
    expect(members).to_contain_text("Femi Friend")
    expect(members).to_contain_text("sponsored by Hana Host")
