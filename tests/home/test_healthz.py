"""GET /healthz: 200 JSON when the database (and the broker, where configured) answer; else 503."""

from __future__ import annotations

import os
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.db.utils import load_backend
from django.urls import reverse

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db

CLOSED_PORT = 9  # discard: nothing listens here


@pytest.fixture
def dead_database():
    """A real connection to a database that is not there: a closed port, or an unopenable file."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict |= {"HOST": "127.0.0.1", "PORT": str(CLOSED_PORT)}
        settings_dict["OPTIONS"] = dict(settings_dict.get("OPTIONS") or {}) | {"connect_timeout": 2}
    else:
        settings_dict["NAME"] = "/nonexistent-directory/peertables.sqlite3"
    dead = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="dead")
    yield dead
    dead.close()


@pytest.fixture
def broker_at(settings, monkeypatch):
    def point(url: str) -> None:
        settings.HEALTHZ_CHECK_BROKER = True
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})

    return point


def test_healthy(client, settings, django_assert_max_num_queries):
    settings.HEALTHZ_CHECK_BROKER = False
    with django_assert_max_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_without_a_session_or_sign_in(client, settings):
    settings.HEALTHZ_CHECK_BROKER = False
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_healthz_is_get_only(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_a_dead_database_is_a_503(client, settings, dead_database):
    settings.HEALTHZ_CHECK_BROKER = False
    with mock.patch("home.health.connection", dead_database):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("OperationalError")


def test_a_database_error_mid_query_is_a_503(client, settings):
    settings.HEALTHZ_CHECK_BROKER = False
    broken = mock.MagicMock()
    broken.cursor.return_value.__enter__.return_value.execute.side_effect = OperationalError(
        "server closed the connection unexpectedly"
    )
    with mock.patch("home.health.connection", broken):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "OperationalError: server closed the connection unexpectedly"
    }


def test_an_unreachable_broker_is_a_503(client, broker_at):
    broker_at(f"redis://127.0.0.1:{CLOSED_PORT}/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] != "ok"
    assert "broker" in body["checks"]


@pytest.mark.redis
def test_a_reachable_broker_is_ok(client, broker_at):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("needs a Redis server: set REDIS_URL")
    broker_at(redis_url)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_the_broker_is_checked_only_when_configured(client, settings):
    settings.HEALTHZ_CHECK_BROKER = False
    with mock.patch("home.health.check_broker") as check_broker:
        client.get(reverse("healthz"))
    check_broker.assert_not_called()
