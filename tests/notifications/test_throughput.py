"""Sending many reminders fast without giving up exactly once: one render per meeting, one SMTP
connection per batch, a fixed number of queries per batch, lanes and a helper sweep for a burst.

bench/reminders.py measures the speed (docs/PERFORMANCE.md); these tests pin the behaviour.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from meetings.models import AgendaTopic, Answer, Rsvp
from notifications import emails, ledger, sending, tasks
from notifications.models import Delivery, DeliveryState
from tests.notifications.conftest import T0, add_member, make_table

DUE = T0 + dt.timedelta(hours=6)


def full_render(meeting, user, rsvp, brief) -> tuple[str, str]:
    """The reminder rendered the plain way: every template, every variable, for this person."""
    personal = emails.reminder_personal(meeting=meeting, user=user, rsvp=rsvp)
    context = emails.reminder_context(meeting=meeting, brief=brief, personal=personal)
    return (
        render_to_string("notifications/emails/reminder.txt", context),
        render_to_string("notifications/emails/reminder.html", context),
    )


@pytest.mark.django_db
def test_a_reminder_filled_into_the_meetings_frame_is_what_a_full_render_gives(clock):
    table = make_table(members=0, name="Breakfast <b>\"&'</b> Club", time_zone="America/Chicago")
    people = [
        table.host,
        add_member(table.circle, display_name="O'Brien <script>&amp;", time_zone="Europe/Berlin"),
        add_member(table.circle, display_name="Same Zone", time_zone="America/Chicago"),
        add_member(table.circle, display_name="", time_zone="Asia/Tokyo"),
    ]
    Rsvp.objects.create(meeting=table.meeting, user=people[1], answer=Answer.GOING)
    Rsvp.objects.create(meeting=table.meeting, user=people[2], answer=Answer.MAYBE)
    # Text a member wrote that looks like a marker stays as it is.
    AgendaTopic.objects.create(meeting=table.meeting, author=people[1], title="ab:name; <&>")
    clock.move_to(DUE)
    brief = emails.meeting_brief(table.meeting)
    rsvps = {rsvp.user_id: rsvp for rsvp in Rsvp.objects.filter(meeting=table.meeting)}
    for person in people:
        rsvp = rsvps.get(person.pk)
        message = emails.reminder_message(
            meeting=table.meeting, user=person, rsvp=rsvp, brief=brief
        )
        text, html = full_render(table.meeting, person, rsvp, brief)
        assert message.body == text
        assert message.alternatives[0][0] == html
    # Two readers' zones differ from the circle's; all read English.
    assert set(brief.frames) == {("en", True), ("en", False)}
    assert (
        "O&#x27;Brien &lt;script&gt;&amp;amp;"
        in emails.reminder_message(
            meeting=table.meeting, user=people[1], rsvp=None, brief=brief
        ).alternatives[0][0]
    )


@pytest.mark.django_db
def test_a_batch_goes_out_over_one_smtp_connection(clock, smtp_sink, monkeypatch):
    table = make_table(members=24)  # 25 reminders
    clock.move_to(DUE)
    report = sending.reminders_sweep()
    assert report.sent == 25
    assert smtp_sink.messages == 25 and smtp_sink.duplicates() == 0
    assert smtp_sink.connections == 1
    # Smaller batches: one connection each, still one message per member.
    monkeypatch.setattr(ledger, "CLAIM_BATCH", 10)
    Delivery.objects.all().delete()
    smtp_sink.reset()
    sending.reminders_sweep()
    assert smtp_sink.connections == 3  # 10 + 10 + 5
    assert sorted(to for to, _ in smtp_sink.seen) == sorted(u.email for u in table.everyone)


@pytest.mark.django_db
def test_after_a_refused_message_the_next_one_goes_over_a_new_connection(clock, smtp_sink):
    table = make_table(members=3)
    refused = table.members[1].email
    original = smtp_sink.handle_DATA

    async def refuse_one(server, session, envelope):
        if refused in envelope.rcpt_tos:
            return "451 4.3.0 try again later"
        return await original(server, session, envelope)

    smtp_sink.handle_DATA = refuse_one
    clock.move_to(DUE)
    report = sending.reminders_sweep()
    assert (report.sent, report.retrying) == (3, 1)
    assert smtp_sink.connections == 2
    assert Delivery.objects.get(user__email=refused).state == DeliveryState.PENDING


@pytest.mark.django_db
def test_the_only_query_per_reminder_is_the_update_that_marks_it_sent(clock):
    def queries_for(members: int) -> int:
        clock.move_to(T0)
        make_table(members=members)
        clock.move_to(DUE)
        with CaptureQueriesContext(connection) as captured:
            report = sending.reminders_sweep()
        assert report.sent == members + 1
        return len(captured)

    small, large = queries_for(9), queries_for(49)  # 10 and 50 reminders, one batch each
    assert large - small == 40


@pytest.mark.django_db
def test_a_sweep_of_a_batch_stays_inside_its_query_budget(clock, django_assert_max_num_queries):
    make_table(members=99)  # 100 reminders: one full batch
    clock.move_to(DUE)
    # 21 for the sweep and its batch whatever its size (creating the rows, the claim and
    # its savepoints, the batch's facts, the meeting's brief, the claim that finds nothing
    # more), and one UPDATE per email: 40 rows or 100 cost the same 21.
    # SQLite takes at most 999 parameters a statement, so Django splits the 100 rows'
    # INSERT in two there: one more query, from the engine, not from the data.
    with django_assert_max_num_queries(100 + 21 + (connection.vendor == "sqlite")):
        report = sending.reminders_sweep()
    assert report.sent == 100


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_burst_is_sent_on_several_lanes_each_reminder_once(on_postgres, clock, monkeypatch):
    monkeypatch.setattr(ledger, "CLAIM_BATCH", 20)
    monkeypatch.setattr(sending, "SEND_LANES", 3)
    lanes = []
    helper_lane = sending._helper_lane

    def counted_lane(**kwargs):
        lanes.append(kwargs)
        return helper_lane(**kwargs)

    monkeypatch.setattr(sending, "_helper_lane", counted_lane)
    table = make_table(members=149)  # 150 reminders, 8 batches
    clock.move_to(DUE)
    report = sending.reminders_sweep()
    assert len(lanes) == 2  # the sweep's own lane and two helpers
    assert report.sent == 150
    assert Counter(m.to[0] for m in mail.outbox) == Counter(u.email for u in table.everyone)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    # Every batch was claimed by exactly one lane.
    assert Delivery.objects.values("claim_token").distinct().count() == 8


@pytest.mark.django_db
def test_a_burst_queues_one_helper_sweep_and_still_sends_each_reminder_once(clock, monkeypatch):
    monkeypatch.setattr(ledger, "CLAIM_BATCH", 10)
    queued = []
    delay = tasks.send_due_reminders.delay

    def counted_delay(*args, **kwargs):
        queued.append(args)
        return delay(*args, **kwargs)  # eager here: the helper sweep runs at once

    monkeypatch.setattr(tasks.send_due_reminders, "delay", counted_delay)
    table = make_table(members=34)  # 35 reminders: full claims, then a partial one
    clock.move_to(DUE)
    tasks.send_due_reminders()
    assert queued  # a helper sweep was queued for an idle worker
    assert Counter(m.to[0] for m in mail.outbox) == Counter(u.email for u in table.everyone)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


@pytest.mark.django_db
def test_a_sweep_with_less_than_a_batch_queues_nothing(clock, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.send_due_reminders, "delay", lambda: queued.append(1))
    make_table(members=3)
    clock.move_to(DUE)
    tasks.send_due_reminders()
    assert queued == []
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_a_reminder_with_boundaries_chosen_up_front_is_well_formed_mime(clock):
    table = make_table(members=1)
    clock.move_to(DUE)
    brief = emails.meeting_brief(table.meeting)
    message = emails.reminder_message(
        meeting=table.meeting, user=table.host, rsvp=None, brief=brief
    )
    raw = message.message().as_bytes(linesep="\r\n")
    parsed = message_from_bytes(raw, policy=policy.SMTP)
    assert parsed.get_content_type() == "multipart/mixed"
    leaves = [part.get_content_type() for part in parsed.walk() if not part.is_multipart()]
    assert leaves == ["text/plain", "text/html", "text/calendar"]
    boundaries = {part.get_boundary() for part in parsed.walk() if part.is_multipart()}
    assert len(boundaries) == 2 and all("peertables-" in b for b in boundaries)
    text = parsed.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == message.body


@pytest.mark.django_db
def test_short_headers_are_written_exactly_as_compat32_would(clock):
    table = make_table(members=1, name="Café Zürich — the long breakfast table of the week")
    clock.move_to(DUE)
    brief = emails.meeting_brief(table.meeting)
    for person in table.everyone:
        mime = emails.reminder_message(
            meeting=table.meeting, user=person, rsvp=None, brief=brief
        ).message()
        fast = mime.as_bytes(linesep="\r\n")
        for part in mime.walk():
            part.policy = policy.compat32
        assert fast == mime.as_bytes(linesep="\r\n")
