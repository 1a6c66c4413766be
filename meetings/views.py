"""The meeting page: when and where, who is coming, the agenda, notes and commitments.

The actions on it live with their page family (``schedule_views``: the list,
RSVPs, one-offs, moves and cancellations; ``agenda_views``; ``record_views``:
notes, commitments, attendance; ``calendar_views``: .ics and the feed); they
answer htmx with fragments of this page, built from ``_detail_context``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from meetings import meeting_page
from meetings.access import meeting_with_role
from meetings.models import Meeting
from meetings.view_common import DETAIL


def _detail_context(request: HttpRequest, meeting: Meeting, **extra) -> dict:
    """Everything the meeting page shows, in a fixed number of queries (meeting_page.py)."""
    return meeting_page.page_context(request, meeting, **extra)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Active members (and staff) see when and where, who is coming, the agenda and notes.

    Rendered for every request: nothing of it is kept per viewer, so the access
    check (meeting_with_role) is the first thing that happens.
    """
    meeting = meeting_with_role(request.user, slug, pk)
    return render(request, DETAIL, meeting_page.page_context(request, meeting))
