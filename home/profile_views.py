"""A person's profile page and their data export: the two person pages that read every app.

The profile shows the circles a viewer shares with the person and what the
person gave and asked (conversations); the export holds everything the person
wrote or chose in every app. Both are for signed-in people; who sees a full
profile is decided in home/access.py.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from circles.models import Circle, Membership, Status
from conversations.models import contributions_of
from home.access import person_for_viewer
from home.export import export_for
from members.models import Profile


@login_required
@require_GET
def profile(request: HttpRequest, user_id: int) -> HttpResponse:
    """A person's profile: full for people who share a circle with them, a card for others."""
    person, full = person_for_viewer(request.user, user_id)
    context: dict[str, object] = {"person": person, "full": full, "is_self": person == request.user}
    if full:
        context["profile"] = (
            Profile.objects.filter(user=person)
            .prefetch_related("can_help_with", "looking_for")
            .first()
        )
        # Only circles the viewer may also open: shared ones (or all of theirs for self/staff).
        circles = Circle.objects.filter(
            memberships__user=person, memberships__status=Status.ACTIVE
        ).order_by("name")
        if not (context["is_self"] or request.user.is_staff):
            circles = circles.filter(
                pk__in=Membership.objects.filter(user=request.user, status=Status.ACTIVE).values(
                    "circle_id"
                )
            )
        context["circles"] = list(
            circles.prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.filter(user=person, status=Status.ACTIVE),
                    to_attr="person_memberships",
                )
            )
        )
        context["contributions"] = contributions_of(person)
    return render(request, "members/profile.html", context)


@never_cache
@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """Download your own data as JSON."""
    body = json.dumps(export_for(request.user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="peertables-{stamp}.json"'
    return response
