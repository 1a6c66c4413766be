"""`manage.py seed_demo`, the demo data `make run` loads: enough to show, safe to rerun."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from circles.models import Circle, Membership, Role, Status
from members.demo import DEMO_HOST_EMAIL, DEMO_MEMBER_EMAIL, DEMO_PASSWORD
from members.models import User

pytestmark = pytest.mark.django_db

OUR_APPS = {"members", "circles", "meetings", "conversations", "notifications", "moderation"}


def row_counts() -> dict[str, int]:
    """Every table our apps own, so a later app's seed is held to the same rule."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
    }


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_running_it_twice_leaves_the_same_data():
    seed()
    first = row_counts()
    seed()
    assert row_counts() == first


def test_it_seeds_enough_to_show():
    output = seed()
    listed = Circle.objects.listed()
    assert listed.count() >= 6
    assert listed.filter(city="").exists(), "some circles meet online"
    assert listed.exclude(city="").values("city").distinct().count() >= 3
    assert User.objects.count() >= 40
    assert DEMO_HOST_EMAIL in output
    assert DEMO_MEMBER_EMAIL in output
    assert DEMO_PASSWORD in output


def test_the_demo_host_hosts_and_the_demo_member_belongs():
    seed()
    host = User.objects.get(email=DEMO_HOST_EMAIL)
    member = User.objects.get(email=DEMO_MEMBER_EMAIL)
    assert Membership.objects.filter(user=host, role=Role.HOST, status=Status.ACTIVE).exists()
    assert Membership.objects.filter(user=member, status=Status.ACTIVE).exists()


@pytest.mark.parametrize("email", [DEMO_HOST_EMAIL, DEMO_MEMBER_EMAIL])
def test_the_printed_sign_ins_work(client, email):
    seed()
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].email == email
