from __future__ import annotations

import pytest


@pytest.fixture
def send_mail(django_capture_on_commit_callbacks):
    """``with send_mail(): ...``: commit callbacks run, tasks run eagerly, mail is sent."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 makes every factory user cost ~0.1 s; these tests never check hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
