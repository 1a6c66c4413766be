"""The host queue: a circle's open flags for its hosts; 404 to everyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from moderation import services
from moderation.models import Reason
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import UserFactory
from tests.moderation.conftest import co_host

pytestmark = pytest.mark.django_db


def queue_url(table) -> str:
    return reverse("moderation:queue", args=[table.circle.slug])


def test_hosts_see_the_open_flags_of_their_circle(client, table):
    services.flag_create(item=table.post, flagged_by=table.member, reason=Reason.SELLING)
    services.flag_create(item=table.post, flagged_by=table.host, reason=Reason.SPAM)
    services.flag_create(
        item=table.reply, flagged_by=table.member, reason=Reason.OTHER, note="Pushy DMs"
    )
    client.force_login(table.host)
    response = client.get(queue_url(table))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Buy my coaching package" in html
    assert "2 flags: Selling or self-promotion, Spam" in html
    assert "Pushy DMs" in html
    assert html.count('class="card flag-entry"') == 2
    assert "Mia Member" in html


def test_co_hosts_see_it_too(client, table):
    client.force_login(co_host(table.circle))
    assert client.get(queue_url(table)).status_code == 200


def test_members_outsiders_and_other_hosts_get_404(client, table, other_table):
    for person in (table.member, UserFactory(), other_table.host):
        client.force_login(person)
        assert client.get(queue_url(table)).status_code == 404, person


def test_resolved_flags_and_other_circles_flags_are_not_in_the_queue(client, table, other_table):
    flag = services.flag_create(item=table.post, flagged_by=table.member, reason=Reason.SPAM)
    services.flag_create(item=other_table.post, flagged_by=other_table.member, reason=Reason.SPAM)
    services.flags_resolve(flags=[flag], by=table.host)
    client.force_login(table.host)
    html = client.get(queue_url(table)).content.decode()
    assert "No open flags" in html
    assert "Another circle&#x27;s post" not in html and "Another circle's post" not in html


def test_hosts_close_flags_that_need_nothing(client, table):
    services.flag_create(item=table.post, flagged_by=table.member, reason=Reason.SPAM)
    client.force_login(table.host)
    url = reverse("moderation:resolve", args=[table.circle.slug, "post", table.post.pk])
    response = client.post(url, {"reason": "It is a fair offer"}, follow=True)
    assert "1 flag resolved." in response.content.decode()
    flag = table.post.flags.get()
    assert flag.resolved_by == table.host and flag.resolution_note == "It is a fair offer"


def test_queue_queries_do_not_grow(client, table, django_assert_max_num_queries):
    client.force_login(table.host)
    services.flag_create(item=table.post, flagged_by=table.member, reason=Reason.SPAM)
    with django_assert_max_num_queries(12) as few:
        client.get(queue_url(table))
    for _ in range(20):
        post = PostFactory(circle=table.circle)
        reply = ReplyFactory(post=post)
        flagger = UserFactory()
        services.flag_create(item=post, flagged_by=flagger, reason=Reason.SPAM)
        services.flag_create(item=reply, flagged_by=flagger, reason=Reason.SELLING)
        services.item_hide(item=post, by=table.host, reason="spam")
        services.item_hide(item=reply, by=table.host)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(queue_url(table)).content.decode()
    assert html.count('class="card flag-entry"') == 41


def test_the_circle_page_links_hosts_to_the_queue(client, table):
    client.force_login(table.host)
    html = client.get(table.circle.get_absolute_url()).content.decode()
    assert queue_url(table) in html
    client.force_login(table.member)
    assert queue_url(table) not in client.get(table.circle.get_absolute_url()).content.decode()
