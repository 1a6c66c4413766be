"""Helpers for the browser tests: signing a person in, pressing Tab until a control has focus."""

from __future__ import annotations

from django.conf import settings
from django.test import Client


def sign_in(page, live_server, user) -> None:
    """Give this browser context the session of ``user`` (the sign-in form is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def signed_in_page(new_page, live_server, user):
    page = new_page()
    sign_in(page, live_server, user)
    return page


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el) return "";
  return (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "").trim();
}"""


def tab_to(page, text: str, *, limit: int = 120) -> None:
    """Press Tab, as a keyboard-only person would, until the focused control reads ``text``."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = page.evaluate(FOCUSED)
        if label == text or label.startswith(text):
            return
        seen.append(label)
    raise AssertionError(f"Tab never reached {text!r}; focus went through {seen}")
