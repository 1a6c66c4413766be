"""A circle's board, its threads (live with htmx, plain pages without), thanks and counts.

Everything is for the circle's active members (and staff); anyone else gets a
404 from the access helpers, signed-out people a redirect to sign in.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseStopPolling, reswap, retarget

from circles.access import circle_for_host, circle_for_member
from circles.models import HOST_ROLES, Membership, Status
from config.forms import parse_id
from conversations import live, services, thread
from conversations.access import (
    circle_for_reader,
    introduction_for_invitee,
    introduction_for_party,
    member_for_member,
    post_for_author,
    post_for_member,
    post_for_replier,
    reply_for_author,
    reply_for_member,
)
from conversations.forms import (
    BoardFilterForm,
    IntroductionForm,
    PostEditForm,
    PostForm,
    ReplyForm,
    ResolveForm,
)
from conversations.limits import RateLimited
from conversations.models import (
    Contributions,
    Introduction,
    Kind,
    Post,
    Reply,
    contributions_in_circle,
    contributions_of,
)

POSTS_PER_PAGE = 20


def members_only(view):
    """Signed-out people get a 404, like anyone who is not an active member (and for made-up
    URLs alike, so nothing is confirmed to exist). A plain page's 404 offers to sign in and
    come back, so a member following an email link while signed out still gets there;
    htmx requests (a poll whose session ended) get a bare 404 with nothing to swap in.
    Who is a member is the access helpers' call, inside the view.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx or request.method != "GET":
            raise Http404
        login = f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
        return render(request, "conversations/signed_out.html", {"login_url": login}, status=404)

    return wrapped


# Views that answer htmx with a fragment and plain requests with a page.
vary_on_htmx = vary_on_headers("HX-Request")
DETAIL = "conversations/post_detail.html"


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
                messages.success(request, "Your post is up. Members will see it on the board.")
                return redirect(post)
    else:
        kind = request.GET.get("kind")
        form = PostForm(initial={"kind": kind if kind in Kind.values else Kind.ASK})
    return render(request, "conversations/post_form.html", {"circle": circle, "form": form})


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
    post = post_for_member(request.user, slug, post_id)
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


@members_only
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """Only the author edits their post (others who can see it get 403)."""
    post = post_for_author(request.user, slug, post_id)
    form = PostEditForm(request.POST or None, instance=post)
    if request.method == "POST" and form.is_valid():
        services.post_edit(post=post, **form.cleaned_data)
        messages.success(request, "Your post is updated.")
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
        messages.success(request, "Your post is deleted.")
        return redirect("conversations:board", slug=post.circle.slug)
    return render(request, "conversations/post_delete.html", {"circle": post.circle, "post": post})


