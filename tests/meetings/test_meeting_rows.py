"""A meeting's row: on the circle page ("Next meetings"), the meetings list, and an RSVP's answer.

The same row shows in three places, and an answer from a row (htmx) comes back
as that one row. These tests hold the row to what the template partial
(``meetings/list.html#meeting-row``) wrote: the same HTML byte for byte, every
value a person typed escaped, the viewer's language and time zone, the answer
buttons only for members and only before the meeting starts, and after an
answer the one row with that answer pressed.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from circles.models import Role
from meetings import rsvp_services, services
from meetings.models import Answer, Rsvp
from tests.factories import CircleFactory, MembershipFactory, UserFactory

from .conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db

# Monday 4 March 2030, 06:00 in Chicago (CST), 13:00 in Berlin (CET).
NOW = dt.datetime(2030, 3, 4, 12, 0, tzinfo=dt.UTC)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEXT = re.compile(r'name="next" value="[^"]*"')


@pytest.fixture(autouse=True)
def frozen():
    """Every test at NOW, so the times on the rows read the same on every run."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def circle():
    return CircleFactory(seat_limit=3, venue_name="The Corner Diner")


@pytest.fixture
def berliner(circle):
    """A member who reads times in Berlin: their rows have a second time line."""
    return add_member(circle, time_zone="Europe/Berlin")


def list_url(circle) -> str:
    return reverse("meetings:list", kwargs={"slug": circle.slug})


def rsvp_url(meeting) -> str:
    return reverse("meetings:rsvp", kwargs={"slug": meeting.circle.slug, "pk": meeting.pk})


