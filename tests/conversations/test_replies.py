"""Editing and deleting one's own replies: in place with htmx, as plain pages without it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations.models import Reply
from tests.conversations.factories import PostFactory, ReplyFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, reply: Reply) -> str:
    return reverse(
        f"conversations:{name}",
        kwargs={"slug": reply.post.circle.slug, "post_id": reply.post_id, "reply_id": reply.pk},
    )


@pytest.fixture
def reply(cast):
    post = PostFactory(circle=cast.circle, author=cast.alice)
    return ReplyFactory(post=post, author=cast.bob, body="Charge by the day.")


def test_own_reply_shows_edit_and_delete_for_its_author_only(cast, as_user, reply):
    mine = as_user(cast.bob).get(reply.post.get_absolute_url()).content.decode()
    assert f'hx-get="{url("reply_edit", reply)}"' in mine
    assert f'action="{url("reply_delete", reply)}"' in mine
    theirs = as_user(cast.alice).get(reply.post.get_absolute_url()).content.decode()
    assert url("reply_edit", reply) not in theirs
    assert url("reply_delete", reply) not in theirs


def test_edit_in_place_with_htmx(cast, as_user, reply):
    client = as_user(cast.bob)
    form = client.get(url("reply_edit", reply), **HTMX)
    assert form.status_code == 200
    assert "HX-Request" in form["Vary"]
    html = form.content.decode()
    assert html.lstrip().startswith(f'<form id="reply-{reply.pk}"')  # the fragment only
    assert "Charge by the day." in html
    assert "<html" not in html

    saved = client.post(url("reply_edit", reply), {"body": "Charge a **fixed** price."}, **HTMX)
    html = saved.content.decode()
    assert html.lstrip().startswith(f'<article class="reply card" id="reply-{reply.pk}"')
    assert "<strong>fixed</strong>" in html
    assert 'class="edited"' in html
    reply.refresh_from_db()
    assert reply.body == "Charge a **fixed** price." and reply.edited_at is not None


def test_cancelling_an_edit_brings_the_reply_back(cast, as_user, reply):
    client = as_user(cast.bob)
    fragment = client.get(url("reply", reply), **HTMX).content.decode()
    assert fragment.lstrip().startswith(f'<article class="reply card" id="reply-{reply.pk}"')
    plain = client.get(url("reply", reply))
    assert plain.status_code == 302 and plain["Location"].endswith(f"#reply-{reply.pk}")


def test_edit_without_javascript(cast, as_user, reply):
    client = as_user(cast.bob)
    page = client.get(url("reply_edit", reply))
    assert page.status_code == 200
    assert "<h1>Edit your reply</h1>" in page.content.decode()
    response = client.post(url("reply_edit", reply), {"body": "Edited plainly"})
    assert response.status_code == 302
    assert response["Location"] == reply.get_absolute_url()
    reply.refresh_from_db()
    assert reply.body == "Edited plainly"


def test_an_empty_edit_is_refused_with_a_message(cast, as_user, reply):
    response = as_user(cast.bob).post(url("reply_edit", reply), {"body": " "}, **HTMX)
    assert "Write something before sending your reply." in response.content.decode()
    reply.refresh_from_db()
    assert reply.body == "Charge by the day." and reply.edited_at is None


def test_delete_in_place_with_htmx(cast, as_user, reply):
    response = as_user(cast.bob).post(url("reply_delete", reply), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="reply-{reply.pk}"' in html and "Your reply was deleted." in html
    reply.refresh_from_db()
    assert reply.deleted_at is not None  # soft: the row stays
    page = as_user(cast.alice).get(reply.post.get_absolute_url()).content.decode()
    assert "Charge by the day." not in page


def test_delete_without_javascript(cast, as_user, reply):
    response = as_user(cast.bob).post(url("reply_delete", reply))
    assert response.status_code == 302
    assert response["Location"] == reply.post.get_absolute_url()
    reply.refresh_from_db()
    assert reply.deleted_at is not None


def test_delete_is_post_only(cast, as_user, reply):
    assert as_user(cast.bob).get(url("reply_delete", reply)).status_code == 405
    reply.refresh_from_db()
    assert reply.deleted_at is None


def test_others_may_see_but_not_change_a_reply(cast, as_user, reply):
    client = as_user(cast.alice)  # the post's author, not the reply's
    assert client.get(url("reply_edit", reply)).status_code == 403
    assert client.post(url("reply_edit", reply), {"body": "hijack"}, **HTMX).status_code == 403
    assert client.post(url("reply_delete", reply), **HTMX).status_code == 403
    reply.refresh_from_db()
    assert reply.body == "Charge by the day." and reply.deleted_at is None


def test_a_deleted_reply_cannot_be_edited_again(cast, as_user, reply):
    client = as_user(cast.bob)
    client.post(url("reply_delete", reply))
    assert client.get(url("reply_edit", reply)).status_code == 404
    assert client.post(url("reply_delete", reply)).status_code == 404
