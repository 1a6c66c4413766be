"""Hosts hide and restore posts and replies; members see "hidden by a host"; nothing is lost."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations.models import Post, Reply
from moderation import services
from moderation.models import ActionKind, ModerationAction, Reason
from tests.moderation.conftest import co_host

pytestmark = pytest.mark.django_db


def act(client, table, action, kind, item, **data):
    url = reverse(f"moderation:{action}", args=[table.circle.slug, kind, item.pk])
    return client.post(url, data)


def test_a_host_hides_a_post_and_members_see_hidden_by_a_host(client, table):
    client.force_login(table.host)
    response = act(client, table, "hide", "post", table.post, reason="Sales pitch")
    assert response.status_code == 302
    post = Post.objects.get(pk=table.post.pk)
    assert post.hidden_at is not None and post.hidden_by == table.host
    # Whole in the database.
    assert post.title == "Buy my coaching package" and post.body == "Only $999 today!"

    client.force_login(table.member)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "hidden by a host" in html.lower()
    assert "Only $999 today!" not in html
    board = client.get(reverse("conversations:board", args=[table.circle.slug])).content.decode()
    assert "Buy my coaching package" not in board
    assert "hidden by a host" in board.lower()


def test_a_hidden_reply_shows_as_hidden_by_a_host(client, table):
    client.force_login(table.host)
    act(client, table, "hide", "reply", table.reply)
    reply = Reply.objects.get(pk=table.reply.pk)
    assert reply.hidden_at is not None and reply.body == "DM me for a discount code"
    client.force_login(table.member)
    html = client.get(table.post.get_absolute_url()).content.decode()
    assert "DM me for a discount code" not in html
    assert "hidden by a host" in html.lower()


def test_hosts_still_read_a_hidden_item_and_can_restore_it(client, table):
    client.force_login(table.host)
    act(client, table, "hide", "post", table.post)
    html = client.get(table.post.get_absolute_url()).content.decode()
    assert "Only $999 today!" in html and "Restore" in html
    act(client, table, "restore", "post", table.post, reason="Misread it")
    table.post.refresh_from_db()
    assert table.post.hidden_at is None and table.post.hidden_by is None
    client.force_login(table.member)
    assert "Only $999 today!" in client.get(table.post.get_absolute_url()).content.decode()


def test_a_co_host_may_hide(client, table):
    client.force_login(co_host(table.circle))
    act(client, table, "hide", "post", table.post)
    table.post.refresh_from_db()
    assert table.post.hidden_at is not None


def test_a_host_of_one_circle_cannot_hide_content_in_another(client, table, other_table):
    client.force_login(other_table.host)
    # Through the other circle's own URL: not theirs to see.
    assert act(client, table, "hide", "post", table.post).status_code == 404
    # Through their own circle's URL with the other circle's post id.
    url = reverse("moderation:hide", args=[other_table.circle.slug, "post", table.post.pk])
    assert client.post(url).status_code == 404
    url = reverse("moderation:hide", args=[other_table.circle.slug, "reply", table.reply.pk])
    assert client.post(url).status_code == 404
    table.post.refresh_from_db()
    table.reply.refresh_from_db()
    assert table.post.hidden_at is None and table.reply.hidden_at is None
    assert not ModerationAction.objects.exists()


def test_members_cannot_hide(client, table):
    client.force_login(table.member)
    assert act(client, table, "hide", "post", table.post).status_code == 404
    assert act(client, table, "restore", "post", table.post).status_code == 404
    table.post.refresh_from_db()
    assert table.post.hidden_at is None


def test_hide_and_restore_are_post_only(client, table):
    client.force_login(table.host)
    url = reverse("moderation:hide", args=[table.circle.slug, "post", table.post.pk])
    assert client.get(url).status_code == 405
    table.post.refresh_from_db()
    assert table.post.hidden_at is None


def test_hiding_twice_is_one_step(client, table):
    client.force_login(table.host)
    act(client, table, "hide", "post", table.post)
    again = act(client, table, "hide", "post", table.post)
    assert again.status_code == 302
    assert ModerationAction.objects.filter(kind=ActionKind.HIDE).count() == 1


def test_a_flagged_hidden_item_can_still_be_flagged_and_counted(table):
    services.item_hide(item=table.post, by=table.host)
    flag = services.flag_create(item=table.post, flagged_by=table.member, reason=Reason.SPAM)
    assert flag.post == table.post


@pytest.mark.parametrize(
    "next_url", ["13", "null", "//evil.example/x", "https://evil.example/", "¢"]
)
def test_a_strange_next_falls_back_to_the_queue(client, table, next_url):
    client.force_login(table.host)
    response = act(client, table, "hide", "post", table.post, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:queue", args=[table.circle.slug])


def test_a_next_on_this_site_is_followed(client, table):
    client.force_login(table.host)
    response = act(client, table, "hide", "post", table.post, next=table.post.get_absolute_url())
    assert response["Location"] == table.post.get_absolute_url()
