"""The bell in a browser: A replies in B's thread, and B's unread count rises without a reload.

The bell polls every NOTIFICATIONS_BELL_POLL_SECONDS (30 in production); the
test sets it to 1 so it waits seconds, not half a minute. Then B opens the
list, follows the notification to the reply, and the bell reads 0 again.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from circles.models import Role
from conversations.models import Kind, Post
from tests.e2e.helpers import signed_in_page
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host

RISES_WITHIN_MS = 5_000


def test_a_reply_raises_the_bell_of_the_posts_author_without_a_reload(
    new_page, live_server, transactional_db, settings
):
    settings.NOTIFICATIONS_BELL_POLL_SECONDS = 1
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    anna = UserFactory(display_name="Anna Answer")
    bea = UserFactory(display_name="Bea Asker")
    for person in (anna, bea):
        MembershipFactory(circle=circle, user=person, role=Role.MEMBER)
    post = Post.objects.create(
        circle=circle,
        author=bea,
        kind=Kind.ASK,
        title="Where do you find your first clients?",
        body="Referrals only so far.",
    )

    page_b = signed_in_page(new_page, live_server, bea)
    page_b.goto(circle.get_absolute_url())
    count = page_b.locator("#bell .bell-count")
    assert count.inner_text() == "0"
    page_b.evaluate("window.__stayed = true")  # gone if the page reloads

    page_a = signed_in_page(new_page, live_server, anna)
    page_a.goto(post.get_absolute_url())
    page_a.get_by_label("Your reply").fill("Local meetups worked for me.")
    page_a.get_by_role("button", name="Reply").click()
    page_a.locator("#replies .reply", has_text="Local meetups worked for me.").wait_for()
    assert page_a.locator("#bell .bell-count").inner_text() == "0"  # never for the replier

    # The bell element is swapped on each poll, so look it up afresh (a locator does).
    expect(page_b.locator("#bell .bell-count")).to_have_text("1", timeout=RISES_WITHIN_MS)
    assert page_b.evaluate("window.__stayed") is True
    # expect() waits out htmx's swap and settle classes instead of reading them mid-swap.
    expect(page_b.locator("#bell")).to_have_class(re.compile(r"\bbell-unread\b"))

    page_b.locator("#bell").click()
    page_b.get_by_role("heading", name="Notifications").wait_for()
    page_b.get_by_role(
        "button", name="Anna Answer replied to your post “Where do you find your first clients?”"
    ).click()
    page_b.locator("#replies .reply", has_text="Local meetups worked for me.").wait_for()
    assert page_b.locator("#bell .bell-count").inner_text() == "0"