@members_only
@require_http_methods(["GET", "POST"])
def post_resolve(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """The asker marks their ask resolved and thanks replies that helped (others: 403)."""
    post = post_for_author(request.user, slug, post_id)
    if not post.is_ask:
        messages.error(request, "Only an ask can be resolved.")
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
            messages.success(request, f"Marked resolved, with thanks to {len(thanked)}.")
        else:
            messages.success(request, "Marked resolved.")
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
    messages.success(request, "Your ask is open again.")
    return redirect(post)


def _cursor(request: HttpRequest, source) -> int | None:
    return parse_id(source.get("after") or "0", zero=True)


@never_cache
@members_only
@require_GET
def reply_poll(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """Active members' open thread asks every few seconds for replies after ``?after=<id>``.

    204 when nothing is new; only the new replies (and a poller carrying the new
    cursor) otherwise; 286 (htmx: stop polling) once the post is deleted. Its
    queries do not grow with the thread: the membership, the post, and one for
    new replies; none at all when the cache vouches nothing is new (live.py), which
    conversations/middleware.py answers before this view runs.
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
        "new_replies": new,
        "cursor": new[-1].pk,
        "is_moderator": post.viewer_moderates,
    }
    return render(request, DETAIL + "#new-replies", context)


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
            after = _cursor(request, request.POST) or 0
            new = list(post.replies.live().for_thread().after(min(after, reply.pk - 1)))
            for item in new:
                item.post = post
            return render(
                request,
                DETAIL + "#reply-created",
                {
                    "post": post,
                    "circle": post.circle,
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
            {"post": post, "circle": post.circle, "reply_form": form},
        )
        return reswap(retarget(response, "#reply-form"), "outerHTML")
    return render(request, DETAIL, _thread_context(request, post, reply_form=form))


def _reply_context(reply: Reply) -> dict[str, object]:
    return {"reply": reply, "post": reply.post, "is_moderator": reply.post.viewer_moderates}


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
        messages.success(request, "Your reply is updated.")
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
    messages.success(request, "Your reply is deleted.")
    return redirect(reply.post)


@members_only
@require_GET
def member(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """Co-members (and staff) see a member's asks, gives and thanks received."""
    membership = member_for_member(request.user, slug, user_id)
    circle = membership.circle
    person = membership.user
    recent = list(
        Post.objects.shown().in_circle(circle).filter(author=person).order_by("-created_at")[:10]
    )
    for post in recent:
        post.circle = circle
    is_self = person.pk == request.user.pk
    made: list[Introduction] = []
    received: list[Introduction] = []
    if is_self:
        # Only the person themselves sees their introductions: a decline is
        # the introducer's business, and no one else's.
        for intro in Introduction.objects.filter(circle=circle).involving(person).for_list():
            intro.circle = circle
            (made if intro.introducer_id == person.pk else received).append(intro)
    return render(
        request,
        "conversations/member.html",
        {
            "circle": circle,
            "membership": membership,
            "person": person,
            "is_self": is_self,
            "here": contributions_of(person, circle=circle),
            "everywhere": contributions_of(person),
            "recent": recent,
            "intros_made": made,
            "intros_received": received,
        },
    )


@members_only
@require_GET
def host_members(request: HttpRequest, slug: str) -> HttpResponse:
    """Hosts and co-hosts see, privately, each member's asks, gives and thanks here.

    Other members get 403; outsiders 404.
    """
    circle = circle_for_host(request.user, slug)
    memberships = list(
        Membership.objects.filter(circle=circle, status=Status.ACTIVE)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
    counts = contributions_in_circle(circle)
    rows = [(m, counts.get(m.user_id, Contributions())) for m in memberships]
    return render(request, "conversations/host_members.html", {"circle": circle, "rows": rows})


@members_only
@require_http_methods(["GET", "POST"])
def introduction_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Active members introduce two other members of this circle, with a note for each."""
    circle = circle_for_member(request.user, slug)
    form = IntroductionForm(request.POST or None, circle=circle, introducer=request.user)
    if request.method == "GET" and (first := parse_id(request.GET.get("a", ""))):
        form.initial["person_a"] = first
    if request.method == "POST" and form.is_valid():
        try:
            introduction = services.introduction_create(
                circle=circle, introducer=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"We asked {introduction.person_a.name} and {introduction.person_b.name}. "
                "When both accept, we introduce them by email.",
            )
            return redirect(introduction)
    return render(request, "conversations/introduction_form.html", {"circle": circle, "form": form})


@members_only
@require_GET
def introduction_detail(request: HttpRequest, slug: str, intro_id: int) -> HttpResponse:
    """The introducer and the two people introduced see it (and the two answer); others 404."""
    introduction = introduction_for_party(request.user, slug, intro_id)
    side = introduction.side_of(request.user)
    return render(
        request,
        "conversations/introduction_detail.html",
        {
            "circle": introduction.circle,
            "introduction": introduction,
            "is_introducer": introduction.introducer_id == request.user.pk,
            "side": side,
            "my_answer": introduction.answer_of(request.user),
            "my_note": introduction.note_for(request.user),
            "other": introduction.other_person(request.user),
        },
    )


@members_only
@require_POST
def introduction_answer(request: HttpRequest, slug: str, intro_id: int) -> HttpResponse:
    """One of the two people introduced accepts or declines (the introducer: 403)."""
    introduction = introduction_for_invitee(request.user, slug, intro_id)
    choice = request.POST.get("answer")
    if choice not in ("accept", "decline"):
        messages.error(request, "Choose accept or decline.")
        return redirect(introduction)
    try:
        services.introduction_answer(
            introduction=introduction, user=request.user, accept=choice == "accept"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(introduction)
    if choice == "decline":
        messages.success(request, f"Declined. Only {introduction.introducer.name} is told.")
    elif introduction.status == "introduced":
        messages.success(request, "You both accepted: we have emailed you both an introduction.")
    else:
        messages.success(request, "Accepted. When the other person accepts too, we email you both.")
    return redirect(introduction)
