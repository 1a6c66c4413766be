"""What the circle views and services say (messages, confirmation pages, refusals) is in
the reader's language, like the rest of the page."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from circles.models import Membership, Role, Status
from tests.factories import CircleFactory, MembershipFactory, UserFactory, make_circle_with_host

pytestmark = pytest.mark.django_db


def test_a_german_member_is_told_in_german_that_they_left(client):
    circle, _host = make_circle_with_host(name="Kreuzberg Founders Table")
    greta = UserFactory(language="de")
    MembershipFactory(circle=circle, user=greta, role=Role.MEMBER)
    client.force_login(greta)
    response = client.post(reverse("circles:leave", args=[circle.slug]))
    assert response.status_code == 302
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["Du hast Kreuzberg Founders Table verlassen."]
    assert Membership.objects.get(circle=circle, user=greta).status == Status.LEFT


def test_a_full_circle_refuses_a_spanish_speaker_in_spanish(client):
    circle = CircleFactory(name="Loop Product Circle", join_policy="open", seat_limit=2)
    MembershipFactory.create_batch(2, circle=circle)
    lucia = UserFactory(language="es")
    client.force_login(lucia)
    response = client.post(reverse("circles:join", args=[circle.slug]))
    assert response.status_code == 200
    assert (
        "Loop Product Circle está lleno: las 2 plazas están ocupadas." in response.content.decode()
    )
    assert not Membership.objects.filter(circle=circle, user=lucia).exists()


def test_a_german_host_is_asked_in_german_before_removing_a_member(client):
    circle, host = make_circle_with_host(name="Kreuzberg Founders Table")
    host.language = "de"
    host.save(update_fields=["language"])
    member = MembershipFactory(circle=circle, user=UserFactory(display_name="Paul"))
    client.force_login(host)
    url = reverse("circles:member_remove", args=[circle.slug, member.pk])
    page = client.get(url).content.decode()
    assert "Paul aus Kreuzberg Founders Table entfernen?" in page
    assert "Paul entfernen" in page
    assert Membership.objects.get(pk=member.pk).status == Status.ACTIVE  # GET only asks
