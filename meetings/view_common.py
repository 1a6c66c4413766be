"""What the meeting views share: the page they answer with and how they go back to it.

Every POST on a meeting works as a plain form (redirect back to the meeting
page with a message); with htmx the same view answers with a fragment of the
meeting page (``meetings/detail.html#partial``), built from the same context
(``meetings.views._detail_context``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from meetings.models import Meeting

DETAIL = "meetings/detail.html"


def error_text(error: ValidationError) -> str:
    """A service's refusal as one line for a message or a form's error slot."""
    return " ".join(error.messages)


def back(meeting: Meeting, anchor: str = "") -> HttpResponse:
    """Back to the meeting page, at the part the person was using."""
    return redirect(meeting.get_absolute_url() + (f"#{anchor}" if anchor else ""))
