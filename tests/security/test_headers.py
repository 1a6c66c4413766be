"""Every page carries a strict Content-Security-Policy and the other security headers.

The policy lets only our own files run: no inline script, no eval, no inline
style, no framing, no plugins, forms post only to us. The pages are written
so they need nothing more (no inline <script>, no on*/hx-on attributes, no
style attributes) and htmx runs with eval off.
"""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.security.conftest import World
from tests.test_settings import real_production_env, run_manage

pytestmark = pytest.mark.django_db


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def pages(world: World) -> list[tuple[str, str]]:
    """(who, url) for the main pages a person sees."""
    circle = world.circle
    return [
        ("anon", reverse("home")),
        ("anon", reverse("circles:directory")),
        ("anon", reverse("account_login")),
        ("anon", reverse("account_signup")),
        ("anon", reverse("account_reset_password")),
        ("anon", circle.get_absolute_url()),
        ("member", circle.get_absolute_url()),
        ("member", reverse("meetings:list", kwargs={"slug": circle.slug})),
        ("member", world.meeting.get_absolute_url()),
        ("member", reverse("conversations:board", kwargs={"slug": circle.slug})),
        ("member", world.post.get_absolute_url()),
        ("member", reverse("conversations:post_create", kwargs={"slug": circle.slug})),
        ("member", reverse("members:profile", kwargs={"user_id": world.member2.pk})),
        ("member", reverse("members:profile_edit")),
        ("member", reverse("notifications:settings")),
        ("member", reverse("calendar:settings")),
        ("host", reverse("circles:edit", kwargs={"slug": circle.slug})),
        ("host", reverse("circles:requests", kwargs={"slug": circle.slug})),
        ("host", reverse("meetings:add", kwargs={"slug": circle.slug})),
        ("staff", reverse("admin:index")),
    ]


def test_every_main_page_sends_the_strict_policy(world):
    for role, url in pages(world):
        response = world.client_for(role).get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        policy = policy_of(response)
        assert policy["default-src"] == ["'self'"], url
        assert policy["script-src"] == ["'self'"], url  # no nonce: no page needs one
        assert policy["style-src"] == ["'self'"], url
        assert policy["img-src"] == ["'self'", "data:"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["base-uri"] == ["'none'"], url
        assert policy["form-action"] == ["'self'"], url
        assert policy["frame-ancestors"] == ["'none'"], url


def test_errors_and_redirects_carry_the_policy_too(client):
    assert "Content-Security-Policy" in client.get("/no-such-page/")
    assert "Content-Security-Policy" in client.get(reverse("calendar:settings"))  # to sign-in


def test_no_unsafe_sources_for_scripts_anywhere():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for name in ("default-src", "script-src", "style-src"):
        values = [str(value) for value in directives[name]]
        assert "'unsafe-inline'" not in values, name
        assert "'unsafe-eval'" not in values, name
        assert "*" not in values and "data:" not in values and "https:" not in values, name


def test_a_nonce_is_sent_only_when_a_page_uses_one(rf):
    """The NONCE in script-src is for a future inline script; unused, it is left out."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    middleware = CSPMiddleware(lambda request: HttpResponse())
    request = rf.get("/")
    middleware.process_request(request)
    nonce = str(request.csp_nonce)
    response = middleware.process_response(request, HttpResponse())
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert len(nonce) >= 16


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
HTMX_INLINE = re.compile(r"\shx-on[:-]|\shx-vars=|js:", re.I)


def test_pages_need_no_inline_script_or_style(world):
    """What the policy would block is not on our pages, so nothing silently breaks."""
    for role, url in pages(world):
        if url.startswith("/" + settings.ADMIN_URL):
            continue  # Django's admin templates are Django's
        html = world.client_for(role).get(url).content.decode()
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html))
        assert not EVENT_HANDLER.search(html), (url, EVENT_HANDLER.search(html))
        assert not STYLE_ATTRIBUTE.search(html), (url, STYLE_ATTRIBUTE.search(html))
        assert not HTMX_INLINE.search(html), (url, HTMX_INLINE.search(html))
        assert "<style" not in html, url


def test_htmx_never_evaluates_code(client):
    html = client.get(reverse("home")).content.decode()
    config = json.loads(re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html).group(1))
    assert config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False


def test_framing_sniffing_and_referrer_headers(client):
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_cookie_is_http_only(client, world):
    client.post(
        reverse("account_login"),
        {"login": world.member.email, "password": "correct horse battery staple"},
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"].lower() == "lax"


PRINT_SECURITY = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k, None)"
    " for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS',"
    " 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER',"
    " 'X_FRAME_OPTIONS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'DEBUG']}))"
)


def test_production_has_secure_cookies_hsts_and_https(tmp_path):
    result = run_manage(
        "shell", "-c", PRINT_SECURITY, env=real_production_env(tmp_path), tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
