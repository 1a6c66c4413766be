"""A thread: the post's page and its live poll (htmx), plain pages without JavaScript.

Everything is for the circle's active members (and staff); anyone else gets a
404 from the access helpers, signed-out people a redirect to sign in. The board and
the posts' own writes are conversations/board_views.py, replies
conversations/reply_views.py, members and introductions conversations/people_views.py.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from conversations import live, thread
from conversations.access import post_for_member, post_for_reader
from conversations.models import Post, Reply
from conversations.view_helpers import DETAIL, members_only
from conversations.view_helpers import reply_cursor as _cursor  # reply_poll's name for it


def _thread_context(request: HttpRequest, post: Post, **extra: object) -> dict[str, object]:
    return thread.thread_context(request, post, **extra)


@members_only
@require_GET
def post_detail(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """Active members read a post and its replies; the thread updates live with htmx.

    Rendered for every request, after the access check: two queries (the post with
    the reader's role, the replies) whatever the thread's length (conversations/thread.py).
    """
    seen = live.generations(post_id=post_id, user_id=request.user.pk)
    post = post_for_reader(request.user, slug, post_id)
    context = _thread_context(request, post)
    if not post.is_hidden or post.viewer_moderates:
        live.remember(
            post_id=post.pk,
            user_id=request.user.pk,
            slug=slug,
            seen=seen,
            last_id=context["cursor"],
        )
    return render(request, DETAIL, context)


@never_cache
@members_only
@require_GET
def reply_poll(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """Active members' open thread asks every few seconds for replies after ``?after=<id>``.

    204 when nothing is new; only the new replies (and a poller carrying the new
    cursor) otherwise; 286 (htmx: stop polling) once the post is deleted. Its
    queries do not grow with the thread: the membership, the post, and one for
    new replies. When the cache vouches nothing is new (live.py),
    conversations/middleware.py answers before this view runs, after one query
    says the person may still read the thread.
    """
    after = _cursor(request, request.GET)
    if after is None:
        return HttpResponseBadRequest("after must be a reply id")
    # A quiet poll the cache vouches for was answered before this view, by
    # conversations.middleware.ThreadPollMiddleware; here is the full path.
    seen = live.generations(post_id=post_id, user_id=request.user.pk)
    post = post_for_member(request.user, slug, post_id, include_deleted=True)
    if post.is_deleted:
        # 286 tells htmx to stop polling for good; the notice closes the form.
        response = render(request, DETAIL + "#post-deleted", {"post": post})
        response.status_code = HttpResponseStopPolling.status_code
        return response
    if post.is_hidden and not post.viewer_moderates:
        response = render(request, DETAIL + "#post-hidden", {"post": post})
        response.status_code = HttpResponseStopPolling.status_code
        return response
    new = list(post.replies.live().for_thread().after(after))
    live.remember(
        post_id=post.pk,
        user_id=request.user.pk,
        slug=slug,
        seen=seen,
        last_id=new[-1].pk if new else after,
    )
    if not new:
        return HttpResponse(status=204)
    for reply in new:
        reply.post = post
    context = {
        "post": post,
        "urls": thread.page_urls(post),
        "new_replies": new,
        "cursor": new[-1].pk,
        "is_moderator": post.viewer_moderates,
    }
    return render(request, DETAIL + "#new-replies", context)


def _reply_context(reply: Reply) -> dict[str, object]:
    return {"reply": reply, "post": reply.post, "is_moderator": reply.post.viewer_moderates}
