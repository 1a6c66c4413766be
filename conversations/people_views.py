"""People in a circle's conversations: a member's page (their asks, gives and thanks),
the hosts' private counts, and introductions between two members.

Everything is for the circle's active members (and staff); anyone else gets a
404 from the access helpers. Writes happen in conversations.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circles.access import circle_for_host, circle_for_member
from circles.models import Membership, Status
from config.forms import parse_id
from conversations import services
from conversations.access import (
    introduction_for_invitee,
    introduction_for_party,
    member_for_member,
)
from conversations.forms import IntroductionForm
from conversations.models import (
    Contributions,
    Introduction,
    Post,
    contributions_in_circle,
    contributions_of,
)
from conversations.view_helpers import members_only


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
                _("We asked %(a)s and %(b)s. When both accept, we introduce them by email.")
                % {"a": introduction.person_a.name, "b": introduction.person_b.name},
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
        messages.error(request, _("Choose accept or decline."))
        return redirect(introduction)
    try:
        services.introduction_answer(
            introduction=introduction, user=request.user, accept=choice == "accept"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(introduction)
    if choice == "decline":
        messages.success(
            request,
            _("Declined. Only %(name)s is told.") % {"name": introduction.introducer.name},
        )
    elif introduction.status == "introduced":
        messages.success(request, _("You both accepted: we have emailed you both an introduction."))
    else:
        messages.success(
            request, _("Accepted. When the other person accepts too, we email you both.")
        )
    return redirect(introduction)
