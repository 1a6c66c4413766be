"""The eleven journeys of PRODUCT.md, one test each, in headless Chromium against the live server.

Each test drives the pages as a person would (by visible labels and roles)
and follows the links in the emails it sends (mail.outbox) for confirmation,
invitations and RSVPs. People who are not the subject of a journey start
signed in (tests/e2e/helpers.py); signing up and signing in through the
forms are journeys 1 and 8 and tests/e2e/test_accounts.py.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from circles.models import Circle, JoinPolicy, Membership, Role, Status
from conversations.models import Introduction, Kind, Post, Thanks
from meetings.models import Answer, Meeting, Rsvp
from members.models import Profile, User
from moderation.models import Flag
from notifications import sending
from tests.e2e.conftest import link_in_email
from tests.e2e.helpers import signed_in_page
from tests.factories import MembershipFactory, TopicFactory, UserFactory, make_circle_with_host

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long quiet breakfast 42"  # noqa: S105 - test data


@pytest.fixture(autouse=True)
def _links_point_at_the_live_server(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.MFA_REQUIRED_FOR_STAFF = False


def one_off_meeting(circle: Circle, *, in_days: float = 7) -> Meeting:
    starts_at = timezone.now() + dt.timedelta(days=in_days)
    return Meeting.objects.create(
        circle=circle,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=75),
        local_date=starts_at.astimezone(circle.zone).date(),
        is_one_off=True,
    )


def sign_up_in_the_browser(page, *, name: str, email: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign up", re.I)).click()
    expect(page.get_by_role("heading", name=re.compile("Verify your email", re.I))).to_be_visible()


def confirm_from_email(page, email: str) -> None:
    [message] = [m for m in mail.outbox if m.to == [email] and "confirm-email" in m.body]
    page.goto(link_in_email(message.body, "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()


def test_journey_01_sign_up_confirm_the_email_and_fill_in_a_profile(page):
    TopicFactory(name="Pricing", slug="pricing")
    TopicFactory(name="Hiring", slug="hiring")
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    sign_up_in_the_browser(page, name="Rosa Breakfast", email="rosa@example.org")
    confirm_from_email(page, "rosa@example.org")

    # The first sign-in lands on the profile form.
    expect(page).to_have_url(re.compile(r"/members/me/edit/"))
    page.get_by_label("Headline").fill("Baker scaling to three shops")
    page.get_by_label("Industry").select_option(index=1)
    page.get_by_label("Years of experience").select_option(index=2)
    page.locator("fieldset", has_text="I can help with").get_by_label("Pricing").check()
    page.locator("fieldset", has_text="I am looking for help with").get_by_label("Hiring").check()
    page.get_by_label("City").fill("Chicago")
    page.get_by_label("Your time zone").select_option("America/Chicago")
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Baker scaling to three shops")
    profile = Profile.objects.get(user__email="rosa@example.org")
    assert profile.city == "Chicago"
    assert list(profile.can_help_with.values_list("slug", flat=True)) == ["pricing"]
    assert list(profile.looking_for.values_list("slug", flat=True)) == ["hiring"]
    assert profile.user.time_zone == "America/Chicago"


def test_journey_02_find_a_circle_ask_to_join_and_be_approved(new_page, live_server):
    circle, host = make_circle_with_host(
        name="Tuesday Breakfast Thinkers", join_policy=JoinPolicy.REQUEST, city="Chicago"
    )
    make_circle_with_host(name="Remote Makers", is_online=True, city="")
    femi = UserFactory(display_name="Femi Friend")

    page = signed_in_page(new_page, live_server, femi)
    page.goto("/circles/")
    page.get_by_label("Search").fill("breakfast")
    expect(page.locator("#results .card-title")).to_have_text(["Tuesday Breakfast Thinkers"])
    page.get_by_role("link", name="Tuesday Breakfast Thinkers").click()
    page.get_by_role("link", name="Ask to join").click()
    page.get_by_label("A note to the hosts").fill("I run a bakery; mornings suit me.")
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator(".messages")).to_contain_text("Your request is with the hosts")

    host_page = signed_in_page(new_page, live_server, host)
    host_page.goto(f"/circles/{circle.slug}/requests/")
    expect(host_page.locator("#request-queue")).to_contain_text("I run a bakery")
    host_page.get_by_role("button", name="Approve").click()
    expect(host_page.locator("#request-queue")).to_contain_text("No one is waiting")

    assert Membership.objects.get(circle=circle, user=femi).status == Status.ACTIVE
    [told] = [m for m in mail.outbox if m.to == [femi.email]]
    assert told.subject.startswith("Tuesday Breakfast Thinkers")
    page.goto(link_in_email(told.body, f"/circles/{circle.slug}/"))
    expect(page.locator(".member-list")).to_contain_text("Femi Friend")


def test_journey_03_a_host_creates_a_weekly_breakfast_circle(new_page, live_server):
    host = UserFactory(display_name="Hana Host", time_zone="America/Chicago")
    page = signed_in_page(new_page, live_server, host)
    page.goto("/circles/new/")
    page.get_by_label("Name:", exact=True).fill("Tuesday Breakfast Thinkers")
    page.get_by_label("Purpose").fill("Founders thinking out loud over breakfast.")
    page.get_by_label("City").fill("Chicago")
    page.get_by_label("Venue name").fill("The Corner Diner")
    page.get_by_label("Venue address").fill("1 Main St, Chicago")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_label("Weekday").select_option("1")
    page.get_by_label("Starts at (local time)").fill("06:30")
    page.get_by_label("Length in minutes").fill("75")
    page.get_by_label("Seats (2 to 30, hosts included)").fill("12")
    page.get_by_role("button", name="Start the circle").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tuesday Breakfast Thinkers")
    expect(page.locator(".facts")).to_contain_text("Tuesday at 06:30 (America/Chicago)")
    circle = Circle.objects.get(name="Tuesday Breakfast Thinkers")
    assert (circle.duration_minutes, circle.seat_limit, circle.venue_name) == (
        75,
        12,
        "The Corner Diner",
    )
    page.goto(f"/circles/{circle.slug}/meetings/")
    rows = page.locator("main li", has_text="06:30")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3  # the next weeks exist now, and accept RSVPs
    upcoming = circle.meetings.order_by("starts_at")[:3]
    for meeting in upcoming:
        local = meeting.starts_at.astimezone(circle.zone)
        assert (local.weekday(), local.hour, local.minute) == (1, 6, 30)


def test_journey_04_rsvp_seats_and_a_waitlist_promoted_when_someone_drops_out(
    new_page, live_server
):
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers", seat_limit=2)
    ana, ben, cy = (UserFactory(display_name=name) for name in ("Ana", "Ben", "Cy"))
    for person in (ana, ben, cy):
        MembershipFactory(circle=circle, user=person)
    meeting = one_off_meeting(circle)
    pages = {person: signed_in_page(new_page, live_server, person) for person in (ana, ben, cy)}

    def answer(person, label):
        page = pages[person]
        page.goto(meeting.get_absolute_url())
        button = page.locator("#rsvp-panel").get_by_role("button", name=label, exact=True)
        button.click()
        # Wait for the answer to come back (the panel is swapped in with it pressed).
        expect(
            page.locator("#rsvp-panel").get_by_role("button", name=label, exact=True)
        ).to_have_attribute("aria-pressed", "true")
        return page

    answer(ana, "Going")
    page = answer(ben, "Going")
    expect(page.locator("#seat-summary").first).to_contain_text("2 going")
    expect(page.locator("#attendees")).to_contain_text("Ana")
    page = answer(cy, "Going")
    expect(page.locator("#rsvp-panel")).to_contain_text(re.compile("waitlist", re.I))
    assert Rsvp.objects.get(meeting=meeting, user=cy).waitlisted

    answer(ana, "Not going")
    cy_page = pages[cy]
    cy_page.goto(meeting.get_absolute_url())
    expect(cy_page.locator("#attendees")).to_contain_text("Cy")
    assert not Rsvp.objects.get(meeting=meeting, user=cy).waitlisted
    assert Rsvp.objects.get(meeting=meeting, user=ana).answer == Answer.NOT_GOING


def test_journey_05_members_build_the_agenda_and_the_host_runs_it(new_page, live_server):
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    mia = UserFactory(display_name="Mia Member")
    MembershipFactory(circle=circle, user=mia)
    meeting = one_off_meeting(circle)

    page = signed_in_page(new_page, live_server, mia)
    page.goto(meeting.get_absolute_url())
    for title in ("Pricing a first project", "Saying no to a big customer"):
        page.get_by_label("Topic").fill(title)
        page.get_by_role("button", name="Propose").click()
        expect(page.locator(".agenda-topic", has_text=title)).to_be_visible()
    page.locator(".agenda-topic", has_text="Saying no").get_by_role("button", name="Vote").click()
    expect(
        page.locator(".agenda-topic", has_text="Saying no").get_by_role(
            "button", name="Take vote back"
        )
    ).to_be_visible()
    expect(page.locator(".agenda-topic").first).to_contain_text("Saying no")  # most votes first

    host_page = signed_in_page(new_page, live_server, host)
    host_page.goto(meeting.get_absolute_url())
    pricing = host_page.locator(".agenda-topic", has_text="Pricing")
    pricing.get_by_role("button", name="Move up").click()
    expect(host_page.locator(".agenda-topic").first).to_contain_text("Pricing")

    # The meeting takes place; afterwards the host records how it went.
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=2),
    )
    host_page.reload()
    host_page.locator(".agenda-topic", has_text="Pricing").get_by_role(
        "button", name="Mark discussed"
    ).click()
    expect(host_page.locator(".agenda-topic", has_text="Pricing")).to_have_class(
        re.compile("topic-discussed")
    )
    host_page.locator(".agenda-topic", has_text="Saying no").get_by_role(
        "button", name="Park"
    ).click()
    expect(host_page.locator(".agenda-topic", has_text="Saying no")).to_have_class(
        re.compile("topic-parked")
    )
    host_page.locator("#notes").get_by_role("textbox").fill("Day rate for the first month.")
    host_page.get_by_role("button", name="Save notes").click()
    expect(host_page.locator("#notes")).to_contain_text("Day rate for the first month.")

    page.goto(meeting.get_absolute_url())
    expect(page.locator("#notes")).to_contain_text("Day rate for the first month.")
    statuses = dict(meeting.topics.values_list("title", "status"))
    assert statuses == {
        "Pricing a first project": "discussed",
        "Saying no to a big customer": "parked",
    }


def test_journey_06_one_reminder_per_member_with_links_that_answer(new_page):
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    mia, ned = UserFactory(display_name="Mia Member"), UserFactory(display_name="Ned Nope")
    for person in (mia, ned):
        MembershipFactory(circle=circle, user=person)
    meeting = one_off_meeting(circle, in_days=0.5)  # within the 24-hour default
    Rsvp.objects.create(meeting=meeting, user=ned, answer=Answer.NOT_GOING)

    sending.reminders_sweep()
    sending.reminders_sweep()  # a second sweep sends nothing again
    reminders = [m for m in mail.outbox if "meets" in m.subject or circle.name in m.subject]
    assert sorted(m.to[0] for m in reminders) == sorted([host.email, mia.email])  # not Ned
    [reminder] = [m for m in reminders if m.to == [mia.email]]
    assert reminder.subject.startswith("Tuesday Breakfast Thinkers")
    assert any(name.endswith(".ics") for name, _content, _type in reminder.attachments)

    page = new_page()  # no session: the signed link is the permission
    page.goto(link_in_email(reminder.body, "/email/rsvp/"))
    page.get_by_role("button", name=re.compile("Answer")).click()
    page.get_by_role("heading", name=re.compile("Thank you")).wait_for()
    assert Rsvp.objects.get(meeting=meeting, user=mia).answer == Answer.GOING


def test_journey_07_an_ask_gets_live_replies_is_resolved_and_the_helper_thanked(
    new_page, live_server
):
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    alice, bob = UserFactory(display_name="Alice Asker"), UserFactory(display_name="Bob Helper")
    for person in (alice, bob):
        MembershipFactory(circle=circle, user=person)

    page_a = signed_in_page(new_page, live_server, alice)
    page_a.goto(f"/circles/{circle.slug}/posts/new/")
    page_a.get_by_label("Title").fill("How do you price a first consulting project?")
    page_a.get_by_label("Details").fill("Day rate or fixed price?")
    page_a.get_by_role("button", name="Post").click()
    expect(page_a.get_by_role("heading", level=1)).to_contain_text("price a first consulting")
    post = Post.objects.get(title__startswith="How do you price")
    assert post.kind == Kind.ASK

    page_b = signed_in_page(new_page, live_server, bob)
    page_b.goto(post.get_absolute_url())
    page_a.evaluate("window.__noReload = true")
    page_b.get_by_label("Your reply").fill("Fixed price, with a clear scope.")
    page_b.get_by_role("button", name="Reply").click()
    # Alice sees it appear without reloading.
    expect(page_a.locator(".reply", has_text="Fixed price, with a clear scope.")).to_be_visible(
        timeout=8_000
    )
    assert page_a.evaluate("window.__noReload") is True

    page_a.get_by_role("link", name=re.compile("Mark resolved|Resolve")).first.click()
    page_a.get_by_label(re.compile("Bob Helper")).check()
    page_a.get_by_label("A note with your thanks (optional)").fill("Exactly what I needed.")
    page_a.get_by_role("button", name="Mark resolved").click()
    expect(page_a.locator("main")).to_contain_text(re.compile("resolved", re.I))
    assert Thanks.objects.filter(reply__author=bob, given_by=alice).exists()

    page_a.goto(f"/members/{bob.pk}/")
    expect(page_a.locator("main")).to_contain_text(re.compile("thank", re.I))


def test_journey_08_a_friend_signs_up_from_an_invitation_and_lands_in_the_circle(
    new_page, live_server
):
    circle, host = make_circle_with_host(
        name="Tuesday Breakfast Thinkers", join_policy=JoinPolicy.INVITE
    )
    mia = UserFactory(display_name="Mia Member")
    MembershipFactory(circle=circle, user=mia, role=Role.HOST)

    page = signed_in_page(new_page, live_server, mia)
    page.goto(f"/circles/{circle.slug}/invitations/")
    page.get_by_label("Their email address").fill("friend@example.org")
    page.get_by_label("A personal message").fill("Come for breakfast.")
    page.get_by_role("button", name="Send the invitation").click()
    [invite] = [m for m in mail.outbox if m.to == ["friend@example.org"]]
    assert invite.subject.startswith("Tuesday Breakfast Thinkers")

    friend = new_page()
    friend.goto(link_in_email(invite.body, "/circles/invitations/"))
    friend.get_by_role("link", name="Sign up and join").click()
    sign_up_in_the_browser(friend, name="Fay Friend", email="friend@example.org")
    confirm_from_email(friend, "friend@example.org")

    membership = Membership.objects.get(circle=circle, user__email="friend@example.org")
    assert membership.status == Status.ACTIVE
    assert membership.invited_by == mia
    friend.goto(circle.get_absolute_url())
    expect(friend.locator(".member-list")).to_contain_text("sponsored by Mia Member")


def test_journey_09_a_member_introduces_two_members_who_are_both_told(new_page, live_server):
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    ivy, ada, bo = (
        UserFactory(display_name=name) for name in ("Ivy Introducer", "Ada Baker", "Bo Roaster")
    )
    for person in (ivy, ada, bo):
        MembershipFactory(circle=circle, user=person)

    page = signed_in_page(new_page, live_server, ivy)
    page.goto(f"/circles/{circle.slug}/posts/")
    page.get_by_role("link", name="Introduce two members").first.click()
    page.get_by_label("Introduce", exact=True).select_option(label="Ada Baker")
    page.get_by_label("Your note for the first member").fill("Bo roasts the coffee you serve.")
    page.get_by_label("To", exact=True).select_option(label="Bo Roaster")
    page.get_by_label("Your note for the second member").fill("Ada's bakery buys beans.")
    page.get_by_role("button", name="Ask them both").click()

    intro = Introduction.objects.get(introducer=ivy)
    assert {intro.person_a, intro.person_b} == {ada, bo}
    told = {m.to[0] for m in mail.outbox if m.subject.startswith("Tuesday Breakfast Thinkers")}
    assert {ada.email, bo.email} <= told
    [to_ada] = [m for m in mail.outbox if m.to == [ada.email]]
    ada_page = signed_in_page(new_page, live_server, ada)
    ada_page.goto(link_in_email(to_ada.body, "/introductions/"))
    expect(ada_page.locator("main")).to_contain_text("Ivy Introducer")


def test_journey_10_a_flagged_pitch_is_hidden_resolved_and_its_author_suspended(
    new_page, live_server
):
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    mia, sid = UserFactory(display_name="Mia Member"), UserFactory(display_name="Sid Seller")
    staff = UserFactory(display_name="Sasha Staff", is_staff=True, is_superuser=True)
    for person in (mia, sid):
        MembershipFactory(circle=circle, user=person)
    post = Post.objects.create(
        circle=circle, author=sid, kind=Kind.GIVE, title="Buy my coaching", body="$999 today!"
    )

    page = signed_in_page(new_page, live_server, mia)
    page.goto(post.get_absolute_url())
    page.get_by_role("link", name=re.compile("^Flag")).first.click()
    page.get_by_label("Selling or self-promotion").check()
    page.get_by_role("button", name="Send flag").click()
    flag = Flag.objects.get(post=post, flagged_by=mia)

    host_page = signed_in_page(new_page, live_server, host)
    host_page.goto(f"/circles/{circle.slug}/moderation/")
    host_page.locator(f"#flagged-post-{post.pk}").get_by_role("button", name="Hide").click()
    page.goto(post.get_absolute_url())
    expect(page.get_by_text("$999 today!")).to_have_count(0)

    staff_page = signed_in_page(new_page, live_server, staff)
    staff_page.goto("/admin/moderation/flag/")
    expect(staff_page.locator("#result_list")).to_contain_text("Buy my coaching")
    staff_page.locator(f"input.action-select[value='{flag.pk}']").check()
    staff_page.locator("select[name=action]").select_option("resolve_flags")
    staff_page.get_by_role("button", name="Go").click()
    staff_page.get_by_label(re.compile("Why")).fill("Hidden; selling to members")
    staff_page.get_by_role("button", name="Confirm").click()
    staff_page.goto(f"/admin/members/user/?q={sid.email}")
    staff_page.locator(f"input.action-select[value='{sid.pk}']").check()
    staff_page.locator("select[name=action]").select_option("suspend_people")
    staff_page.get_by_role("button", name="Go").click()
    staff_page.get_by_label(re.compile("Why")).fill("Selling to members")
    staff_page.get_by_role("button", name="Confirm").click()
    expect(staff_page.get_by_text(re.compile("Suspended: 1 of 1"))).to_be_visible()

    flag.refresh_from_db()
    post.refresh_from_db()
    assert flag.resolved_at is not None
    assert not User.objects.get(pk=sid.pk).is_active
    assert post.body == "$999 today!"  # hidden, never destroyed


def test_journey_11_a_member_subscribes_their_calendar_app_to_a_private_feed(new_page, live_server):
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    other, _ = make_circle_with_host(name="Someone Else's Circle")
    mia = UserFactory(display_name="Mia Member")
    MembershipFactory(circle=circle, user=mia)
    one_off_meeting(circle)
    one_off_meeting(other)

    page = signed_in_page(new_page, live_server, mia)
    page.goto("/calendar/")
    page.get_by_role("button", name="Make my feed address").click()
    address = page.get_by_label("Your private feed address").input_value()
    assert address.startswith(live_server.url) and address.endswith(".ics")

    calendar_app = new_page()  # no session: the address is the key
    response = calendar_app.request.get(address)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    feed = response.text()
    assert "BEGIN:VCALENDAR" in feed and "Tuesday Breakfast Thinkers" in feed
    assert "Someone Else" not in feed

    page.get_by_role("button", name="Make a new address").click()
    assert calendar_app.request.get(address).status == 404  # the old address stops working
