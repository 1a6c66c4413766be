"""A circle's board and its posts: listing them, and their authors' writing, editing,
deleting, resolving (with thanks) and reopening.

Everything is for the circle's active members (and staff); anyone else gets a
404 from the access helpers, signed-out people a redirect to sign in. The thread
page itself is conversations/views.py; writes happen in conversations.services.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circles.access import circle_for_member
from circles.models import HOST_ROLES
from conversations import services
from conversations.access import circle_for_reader, post_for_author
from conversations.forms import BoardFilterForm, PostEditForm, PostForm, ResolveForm
from conversations.limits import RateLimited
from conversations.models import Kind, Post, Reply
from conversations.view_helpers import members_only

POSTS_PER_PAGE = 20


@members_only
@require_GET
def board(request: HttpRequest, slug: str) -> HttpResponse:
    """Active members (and staff) see the circle's posts, filtered by kind and status."""
    circle, membership, moderates = circle_for_reader(request.user, slug)
    filters = BoardFilterForm(request.GET)
    posts = Post.objects.live().in_circle(circle).for_board()
    chosen: dict[str, str] = {}
    if filters.is_valid():
        chosen = {k: v for k, v in filters.cleaned_data.items() if v}
        if "kind" in chosen:
            posts = posts.of_kind(chosen["kind"])
        if "status" in chosen:
            posts = posts.with_status(chosen["status"])
    else:
        filters = BoardFilterForm()
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    for post in page:
        post.circle = circle
    return render(
        request,
        "conversations/board.html",
        {
            "circle": circle,
            "page": page,
            "filters": filters,
            "filtered": bool(chosen),
            "is_host": membership is not None and membership.role in HOST_ROLES,
            "is_moderator": moderates,
            "query_string": urlencode(chosen),
        },
    )


@members_only
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Active members start an ask, give or discussion in their circle."""
    circle = circle_for_member(request.user, slug)
    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid():
            try:
                post = services.post_create(circle=circle, author=request.user, **form.cleaned_data)
            except RateLimited as limited:
                form.add_error(None, limited.message)
            else:
                messages.success(request, _("Your post is up. Members will see it on the board."))
                return redirect(post)
    else:
        kind = request.GET.get("kind")
        form = PostForm(initial={"kind": kind if kind in Kind.values else Kind.ASK})
    return render(request, "conversations/post_form.html", {"circle": circle, "form": form})


@members_only
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """Only the author edits their post (others who can see it get 403)."""
    post = post_for_author(request.user, slug, post_id)
    form = PostEditForm(request.POST or None, instance=post)
    if request.method == "POST" and form.is_valid():
        services.post_edit(post=post, **form.cleaned_data)
        messages.success(request, _("Your post is updated."))
        return redirect(post)
    return render(
        request, "conversations/post_form.html", {"circle": post.circle, "form": form, "post": post}
    )


@members_only
@require_http_methods(["GET", "POST"])
def post_delete(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """Only the author deletes their post (GET asks to confirm; POST deletes)."""
    post = post_for_author(request.user, slug, post_id)
    if request.method == "POST":
        services.post_delete(post=post)
        messages.success(request, _("Your post is deleted."))
        return redirect("conversations:board", slug=post.circle.slug)
    return render(request, "conversations/post_delete.html", {"circle": post.circle, "post": post})


@members_only
@require_http_methods(["GET", "POST"])
def post_resolve(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """The asker marks their ask resolved and thanks replies that helped (others: 403)."""
    post = post_for_author(request.user, slug, post_id)
    if not post.is_ask:
        messages.error(request, _("Only an ask can be resolved."))
        return redirect(post)
    thankable = (
        Reply.objects.live()
        .filter(post=post, author__isnull=False, thanks__isnull=True, hidden_at__isnull=True)
        .exclude(author=request.user)
        .select_related("author")
    )
    form = ResolveForm(request.POST or None, thankable=thankable)
    if request.method == "POST" and form.is_valid():
        thanked = services.post_resolve(
            post=post,
            by=request.user,
            replies=form.cleaned_data["replies"],
            note=form.cleaned_data["note"],
        )
        if thanked:
            done = ngettext(
                "Marked resolved, with thanks to %(count)s.",
                "Marked resolved, with thanks to %(count)s.",
                len(thanked),
            ) % {"count": len(thanked)}
        else:
            done = _("Marked resolved.")
        messages.success(request, done)
        return redirect(post)
    return render(
        request,
        "conversations/post_resolve.html",
        {"circle": post.circle, "post": post, "form": form},
    )


@members_only
@require_POST
def post_reopen(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """The asker reopens their resolved ask (others: 403)."""
    post = post_for_author(request.user, slug, post_id)
    services.post_reopen(post=post)
    messages.success(request, _("Your ask is open again."))
    return redirect(post)
