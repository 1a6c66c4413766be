"""Posts, replies and thanks keep their text as HTML, rendered when written
(conversations.models.RenderedText): by save(), by bulk_create, and for the rows that
existed before, by migration 0005."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conversations import services
from conversations.models import Post, Reply
from tests.conversations.factories import PostFactory, ReplyFactory

BEFORE = [("conversations", "0004_i18n_labels")]
AFTER = [("conversations", "0005_rendered_text")]


@pytest.mark.django_db
def test_writes_render_the_html_with_the_text(cast):
    post = PostFactory(circle=cast.circle, author=cast.alice, body="**Help** <script>x</script>")
    assert "<strong>Help</strong>" in post.body_html and "<script>" not in post.body_html
    services.post_edit(post=post, title=post.title, body="Now _this_", in_the_room=False)
    assert "<em>this</em>" in Post.objects.get(pk=post.pk).body_html

    reply = ReplyFactory(post=post, author=cast.bob, body="First")
    services.reply_edit(reply=reply, body="Second [link](https://example.org)")
    html = Reply.objects.get(pk=reply.pk).body_html
    assert 'href="https://example.org"' in html and 'rel="nofollow ugc noopener"' in html

    services.post_resolve(post=post, by=cast.alice, replies=[reply], note="It *worked*")
    assert "<em>worked</em>" in Reply.objects.get(pk=reply.pk).thanks.note_html

    (bulk,) = Reply.objects.bulk_create([Reply(post=post, author=cast.bob, body="In **bulk**")])
    assert "<strong>bulk</strong>" in Reply.objects.get(pk=bulk.pk).body_html


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_renders_the_rows_already_there(cast):
    post = PostFactory(circle=cast.circle, author=cast.alice, body="Old **post**")
    reply = ReplyFactory(post=post, author=cast.bob, body="Old _reply_")
    try:
        apps = migrate(BEFORE)
        migrate(AFTER)
        apps = MigrationExecutor(connection).loader.project_state(AFTER).apps
        assert (
            "<strong>post</strong>"
            in apps.get_model("conversations", "Post").objects.get(pk=post.pk).body_html
        )
        assert (
            "<em>reply</em>"
            in apps.get_model("conversations", "Reply").objects.get(pk=reply.pk).body_html
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
