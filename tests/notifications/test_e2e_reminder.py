"""Journey 6 in a browser: the reminder's one-click links work without signing in.

A member opens the "Going" link from their reminder in a fresh browser (no session),
confirms, and the answer is saved; the footer's unsubscribe link turns reminders off.
Marked e2e (headless Chromium, skipped where it is absent), like tests/e2e/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from meetings.models import Answer, Rsvp
from notifications import sending
from notifications.models import NotificationPreferences
from tests.e2e import conftest as e2e
from tests.e2e.conftest import link_in_email
from tests.notifications.conftest import make_table

pytestmark = pytest.mark.e2e

# The browser fixtures of tests/e2e/, used here beside the notification tests.
_async_unsafe_for_live_server = e2e._async_unsafe_for_live_server
browser = e2e.browser
new_page = e2e.new_page


def test_a_member_answers_from_the_reminder_without_signing_in(
    new_page, live_server, transactional_db, settings
):
    settings.SITE_URL = live_server.url
    page = new_page()
    table = make_table(
        members=1, name="Tuesday Breakfast Thinkers", starts_in=dt.timedelta(hours=2)
    )
    member = table.members[0]
    sending.reminders_sweep()
    [reminder] = [m for m in mail.outbox if m.to == [member.email]]

    page.goto(link_in_email(reminder.body, "/email/rsvp/"))  # the first link: Going
    page.get_by_text("You have not answered yet.").wait_for()
    assert not Rsvp.objects.exists()  # opening the link changed nothing
    page.get_by_role("button", name="Answer “Going”").click()
    page.get_by_role("heading", name=f"Thank you, {member.name}").wait_for()
    assert Rsvp.objects.get(meeting=table.meeting, user=member).answer == Answer.GOING

    page.goto(link_in_email(reminder.body, "/email/unsubscribe/"))
    page.get_by_role("button", name="Unsubscribe from meeting reminders").click()
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    assert NotificationPreferences.objects.get(user=member).reminders is False
