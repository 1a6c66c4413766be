"""Flagging (members) and the host queue: hide, restore, resolve (hosts, staff).

Every action is a plain form POST that redirects; no JavaScript is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circles.models import HOST_ROLES, Membership, Status
from conversations.models import Post, Reply
from moderation import services
from moderation.access import circle_for_moderator, item_for_flagger, item_for_moderator
from moderation.forms import FlagForm, ReasonForm
from moderation.models import Flag, ModerationAction


@dataclass
class QueueItem:
    """One flagged post or reply with every open flag on it."""

    item: Post | Reply
    kind: str
    flags: list[Flag] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return sorted({flag.get_reason_display() for flag in self.flags})


def _in_circle(item: Post | Reply, circle) -> None:
    """Every item here is in this circle: set it, so links cost no query per row."""
    if isinstance(item, Post):
        item.circle = circle
    else:
        item.post.circle = circle


def _item_url(item: Post | Reply) -> str:
    return item.get_absolute_url()


def _back(request: HttpRequest, fallback: str) -> str:
    """Where to go after an action: a path on this site from ``next``, else ``fallback``."""
    target = request.POST.get("next", "")
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def flag(request: HttpRequest, slug: str, kind: str, item_id: int) -> HttpResponse:
    """Members of the circle flag a post or reply to its hosts (others: 404)."""
    item = item_for_flagger(request.user, slug, kind, item_id)
    circle = item.circle if isinstance(item, Post) else item.post.circle
    form = FlagForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_create(
                item=item,
                flagged_by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except services.ModerationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Thank you. The hosts of this circle and the site staff will look at it."),
            )
        return redirect(_item_url(item))
    return render(
        request,
        "moderation/flag.html",
        {"form": form, "item": item, "kind": kind, "circle": circle},
    )


@login_required
@require_GET
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """The circle's open flags, its hidden items and recent actions; hosts and staff only."""
    circle = circle_for_moderator(request.user, slug)
    grouped: dict[tuple[str, int], QueueItem] = {}
    for open_flag in Flag.objects.open().in_circle(circle).for_queue():
        item = open_flag.item
        _in_circle(item, circle)
        kind = "post" if open_flag.post_id else "reply"
        entry = grouped.setdefault((kind, item.pk), QueueItem(item=item, kind=kind))
        entry.flags.append(open_flag)
    hidden_posts = list(
        Post.objects.live()
        .in_circle(circle)
        .filter(hidden_at__isnull=False)
        .select_related("author", "hidden_by")
        .order_by("-hidden_at")[:50]
    )
    hidden_replies = list(
        Reply.objects.live()
        .filter(post__circle=circle, hidden_at__isnull=False)
        .select_related("author", "hidden_by", "post")
        .order_by("-hidden_at")[:50]
    )
    for item in [*hidden_posts, *hidden_replies]:
        _in_circle(item, circle)
    actions = list(ModerationAction.objects.filter(circle=circle).select_related("actor")[:20])
    return render(
        request,
        "moderation/queue.html",
        {
            "circle": circle,
            "entries": list(grouped.values()),
            "hidden_posts": hidden_posts,
            "hidden_replies": hidden_replies,
            "actions": actions,
            "reason_form": ReasonForm(),
        },
    )


def _moderate(request: HttpRequest, slug: str, kind: str, item_id: int, do) -> HttpResponse:
    item = item_for_moderator(request.user, slug, kind, item_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    done_message = do(item, reason)
    if done_message:
        messages.success(request, done_message)
    # A plain redirect: never reverse() a name from a form field.
    return HttpResponseRedirect(_back(request, reverse("moderation:queue", kwargs={"slug": slug})))


@login_required
@require_POST
def hide(request: HttpRequest, slug: str, kind: str, item_id: int) -> HttpResponse:
    """Hosts (and staff) hide a post or reply; members then see "hidden by a host"."""

    def do(item, reason):
        changed = services.item_hide(
            item=item, by=request.user, reason=reason, as_staff=not _hosts(request, slug)
        )
        if kind == "post":
            return (
                _("The post is hidden from members.")
                if changed
                else _("The post was hidden already.")
            )
        return (
            _("The reply is hidden from members.")
            if changed
            else _("The reply was hidden already.")
        )

    return _moderate(request, slug, kind, item_id, do)


@login_required
@require_POST
def restore(request: HttpRequest, slug: str, kind: str, item_id: int) -> HttpResponse:
    """Hosts (and staff) show a hidden post or reply again."""

    def do(item, reason):
        changed = services.item_restore(
            item=item, by=request.user, reason=reason, as_staff=not _hosts(request, slug)
        )
        if kind == "post":
            return _("The post is shown again.") if changed else _("The post was not hidden.")
        return _("The reply is shown again.") if changed else _("The reply was not hidden.")

    return _moderate(request, slug, kind, item_id, do)


@login_required
@require_POST
def resolve(request: HttpRequest, slug: str, kind: str, item_id: int) -> HttpResponse:
    """Hosts (and staff) close the open flags on an item, e.g. when it needs nothing done."""

    def do(item, reason):
        flags = Flag.objects.open().filter(**{kind: item})
        count = services.flags_resolve(
            flags=flags, by=request.user, note=reason, as_staff=not _hosts(request, slug)
        )
        if not count:
            return _("No open flags.")
        return ngettext("%(count)d flag resolved.", "%(count)d flags resolved.", count) % {
            "count": count
        }

    return _moderate(request, slug, kind, item_id, do)


def _hosts(request: HttpRequest, slug: str) -> bool:
    """Whether the person acts as one of the circle's hosts (else as staff)."""
    return Membership.objects.filter(
        circle__slug=slug, user=request.user, status=Status.ACTIVE, role__in=HOST_ROLES
    ).exists()
