from __future__ import annotations

import pytest


@pytest.fixture
def send_mail(django_capture_on_commit_callbacks):
    """``with send_mail(): ...``: commit callbacks run, tasks run eagerly, mail is sent."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
