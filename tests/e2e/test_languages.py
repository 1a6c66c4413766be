"""The footer's language switcher in a browser with JavaScript off: a German browser gets German,
one click on another language and the page, and the next ones, are in it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_german_browser_switches_to_spanish_without_javascript(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="de-DE"
    )
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "de")
        expect(page.get_by_role("heading", level=1)).to_have_text("Bring Leute an einen Tisch.")

        page.get_by_role("button", name="español").click()
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.get_by_role("heading", level=1)).to_have_text("Reúne una mesa.")
        page.get_by_role("link", name="Buscar un círculo").first.click()
        expect(page.locator("footer")).to_contain_text("Idioma:")
    finally:
        context.close()
