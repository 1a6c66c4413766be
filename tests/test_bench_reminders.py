"""bench/reminders.py: the seed, its reset and the SMTP sink, at a tiny scale so they cannot rot."""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from bench import reminder_rig, reminders
from circles.models import Circle
from meetings.models import Meeting
from members.models import User
from notifications import ledger, sending
from notifications.models import Delivery, DeliveryState
from tests.factories import make_circle_with_host

pytestmark = pytest.mark.django_db


def test_the_seed_owes_exactly_the_asked_number_of_reminders_and_resets():
    assert reminders.seed(120) == 3  # circles of 50, 50 and 20
    assert ledger.reminders_create_due() == 120
    assert reminders.progress() == {DeliveryState.PENDING: 120}
    # Again: the previous run's circles, people and ledger rows are gone first.
    reminders.seed(120)
    assert Circle.objects.filter(slug__startswith="reminders-bench-").count() == 3
    assert not Delivery.objects.exists()
    assert ledger.reminders_create_due() == 120
    reminders.cleanup()
    assert not Circle.objects.filter(slug__startswith="reminders-bench-").exists()
    assert not User.objects.filter(email__endswith="@reminders.bench").exists()
    assert not Delivery.objects.exists()


def test_what_the_rest_of_the_database_owes_is_settled_as_skipped_before_a_run():
    circle, host = make_circle_with_host(reminder_lead_hours=24)
    starts = timezone.now() + dt.timedelta(hours=3)
    Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        local_date=starts.date(),
        is_one_off=True,
    )
    assert reminders.settle_other_reminders() == 1
    reminders.seed(60)
    report = sending.reminders_sweep()  # locmem: nothing leaves the test
    assert report.created == 60 and report.sent == 60
    assert Delivery.objects.get(user=host).state == DeliveryState.SKIPPED


def test_the_sink_counts_connections_messages_and_duplicates():
    sink = reminder_rig.Sink(reminders.DOMAIN)
    port = reminder_rig.free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            for to in ("a@reminders.bench", "b@reminders.bench", "a@reminders.bench"):
                message = EmailMessage()
                message["From"], message["To"], message["Subject"] = "x@y.z", to, "Reminder"
                message.set_content("Hello")
                client.send_message(message)
    finally:
        controller.stop()
    assert (sink.connections, sink.messages, sink.duplicates(), sink.ours()) == (1, 3, 1, 2)
