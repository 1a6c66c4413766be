"""Celery: the configured app, its schedule, and a real worker on the configured broker.

With REDIS_URL set (CI) the round trip goes through Redis; with nothing set it
goes through kombu's filesystem transport in var/celery, the broker `make run`
uses. Either way the task crosses a real broker to a real worker thread: no
eager mode here. A queue of its own keeps a running `make run` worker from
taking the message.
"""

from __future__ import annotations

import time
import uuid

import pytest
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache

from config.celery import app


@shared_task(ignore_result=True)
def remember(key: str, value: str) -> None:
    """Leave a mark the test can read: the cache is shared with the worker thread."""
    cache.set(key, value, 60)


def wait_for(key: str, seconds: float = 20.0) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = cache.get(key)
        if value is not None:
            return value
        time.sleep(0.1)
    return None


@pytest.mark.celery_worker
def test_a_task_crosses_the_configured_broker_to_a_real_worker():
    queue = f"test-{uuid.uuid4().hex[:12]}"
    key = f"celery-roundtrip-{queue}"
    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        queues=[queue],
        perform_ping_check=False,
        shutdown_timeout=10,
    ):
        remember.apply_async(args=(key, "done"), queue=queue)
        assert wait_for(key) == "done"
    expected = "redis" if settings.REDIS_URL else "filesystem"
    assert app.connection_for_write().transport_cls == expected


def test_the_broker_is_redis_when_configured_else_the_filesystem():
    if settings.REDIS_URL:
        assert app.conf.broker_url == settings.REDIS_URL
    else:
        assert app.conf.broker_url == "filesystem://"
        assert app.conf.broker_transport_options["control_folder"].startswith(str(settings.VAR_DIR))


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "members.tasks.heartbeat" in scheduled
    missing = scheduled - set(app.tasks.keys())
    assert not missing, f"beat names tasks no module defines: {missing}"


def test_tasks_are_acknowledged_late_and_bounded_in_time():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.worker_prefetch_multiplier == 1
