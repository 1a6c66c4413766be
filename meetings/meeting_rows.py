"""A circle's meetings as rows: read through compiled queries, written once, in Python.

One row says when a meeting is (in the circle's zone, and the viewer's when it
differs), where, how many are going, maybe and waiting, the viewer's answer and
their answer buttons. It shows in three places, all written by ``write``:

- the circle page's "Next meetings" (meetings_tags.circle_upcoming_meetings);
- the meetings list page (schedule_views.meeting_list);
- the htmx answer to an RSVP from a row, which replaces just that row
  (schedule_views.meeting_rsvp).

The reads (``upcoming`` and ``one``) are ORM queries compiled to SQL once per
process (config/compiled.py) and read as tuples of just what a row shows: the
meetings with their counts and the viewer's own answer, in one SELECT. The rows
used to be a template partial, at about half a millisecond a row
(docs/PERFORMANCE.md, "Circle page, uncached"); here every value from the
database or the request is escaped as it is written in, the fixed words are
translated once per process and language, the time lines kept per meeting
time, zone and language, and the links reversed once per process
(config/urlshapes.py).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from html import escape  # django.utils.html.escape without its lazy-string wrapper
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from config.compiled import CompiledQuery
from config.forms import csrf_input
from config.urlshapes import ID_MARKS, SLUG_MARK, UrlShapes
from meetings import timefmt
from meetings.models import Answer, Meeting, MeetingStatus, Rsvp, place_name_of

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from circles.models import Circle

# What a row shows, in this order (``write`` unpacks it).
_COLUMNS = (
    "pk", "starts_at", "ends_at", "status", "is_one_off", "is_moved", "venue_name",
    "going_count", "maybe_count", "waitlist_count", "viewer_answer", "viewer_waitlisted",
)  # fmt: skip

# Marker values compiled into the SQL in place of each request's own (config/compiled.py).
_CIRCLE_ID = -(2**62) + 31
_USER_ID = -(2**62) + 32
_MEETING_ID = -(2**62) + 33
_NOW = dt.datetime(1901, 1, 1, 0, 0, 31, tzinfo=dt.UTC)


def _with_viewer(meetings: QuerySet[Meeting], user_id: int) -> QuerySet:
    """The meetings with their counts and this person's own answer, as a row's columns."""
    mine = Rsvp.objects.filter(meeting=OuterRef("pk"), user_id=user_id).order_by()
    return (
        meetings.with_counts()
        .annotate(
            viewer_answer=Subquery(mine.values("answer")[:1]),
            viewer_waitlisted=Subquery(mine.values("waitlisted")[:1]),
        )
        .values_list(*_COLUMNS)
    )


def _upcoming_query(circle_id: int, user_id: int, now: dt.datetime, *, limit: int | None):
    meetings = Meeting.objects.filter(circle_id=circle_id).upcoming(now)
    rows = _with_viewer(meetings, user_id).order_by("starts_at", "pk")
    return rows[:limit] if limit is not None else rows


@lru_cache(maxsize=8)
def _upcoming(limit: int | None) -> CompiledQuery:
    """The query for this many meetings (None: all), compiled once per process."""
    return CompiledQuery(
        lambda circle_id, user_id, now: _upcoming_query(circle_id, user_id, now, limit=limit),
        circle_id=_CIRCLE_ID,
        user_id=_USER_ID,
        now=_NOW,
    )


_ONE = CompiledQuery(
    lambda meeting_id, user_id: _with_viewer(
        Meeting.objects.filter(pk=meeting_id), user_id
    ).order_by(),
    meeting_id=_MEETING_ID,
    user_id=_USER_ID,
)


def upcoming(circle: Circle, user, *, limit: int | None = None) -> list:
    """The circle's meetings that have not ended, soonest first, with ``user``'s answers."""
    return _upcoming(limit).rows(circle_id=circle.pk, user_id=user.pk, now=timezone.now())


def one(meeting: Meeting, user) -> list:
    """This meeting's row (a list of one) with ``user``'s answer, whether or not it has ended."""
    return _ONE.rows(meeting_id=meeting.pk, user_id=user.pk)


# The links a row and the circle page's section show, reversed once per process; a
# row swaps its meeting's id in for the "meeting" marker.
_URLS = UrlShapes(
    lambda slug, meeting: {
        "detail": reverse("meetings:detail", kwargs={"slug": slug, "pk": meeting}),
        "rsvp": reverse("meetings:rsvp", kwargs={"slug": slug, "pk": meeting}),
        "list": reverse("meetings:list", kwargs={"slug": slug}),
        "add": reverse("meetings:add", kwargs={"slug": slug}),
        "calendar": reverse("calendar:settings"),
    },
    slug=SLUG_MARK,
    meeting=ID_MARKS[1],
)


def urls(circle: Circle) -> dict[str, str]:
    """The circle's meetings links (``list``, ``add``, ``calendar``), and the rows' shapes."""
    return _URLS.urls(slug=circle.slug)


@lru_cache(maxsize=1024)
def _yours(start: dt.datetime, zone: ZoneInfo, viewer_zone: str | None, language: str | None):
    """timefmt.viewer_when as the row's line, or '' when the viewer's clock reads the same."""
    line = timefmt.viewer_when(start, zone, viewer_zone)
    return f'<p class="meta">{escape(line)}</p>' if line else ""


# One meeting, written out as the template partial it replaces wrote it, whitespace
# and all, so the three pages read as they did byte for byte
# (tests/meetings/test_meeting_rows.py).
_ROW = (
    '\n      \n      <li class="meeting-item card{cancelled}" id="meeting-row-{pk}">'
    '\n        <p class="meeting-when"><a href="{url}">{when}</a>'
    "\n          {badge}</p>"
    "\n        {yours}"
    "\n        {body}"
    "\n      </li>\n      "
)
# What a meeting that is not cancelled adds: where, the counts, the viewer's answer.
_BODY = (
    '\n          <p class="meta">{place} · {going} · {seats}{maybe}{waitlist}</p>'
    "\n          {error}"
    '\n          <p class="meta" aria-live="polite">{your_answer} {answer}</p>'
    "\n          {form}"
    "\n        "
)
_FORM = (
    '\n            <form method="post" action="{url}" class="rsvp-buttons"'
    '\n                  hx-post="{url}" hx-target="#meeting-row-{pk}" hx-swap="outerHTML"'
    ' hx-disabled-elt="find button">'
    "\n              {csrf}"
    '\n              <input type="hidden" name="next" value="{next}">'
    '\n              <input type="hidden" name="row" value="1">'
    "\n              {buttons}"
    "\n            </form>"
    "\n          "
)
_BUTTON = (
    '\n                <button type="submit" class="button button-small{secondary}"'
    ' name="answer" value="{value}" aria-pressed="{pressed}">{label}</button>'
    "\n              "
)
_ERROR = '<p class="message message-error" role="alert">{}</p>'


@lru_cache(maxsize=16)
def _labels(language: str | None) -> dict[str, Any]:
    """The rows' fixed words, translated and escaped: kept per process and language."""
    answers = [(value, escape(str(label))) for value, label in Answer.choices]
    return {
        "cancelled": '<strong class="badge badge-cancelled">{}</strong>'.format(
            escape(gettext("Cancelled"))
        ),
        "moved": '<span class="badge">{}</span>'.format(escape(gettext("Moved"))),
        "one_off": '<span class="badge">{}</span>'.format(escape(gettext("Extra meeting"))),
        "your_answer": escape(gettext("Your answer:")),
        "on_the_waitlist": escape(gettext("on the waitlist")),
        "not_yet": escape(gettext("not yet")),
        "answers": answers,
        "answer_labels": dict(answers),
    }


