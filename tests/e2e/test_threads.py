"""Journey 7 in a browser: two members on the same thread see each other's replies appear
live (htmx polling), within 3 seconds and without a reload."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from circles.models import Role
from conversations import services
from conversations.models import Kind, Post
from tests.e2e.helpers import signed_in_page
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host

LIVE_WITHIN_MS = 3_000


def test_two_members_see_each_others_replies_appear_live(new_page, live_server, transactional_db):
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    alice = UserFactory(display_name="Alice Asker")
    bob = UserFactory(display_name="Bob Helper")
    for person in (alice, bob):
        MembershipFactory(circle=circle, user=person, role=Role.MEMBER)
    post = Post.objects.create(
        circle=circle,
        author=alice,
        kind=Kind.ASK,
        title="How do you price a first consulting project?",
        body="Day rate or fixed price?",
    )

    page_a = signed_in_page(new_page, live_server, alice)
    page_b = signed_in_page(new_page, live_server, bob)
    for page in (page_a, page_b):
        page.goto(post.get_absolute_url())
        page.get_by_role("heading", name=post.title).wait_for()
        assert page.get_by_text("No replies yet.").is_visible()
    # Marks that vanish if a page reloads: the replies must arrive without one.
    page_a.evaluate("window.__stayed = true")
    page_b.evaluate("window.__stayed = true")

    # B replies: the reply is swapped into B's thread at once and the form is cleared.
    page_b.get_by_label("Your reply").fill("Fixed price, with a **clear** scope.")
    page_b.get_by_role("button", name="Reply").click()
    b_reply = page_b.locator("#replies .reply", has_text="Fixed price, with a clear scope.")
    b_reply.wait_for(timeout=LIVE_WITHIN_MS)
    assert page_b.get_by_label("Your reply").input_value() == ""
    assert page_b.locator("#replies strong", has_text="clear").count() == 1
    # The server sends an absolute time; static/js/conversations.js makes it relative.
    expect(b_reply.locator("time[data-relative]")).to_have_text(re.compile(r"just now|ago"))

    # A, who did nothing, sees it appear within 3 seconds.
    page_a.locator("#replies .reply", has_text="Fixed price, with a clear scope.").wait_for(
        timeout=LIVE_WITHIN_MS
    )
    assert page_a.get_by_text("No replies yet.").count() == 0

    # And the other way round.
    page_a.get_by_label("Your reply").fill("Thank you, that settles it.")
    page_a.get_by_role("button", name="Reply").click()
    page_b.locator("#replies .reply", has_text="Thank you, that settles it.").wait_for(
        timeout=LIVE_WITHIN_MS
    )

    # Each reply shows once on each page (a poll racing the form adds no duplicate).
    page_a.wait_for_timeout(2_500)
    for page in (page_a, page_b):
        assert page.locator("#replies .reply").count() == 2
        assert page.evaluate("window.__stayed") is True
    assert post.replies.count() == 2


SET_VISIBILITY = """(state) => {
    Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
    document.dispatchEvent(new Event("visibilitychange"));
}"""


def set_visibility(page, state: str) -> None:
    page.evaluate(SET_VISIBILITY, state)


def test_polling_pauses_while_hidden_and_stops_when_the_post_is_deleted(
    new_page, live_server, transactional_db
):
    circle, host = make_circle_with_host()
    alice = UserFactory()
    MembershipFactory(circle=circle, user=alice)
    post = Post.objects.create(circle=circle, author=host, title="A discussion", body="Hi")
    earlier = timezone.now() - dt.timedelta(minutes=5, seconds=10)
    post.replies.create(author=host, body="Said a while ago.", created_at=earlier)
    page = signed_in_page(new_page, live_server, alice)
    polls: list[str] = []
    page.on("request", lambda request: "/replies/?" in request.url and polls.append(request.url))
    page.goto(post.get_absolute_url())
    # A cached reply's absolute time reads as relative once the page's script runs.
    expect(page.locator("#replies time[data-relative]")).to_have_text(
        re.compile(r"^\d+ minutes ago$")
    )
    page.wait_for_timeout(4_500)
    assert len(polls) >= 2, "the thread polls every 2 seconds while visible"

    # The tab is hidden: static/js/conversations.js holds the poll back.
    set_visibility(page, "hidden")
    hidden_from = len(polls)
    page.wait_for_timeout(4_500)
    assert len(polls) == hidden_from

    # Shown again: it asks at once and keeps polling.
    set_visibility(page, "visible")
    page.wait_for_timeout(1_000)
    assert len(polls) > hidden_from

    # The author deletes the post: the next poll closes the thread and polling stops for good.
    # Through the service: a quiet poll answers from the cache (conversations/live.py), and
    # only a save (or the service) tells it the thread changed; a bare update() would not.
    services.post_delete(post=post)
    page.get_by_text("This post was deleted by its author.").wait_for(timeout=LIVE_WITHIN_MS)
    assert page.get_by_text("Replies are closed").is_visible()
    stopped_at = len(polls)
    page.wait_for_timeout(4_500)
    assert len(polls) == stopped_at


def test_the_thread_works_as_plain_pages_without_javascript(browser, live_server, transactional_db):
    circle, host = make_circle_with_host()
    bob = UserFactory(display_name="Bob Helper")
    MembershipFactory(circle=circle, user=bob)
    post = Post.objects.create(circle=circle, author=host, title="Plain pages", body="Hi")
    client = Client()
    client.force_login(bob)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    try:
        page = context.new_page()
        page.goto(post.get_absolute_url())
        page.get_by_label("Your reply").fill("Posted by a plain form.")
        page.get_by_role("button", name="Reply").click()
        reply = page.locator("#replies .reply", has_text="Posted by a plain form.")
        reply.wait_for()
        assert page.url.endswith(post.get_absolute_url() + f"#reply-{post.replies.get().pk}")

        reply.get_by_role("link", name="Edit").click()
        page.get_by_role("heading", name="Edit your reply").wait_for()
        page.get_by_label("Your reply").fill("Edited by a plain form.")
        page.get_by_role("button", name="Save").click()
        edited = page.locator("#replies .reply", has_text="Edited by a plain form.")
        edited.wait_for()
        assert edited.locator(".edited").count() == 1

        # Without JavaScript there is no confirm dialog: the button posts at once.
        edited.get_by_role("button", name="Delete").click()
        page.get_by_text("Your reply is deleted.").wait_for()
        assert page.locator("#replies .reply").count() == 0
    finally:
        context.close()


def test_the_circle_page_shows_a_new_reply_and_relative_times(
    new_page, live_server, transactional_db
):
    """The circle page carries absolute times, which static/js/times.js shows as
    relative; a reply elsewhere shows on the next load."""
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    alice = UserFactory(display_name="Alice Asker")
    MembershipFactory(circle=circle, user=alice, role=Role.MEMBER)
    earlier = timezone.now() - dt.timedelta(minutes=7, seconds=10)
    post = Post.objects.create(
        circle=circle, author=host, title="Pricing a retainer", body="Hi", last_activity_at=earlier
    )
    page = signed_in_page(new_page, live_server, alice)
    page.goto(circle.get_absolute_url())
    recent = page.locator(".circle-recent .post-row")
    expect(recent).to_contain_text("0 replies")
    expect(recent.locator("time[data-relative]")).to_have_text(re.compile(r"^7 minutes ago$"))
    page.reload()  # now from the kept page
    expect(recent).to_contain_text("0 replies")
    services.reply_create(post=post, author=host, body="Charge for the outcome.")
    page.reload()
    expect(recent).to_contain_text("1 reply")
    expect(recent.locator("time[data-relative]")).to_have_text(re.compile(r"just now|minute ago"))
