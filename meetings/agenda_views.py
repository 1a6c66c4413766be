"""The agenda of one meeting (Lean Coffee): members propose and vote, hosts run it.

Each action redirects back to the agenda with a message, or answers htmx
with the page's ``#agenda`` fragment, built from the meeting page's context.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from meetings import agenda_services
from meetings.access import (
    meeting_for_host,
    meeting_for_participant,
    topic_for_host,
    topic_for_participant,
)
from meetings.forms import LockForm, MoveTopicForm, TopicForm, TopicStatusForm
from meetings.models import Meeting
from meetings.view_common import DETAIL, back, error_text
from meetings.views import _detail_context


def _agenda_response(request: HttpRequest, meeting: Meeting, error: str = "", **extra):
    if request.htmx:
        meeting.refresh_from_db()
        context = _detail_context(request, meeting, agenda_error=error, **extra)
        return render(request, DETAIL + "#agenda", context)
    if error:
        messages.error(request, error)
    return back(meeting, "agenda")


@login_required
@require_POST
def topic_propose(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Active members propose a topic while the agenda is open."""
    meeting = meeting_for_participant(request.user, slug, pk)
    form = TopicForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return _agenda_response(request, meeting, topic_form=form)
        context = _detail_context(request, meeting, topic_form=form)
        return render(request, DETAIL, context, status=400)
    try:
        agenda_services.topic_propose(
            meeting=meeting,
            user=request.user,
            title=form.cleaned_data["title"],
            details=form.cleaned_data["details"],
        )
    except ValidationError as exc:
        return _agenda_response(request, meeting, error_text(exc))
    return _agenda_response(request, meeting)


@login_required
@require_POST
def topic_vote(request: HttpRequest, slug: str, pk: int, topic_pk: int) -> HttpResponse:
    """Active members vote for a topic (up to the circle's votes per member) or take a vote back."""
    topic = topic_for_participant(request.user, slug, pk, topic_pk)
    try:
        if request.POST.get("action") == "unvote":
            agenda_services.topic_unvote(topic=topic, user=request.user)
        else:
            agenda_services.topic_vote(topic=topic, user=request.user)
    except ValidationError as exc:
        return _agenda_response(request, topic.meeting, error_text(exc))
    return _agenda_response(request, topic.meeting)


@login_required
@require_POST
def topic_status(request: HttpRequest, slug: str, pk: int, topic_pk: int) -> HttpResponse:
    """Hosts mark a topic discussed, parked, or open again."""
    topic = topic_for_host(request.user, slug, pk, topic_pk)
    form = TopicStatusForm(request.POST)
    if not form.is_valid():
        return _agenda_response(request, topic.meeting, _("Choose discussed, parked or open."))
    agenda_services.topic_set_status(topic=topic, status=form.cleaned_data["status"])
    return _agenda_response(request, topic.meeting)


@login_required
@require_POST
def topic_move(request: HttpRequest, slug: str, pk: int, topic_pk: int) -> HttpResponse:
    """Hosts move a topic up or down, which pins the agenda's order."""
    topic = topic_for_host(request.user, slug, pk, topic_pk)
    form = MoveTopicForm(request.POST)
    if not form.is_valid():
        return _agenda_response(request, topic.meeting, _("Move a topic up or down."))
    agenda_services.agenda_move_topic(topic=topic, direction=form.cleaned_data["direction"])
    return _agenda_response(request, topic.meeting)


@login_required
@require_POST
def agenda_lock(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts lock the agenda (no new topics or votes) or open it again."""
    meeting = meeting_for_host(request.user, slug, pk)
    form = LockForm(request.POST)
    if not form.is_valid():
        return _agenda_response(request, meeting, _("Lock or unlock the agenda."))
    agenda_services.agenda_set_locked(meeting=meeting, locked=form.cleaned_data["locked"])
    return _agenda_response(request, meeting)


@login_required
@require_POST
def agenda_unpin(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts return the agenda to ordering by votes."""
    meeting = meeting_for_host(request.user, slug, pk)
    agenda_services.agenda_unpin(meeting=meeting)
    return _agenda_response(request, meeting)


@login_required
@require_POST
def agenda_carry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Hosts carry this meeting's parked topics to the next meeting's agenda, in one action."""
    meeting = meeting_for_host(request.user, slug, pk)
    try:
        target, count = agenda_services.agenda_carry_parked(meeting=meeting)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return back(meeting, "agenda")
    messages.success(
        request,
        ngettext(
            "%(count)d parked topic carried to the next meeting.",
            "%(count)d parked topics carried to the next meeting.",
            count,
        )
        % {"count": count},
    )
    return redirect(target.get_absolute_url() + "#agenda")