@lru_cache(maxsize=512)
def _count(kind: str, number: int, language: str | None) -> str:
    """'3 going', '1 seat left', '2 maybe', '1 on the waitlist', escaped, per language."""
    if kind == "seats":
        text = ngettext("%(count)s seat left", "%(count)s seats left", number)
    elif kind == "going":
        text = gettext("%(count)s going")
    elif kind == "maybe":
        text = gettext("%(count)s maybe")
    else:
        text = gettext("%(count)s on the waitlist")
    return escape(text % {"count": number})


def write(
    rows: list, *, circle: Circle, user, is_member: bool, csrf_token: Any, next_url: str,
    error: str = "",
) -> list[SafeString]:  # fmt: skip
    """Each meeting's <li>, from ``upcoming`` or ``one``'s rows.

    ``is_member``: the viewer may answer (staff who are not members see the answers,
    not the buttons). ``csrf_token`` as the template context has it (the page's token,
    or None where there is no request), ``next_url`` where a plain form goes back to,
    ``error`` a refused answer's message for the row.
    """
    if not rows:
        return []
    language = translation.get_language()
    zone = circle.zone
    viewer_zone = getattr(user, "time_zone", None)
    now = timezone.now()
    shapes = urls(circle)
    marker = _URLS.markers["meeting"]
    detail_url, rsvp_url = escape(shapes["detail"]), escape(shapes["rsvp"])
    labels = _labels(language)
    error_html = _ERROR.format(escape(str(error))) if error else ""
    csrf = csrf_input(csrf_token)
    next_value = escape(next_url)
    buttons: dict[Any, str] = {}  # one set per answer the viewer gave

    def answer_buttons(my_answer: str | None) -> str:
        if my_answer not in buttons:
            buttons[my_answer] = "".join(
                _BUTTON.format(
                    secondary="" if value == my_answer else " button-secondary",
                    value=escape(value),
                    pressed="true" if value == my_answer else "false",
                    label=label,
                )
                for value, label in labels["answers"]
            )
        return buttons[my_answer]

    written = []
    for (pk, starts_at, ends_at, status, is_one_off, is_moved, venue_name, going, maybe,
         waitlist, my_answer, my_waitlisted) in rows:  # fmt: skip
        meeting_id = str(pk)
        cancelled = status == MeetingStatus.CANCELLED
        if cancelled:
            badge = labels["cancelled"]
        elif is_moved:
            badge = labels["moved"]
        elif is_one_off:
            badge = labels["one_off"]
        else:
            badge = ""
        body = ""
        if not cancelled:
            if my_waitlisted:
                answer = labels["on_the_waitlist"]
            elif my_answer:
                answer = labels["answer_labels"].get(my_answer, "")
            else:
                answer = labels["not_yet"]
            form = ""
            if is_member and starts_at > now:  # open for answers: not started, not cancelled
                form = _FORM.format(
                    url=rsvp_url.replace(marker, meeting_id),
                    pk=meeting_id,
                    csrf=csrf,
                    next=next_value,
                    buttons=answer_buttons(my_answer),
                )
            body = _BODY.format(
                place=escape(place_name_of(venue_name, circle)),
                going=_count("going", going, language),
                seats=_count("seats", max(circle.seat_limit - going, 0), language),
                maybe=" · " + _count("maybe", maybe, language) if maybe else "",
                waitlist=" · " + _count("waitlist", waitlist, language) if waitlist else "",
                error=error_html,
                your_answer=labels["your_answer"],
                answer=answer,
                form=form,
            )
        row = _ROW.format(
            cancelled=" meeting-cancelled" if cancelled else "",
            pk=meeting_id,
            url=detail_url.replace(marker, meeting_id),
            when=escape(timefmt.when_kept(starts_at, ends_at, zone)),
            badge=badge,
            yours=_yours(starts_at, zone, viewer_zone, language),
            body=body,
        )
        written.append(mark_safe(row))  # noqa: S308 - every value escaped above
    return written
