"""Signed links from emails: RSVP (valid until the start, tamper-proof, no sign-in, a
confirmation step) and one-click unsubscribe (RFC 8058 POST, GET confirmation)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from circles.models import Membership, Status
from meetings.models import Answer, MeetingStatus, Rsvp
from notifications import sending, services
from notifications.emails import rsvp_url, unsubscribe_url
from notifications.models import NotificationPreferences
from notifications.tokens import rsvp_token, unsubscribe_token
from tests.notifications.conftest import T0, make_table

pytestmark = pytest.mark.django_db


def path_of(url: str, settings) -> str:
    assert url.startswith(settings.SITE_URL)
    return url[len(settings.SITE_URL) :]


@pytest.fixture
def table(clock):
    return make_table(members=1)


def test_get_shows_a_confirmation_and_changes_nothing(client, table, settings):
    member = table.members[0]
    response = client.get(path_of(rsvp_url(table.meeting, member, Answer.GOING), settings))
    assert response.status_code == 200
    html = response.content.decode()
    assert table.circle.name in html
    assert "You have not answered yet." in html
    assert "Answer “Going” for" in html
    assert "America/Chicago" in html  # the time names its zone
    assert not Rsvp.objects.exists()


def test_post_saves_the_answer_without_signing_in(table, settings):
    member = table.members[0]
    client = Client(enforce_csrf_checks=True)
    path = path_of(rsvp_url(table.meeting, member, Answer.NOT_GOING), settings)
    page = client.get(path)
    token = page.context["csrf_token"]
    response = client.post(path, {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 200
    assert "Your answer for" in response.content.decode()
    assert "Not going." in response.content.decode()
    rsvp = Rsvp.objects.get(meeting=table.meeting, user=member)
    assert rsvp.answer == Answer.NOT_GOING
    # Clicking again is harmless.
    assert client.post(path, {"csrfmiddlewaretoken": str(token)}).status_code == 200
    assert Rsvp.objects.filter(meeting=table.meeting, user=member).count() == 1


def test_the_answer_from_the_email_keeps_seats_and_waitlist_rules(table, settings, client):
    table.circle.seat_limit = 2
    table.circle.save()
    Rsvp.objects.create(meeting=table.meeting, user=table.host, answer=Answer.GOING)
    other = make_table(members=0).host  # someone from another circle cannot use this meeting
    member = table.members[0]
    response = client.post(path_of(rsvp_url(table.meeting, member, Answer.GOING), settings))
    assert response.status_code == 200
    assert Rsvp.objects.get(user=member).waitlisted is False
    response = client.get(path_of(rsvp_url(table.meeting, other, Answer.GOING), settings))
    assert response.status_code == 404


def test_a_tampered_link_fails_clearly(client, table):
    member = table.members[0]
    token = rsvp_token(meeting_id=table.meeting.pk, user_id=member.pk, answer=Answer.GOING)
    forged = token.replace(token[3], "A" if token[3] != "A" else "B", 1)
    for bad in (forged, token[:-2], "not-a-token"):
        response = client.get(reverse("notifications:rsvp", kwargs={"token": bad}))
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert client.post(reverse("notifications:rsvp", kwargs={"token": forged})).status_code == 400
    assert not Rsvp.objects.exists()


def test_the_link_expires_when_the_meeting_starts(client, table, clock, settings):
    member = table.members[0]
    path = path_of(rsvp_url(table.meeting, member, Answer.GOING), settings)
    clock.move_to(table.meeting.starts_at - dt.timedelta(seconds=1))
    assert client.get(path).status_code == 200
    clock.move_to(table.meeting.starts_at)
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_a_cancelled_meeting_or_a_former_member_gets_a_clear_page(client, table, settings):
    member = table.members[0]
    path = path_of(rsvp_url(table.meeting, member, Answer.GOING), settings)
    Membership.objects.filter(user=member).update(status=Status.LEFT)
    response = client.post(path)
    assert response.status_code == 404
    assert "no longer a member" in response.content.decode()
    Membership.objects.filter(user=member).update(status=Status.ACTIVE)
    table.meeting.status = MeetingStatus.CANCELLED
    table.meeting.cancelled_at = T0
    table.meeting.save()
    response = client.post(path)
    assert response.status_code == 410
    assert "cancelled" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_the_rsvp_page_has_a_fixed_query_budget(
    client, table, settings, django_assert_max_num_queries
):
    from tests.notifications.conftest import add_member

    for _ in range(10):
        Rsvp.objects.create(meeting=table.meeting, user=add_member(table.circle), answer="going")
    path = path_of(rsvp_url(table.meeting, table.members[0], Answer.MAYBE), settings)
    # meeting+circle, person, membership, current RSVP.
    with django_assert_max_num_queries(5):
        assert client.get(path).status_code == 200


# --- Unsubscribe -----------------------------------------------------------------------------


def test_one_click_post_as_a_mail_client_sends_it(table, settings):
    """RFC 8058: a bare POST with List-Unsubscribe=One-Click, no cookie, no CSRF token."""
    member = table.members[0]
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        path_of(unsubscribe_url(member, "reminders"), settings),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    prefs = NotificationPreferences.objects.get(user=member)
    assert (prefs.reminders, prefs.digest, prefs.replies) == (False, True, True)
    assert not services.wants(member, "reminders")


def test_get_asks_to_confirm_and_changes_nothing(client, table, settings):
    member = table.members[0]
    response = client.get(path_of(unsubscribe_url(member, "digest"), settings))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unsubscribe?" in html and "Weekly digest" in html
    assert '<form method="post"' in html
    assert not NotificationPreferences.objects.exists()
    assert services.wants(member, "digest")


def test_an_unsubscribed_member_gets_no_more_reminders(clock, table, settings):
    member = table.members[0]
    Client().post(path_of(unsubscribe_url(member, "reminders"), settings))
    clock.move_to(T0 + dt.timedelta(hours=6))
    sending.reminders_sweep()
    assert [m.to for m in mail.outbox] == [[table.host.email]]


def test_a_tampered_unsubscribe_link_fails_clearly(client, table):
    token = unsubscribe_token(user_id=table.members[0].pk, preference="reminders")
    flipped = token.replace(token[2], "A" if token[2] != "A" else "B", 1)
    for bad in (token[:-3], flipped, "x"):
        response = client.post(reverse("notifications:unsubscribe", kwargs={"token": bad}))
        assert response.status_code == 400
    assert not NotificationPreferences.objects.exists()


def test_the_unsubscribe_page_has_a_fixed_query_budget(
    client, table, settings, django_assert_max_num_queries
):
    path = path_of(unsubscribe_url(table.members[0], "reminders"), settings)
    with django_assert_max_num_queries(1):
        assert client.get(path).status_code == 200
    # The person; get_or_create of the locked preferences row (select, savepoint, insert,
    # release); the save.
    with django_assert_max_num_queries(8):
        assert client.post(path).status_code == 200


@pytest.mark.parametrize("name", ["notifications:rsvp", "notifications:unsubscribe"])
def test_a_token_link_is_the_url_reverse_would_give(name):
    """emails._token_url reverses once per process and puts each token in."""
    from notifications import emails

    for token in (
        rsvp_token(meeting_id=12, user_id=34, answer="going"),
        unsubscribe_token(user_id=34, preference="reminders"),
        "with spaces & ünïcode:and-colons_",
    ):
        expected = emails.absolute(reverse(name, kwargs={"token": token}))
        assert emails._token_url(name, token) == expected
