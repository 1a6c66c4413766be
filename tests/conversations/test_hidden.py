"""Posts and replies hidden by a host (moderation sets hidden_at): what the board, the thread,
its poll, previews, counts and emails do with them. Hiding itself is tested in tests/moderation."""

from __future__ import annotations

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from conversations import tasks
from conversations.models import Kind, Reply, contributions_of
from tests.conversations.factories import PostFactory, ReplyFactory, ThanksFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def hide(item, by) -> None:
    type(item).objects.filter(pk=item.pk).update(hidden_at=timezone.now(), hidden_by=by)
    item.refresh_from_db()


@pytest.fixture
def pitch(cast):
    post = PostFactory(
        circle=cast.circle, author=cast.bob, kind=Kind.GIVE, title="Buy my course", body="$999"
    )
    hide(post, cast.host)
    return post


def test_members_see_a_notice_and_no_reply_form(cast, as_user, pitch):
    html = as_user(cast.alice).get(pitch.get_absolute_url()).content.decode()
    assert "A post hidden by a host" in html
    assert "Buy my course" not in html and "$999" not in html
    assert 'id="reply-form"' not in html and 'id="thread-poller"' not in html


def test_hosts_still_read_it_marked_hidden(cast, as_user, pitch):
    html = as_user(cast.host).get(pitch.get_absolute_url()).content.decode()
    assert "Buy my course" in html and "Hidden by a host" in html


def test_board_shows_members_a_placeholder(cast, as_user, pitch):
    url = reverse("conversations:board", kwargs={"slug": cast.circle.slug})
    member = as_user(cast.alice).get(url).content.decode()
    assert "A post hidden by a host." in member and "Buy my course" not in member
    assert "Buy my course" in as_user(cast.host).get(url).content.decode()


def test_poll_closes_a_thread_once_its_post_is_hidden(cast, as_user, pitch):
    url = reverse(
        "conversations:reply_poll", kwargs={"slug": cast.circle.slug, "post_id": pitch.pk}
    )
    response = as_user(cast.alice).get(url, {"after": 0}, **HTMX)
    assert response.status_code == 286
    assert "hidden by a host" in response.content.decode()
    assert as_user(cast.host).get(url, {"after": 0}, **HTMX).status_code == 204


def test_members_cannot_reply_to_a_hidden_post(cast, as_user, pitch):
    url = reverse(
        "conversations:reply_create", kwargs={"slug": cast.circle.slug, "post_id": pitch.pk}
    )
    assert as_user(cast.alice).post(url, {"body": "Interested!"}).status_code == 403
    assert not Reply.objects.exists()


def test_a_hidden_reply_reads_as_a_notice_to_members(cast, as_user):
    post = PostFactory(circle=cast.circle, author=cast.alice)
    reply = ReplyFactory(post=post, author=cast.bob, body="DM me for a discount")
    hide(reply, cast.host)
    html = as_user(cast.alice).get(post.get_absolute_url()).content.decode()
    assert "A reply hidden by a host." in html and "DM me for a discount" not in html
    assert (
        "DM me for a discount" in as_user(cast.host).get(post.get_absolute_url()).content.decode()
    )


def test_hidden_items_leave_previews_counts_and_emails(cast, pitch):
    template = Template("{% load conversations_tags %}{% circle_recent_posts circle user %}")
    assert "Buy my course" not in template.render(
        Context({"circle": cast.circle, "user": cast.host})
    )
    assert contributions_of(cast.bob).gives == 0

    post = PostFactory(circle=cast.circle, author=cast.alice)
    reply = ReplyFactory(post=post, author=cast.bob)
    ThanksFactory(reply=reply)
    assert contributions_of(cast.bob).thanks_received == 1
    hide(reply, cast.host)
    assert contributions_of(cast.bob).thanks_received == 0
    assert tasks.reply_notify_author(reply.pk) is False
    assert mail.outbox == []
