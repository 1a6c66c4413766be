"""What a meeting leaves behind: hosts write the notes and mark attendance, members commit.

Plain forms that redirect back to the meeting page with a message; an invalid
form renders the page again with its errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circles.models import Membership
from meetings import record_services
from meetings.access import meeting_for_host, meeting_for_participant
from meetings.forms import AttendanceForm, CommitmentForm, NotesForm
from meetings.view_common import DETAIL, back, error_text
from meetings.views import _detail_context


@login_required
@require_POST
def meeting_notes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts write the meeting's notes (markdown, sanitized when shown)."""
    meeting = meeting_for_host(request.user, slug, pk)
    form = NotesForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, meeting, notes_form=form)
        return render(request, DETAIL, context, status=400)
    record_services.meeting_notes_set(meeting=meeting, notes=form.cleaned_data["notes"])
    messages.success(request, _("Notes saved."))
    return back(meeting, "notes")


@login_required
@require_POST
def commitment_set(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Active members record (or clear) their one commitment for the next meeting."""
    meeting = meeting_for_participant(request.user, slug, pk)
    form = CommitmentForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, meeting, commitment_form=form)
        return render(request, DETAIL, context, status=400)
    try:
        record_services.commitment_set(
            meeting=meeting, user=request.user, text=form.cleaned_data["text"]
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Commitment saved."))
    return back(meeting, "commitments")


@login_required
@require_POST
def attendance_set(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts mark a member attended or absent once the meeting has started."""
    meeting = meeting_for_host(request.user, slug, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose attended or absent for a member."))
        return back(meeting, "attendance")
    membership = (
        Membership.objects.active()
        .filter(circle=meeting.circle, user_id=form.cleaned_data["user"])
        .select_related("user")
        .first()
    )
    if membership is None:
        messages.error(request, _("That person is not a member of this circle."))
        return back(meeting, "attendance")
    try:
        record_services.attendance_set(
            meeting=meeting, user=membership.user, attended=form.cleaned_data["attended"]
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return back(meeting, "attendance")
