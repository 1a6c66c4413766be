"""A person deletes their own account: profile gone, their words stay as "a former member"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from circles.models import Membership, Role
from conversations.models import Post, Reply
from members.models import Profile, User
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import CircleFactory, MembershipFactory, UserFactory, make_circle_with_host
from tests.members.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def table():
    circle, host = make_circle_with_host(name="Tuesday Breakfast Thinkers")
    leaver = UserFactory(email="leaver@example.com", display_name="Lena Leaver")
    MembershipFactory(circle=circle, user=leaver)
    ProfileFactory(user=leaver, headline="Soon gone")
    their_post = PostFactory(circle=circle, author=leaver, title="How do I price my first job?")
    ReplyFactory(post=their_post, author=host, body="Charge for the outcome, not the hours.")
    host_post = PostFactory(circle=circle, author=host, title="Who knows a good accountant?")
    ReplyFactory(post=host_post, author=leaver, body="Mine is great, ask me.")
    return circle, host, leaver, their_post, host_post


def delete(client, email):
    return client.post(reverse("members:account_delete"), {"email": email})


def test_the_page_asks_for_confirmation_and_get_changes_nothing(client, table):
    _, _, leaver, *_ = table
    client.force_login(leaver)
    page = client.get(reverse("members:account_delete"))
    assert page.status_code == 200
    assert "a former member" in page.content.decode()
    assert User.objects.filter(pk=leaver.pk).exists()


def test_a_wrong_confirmation_deletes_nothing(client, table):
    _, _, leaver, *_ = table
    client.force_login(leaver)
    response = delete(client, "someone@else.com")
    assert response.status_code == 200
    assert "nothing was deleted" in response.content.decode()
    assert User.objects.filter(pk=leaver.pk).exists()


def test_deleting_removes_the_account_and_profile_and_signs_out(client, table):
    circle, _, leaver, their_post, _ = table
    client.force_login(leaver)
    response = delete(client, "LEAVER@example.com")
    assert response.status_code == 302
    assert not User.objects.filter(pk=leaver.pk).exists()
    assert not Profile.objects.filter(user_id=leaver.pk).exists()
    assert not Membership.objects.filter(user_id=leaver.pk).exists()
    assert "_auth_user_id" not in client.session
    # Their words stay, without an author.
    their_post.refresh_from_db()
    assert their_post.author_id is None
    assert Reply.objects.filter(body="Mine is great, ask me.", author__isnull=True).exists()


def test_others_threads_stay_readable_with_a_former_member(client, table):
    circle, host, leaver, their_post, host_post = table
    client.force_login(leaver)
    delete(client, leaver.email)

    client.force_login(host)
    html = client.get(their_post.get_absolute_url()).content.decode()
    assert "How do I price my first job?" in html
    assert "A former member" in html
    assert "Charge for the outcome, not the hours." in html
    html = client.get(host_post.get_absolute_url()).content.decode()
    assert "Mine is great, ask me." in html
    assert "A former member" in html
    assert "Lena Leaver" not in html
    assert Post.objects.filter(circle=circle).count() == 2


def test_the_only_host_must_hand_on_the_circle_first(client, table):
    circle, host, *_ = table
    client.force_login(host)
    page = client.get(reverse("members:account_delete")).content.decode()
    assert "You are the only host of Tuesday Breakfast Thinkers" in page
    response = delete(client, host.email)
    assert response.status_code == 200
    assert User.objects.filter(pk=host.pk).exists()

    # With a co-host in place, the host may go.
    co_host = UserFactory()
    MembershipFactory(circle=circle, user=co_host, role=Role.CO_HOST)
    assert delete(client, host.email).status_code == 302
    assert not User.objects.filter(pk=host.pk).exists()


def test_a_host_alone_in_their_circle_may_delete(client):
    circle = CircleFactory()
    host = UserFactory()
    MembershipFactory(circle=circle, user=host, role=Role.HOST)
    client.force_login(host)
    assert delete(client, host.email).status_code == 302


def test_deletion_needs_a_signed_in_person(client):
    response = client.post(reverse("members:account_delete"), {"email": "x@example.com"})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_deletion_page_queries(client, table, django_assert_max_num_queries):
    _, _, leaver, *_ = table
    client.force_login(leaver)
    for _ in range(10):
        MembershipFactory(user=leaver)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("members:account_delete")).status_code == 200


def test_an_agenda_topic_others_voted_on_stays_with_its_votes(client, table):
    from meetings.models import AgendaTopic, Vote
    from tests.meetings.conftest import make_meeting

    circle, host, leaver, *_ = table
    meeting = make_meeting(circle)
    topic = AgendaTopic.objects.create(meeting=meeting, author=leaver, title="Pricing")
    Vote.objects.create(topic=topic, meeting=meeting, user=host)
    client.force_login(leaver)
    assert delete(client, leaver.email).status_code == 302

    topic.refresh_from_db()
    assert topic.author is None
    assert topic.votes.filter(user=host).exists()
    client.force_login(host)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Proposed by a former member" in page
