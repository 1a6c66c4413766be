"""Accessibility: axe-core finds no serious or critical problem on the main pages, and a
keyboard-only person can RSVP, vote for a topic and reply to an ask.

axe-core comes from the npm registry (tests/e2e/vendor/axe-core, with its
license). It is injected as an inline script, which our own CSP forbids, so
these browser contexts bypass the CSP; nothing else differs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from meetings.models import Rsvp, Vote
from tests.e2e.helpers import sign_in, tab_to
from tests.security.conftest import build_world

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id}: ${v.help} -> ` +
         v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def page_as(browser, live_server):
    contexts = []

    def make(user=None):
        context = browser.new_context(base_url=live_server.url, bypass_csp=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            sign_in(page, live_server, user)
        return page

    yield make
    for context in contexts:
        context.close()


def violations(page, url: str) -> list[str]:
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


def test_main_pages_have_no_serious_or_critical_accessibility_problems(world, page_as):
    slug = world.circle.slug
    signed_out = page_as()
    member = page_as(world.member)
    pages = [
        (signed_out, reverse("home")),
        (signed_out, reverse("circles:directory")),
        (signed_out, reverse("account_login")),
        (signed_out, reverse("account_signup")),
        (signed_out, world.circle.get_absolute_url()),
        (member, world.circle.get_absolute_url()),
        (member, world.meeting.get_absolute_url()),
        (member, reverse("meetings:list", kwargs={"slug": slug})),
        (member, reverse("conversations:board", kwargs={"slug": slug})),
        (member, world.post.get_absolute_url()),
        (member, reverse("members:profile", kwargs={"user_id": world.member2.pk})),
        (member, reverse("members:profile_edit")),
        (member, reverse("members:account")),
        (member, reverse("notifications:settings")),
        (member, reverse("calendar:settings")),
    ]
    problems = []
    for page, url in pages:
        problems += [f"{url}: {problem}" for problem in violations(page, url)]
    assert not problems, "\n".join(problems)


def test_rsvp_with_the_keyboard_only(world, page_as):
    page = page_as(world.member2)
    page.goto(world.meeting.get_absolute_url())
    tab_to(page, "Going")
    page.keyboard.press("Enter")
    page.locator("#rsvp-panel").get_by_text("You answered: Going").wait_for()
    assert Rsvp.objects.get(meeting=world.meeting, user=world.member2).answer == "going"


def test_vote_with_the_keyboard_only(world, page_as):
    page = page_as(world.member2)
    page.goto(world.meeting.get_absolute_url())
    tab_to(page, "Vote")
    page.keyboard.press("Enter")
    page.locator(".agenda-topic").get_by_role("button", name="Take vote back").wait_for()
    assert Vote.objects.filter(topic=world.topic, user=world.member2).count() == 1


def test_reply_with_the_keyboard_only(world, page_as):
    page = page_as(world.member2)
    page.goto(world.post.get_absolute_url())
    reply_box = page.get_by_label("Your reply")
    for _ in range(80):
        if reply_box.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("Tab never reached the reply box")
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator(".reply", has_text="Typed without a mouse.").wait_for()
    assert world.post.replies.filter(body="Typed without a mouse.").exists()
