from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters live in the cache (Redis in CI); each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts and ends in the site's language: a request in German (the locale
    middleware) or a test that activates a language must not leave it to the next test."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_passwords(request, settings):
    """Argon2 is slow on purpose (about 0.1 s of CPU a person) and the suite makes thousands
    of people, so tests hash with MD5 first (Argon2 hashes still check). Tests of hashing
    itself, and tests whose passwords another process checks, are marked ``real_passwords``.
    """
    if request.node.get_closest_marker("real_passwords"):
        return
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture(autouse=True)
def _celery_tasks_run_in_process(request):
    """Tasks queued by services run at once, in this process, with errors raised.

    The task code is the real code; only the trip through the broker is
    skipped. Tests marked ``celery_worker`` keep the real broker (Redis in CI)
    and start a real worker: see tests/test_celery.py.
    """
    from config.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


@pytest.fixture
def on_postgres() -> None:
    """Skip (with the reason) where a test needs PostgreSQL's row locks."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); SQLite has no row-level locks")


def pytest_collection_modifyitems(config, items):
    # Put browser tests last: they are the slowest and need the live server.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
