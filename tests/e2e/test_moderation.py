"""Journey 10 in a browser: a member flags a sales pitch, a host hides it, staff resolve the
flag in the admin and suspend the author, whose open session then stops working."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from circles.models import Role
from conversations.models import Kind, Post
from members.models import User
from moderation.models import ActionKind, Flag, ModerationAction
from tests.e2e.helpers import signed_in_page
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host


@pytest.mark.django_db(transaction=True)
def test_flag_hide_resolve_and_suspend(new_page, live_server, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    member = UserFactory(display_name="Mia Member")
    seller = UserFactory(display_name="Sid Seller")
    staff = UserFactory(display_name="Sasha Staff", is_staff=True, is_superuser=True)
    for person in (member, seller):
        MembershipFactory(circle=circle, user=person, role=Role.MEMBER)
    post = Post.objects.create(
        circle=circle,
        author=seller,
        kind=Kind.GIVE,
        title="Buy my coaching package",
        body="Only $999 today, DM me!",
    )

    # The member flags the post from the thread.
    member_page = signed_in_page(new_page, live_server, member)
    member_page.goto(post.get_absolute_url())
    member_page.get_by_role("link", name=re.compile("^Flag")).first.click()
    member_page.get_by_label("Selling or self-promotion").check()
    member_page.get_by_role("button", name="Send flag").click()
    expect(member_page.get_by_text("The hosts of this circle")).to_be_visible()
    assert Flag.objects.filter(post=post, flagged_by=member).exists()

    # The host sees it in the circle's queue and hides it.
    host_page = signed_in_page(new_page, live_server, host)
    host_page.goto(f"/circles/{circle.slug}/moderation/")
    entry = host_page.locator(f"#flagged-post-{post.pk}")
    expect(entry).to_contain_text("Selling or self-promotion")
    entry.get_by_placeholder("Why (optional)").fill("Sales pitch")
    entry.get_by_role("button", name="Hide").click()
    expect(host_page.get_by_text("The post is hidden from members.")).to_be_visible()

    # Members now see "hidden by a host" instead of the pitch.
    member_page.goto(post.get_absolute_url())
    expect(member_page.get_by_text(re.compile("hidden by a host", re.I)).first).to_be_visible()
    expect(member_page.get_by_text("Only $999 today")).to_have_count(0)

    # Seller still has an open session.
    seller_page = signed_in_page(new_page, live_server, seller)
    seller_page.goto("/members/me/account/")
    expect(seller_page.get_by_role("heading", name="Your account")).to_be_visible()

    # Staff see the flag first thing in the admin and resolve it.
    staff_page = signed_in_page(new_page, live_server, staff)
    staff_page.goto("/admin/")
    expect(staff_page.locator("#open-flags")).to_contain_text("Buy my coaching package")
    staff_page.locator("#open-flags").get_by_role("link", name=re.compile("Open flags")).click()
    flag = Flag.objects.get(post=post)
    staff_page.locator(f"input.action-select[value='{flag.pk}']").check()
    staff_page.locator("select[name=action]").select_option("resolve_flags")
    staff_page.get_by_role("button", name="Go").click()
    staff_page.get_by_label(re.compile("Why")).fill("Hidden by the host; author suspended")
    staff_page.get_by_role("button", name="Confirm").click()
    expect(staff_page.get_by_text(re.compile("Resolved: 1 of 1"))).to_be_visible()

    # ... and suspend the author.
    staff_page.goto(f"/admin/members/user/?q={seller.email}")
    staff_page.locator(f"input.action-select[value='{seller.pk}']").check()
    staff_page.locator("select[name=action]").select_option("suspend_people")
    staff_page.get_by_role("button", name="Go").click()
    staff_page.get_by_label(re.compile("Why")).fill("Selling to members")
    staff_page.get_by_role("button", name="Confirm").click()
    expect(staff_page.get_by_text(re.compile("Suspended: 1 of 1"))).to_be_visible()

    # The seller's open session stops working; their post stays whole.
    seller_page.goto("/members/me/account/")
    expect(seller_page).to_have_url(re.compile(r"/accounts/login/"))
    flag.refresh_from_db()
    assert flag.resolved_by_id == staff.pk
    assert not User.objects.get(pk=seller.pk).is_active
    post.refresh_from_db()
    assert post.hidden_at is not None and post.body == "Only $999 today, DM me!"
    kinds = set(ModerationAction.objects.values_list("kind", flat=True))
    assert kinds == {ActionKind.HIDE, ActionKind.RESOLVE, ActionKind.SUSPEND}
