"""The delivery ledger: a dead worker's claim is retried after its lease, failed sends back off
and end as failed, and staff can put a failed row back in the queue."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from notifications import ledger, sending
from notifications.models import Delivery, DeliveryKind, DeliveryState
from tests.notifications.backends import FlakyBackend, WorkerKilled
from tests.notifications.conftest import T0, make_table, recipients

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
DUE = T0 + 6 * HOUR


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    FlakyBackend.reset()
    yield FlakyBackend
    FlakyBackend.reset()


def test_the_database_refuses_a_second_reminder_row(clock):
    table = make_table(members=1)
    Delivery.objects.create(kind=DeliveryKind.REMINDER, meeting=table.meeting, user=table.host)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(kind=DeliveryKind.REMINDER, meeting=table.meeting, user=table.host)


def test_only_one_claim_wins_and_a_claim_is_not_taken_over_before_its_lease_ends(clock):
    table = make_table(members=0)
    clock.move_to(DUE)
    ledger.reminders_create_due()
    first, [row] = ledger.deliveries_claim(now=DUE)
    assert row.user == table.host and row.state == DeliveryState.SENDING
    assert ledger.deliveries_claim(now=DUE)[1] == []
    assert ledger.deliveries_claim(now=DUE + ledger.LEASE - MINUTE)[1] == []
    second, [again] = ledger.deliveries_claim(now=DUE + ledger.LEASE)
    assert again.pk == row.pk and second != first
    # The first worker, back from the dead, cannot mark what it no longer holds.
    assert not ledger.delivery_mark_sent(delivery_id=row.pk, token=first, now=DUE)
    row.refresh_from_db()
    assert (row.state, row.attempts) == (DeliveryState.SENDING, 2)


def test_a_worker_killed_mid_sweep_leaves_each_member_exactly_one_email(clock, flaky):
    table = make_table(members=3)
    victim = table.members[1]
    flaky.kill_before.add(victim.email)
    clock.move_to(DUE)
    with pytest.raises(WorkerKilled):
        sending.reminders_sweep()
    sent_before_death = recipients(mail.outbox)
    assert sent_before_death == sorted([table.host.email, table.members[0].email])
    stuck = Delivery.objects.filter(state=DeliveryState.SENDING)
    assert sorted(stuck.values_list("user__email", flat=True)) == sorted(
        [victim.email, table.members[2].email]
    )

    # Another worker starts at once: the dead worker's claims are still leased.
    sending.reminders_sweep()
    assert recipients(mail.outbox) == sent_before_death

    # After the lease the abandoned rows are taken over and sent, once.
    clock.move_to(DUE + ledger.LEASE)
    sending.reminders_sweep()
    clock.move_to(DUE + 3 * ledger.LEASE)
    sending.reminders_sweep()
    assert Counter(recipients(mail.outbox)) == Counter(u.email for u in table.everyone)
    row = Delivery.objects.get(user=victim)
    assert (row.state, row.attempts) == (DeliveryState.SENT, 2)


def test_a_batch_whose_lease_runs_low_hands_the_rest_back(clock, monkeypatch):
    make_table(members=3)
    clock.move_to(DUE)
    ledger.reminders_create_due()
    real_send = sending.delivery_send

    def slow_send(**kwargs):
        real_send(**kwargs)
        clock.shift(ledger.LEASE - ledger.LEASE_MARGIN)  # a very slow mail server

    monkeypatch.setattr(sending, "delivery_send", slow_send)
    report = sending.deliveries_send_due(budget_seconds=10**9)
    assert report.sent == 4
    assert len(mail.outbox) == 4
    # The rows handed back were claimed again in a new batch, their attempt not counted twice.
    assert Delivery.objects.values("claim_token").distinct().count() == 2
    assert Delivery.objects.filter(state=DeliveryState.SENT, attempts=1).count() == 4


def test_the_documented_window_a_death_after_the_server_accepted_sends_twice(clock, flaky):
    """docs/REMINDERS.md: dying between the server's 250 and the UPDATE is the one duplicate."""
    table = make_table(members=1)
    flaky.kill_after.add(table.members[0].email)
    clock.move_to(DUE)
    with pytest.raises(WorkerKilled):
        sending.reminders_sweep()
    clock.move_to(DUE + ledger.LEASE)
    sending.reminders_sweep()
    counts = Counter(recipients(mail.outbox))
    assert counts[table.members[0].email] == 2
    assert counts[table.host.email] == 1


def test_failed_sends_back_off_and_end_as_failed(clock, flaky):
    table = make_table(members=1)
    unlucky = table.members[0]
    flaky.refuse.add(unlucky.email)
    clock.move_to(DUE)
    sending.reminders_sweep()
    row = Delivery.objects.get(user=unlucky)
    assert (row.state, row.attempts) == (DeliveryState.PENDING, 1)
    assert row.next_attempt_at == DUE + MINUTE
    assert "421" in row.last_error

    # Not before the backoff: a sweep right away leaves it alone.
    sending.reminders_sweep()
    row.refresh_from_db()
    assert row.attempts == 1

    now = DUE
    for attempt in range(2, ledger.MAX_ATTEMPTS + 1):
        now = row.next_attempt_at
        clock.move_to(now)
        sending.reminders_sweep()
        row.refresh_from_db()
        assert row.attempts == attempt
        if attempt < ledger.MAX_ATTEMPTS:
            assert row.state == DeliveryState.PENDING
            assert row.next_attempt_at == now + ledger.backoff(attempt)
    assert row.state == DeliveryState.FAILED
    assert row.note == f"Gave up after {ledger.MAX_ATTEMPTS} attempts."
    assert recipients(mail.outbox) == [table.host.email]

    # Failed is final: later sweeps do not try again.
    clock.move_to(now + HOUR)
    sending.reminders_sweep()
    row.refresh_from_db()
    assert row.attempts == ledger.MAX_ATTEMPTS

    # Staff put it back in the queue once the mail server is fixed.
    flaky.refuse.clear()
    assert ledger.delivery_retry(delivery=row)
    sending.reminders_sweep()
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT
    assert recipients(mail.outbox) == sorted([table.host.email, unlucky.email])


def test_a_retry_that_runs_into_the_start_ends_as_failed_not_sent(clock, flaky):
    table = make_table(members=1, starts_in=dt.timedelta(hours=24, minutes=2))
    flaky.refuse.add(table.members[0].email)
    clock.move_to(T0 + 2 * MINUTE)  # the reminder time; the first attempt fails
    sending.reminders_sweep()
    # No sweep runs again until after the start (the workers were down).
    clock.move_to(table.meeting.starts_at + MINUTE)
    sending.reminders_sweep()
    row = Delivery.objects.get(user=table.members[0])
    assert row.state == DeliveryState.FAILED
    assert "started" in row.note


def test_a_row_whose_last_attempt_lost_its_worker_ends_as_failed(clock):
    table = make_table(members=0)
    clock.move_to(DUE)
    ledger.reminders_create_due()
    Delivery.objects.filter(user=table.host).update(
        state=DeliveryState.SENDING,
        attempts=ledger.MAX_ATTEMPTS,
        lease_expires_at=DUE,
        claim_token="dead",
    )
    report = sending.deliveries_send_due()
    row = Delivery.objects.get(user=table.host)
    assert row.state == DeliveryState.FAILED
    assert report.failed == 1
    assert mail.outbox == []
