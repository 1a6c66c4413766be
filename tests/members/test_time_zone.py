"""Each signed-in person's own zone is the default for every time shown to them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from members.middleware import UserTimeZoneMiddleware
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def zone_seen_by(user) -> str:
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user
    UserTimeZoneMiddleware(view)(request)
    return seen["zone"]


def test_a_signed_in_person_sees_their_own_zone():
    assert zone_seen_by(UserFactory(time_zone="Australia/Sydney")) == "Australia/Sydney"


def test_signed_out_people_see_utc_and_nothing_leaks_between_requests():
    zone_seen_by(UserFactory(time_zone="Asia/Tokyo"))
    assert zone_seen_by(AnonymousUser()) == "UTC"


def test_the_admin_shows_times_in_the_staff_members_zone(client):
    staff = UserFactory(is_staff=True, is_superuser=True, time_zone="Asia/Tokyo")
    person = UserFactory(date_joined=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    client.force_login(staff)
    html = client.get(f"/admin/members/user/{person.pk}/change/").content.decode()
    # 23:30 UTC on 1 March is 08:30 on 2 March in Tokyo.
    assert "March 2, 2026, 8:30 a.m." in html
