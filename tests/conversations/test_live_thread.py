"""Live threads: the poll endpoint with its "after" cursor (204 when nothing is new, only new
replies otherwise, a query count that does not grow with the thread, 286 once the post is gone),
and posting a reply with htmx (swapped in at once, form cleared) or without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations import limits
from conversations.models import Reply
from tests.conversations.factories import PostFactory, ReplyFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def poll_url(post) -> str:
    return reverse(
        "conversations:reply_poll", kwargs={"slug": post.circle.slug, "post_id": post.pk}
    )


def create_url(post) -> str:
    return reverse(
        "conversations:reply_create", kwargs={"slug": post.circle.slug, "post_id": post.pk}
    )


@pytest.fixture
def post(cast):
    return PostFactory(circle=cast.circle, author=cast.alice, title="Pricing my first project")


def test_thread_page_polls_every_two_seconds_from_the_last_reply(cast, as_user, post):
    replies = ReplyFactory.create_batch(3, post=post, author=cast.bob)
    html = as_user(cast.alice).get(post.get_absolute_url()).content.decode()
    poller = re.search(r'<div id="thread-poller"[^>]*>', html).group(0)
    assert f'hx-get="{poll_url(post)}"' in poller
    assert 'hx-trigger="every 2s' in poller  # within the promised 3 seconds
    assert f'name="after" value="{replies[-1].pk}"' in html
    # CSP-ready: no inline script and no inline handlers; the JS is a static file.
    assert "hx-on" not in html and "onclick" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert 'src="/static/js/conversations.js" defer' in html


def test_poll_answers_204_when_nothing_is_new(cast, as_user, post):
    last = ReplyFactory(post=post, author=cast.bob)
    response = as_user(cast.alice).get(poll_url(post), {"after": last.pk}, **HTMX)
    assert response.status_code == 204
    assert response.content == b""
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_poll_returns_only_the_replies_after_the_cursor(cast, as_user, post):
    seen = ReplyFactory(post=post, author=cast.bob, body="Already on the page")
    new_one = ReplyFactory(post=post, author=cast.host, body="Fresh advice one")
    new_two = ReplyFactory(post=post, author=cast.bob, body="Fresh advice two")
    ReplyFactory(post=post, author=cast.bob, body="Deleted since", deleted_at=timezone.now())
    ReplyFactory(post=PostFactory(circle=cast.circle), author=cast.bob, body="Other thread")

    response = as_user(cast.alice).get(poll_url(post), {"after": seen.pk}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Already on the page" not in html
    assert "Fresh advice one" in html and "Fresh advice two" in html
    assert html.index("Fresh advice one") < html.index("Fresh advice two")
    assert "Deleted since" not in html and "Other thread" not in html
    # The poller comes back out of band with the newest reply as its cursor.
    assert 'id="thread-poller"' in html and 'hx-swap-oob="true"' in html
    assert f'name="after" value="{new_two.pk}"' in html
    assert f'id="reply-{new_one.pk}"' in html


def test_poll_queries_do_not_grow_with_the_thread(
    cast, as_user, post, django_assert_max_num_queries
):
    client = as_user(cast.alice)
    for size in (5, 60):
        ReplyFactory.create_batch(size, post=post, author=cast.bob)
        last = Reply.objects.filter(post=post).latest("pk")
        # session, user, circle, membership, post, new replies: a few small queries.
        with django_assert_max_num_queries(6):
            assert client.get(poll_url(post), {"after": last.pk}, **HTMX).status_code == 204
        newer = ReplyFactory.create_batch(3, post=post, author=cast.host)
        with django_assert_max_num_queries(6):
            response = client.get(poll_url(post), {"after": last.pk}, **HTMX)
        assert response.content.decode().count('class="reply card"') == len(newer)


def test_poll_stops_for_good_when_the_post_is_deleted(cast, as_user, post):
    post.deleted_at = timezone.now()
    post.save()
    response = as_user(cast.bob).get(poll_url(post), {"after": 0}, **HTMX)
    assert response.status_code == 286  # htmx: stop polling
    html = response.content.decode()
    assert "This post was deleted by its author." in html
    assert 'id="reply-form"' in html and "Replies are closed" in html


def test_poll_rejects_a_bad_cursor(cast, as_user, post):
    response = as_user(cast.alice).get(poll_url(post), {"after": "1; DROP"}, **HTMX)
    assert response.status_code == 400


def test_htmx_reply_swaps_in_at_once_and_clears_the_form(cast, as_user, post):
    earlier = ReplyFactory(post=post, author=cast.host, body="Said before")
    missed = ReplyFactory(post=post, author=cast.host, body="Posted while I typed")
    response = as_user(cast.bob).post(
        create_url(post), {"body": "Charge a fixed price.", "after": earlier.pk}, **HTMX
    )
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    reply = Reply.objects.get(body="Charge a fixed price.")
    assert reply.author == cast.bob
    html = response.content.decode()
    assert f'id="reply-{reply.pk}"' in html
    assert "Posted while I typed" in html  # the thread catches up too
    assert "Said before" not in html
    assert f'name="after" value="{reply.pk}"' in html
    form = re.search(r'<form id="reply-form".*?</form>', html, re.S).group(0)
    assert 'hx-swap-oob="true"' in form
    assert re.search(r"<textarea[^>]*>\s*</textarea>", form), "the form comes back empty"
    assert missed.pk < reply.pk


def test_reply_without_javascript_redirects_to_it(cast, as_user, post):
    response = as_user(cast.bob).post(create_url(post), {"body": "Plain form reply"})
    reply = Reply.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reply.get_absolute_url()
    assert response["Location"].endswith(f"#reply-{reply.pk}")
    html = as_user(cast.bob).get(post.get_absolute_url()).content.decode()
    assert "Plain form reply" in html
    post.refresh_from_db()
    assert post.last_activity_at >= reply.created_at


def test_empty_reply_gets_a_clear_error_with_and_without_htmx(cast, as_user, post):
    client = as_user(cast.bob)
    response = client.post(create_url(post), {"body": "   "}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#reply-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert "Write something before sending your reply." in response.content.decode()

    plain = client.post(create_url(post), {"body": ""})
    assert plain.status_code == 200
    assert "Write something before sending your reply." in plain.content.decode()
    assert not Reply.objects.exists()


def test_reply_rate_limit_gives_a_clear_message(cast, as_user, post, monkeypatch):
    monkeypatch.setattr(limits, "REPLIES", limits.Limit("replies", 1, limits.REPLIES.message))
    client = as_user(cast.bob)
    assert client.post(create_url(post), {"body": "First"}).status_code == 302
    response = client.post(create_url(post), {"body": "Second"}, **HTMX)
    assert "You have replied 1 times in the last hour" in response.content.decode()
    assert Reply.objects.count() == 1


def test_replying_to_a_deleted_post_is_404(cast, as_user, post):
    post.deleted_at = timezone.now()
    post.save()
    assert as_user(cast.bob).post(create_url(post), {"body": "Hello?"}).status_code == 404
    assert not Reply.objects.exists()


def test_thread_page_queries_do_not_grow(cast, as_user, post, django_assert_max_num_queries):
    client = as_user(cast.alice)
    for _ in range(2):
        ReplyFactory.create_batch(15, post=post, author=cast.bob)
        # session, user, circle, membership, post, replies (with authors and thanks)
        with django_assert_max_num_queries(7):
            assert client.get(post.get_absolute_url()).status_code == 200
