from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters live in the cache (Redis in CI); each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def on_postgres() -> None:
    """Skip (with the reason) where a test needs PostgreSQL's row locks."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); SQLite has no row-level locks")


def pytest_collection_modifyitems(config, items):
    # Put browser tests last: they are the slowest and need the live server.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
