"""Exactly once under concurrent sweeps: three workers (or beat firing twice) at the same instant,
against PostgreSQL's row locks, never send a member two reminders or two digests."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from notifications import sending
from notifications.models import Delivery, DeliveryState
from tests.factories import make_circle_with_host
from tests.notifications.conftest import T0, add_member, make_meeting

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(target, workers: int = 3) -> list[BaseException]:
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_three_sweeps_at_once_send_each_reminder_and_digest_once(on_postgres):
    circles = []
    people = []
    for _ in range(2):
        circle, host = make_circle_with_host(reminder_lead_hours=24)
        circles.append(circle)
        people.append(host)
        people.extend(add_member(circle) for _ in range(15))
        make_meeting(circle, starts_at=T0 + dt.timedelta(hours=30))
    now = T0 + dt.timedelta(hours=6)  # Monday 10:00 in Chicago: reminders and digests due

    def sweep():
        sending.reminders_sweep(now=now)
        sending.digests_sweep(now=now)

    assert run_at_once(sweep) == []
    counts = Counter((m.to[0], m.subject.endswith("your week")) for m in mail.outbox)
    assert len(mail.outbox) == 2 * len(people)
    assert set(counts.values()) == {1}, [key for key, n in counts.items() if n > 1]
    assert Delivery.objects.count() == 2 * len(people)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
