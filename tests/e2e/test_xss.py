"""The XSS payload list, put into every user text field, runs no script in a real browser.

The post, reply and agenda-topic fields are typed through their forms in
Chromium; the other fields (circle purpose, meeting notes, commitment,
profile, introduction notes, join-request note, invitation message, flag
note, display name) are saved directly, as a form would save them. Then
every page that shows them is opened, with the Content-Security-Policy
bypassed so that the sanitizer (config/text.py) is tested on its own:
no dialog opens, no element carries an event handler or a javascript: link,
and no htmx attribute smuggled in makes a request.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from circles.models import Membership, Status
from meetings.models import Commitment
from members.models import Profile
from moderation.models import Flag, Reason
from tests.e2e.helpers import sign_in
from tests.security.conftest import build_world

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    '"><script>alert(4)</script>',
    "'><img src=x onerror=alert(5)>",
    "javascript:alert(6)",
    "[click me](javascript:alert(7))",
    '<a href="javascript:alert(8)">link</a>',
    '<iframe src="javascript:alert(9)"></iframe>',
    "<details open ontoggle=alert(10)>",
    '![x](x" onerror="alert(11))',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(12)>",
    "<x hx-on:click=alert(13)>click</x>",
    '<div hx-get="/xss-probe" hx-trigger="load">htmx</div>',
    "<body onload=alert(15)>",
    '<input autofocus onfocus="alert(16)">',
    '<object data="javascript:alert(17)"></object>',
    "[a](&#x6A;avascript:alert(18))",
    "<style>@import 'javascript:alert(19)';</style>",
    "{{ 7|add:7 }}{% csrf_token %}",
]
ALL = "\n\n".join(PAYLOADS)

FIND_UNSAFE = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase(), value = attr.value.trim().toLowerCase();
      if (name.startsWith("on") || name.startsWith("hx-on")) bad.push(`${el.tagName} ${name}`);
      if (["href", "src", "action", "data", "formaction"].includes(name)
          && value.startsWith("javascript:")) bad.push(`${el.tagName} ${name}=${value}`);
    }
  }
  for (const tag of ["script:not([src])", "iframe", "object", "embed"]) {
    for (const el of document.querySelectorAll(tag)) {
      if (el.type !== "application/json") bad.push(el.outerHTML.slice(0, 80));
    }
  }
  return bad;
}"""


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def page_as(browser, live_server):
    contexts = []
    fired: list[str] = []
    probes: list[str] = []

    def make(user=None):
        context = browser.new_context(base_url=live_server.url, bypass_csp=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
        page.on(
            "request", lambda request: "xss-probe" in request.url and probes.append(request.url)
        )
        if user is not None:
            sign_in(page, live_server, user)
        return page

    make.fired = fired
    make.probes = probes
    yield make
    for context in contexts:
        context.close()


def type_payloads(world, page_as) -> None:
    """A member types the payloads into a new ask, a reply and an agenda topic."""
    slug = world.circle.slug
    page = page_as(world.member)
    page.goto(reverse("conversations:post_create", kwargs={"slug": slug}))
    page.get_by_label("Title").fill(PAYLOADS[1][:140])
    page.get_by_label("Details").fill(ALL)
    page.get_by_role("button", name="Post").click()
    page.wait_for_url("**/posts/*/")
    page.get_by_label("Your reply").fill(ALL)
    page.get_by_role("button", name="Reply").click()
    page.locator(".reply").last.wait_for()

    page.goto(world.meeting.get_absolute_url())
    page.get_by_label("Topic").fill(PAYLOADS[2])
    page.get_by_label("Details (optional)").fill(ALL)
    page.get_by_role("button", name="Propose").click()
    page.locator(".agenda-topic").nth(1).wait_for()


def save_payloads(world) -> None:
    """Every other text a person writes, saved with the payloads."""
    circle = world.circle
    circle.purpose = ALL
    circle.pledge = ALL
    circle.save()
    world.meeting.notes = ALL
    world.meeting.save()
    Commitment.objects.create(meeting=world.meeting, user=world.member, text=PAYLOADS[3])
    world.member.display_name = PAYLOADS[4][:80]
    world.member.save()
    Profile.objects.filter(user=world.member).update(
        headline=PAYLOADS[0][:120], role=PAYLOADS[5][:80], city=PAYLOADS[9][:80], bio=ALL[:2000]
    )
    world.introduction.note_for_a = ALL
    world.introduction.note_for_b = ALL
    world.introduction.save()
    Membership.objects.filter(pk=world.request_membership.pk, status=Status.REQUESTED).update(
        note=ALL
    )
    world.invitation.message = ALL
    world.invitation.save()
    Flag.objects.filter(pk=world.flag.pk).update(reason=Reason.SPAM, note=ALL[:500])


def test_no_payload_runs_anywhere_it_is_shown(world, page_as):
    type_payloads(world, page_as)
    save_payloads(world)
    slug = world.circle.slug
    member, host, member2, anon = (
        page_as(world.member),
        page_as(world.host),
        page_as(world.member2),
        page_as(),
    )
    post = world.circle.posts.order_by("-pk").first()
    visits = [
        (anon, reverse("home")),
        (anon, reverse("circles:directory")),
        (anon, world.circle.get_absolute_url()),
        (anon, reverse("circles:invitation", kwargs={"token": world.invitation.token})),
        (member, world.circle.get_absolute_url()),
        (member, reverse("conversations:board", kwargs={"slug": slug})),
        (member, post.get_absolute_url()),
        (member, world.meeting.get_absolute_url()),
        (member, reverse("meetings:list", kwargs={"slug": slug})),
        (member, reverse("members:profile", kwargs={"user_id": world.member.pk})),
        (member, world.introduction.get_absolute_url()),
        (member2, reverse("members:profile", kwargs={"user_id": world.member.pk})),
        (
            member2,
            reverse("conversations:member", kwargs={"slug": slug, "user_id": world.member.pk}),
        ),
        (host, reverse("circles:requests", kwargs={"slug": slug})),
        (host, reverse("circles:members", kwargs={"slug": slug})),
        (host, reverse("moderation:queue", kwargs={"slug": slug})),
        (host, reverse("circles:edit", kwargs={"slug": slug})),
        (host, world.meeting.get_absolute_url()),
    ]
    problems = []
    for page, url in visits:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        page.wait_for_load_state("networkidle")
        problems += [f"{url}: {item}" for item in page.evaluate(FIND_UNSAFE)]
    assert not page_as.fired, f"dialogs opened: {page_as.fired}"
    assert not page_as.probes, f"smuggled htmx requests: {page_as.probes}"
    assert not problems, "\n".join(problems)
    # The words are still there, as text: nothing a member wrote was lost.
    member.goto(post.get_absolute_url())
    assert "alert(" in member.locator("main").inner_text()
