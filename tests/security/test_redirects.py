"""No open redirect: no parameter sends a person off the site.

A phishing link like /accounts/login/?next=//evil.example must land the
person on PeerTables after signing in, never on the attacker's page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.security.urlwalk import all_patterns, url_for, values_for

pytestmark = pytest.mark.django_db

HOSTILE = [
    "//evil.example",
    "//evil.example/path",
    "https://evil.example",
    "http://evil.example/login",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.domain)",
    " //evil.example",
    "\t//evil.example",
    "//testserver@evil.example",
    "https://testserver.evil.example/",
    "data:text/html,<script>alert(1)</script>",
]
PARAMETERS = ["next", "return_to", "redirect", "redirect_to", "url", "back", "to"]


def leaves_the_site(location: str) -> bool:
    """As a browser would read the Location: backslashes are slashes, blanks are trimmed."""
    normalized = location.strip().replace("\\", "/")
    parts = urlsplit(normalized)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return True
    return bool(parts.netloc) and parts.netloc != "testserver"


def test_leaves_the_site_reads_locations_like_a_browser():
    assert leaves_the_site("//evil.example")
    assert leaves_the_site("/\\evil.example")
    assert leaves_the_site("javascript:alert(1)")
    assert not leaves_the_site("/circles/")
    assert not leaves_the_site("http://testserver/circles/")


def test_no_get_redirects_off_the_site_through_any_parameter(world):
    """Every URL pattern, signed out and signed in, with each redirect-ish parameter set."""
    problems = []
    payloads = ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"]
    for route in all_patterns():
        if route.is_admin and route.key not in ("admin:login", "admin:logout", "admin:index"):
            continue
        url = url_for(route, values_for(route, world))
        for role in ("anon", "member"):
            client = world.client_for(role, raise_request_exception=False)
            for payload in payloads:
                response = client.get(url, dict.fromkeys(PARAMETERS, payload))
                location = response.get("Location", "")
                if response.status_code in (301, 302, 303, 307, 308) and leaves_the_site(location):
                    problems.append(f"GET {route.key}?…={payload} as {role} -> {location}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("payload", HOSTILE)
def test_signing_in_with_a_hostile_next_stays_on_the_site(client, world, payload):
    response = client.post(
        reverse("account_login") + "?next=" + payload,
        {"login": world.member.email, "password": TEST_PASSWORD, "next": payload},
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert not leaves_the_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("payload", HOSTILE[:6])
def test_signing_out_with_a_hostile_next_stays_on_the_site(world, payload):
    client = world.client_for("member")
    response = client.post(reverse("account_logout"), {"next": payload})
    assert response.status_code == 302
    assert not leaves_the_site(response["Location"]), response["Location"]


# Not a path at all: Django's redirect() would read these as URL names (a 500).
NOT_A_PATH = ["x", "0", "-1", "' OR 1=1 --", "ü"]


@pytest.mark.parametrize("payload", HOSTILE + NOT_A_PATH)
def test_form_posts_that_honour_next_refuse_other_sites(world, payload):
    """The views that read a posted next (RSVP, profile, flag) fall back to their own page."""
    slug = world.circle.slug
    posts = [
        (
            "member2",
            reverse("meetings:rsvp", kwargs={"slug": slug, "pk": world.meeting.pk}),
            {"answer": "going"},
        ),
        ("outsider", reverse("members:profile_skip"), {}),
        (
            "member",
            reverse("members:profile_edit"),
            {"headline": "Baker", "time_zone": "America/Chicago", "display_name": "Mo Member"},
        ),
        (
            "member",
            reverse(
                "moderation:flag", kwargs={"slug": slug, "kind": "post", "item_id": world.post.pk}
            ),
            {"reason": "spam", "note": ""},
        ),
        (
            "host",
            reverse(
                "moderation:hide", kwargs={"slug": slug, "kind": "post", "item_id": world.post.pk}
            ),
            {"reason": "A sales pitch"},
        ),
    ]
    for role, url, data in posts:
        client = world.client_for(role)
        response = client.post(url + "?next=" + payload, {**data, "next": payload})
        assert response.status_code in (200, 302), (url, response.status_code)
        location = response.get("Location", "")
        assert not leaves_the_site(location), (url, location)
        html = response.content.decode()
        assert 'href="//evil' not in html and 'href="javascript:' not in html.lower(), url
