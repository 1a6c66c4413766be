"""Replies in a thread: writing, showing one, editing and deleting (in place with htmx,
on their own pages without it).

Everything is for the circle's active members (and staff); anyone else gets a
404 from the access helpers. The thread page and its live poll are
conversations/views.py; writes happen in conversations.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from conversations import services, thread
from conversations.access import post_for_replier, reply_for_author, reply_for_member
from conversations.forms import ReplyForm
from conversations.limits import RateLimited
from conversations.view_helpers import DETAIL, members_only, reply_cursor, vary_on_htmx
from conversations.views import _reply_context, _thread_context


@vary_on_htmx
@members_only
@require_POST
def reply_create(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """Active members reply in a thread.

    With htmx the answer is the replies after the page's cursor (the new one
    included), a fresh form and the poller's new cursor; without it, a redirect
    to the reply on the post page.
    """
    post = post_for_replier(request.user, slug, post_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            reply = services.reply_create(
                post=post, author=request.user, body=form.cleaned_data["body"]
            )
        except RateLimited as limited:
            form.add_error(None, limited.message)
        else:
            if not request.htmx:
                return redirect(reply)
            after = reply_cursor(request, request.POST) or 0
            new = list(post.replies.live().for_thread().after(min(after, reply.pk - 1)))
            for item in new:
                item.post = post
            return render(
                request,
                DETAIL + "#reply-created",
                {
                    "post": post,
                    "circle": post.circle,
                    "urls": thread.page_urls(post),
                    "new_replies": new,
                    "cursor": new[-1].pk,
                    "reply_form": ReplyForm(),
                    "is_moderator": post.viewer_moderates,
                },
            )
    if request.htmx:
        response = render(
            request,
            DETAIL + "#reply-form",
            {
                "post": post,
                "circle": post.circle,
                "urls": thread.page_urls(post),
                "reply_form": form,
            },
        )
        return reswap(retarget(response, "#reply-form"), "outerHTML")
    return render(request, DETAIL, _thread_context(request, post, reply_form=form))


@vary_on_htmx
@members_only
@require_GET
def reply_detail(request: HttpRequest, slug: str, post_id: int, reply_id: int) -> HttpResponse:
    """Active members: one reply as an htmx fragment (cancel an edit), else the thread."""
    reply = reply_for_member(request.user, slug, post_id, reply_id)
    if not request.htmx:
        return redirect(reply)
    return render(request, DETAIL + "#reply", _reply_context(reply))


@vary_on_htmx
@members_only
@require_http_methods(["GET", "POST"])
def reply_edit(request: HttpRequest, slug: str, post_id: int, reply_id: int) -> HttpResponse:
    """Only a reply's author edits it, in place with htmx or on its own page (others: 403)."""
    reply = reply_for_author(request.user, slug, post_id, reply_id)
    form = ReplyForm(request.POST or None, instance=reply)
    if request.method == "POST" and form.is_valid():
        services.reply_edit(reply=reply, body=form.cleaned_data["body"])
        if request.htmx:
            return render(request, DETAIL + "#reply", _reply_context(reply))
        messages.success(request, _("Your reply is updated."))
        return redirect(reply)
    template = "conversations/reply_edit.html" + ("#edit-form" if request.htmx else "")
    return render(
        request,
        template,
        {"circle": reply.post.circle, "post": reply.post, "reply": reply, "form": form},
    )


@vary_on_htmx
@members_only
@require_POST
def reply_delete(request: HttpRequest, slug: str, post_id: int, reply_id: int) -> HttpResponse:
    """Only a reply's author deletes it (others: 403)."""
    reply = reply_for_author(request.user, slug, post_id, reply_id)
    services.reply_delete(reply=reply)
    if request.htmx:
        return render(request, DETAIL + "#reply-deleted", {"reply": reply})
    messages.success(request, _("Your reply is deleted."))
    return redirect(reply.post)
