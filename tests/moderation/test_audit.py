"""Every moderation step is logged: who, what, when, why; shown to hosts and in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from moderation import services
from moderation.models import ActionKind, ModerationAction

pytestmark = pytest.mark.django_db


def test_each_step_leaves_one_log_entry_with_who_what_why(client, table):
    client.force_login(table.host)
    for action, reason in (("hide", "Sales pitch"), ("restore", "Edited since")):
        client.post(
            reverse(f"moderation:{action}", args=[table.circle.slug, "post", table.post.pk]),
            {"reason": reason},
        )
    entries = list(ModerationAction.objects.about(table.post).order_by("created_at", "pk"))
    assert [(e.actor, e.kind, e.reason, e.as_staff) for e in entries] == [
        (table.host, ActionKind.HIDE, "Sales pitch", False),
        (table.host, ActionKind.RESTORE, "Edited since", False),
    ]
    assert all(e.circle == table.circle and e.created_at for e in entries)
    assert entries[0].target == table.post
    assert entries[0].target_label == f"Post {table.post.pk}: Buy my coaching package"


def test_the_log_shows_on_the_host_queue(client, table):
    services.item_hide(item=table.reply, by=table.host, reason="Pushy")
    client.force_login(table.host)
    html = client.get(reverse("moderation:queue", args=[table.circle.slug])).content.decode()
    assert "Pushy" in html
    assert f"Reply {table.reply.pk} on post {table.post.pk}" in html


def test_the_log_outlives_the_actor_and_the_item(table):
    services.item_hide(item=table.post, by=table.host, reason="Spam")
    table.host.delete()
    table.post.delete()
    entry = ModerationAction.objects.get()
    assert entry.actor is None
    assert entry.target_label.startswith("Post ")
    assert entry.reason == "Spam"
