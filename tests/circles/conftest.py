from __future__ import annotations

import pytest

from config.celery import app as celery_app


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process, so mail queued on commit lands in mail.outbox.

    Use with django_capture_on_commit_callbacks(execute=True) (or a
    transactional test): tasks are queued only after the commit.
    """
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def send_mail(eager_tasks, django_capture_on_commit_callbacks):
    """``with send_mail(): ...``: commit callbacks run, tasks run eagerly, mail is sent."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 makes every factory user cost ~0.1 s; these tests never check hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
