"""Staff see deliveries in the admin, filtered by due, sent or failed, in fixed queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import ledger
from notifications.models import Delivery, DeliveryState
from tests.factories import UserFactory
from tests.notifications.conftest import T0, make_table

pytestmark = pytest.mark.django_db

URL = reverse("admin:notifications_delivery_changelist")


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def sweep_some(clock, tables: int) -> None:
    """Circles of four whose meetings are due for a reminder: one row per person."""
    now = timezone.now()
    for _ in range(tables):
        make_table(members=3)
    clock.move_to(now + dt.timedelta(hours=6))
    ledger.reminders_create_due()


def test_the_filters_show_due_sent_and_failed(clock, staff_client):
    sweep_some(clock, 1)
    rows = list(Delivery.objects.order_by("pk"))
    Delivery.objects.filter(pk=rows[0].pk).update(state=DeliveryState.SENT, sent_at=T0)
    Delivery.objects.filter(pk=rows[1].pk).update(state=DeliveryState.FAILED, note="Gave up")
    pages = {
        "due": staff_client.get(URL, {"progress": "due"}),
        "sent": staff_client.get(URL, {"progress": "sent"}),
        "failed": staff_client.get(URL, {"progress": "failed"}),
    }
    assert pages["due"].context["cl"].result_count == 2
    assert [d.pk for d in pages["sent"].context["cl"].result_list] == [rows[0].pk]
    assert [d.pk for d in pages["failed"].context["cl"].result_list] == [rows[1].pk]
    assert "Gave up" in pages["failed"].content.decode()


def test_staff_can_retry_a_failed_delivery(clock, staff_client):
    sweep_some(clock, 1)
    row = Delivery.objects.first()
    Delivery.objects.filter(pk=row.pk).update(state=DeliveryState.FAILED, attempts=5)
    staff_client.post(URL, {"action": "retry_failed", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert (row.state, row.attempts) == (DeliveryState.PENDING, 0)


def test_the_changelist_queries_do_not_grow(clock, staff_client, django_assert_max_num_queries):
    sweep_some(clock, 2)
    # session, user, the count for the filter sidebar and the page, the rows with
    # user + meeting + circle joined, the date hierarchy; never a query per row.
    with django_assert_max_num_queries(8):
        assert staff_client.get(URL).status_code == 200
    sweep_some(clock, 6)
    with django_assert_max_num_queries(8):
        response = staff_client.get(URL)
    assert response.context["cl"].result_count == 32


def test_staff_can_open_one_delivery(clock, staff_client):
    sweep_some(clock, 1)
    row = Delivery.objects.first()
    url = reverse("admin:notifications_delivery_change", args=[row.pk])
    assert staff_client.get(url).status_code == 200
