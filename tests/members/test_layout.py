"""Every page shares one accessible layout: landmarks, skip link, htmx from /static/, messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNED_OUT_PAGES = [
    "home",
    "circles:directory",
    "account_login",
    "account_signup",
    "account_reset_password",
]


def body_tag(html: str) -> str:
    match = re.search(r"<body[^>]*>", html)
    assert match, "no <body> tag"
    return match.group(0)


@pytest.mark.parametrize("name", SIGNED_OUT_PAGES)
def test_signed_out_pages_use_our_layout(client, name, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en"' in html
    assert re.search(r"<title>[^<]*· PeerTables</title>", html)
    assert '<meta name="viewport"' in html
    # Landmarks, each once.
    assert html.count("<header") == 1
    assert html.count('<main id="main"') == 1
    assert html.count("<footer") == 1
    assert re.search(r'<nav aria-label="Main"', html)
    assert '<a class="skip-link" href="#main">' in html
    # Signed out: the way in, no way out.
    assert f'href="{reverse("account_login")}"' in html
    assert f'href="{reverse("account_signup")}"' in html
    assert reverse("account_logout") not in html


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_account_forms_label_every_field(client, name):
    html = client.get(reverse(name)).content.decode()
    inputs = re.findall(r'<input [^>]*type="(?:email|text|password)"[^>]*>', html)
    assert inputs
    for tag in inputs:
        field_id = re.search(r'id="([^"]+)"', tag).group(1)
        assert f'<label for="{field_id}"' in html, f"{field_id} has no label"
    assert 'class="field' in html


def test_body_carries_the_csrf_token_for_htmx(client):
    html = client.get(reverse("home")).content.decode()
    body = body_tag(html)
    headers = json.loads(re.search(r"hx-headers='([^']+)'", body).group(1))
    token = headers["x-csrftoken"]
    assert len(token) >= 32
    assert client.cookies[settings.CSRF_COOKIE_NAME].value


def test_htmx_is_served_from_static_not_a_cdn(client):
    html = client.get(reverse("home")).content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert any(re.match(r"^/static/vendor/htmx/htmx-2\.[\d.]+\.min\.js$", s) for s in sources)
    assert not [s for s in sources if s.startswith(("http://", "https://", "//"))]
    assert not re.search(r'<link[^>]*href="(https?:)?//', html)

    htmx = next(s for s in sources if "htmx" in s)
    file = Path(settings.BASE_DIR) / htmx.replace("/static/", "static/", 1)
    assert file.is_file() and file.stat().st_size > 10_000
    # History restores fetch the full page, not a fragment.
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html).group(1)
    assert json.loads(config)["historyRestoreAsHxRequest"] is False


def test_stylesheet_is_our_own(client):
    html = client.get(reverse("home")).content.decode()
    assert '<link rel="stylesheet" href="/static/css/app.css">' in html
    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    assert ".skip-link" in css
    assert ":focus" in css


def test_messages_are_shown(client):
    user = UserFactory(display_name="Ana Ruiz")
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert 'class="messages" role="status"' in html
    assert "Successfully signed in as Ana Ruiz." in html
    # Shown once: the next page no longer carries it.
    assert "Successfully signed in" not in client.get(reverse("home")).content.decode()


def test_signed_in_header_names_the_person_and_signs_out_by_post(client):
    user = UserFactory(display_name="Ana Ruiz")
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert "Ana Ruiz" in header
    form = re.search(
        r'<form method="post" action="'
        + re.escape(reverse("account_logout"))
        + r'"[^>]*>.*?</form>',
        header,
        re.S,
    )
    assert form, "sign out is a POST form"
    assert 'name="csrfmiddlewaretoken"' in form.group(0)
    assert "Sign out" in form.group(0)
    assert f'href="{reverse("account_login")}"' not in header

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_see_the_staff_link(client):
    client.force_login(UserFactory(is_staff=True))
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in html
    client.force_login(UserFactory())
    assert f'href="{reverse("admin:index")}"' not in client.get(reverse("home")).content.decode()


def test_landing_says_what_peertables_is(client):
    html = client.get(reverse("home")).content.decode()
    assert "<h1" in html
    assert "circle" in html.lower()


def test_account_pages_use_our_layout_when_signed_in(client):
    client.force_login(UserFactory())
    for name in ("account_email", "account_change_password"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        html = response.content.decode()
        assert '<main id="main"' in html
        assert '<nav class="subnav" aria-label="Account">' in html


def test_unknown_page_is_a_404(client):
    assert client.get("/no-such-page/").status_code == 404
