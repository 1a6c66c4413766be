"""Journeys 4 and 5 in a browser: a member RSVPs, proposes a topic and votes, all without a
page reload (htmx swaps the panels and the counts in place)."""

from __future__ import annotations

from meetings.models import AgendaTopic, Answer, Rsvp, Vote
from meetings.services import meetings_materialize
from tests.e2e.helpers import signed_in_page
from tests.factories import MembershipFactory, UserFactory, make_circle_with_host


def test_a_member_rsvps_proposes_and_votes_without_a_reload(
    new_page, live_server, transactional_db
):
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers", seat_limit=12)
    milo = UserFactory(display_name="Milo Member")
    MembershipFactory(circle=circle, user=milo)
    meetings_materialize(circle=circle)
    meeting = circle.meetings.order_by("starts_at").first()

    page = signed_in_page(new_page, live_server, milo)
    page.goto(meeting.get_absolute_url())
    page.evaluate("window.__noReload = 'still here'")
    assert page.locator("#seat-summary").inner_text().startswith("0 going · 12 of 12")

    page.locator("#rsvp-panel").get_by_role("button", name="Going", exact=True).click()
    page.locator("#rsvp-panel").get_by_text("You answered: Going").wait_for()
    # The counts show twice; both were swapped out of band.
    page.locator("#seat-summary", has_text="1 going · 11 of 12").wait_for()
    page.locator("#attendees li", has_text="Milo Member").wait_for()
    assert Rsvp.objects.get(user=milo, meeting=meeting).answer == Answer.GOING

    page.get_by_label("Topic").fill("Saying no to a big customer")
    page.get_by_label("Details (optional)").fill("They want a **custom** build.")
    page.get_by_role("button", name="Propose").click()
    topic_item = page.locator(".agenda-topic", has_text="Saying no to a big customer")
    topic_item.wait_for()
    assert topic_item.locator(".topic-details strong").inner_text() == "custom"
    assert page.get_by_label("Topic").input_value() == ""  # a fresh form for the next one

    topic_item.get_by_role("button", name="Vote").click()
    page.locator(".agenda-topic", has_text="Saying no").get_by_role(
        "button", name="Take vote back"
    ).wait_for()
    assert page.locator(".agenda-topic .vote-count").first.inner_text() == "1"
    assert page.locator(".votes-left").inner_text() == "2"
    topic = AgendaTopic.objects.get(meeting=meeting)
    assert Vote.objects.filter(topic=topic, user=milo).count() == 1

    page.locator(".agenda-topic").get_by_role("button", name="Take vote back").click()
    page.locator(".votes-left", has_text="3").wait_for()
    assert not Vote.objects.filter(user=milo).exists()

    assert page.evaluate("window.__noReload") == "still here"

    # Any upcoming meeting, not only the next: answer from the list, one row swaps in place.
    later = circle.meetings.order_by("starts_at")[3]
    page.goto(f"/circles/{circle.slug}/meetings/")
    page.evaluate("window.__noReload = 'list'")
    row = page.locator(f"#meeting-row-{later.pk}")
    row.get_by_role("button", name="Maybe").click()
    page.locator(f"#meeting-row-{later.pk}", has_text="Your answer: Maybe").wait_for()
    assert Rsvp.objects.get(user=milo, meeting=later).answer == Answer.MAYBE
    assert page.evaluate("window.__noReload") == "list"