def page(client, person, url: str, **headers) -> str:
    client.force_login(person)
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def answer_from_row(client, person, meeting, answer: str, next_url: str = "") -> str:
    """What htmx gets back when ``person`` presses ``answer`` on the meeting's row."""
    client.force_login(person)
    response = client.post(
        rsvp_url(meeting),
        {"answer": answer, "row": "1", "next": next_url},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    return response.content.decode()


def the_token(html: str) -> str:
    """The page's CSRF token: one for the whole page, the rows' forms included."""
    tokens = set(TOKEN.findall(html))
    assert len(tokens) == 1, tokens
    return tokens.pop()


def rows_of(html: str) -> list[str]:
    """Each row as written, from the blank lines before its <li> to the indent after it."""
    return re.findall(r"\n      \n      <li class=\"meeting-item.*?</li>\n      ", html, re.S)


def pressed(row: str) -> list[str]:
    """The answers whose button is pressed in this row."""
    found = re.findall(r'class="([^"]+)" name="answer" value="(\w+)" aria-pressed="(\w+)"', row)
    for classes, _value, is_pressed in found:
        assert ("button-secondary" not in classes) == (is_pressed == "true")
    return [value for _classes, value, is_pressed in found if is_pressed == "true"]


def expected_row(meeting, *, token: str, next_url: str) -> str:
    """The row the partial wrote for ``berliner`` with a maybe, byte for byte."""
    detail = meeting.get_absolute_url()
    rsvp = rsvp_url(meeting)
    button = (
        '                <button type="submit" class="button button-small{}" name="answer"'
        ' value="{}" aria-pressed="{}">{}</button>'
    )
    return "\n".join(
        [
            "",
            "      ",
            f'      <li class="meeting-item card" id="meeting-row-{meeting.pk}">',
            f'        <p class="meeting-when"><a href="{detail}">'
            "Tuesday 5 March 2030, 06:00–07:15 CST (America/Chicago)</a>",
            '          <span class="badge">Extra meeting</span></p>',
            '        <p class="meta">Tuesday 5 March, 13:00 CET your time (Europe/Berlin)</p>',
            "        ",
            '          <p class="meta">Tea &amp; &lt;b&gt;cake&lt;/b&gt; · 2 going · 1 seat left'
            " · 1 maybe</p>",
            "          ",
            '          <p class="meta" aria-live="polite">Your answer: Maybe</p>',
            "          ",
            f'            <form method="post" action="{rsvp}" class="rsvp-buttons"',
            f'                  hx-post="{rsvp}" hx-target="#meeting-row-{meeting.pk}"'
            ' hx-swap="outerHTML" hx-disabled-elt="find button">',
            f'              <input type="hidden" name="csrfmiddlewaretoken" value="{token}">',
            f'              <input type="hidden" name="next" value="{next_url}">',
            '              <input type="hidden" name="row" value="1">',
            "              ",
            button.format(" button-secondary", "going", "false", "Going"),
            "              ",
            button.format("", "maybe", "true", "Maybe"),
            "              ",
            button.format(" button-secondary", "not_going", "false", "Not going"),
            "              ",
            "            </form>",
            "          ",
            "        ",
            "      </li>",
            "      ",
        ]
    )


@pytest.fixture
def extra_meeting(circle, berliner):
    """Tomorrow's extra meeting somewhere else: two going, and the Berliner's maybe."""
    meeting = make_meeting(circle, in_days=1, venue_name="Tea & <b>cake</b>")
    for _ in range(2):
        Rsvp.objects.create(meeting=meeting, user=add_member(circle), answer=Answer.GOING)
    Rsvp.objects.create(meeting=meeting, user=berliner, answer=Answer.MAYBE)
    return meeting


def test_a_row_reads_as_the_partial_wrote_it(client, circle, berliner, extra_meeting):
    url = list_url(circle) + "?from=<home>&x=1"
    html = page(client, berliner, url)
    next_url = list_url(circle) + "?from=%3Chome%3E&amp;x=1"
    assert expected_row(extra_meeting, token=the_token(html), next_url=next_url) in html
    assert len(rows_of(html)) == 1


def test_the_circle_page_the_list_and_an_answer_write_the_same_row(
    client, circle, berliner, extra_meeting
):
    """The same row in the three places, but for where a plain form goes back to."""
    on_list = page(client, berliner, list_url(circle))
    on_circle_page = page(client, berliner, circle.get_absolute_url())
    # The same answer, from the row on the list: the new row goes back to the list too.
    answered = answer_from_row(client, berliner, extra_meeting, "maybe", list_url(circle))
    for html, back_to in (
        (on_list, list_url(circle)),
        (on_circle_page, circle.get_absolute_url()),
        (answered, list_url(circle)),
    ):
        [row] = rows_of(html)
        assert row == expected_row(extra_meeting, token=the_token(html), next_url=back_to)
    assert answered == rows_of(answered)[0]  # the answer is the row and nothing else
    # A "next" off the site is not written into the row.
    elsewhere = answer_from_row(client, berliner, extra_meeting, "maybe", "https://evil.example/")
    assert 'name="next" value=""' in elsewhere


def test_what_a_person_typed_is_escaped(client, circle, berliner):
    circle.venue_name = "Bob's <i>Diner</i> & Grill"
    circle.save()
    make_meeting(circle, in_days=2)  # at the circle's venue
    make_meeting(circle, in_days=3, venue_name='<script>alert("hi")</script>')
    for html in (
        page(client, berliner, list_url(circle) + '?q="><script>x</script>'),
        page(client, berliner, circle.get_absolute_url()),
    ):
        assert "Bob&#x27;s &lt;i&gt;Diner&lt;/i&gt; &amp; Grill · 0 going" in html
        assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; · 0 going" in html
        assert "<script>alert" not in html and "<i>Diner" not in html
        assert '"><script>x' not in html


def test_an_online_circles_rows_say_online_in_the_viewers_language(client):
    circle = CircleFactory(is_online=True, venue_name="", city="")
    make_meeting(circle, in_days=2)
    german = add_member(circle, language="de")
    assert '<p class="meta">Online · 0 dabei' in page(client, german, list_url(circle))
    spanish = add_member(circle, language="es")
    assert '<p class="meta">En línea · 0 van' in page(client, spanish, list_url(circle))


def test_a_german_viewer_reads_the_rows_in_german(client, circle, extra_meeting):
    german = add_member(circle, time_zone="Europe/Berlin", language="de")
    rsvp_services.rsvp_set(meeting=extra_meeting, user=german, answer=Answer.GOING)
    moved = make_meeting(circle, in_days=8, is_one_off=False, series_date=dt.date(2030, 3, 12))
    moved.is_moved = True
    moved.save()
    services.meeting_cancel(meeting=make_meeting(circle, in_days=15))
    for html in (
        page(client, german, list_url(circle)),
        page(client, german, circle.get_absolute_url()),
    ):
        for words in (
            "Dienstag, 5. März 2030, 06:00–07:15 CST (America/Chicago)</a>",
            '<span class="badge">Zusätzliches Treffen</span>',
            "Dienstag, 5. März, 13:00 CET (deine Zeit, Europe/Berlin)",
            "Tea &amp; &lt;b&gt;cake&lt;/b&gt; · 3 dabei · 0 Plätze frei · 1 vielleicht</p>",
            "Deine Antwort: Dabei</p>",
            "Deine Antwort: noch keine</p>",
            '<span class="badge">Verschoben</span>',
            '<strong class="badge badge-cancelled">Abgesagt</strong>',
            'value="going" aria-pressed="true">Dabei</button>',
            'value="maybe" aria-pressed="false">Vielleicht</button>',
            'value="not_going" aria-pressed="false">Nicht dabei</button>',
        ):
            assert words in html, words
        assert "Your answer" not in html and " going" not in html and "seats left" not in html
    one_seat = make_meeting(circle, in_days=22)
    Rsvp.objects.create(meeting=one_seat, user=add_member(circle), answer=Answer.GOING)
    Rsvp.objects.create(meeting=one_seat, user=add_member(circle), answer=Answer.GOING)
    assert "2 dabei · 1 Platz frei</p>" in page(client, german, list_url(circle))


def test_an_answer_from_a_row_comes_back_as_that_row_with_the_answer_pressed(
    client, circle, berliner, extra_meeting
):
    later = make_meeting(circle, in_days=8)
    html = answer_from_row(client, berliner, extra_meeting, "not_going")
    [row] = rows_of(html)
    assert html == row and f'id="meeting-row-{extra_meeting.pk}"' in row
    assert pressed(row) == ["not_going"]
    assert "Your answer: Not going</p>" in row and "2 going · 1 seat left</p>" in row

    html = answer_from_row(client, berliner, extra_meeting, "going")
    assert pressed(html) == ["going"]
    assert "Your answer: Going</p>" in html and "3 going · 0 seats left</p>" in html

    # The seats are taken: "going" waits in line, and the row says so.
    latecomer = add_member(circle)
    html = answer_from_row(client, latecomer, extra_meeting, "going")
    assert pressed(html) == ["going"]
    assert "Your answer: on the waitlist</p>" in html
    assert "3 going · 0 seats left · 1 on the waitlist</p>" in html

    # Another meeting's row is its own: nothing of the first one's answer in it.
    html = answer_from_row(client, berliner, later, "maybe")
    assert f'id="meeting-row-{later.pk}"' in html and pressed(html) == ["maybe"]
    assert Rsvp.objects.get(meeting=later, user=berliner).answer == Answer.MAYBE


def test_a_refused_answer_comes_back_as_the_row_with_why(client, circle, berliner, extra_meeting):
    html = answer_from_row(client, berliner, extra_meeting, "sometimes")
    alert = '<p class="message message-error" role="alert">Choose going, maybe or not going.</p>'
    assert html.count("<li") == 1 and alert in html
    assert pressed(html) == ["maybe"]  # the answer they had stands
    started = make_meeting(circle, in_days=-0.01)
    html = answer_from_row(client, berliner, started, "going")
    assert "This meeting has started; RSVPs are closed." in html
    assert "<form" not in html and "Your answer: not yet" in html


def test_started_and_cancelled_meetings_and_staff_get_no_buttons(client, circle, berliner):
    started = make_meeting(circle, in_days=-0.01)  # not over yet: still listed
    cancelled = make_meeting(circle, in_days=2)
    services.meeting_cancel(meeting=cancelled)
    open_one = make_meeting(circle, in_days=3)
    rows = {
        row_id: row
        for row in rows_of(page(client, berliner, list_url(circle)))
        for row_id in re.findall(r'id="meeting-row-(\d+)"', row)
    }
    assert "<form" not in rows[str(started.pk)] and "Your answer: not yet" in rows[str(started.pk)]
    assert 'class="meeting-item card meeting-cancelled"' in rows[str(cancelled.pk)]
    assert "Your answer" not in rows[str(cancelled.pk)]
    assert "<form" in rows[str(open_one.pk)]
    staff = UserFactory(is_staff=True)
    html = page(client, staff, list_url(circle))
    assert len(rows_of(html)) == 3 and "<form" not in "".join(rows_of(html))
    assert "Your answer: not yet" in html


def test_a_viewer_in_the_circles_zone_gets_one_time_line(client, circle):
    make_meeting(circle, in_days=1)
    chicagoan = add_member(circle)  # the factory's zone is the circle's
    html = page(client, chicagoan, list_url(circle))
    assert "Tuesday 5 March 2030, 06:00–07:15 CST (America/Chicago)" in html
    assert "your time" not in html


def test_the_circle_pages_section_is_for_members_and_staff_only(circle, berliner, extra_meeting):
    template = Template("{% load meetings_tags %}{% circle_upcoming_meetings circle user %}")
    member_html = template.render(Context({"circle": circle, "user": berliner}))
    assert len(rows_of(member_html)) == 1 and "<form" in member_html
    # Without a request (no token, no path) the form has an empty token line and "next".
    assert 'name="csrfmiddlewaretoken"' not in member_html
    assert '<input type="hidden" name="next" value="">' in member_html
    staff = UserFactory(is_staff=True)
    staff_html = template.render(Context({"circle": circle, "user": staff}))
    assert len(rows_of(staff_html)) == 1 and "<form" not in staff_html
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    host_html = template.render(Context({"circle": circle, "user": host}))
    assert reverse("meetings:add", kwargs={"slug": circle.slug}) in host_html
    assert reverse("meetings:add", kwargs={"slug": circle.slug}) not in member_html
    for nobody in (UserFactory(), None):
        assert template.render(Context({"circle": circle, "user": nobody})).strip() == ""
