"""/settings/notifications/: three switches and when activity emails go, on by default,
saved for the signed-in person; and wants(), asked by other apps before an optional email."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications import services
from notifications.models import NotificationPreferences
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("notifications:settings")


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_everything_is_on_until_changed(client):
    person = UserFactory()
    client.force_login(person)
    html = client.get(URL).content.decode()
    assert html.count("checked") == 4  # three switches, and "Email me at once"
    assert "Meeting reminders" in html and "Weekly digest" in html
    assert "Replies to my posts" in html
    assert not NotificationPreferences.objects.exists()  # rows are created lazily


def test_saving_turns_emails_off_and_back_on(client):
    person = UserFactory()
    client.force_login(person)
    response = client.post(URL, {"digest": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "Your email settings are saved." in response.content.decode()
    prefs = NotificationPreferences.objects.get(user=person)
    assert (prefs.reminders, prefs.digest, prefs.replies) == (False, True, False)
    assert response.content.decode().count("checked") == 2  # the digest, and "at once"
    client.post(URL, {"reminders": "on", "digest": "on", "replies": "on"})
    prefs.refresh_from_db()
    assert (prefs.reminders, prefs.digest, prefs.replies) == (True, True, True)


def test_one_person_cannot_change_anothers(client):
    me, other = UserFactory(), UserFactory()
    client.force_login(me)
    client.post(URL, {"user": other.pk})
    assert not NotificationPreferences.objects.filter(user=other).exists()
    assert NotificationPreferences.objects.get(user=me).reminders is False


def test_wants_answers_per_kind_with_defaults_on():
    person = UserFactory()
    assert services.wants(person, "replies") is True
    services.preferences_set(user=person, replies=False)
    assert services.wants(person, "replies") is False
    assert services.wants(person, "reminders") is True
    person.is_active = False
    assert services.wants(person, "reminders") is False
    with pytest.raises(ValueError, match="Unknown notification kind"):
        services.wants(person, "sms")


def test_the_settings_page_has_a_fixed_query_budget(client, django_assert_max_num_queries):
    person = UserFactory()
    services.preferences_set(user=person, digest=False)
    client.force_login(person)
    # session, user, preferences.
    with django_assert_max_num_queries(4):
        assert client.get(URL).status_code == 200
