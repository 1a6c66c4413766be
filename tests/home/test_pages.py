from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CircleFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    ["home", "circles:directory", "account_login", "account_signup", "account_reset_password"],
)
def test_signed_out_pages_render(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert b'<main id="main"' in response.content  # our layout, not allauth's bare one


def test_landing_shows_listed_circles_only(client):
    CircleFactory(name="Tuesday Breakfast Thinkers")
    CircleFactory(name="Secret Supper", listing="unlisted")
    CircleFactory(name="Old Table", archived_at="2026-01-01T00:00:00Z")
    html = client.get(reverse("home")).content.decode()
    assert "Tuesday Breakfast Thinkers" in html
    assert "Secret Supper" not in html
    assert "Old Table" not in html


def test_landing_queries_do_not_grow(client, django_assert_max_num_queries):
    for circle in CircleFactory.create_batch(6):
        MembershipFactory.create_batch(3, circle=circle)
    # session-less visitor: circles, topics, hosts.
    with django_assert_max_num_queries(4):
        assert client.get(reverse("home")).status_code == 200
