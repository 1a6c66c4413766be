"""A person downloads their own data as JSON, and nobody else's."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.conversations.factories import PostFactory, ReplyFactory, ThanksFactory
from tests.factories import MembershipFactory, TopicFactory, UserFactory, make_circle_with_host
from tests.members.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def test_export_is_a_json_download_of_their_own_data(client):
    circle, host = make_circle_with_host(name="Loop Product Circle")
    ana = UserFactory(email="ana@example.com", display_name="Ana Ruiz")
    MembershipFactory(circle=circle, user=ana)
    ProfileFactory(user=ana, headline="Design lead", can_help_with=[TopicFactory(name="Design")])
    post = PostFactory(circle=circle, author=ana, title="My ask", body="Private words")
    reply = ReplyFactory(post=post, author=host, body="The host's words, not Ana's")
    ThanksFactory(reply=reply, given_by=ana, note="Thank you!")
    ReplyFactory(post=PostFactory(circle=circle, author=host), author=ana, body="Ana answers")

    client.force_login(ana)
    response = client.get(reverse("members:export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="peertables-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "ana@example.com"
    assert data["account"]["time_zone"] == ana.time_zone
    assert data["profile"]["headline"] == "Design lead"
    assert data["profile"]["can_help_with"] == ["Design"]
    assert [m["circle"] for m in data["memberships"]] == ["Loop Product Circle"]
    assert [p["title"] for p in data["posts"]] == ["My ask"]
    assert data["posts"][0]["body"] == "Private words"
    assert [r["body"] for r in data["replies"]] == ["Ana answers"]
    assert data["thanks_given"][0]["note"] == "Thank you!"
    assert "The host's words" not in response.content.decode()
    assert host.email not in response.content.decode()


def test_export_needs_sign_in(client):
    response = client.get(reverse("members:export"))
    assert response.status_code == 302


def test_export_queries_do_not_grow(client, django_assert_max_num_queries):
    circle, host = make_circle_with_host()
    ana = UserFactory()
    MembershipFactory(circle=circle, user=ana)
    ProfileFactory(user=ana)
    client.force_login(ana)
    for _ in range(3):
        PostFactory(circle=circle, author=ana)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("members:export"))
    for _ in range(20):
        ReplyFactory(post=PostFactory(circle=circle, author=ana), author=ana)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("members:export")).status_code == 200
