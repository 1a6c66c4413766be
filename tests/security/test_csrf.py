"""Every state-changing request needs the CSRF token, htmx requests included.

Each URL pattern from the resolver is POSTed without a token (as the person
most able to act there) and must be refused before the view runs, with no
row changed. htmx sends the token in the X-CSRFToken header, which the
<body hx-headers> of every page carries: with it, the same requests work.

Deliberate exemption, and why (the test fails for any other):
- notifications:unsubscribe, the RFC 8058 one-click unsubscribe: mail clients
  POST it with no cookies; the signed token is the permission and the worst a
  forged request can do is turn one kind of email off.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from meetings.models import Rsvp, Vote
from tests.security.test_url_walk import snapshot
from tests.security.urlwalk import all_patterns, url_for, values_for

pytestmark = pytest.mark.django_db

EXEMPT = {"notifications:unsubscribe"}

CSRF_REFUSED = b"CSRF verification failed"


def acting_role(route) -> str:
    if route.is_admin:
        return "staff"
    return "host" if route.key.startswith(("circles:", "moderation:", "meetings:")) else "member"


def test_only_the_documented_views_are_csrf_exempt():
    exempt = set()
    for route in all_patterns():
        if route.is_admin:
            continue
        url = url_for(route, dict.fromkeys(route.params, "1") | {"slug": "x"})
        try:
            match = resolve(url)
        except Exception:  # noqa: S112 - a regex route our dummy values do not fit
            continue
        if getattr(match.func, "csrf_exempt", False):
            exempt.add(route.key)
    assert exempt == EXEMPT


def test_a_post_without_the_token_is_refused_everywhere_and_changes_nothing(world):
    problems = []
    for route in all_patterns():
        if route.key in EXEMPT:
            continue
        url = url_for(route, values_for(route, world))
        before = snapshot()
        roles = ("staff",) if route.is_admin else (acting_role(route), "anon")
        variants = ({},) if route.is_admin else ({}, {"HTTP_HX_REQUEST": "true"})
        for role in roles:
            client = world.client_for(role, enforce_csrf_checks=True)
            for headers in variants:
                response = client.post(url, {"answer": "going", "body": "x"}, **headers)
                if response.status_code != 403 or CSRF_REFUSED not in response.content:
                    problems.append(f"POST {route.key} as {role} {headers}: {response.status_code}")
        changed = [label for label, rows in snapshot().items() if before[label] != rows]
        if changed:
            problems.append(f"POST {route.key} without a token changed {changed}")
    assert not problems, "\n".join(problems)


def token_for(client) -> str:
    client.get(reverse("home"))
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def test_htmx_requests_with_the_header_token_work(world):
    client = world.client_for("member2", enforce_csrf_checks=True)
    token = token_for(client)
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_X_CSRFTOKEN": token}
    slug = world.circle.slug

    rsvp = reverse("meetings:rsvp", kwargs={"slug": slug, "pk": world.meeting.pk})
    assert client.post(rsvp, {"answer": "going"}, **htmx).status_code == 200
    assert Rsvp.objects.filter(meeting=world.meeting, user=world.member2).exists()

    vote = reverse(
        "meetings:topic_vote",
        kwargs={"slug": slug, "pk": world.meeting.pk, "topic_pk": world.topic.pk},
    )
    assert client.post(vote, {"action": "add"}, **htmx).status_code == 200
    assert Vote.objects.filter(topic=world.topic, user=world.member2).exists()

    reply = reverse("conversations:reply_create", kwargs={"slug": slug, "post_id": world.post.pk})
    response = client.post(reply, {"body": "Sent with the header token."}, **htmx)
    assert response.status_code == 200
    assert world.post.replies.filter(body="Sent with the header token.").exists()


def test_a_wrong_header_token_is_refused(world):
    client = world.client_for("member2", enforce_csrf_checks=True)
    token_for(client)
    rsvp = reverse("meetings:rsvp", kwargs={"slug": world.circle.slug, "pk": world.meeting.pk})
    response = client.post(
        rsvp, {"answer": "going"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN="x" * 64
    )
    assert response.status_code == 403
    assert not Rsvp.objects.filter(meeting=world.meeting, user=world.member2).exists()


def test_plain_forms_with_the_form_token_work(world):
    client = world.client_for("member2", enforce_csrf_checks=True)
    token = token_for(client)
    rsvp = reverse("meetings:rsvp", kwargs={"slug": world.circle.slug, "pk": world.meeting.pk})
    response = client.post(rsvp, {"answer": "maybe", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Rsvp.objects.get(meeting=world.meeting, user=world.member2).answer == "maybe"


def test_one_click_unsubscribe_works_without_a_token_and_only_with_the_signature(world):
    from notifications.models import NotificationPreferences

    client = world.client_for("anon", enforce_csrf_checks=True)
    url = reverse("notifications:unsubscribe", kwargs={"token": world.unsubscribe_token})
    assert client.post(url).status_code == 200
    assert NotificationPreferences.objects.get(user=world.member).reminders is False
    forged = reverse("notifications:unsubscribe", kwargs={"token": world.unsubscribe_token + "x"})
    assert client.post(forged).status_code == 400
