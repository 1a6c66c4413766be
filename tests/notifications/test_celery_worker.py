"""A real Celery worker on the Redis broker runs the sweep: one email per member, even when the
sweep is queued three times and a previous worker died holding a claim.

Runs where REDIS_URL is set (CI); skipped otherwise. No eager mode: the task crosses Redis to a
worker thread (celery.contrib.testing.worker.start_worker) that shares this test's database.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone

from config.celery import app as celery_app
from notifications import tasks
from notifications.models import Delivery, DeliveryKind, DeliveryState
from tests.notifications.conftest import make_table

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def wait_until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_real_worker_sends_each_member_one_reminder():
    if not settings.REDIS_URL:
        pytest.skip("needs a Redis broker (set REDIS_URL)")
    celery_app.conf.task_always_eager = False  # the autouse fixture restores it
    table = make_table(members=5, starts_in=dt.timedelta(hours=2))  # due now (24 h lead)
    # A worker that died mid-sweep left the host's reminder claimed, its lease long expired.
    Delivery.objects.create(
        kind=DeliveryKind.REMINDER,
        meeting=table.meeting,
        user=table.host,
        state=DeliveryState.SENDING,
        attempts=1,
        claim_token="dead-worker",
        lease_expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    queue = f"test-notifications-{uuid.uuid4().hex[:10]}"
    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        queues=[queue],
        perform_ping_check=False,
        shutdown_timeout=20,
    ):
        for _ in range(3):  # beat firing more than once, a manual run on top
            tasks.send_due_reminders.apply_async(queue=queue)
        assert wait_until(lambda: len(mail.outbox) >= len(table.everyone))
        assert wait_until(lambda: not Delivery.objects.exclude(state=DeliveryState.SENT).exists())
        time.sleep(1.5)  # let the remaining queued sweeps run: they must find nothing
    counts = Counter(message.to[0] for message in mail.outbox)
    assert counts == Counter(user.email for user in table.everyone)
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == len(table.everyone)
