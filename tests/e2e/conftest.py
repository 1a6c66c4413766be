"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against live_server.

The machine has no network and runs as root, hence the flags. Tests here are
marked e2e; they are skipped, with the reason, where chromium is absent.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def _async_unsafe_for_live_server() -> Iterator[None]:
    # Playwright's sync API runs an event loop in this thread; Django refuses
    # ORM calls from a thread with a running loop unless told it is safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# One Playwright per process: a module elsewhere that reuses this fixture
# (tests/notifications/test_e2e_reminder.py) gets the same browser, since a
# second sync_playwright() inside the first one's event loop is refused.
_RUNNING: dict[str, object] = {}


@pytest.fixture(scope="session")
def browser(_async_unsafe_for_live_server):
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    if "browser" in _RUNNING:
        yield _RUNNING["browser"]
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        _RUNNING["browser"] = browser
        yield browser
        _RUNNING.pop("browser", None)
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Make pages in fresh browser contexts (separate people); all closed at the end."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def link_in_email(body: str, contains: str = "/") -> str:
    """The first http(s) link in an email body whose URL contains ``contains``."""
    for url in re.findall(r"https?://[^\s<>\"]+", body):
        if contains in url:
            return url
    raise AssertionError(f"no link containing {contains!r} in:\n{body}")
