"""Suspension: no sign-in, open sessions stop working, content stays, all logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from moderation import services
from moderation.models import ActionKind, ModerationAction
from tests.conversations.factories import PostFactory
from tests.factories import TEST_PASSWORD, UserFactory
from tests.members.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def sign_in(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": TEST_PASSWORD})


def test_a_suspended_person_cannot_sign_in(client, staff):
    person = UserFactory(email="spammer@example.com")
    ProfileFactory(user=person)
    services.person_suspend(person=person, by=staff, reason="Selling in every circle")
    response = sign_in(client, "spammer@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert "_auth_user_id" not in client.session


def test_their_open_sessions_stop_working(client, staff):
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse("members:me")).status_code == 302
    assert client.get(reverse("members:account")).status_code == 200

    services.person_suspend(person=person, by=staff, reason="Spam")

    response = client.get(reverse("members:account"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_their_content_stays_and_the_step_is_logged(staff):
    person = UserFactory()
    post = PostFactory(author=person)
    assert services.person_suspend(person=person, by=staff, reason="Spam")
    person.refresh_from_db()
    assert not person.is_active and person.is_suspended
    assert person.suspended_reason == "Spam"
    post.refresh_from_db()
    assert post.author_id == person.pk
    action = ModerationAction.objects.about(person).get()
    assert (action.actor, action.kind, action.reason) == (staff, ActionKind.SUSPEND, "Spam")
    # Suspending twice changes and logs nothing more.
    assert not services.person_suspend(person=person, by=staff)
    assert ModerationAction.objects.about(person).count() == 1


def test_unsuspending_lets_them_sign_in_again(client, staff):
    person = UserFactory(email="back@example.com")
    ProfileFactory(user=person)
    services.person_suspend(person=person, by=staff, reason="Mistake")
    assert services.person_unsuspend(person=person, by=staff, reason="Appeal upheld")
    person.refresh_from_db()
    assert person.is_active and not person.is_suspended
    assert sign_in(client, "back@example.com").status_code == 302
    assert "_auth_user_id" in client.session
    kinds = list(ModerationAction.objects.about(person).values_list("kind", flat=True))
    assert kinds == [ActionKind.UNSUSPEND, ActionKind.SUSPEND]


def test_staff_cannot_suspend_themselves(staff):
    with pytest.raises(services.ModerationError):
        services.person_suspend(person=staff, by=staff)


def test_the_refusal_page_says_the_account_is_inactive(client, staff):
    person = UserFactory(email="spammer@example.com")
    services.person_suspend(person=person, by=staff, reason="Spam")
    page = client.get(reverse("account_inactive"))
    assert page.status_code == 200
    assert "inactive" in page.content.decode().lower()
