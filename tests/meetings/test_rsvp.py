"""RSVPs: going / maybe / not going, seats up to the circle's limit, a waitlist in arrival order."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import rsvp_services, services
from meetings.models import Answer, Rsvp
from tests.factories import CircleFactory

from .conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db


def rsvp_url(meeting) -> str:
    return reverse("meetings:rsvp", kwargs={"slug": meeting.circle.slug, "pk": meeting.pk})


@pytest.fixture
def small_circle():
    return CircleFactory(seat_limit=2)


def test_going_takes_a_seat_until_the_seats_are_taken_then_waits_in_arrival_order(small_circle):
    meeting = make_meeting(small_circle)
    people = [add_member(small_circle) for _ in range(5)]
    results = [rsvp_services.rsvp_set(meeting=meeting, user=p, answer=Answer.GOING) for p in people]
    assert [r.waitlisted for r in results] == [False, False, True, True, True]
    assert meeting.rsvps.seated().count() == 2
    assert [r.user for r in meeting.rsvps.waitlist()] == people[2:]


def test_when_a_seated_person_drops_out_the_first_in_line_is_promoted_and_emailed(
    small_circle, django_capture_on_commit_callbacks
):
    meeting = make_meeting(small_circle)
    first, second, third, fourth = (add_member(small_circle) for _ in range(4))
    for person in (first, second, third, fourth):
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)

    with django_capture_on_commit_callbacks(execute=True):
        rsvp_services.rsvp_set(meeting=meeting, user=first, answer=Answer.NOT_GOING)

    assert set(meeting.rsvps.seated().values_list("user", flat=True)) == {second.pk, third.pk}
    assert [r.user for r in meeting.rsvps.waitlist()] == [fourth]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [third.email]
    assert message.subject.startswith(f"{small_circle.name}: a seat opened up")
    assert meeting.get_absolute_url() in message.body
    assert "America/Chicago" in message.body
    assert "text/html" in message.alternatives[0][1]


def test_changing_a_seat_to_maybe_also_promotes(small_circle, django_capture_on_commit_callbacks):
    meeting = make_meeting(small_circle)
    a, b, c = (add_member(small_circle) for _ in range(3))
    for person in (a, b, c):
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_services.rsvp_set(meeting=meeting, user=b, answer=Answer.MAYBE)
    assert Rsvp.objects.get(meeting=meeting, user=c).waitlisted is False
    assert [m.to for m in mail.outbox] == [[c.email]]


def test_leaving_the_waitlist_promotes_nobody_and_sends_nothing(
    small_circle, django_capture_on_commit_callbacks
):
    meeting = make_meeting(small_circle)
    people = [add_member(small_circle) for _ in range(4)]
    for person in people:
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_services.rsvp_set(meeting=meeting, user=people[2], answer=Answer.NOT_GOING)
    assert [r.user for r in meeting.rsvps.waitlist()] == [people[3]]
    assert meeting.rsvps.seated().count() == 2
    assert mail.outbox == []


def test_saying_going_again_keeps_the_place_in_line(small_circle):
    meeting = make_meeting(small_circle)
    people = [add_member(small_circle) for _ in range(4)]
    for person in people:
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)
    rsvp_services.rsvp_set(meeting=meeting, user=people[2], answer=Answer.GOING)
    assert [r.user for r in meeting.rsvps.waitlist()] == people[2:]


def test_a_waitlisted_person_who_says_going_again_after_maybe_goes_to_the_back(small_circle):
    meeting = make_meeting(small_circle)
    people = [add_member(small_circle) for _ in range(4)]
    for person in people:
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)
    rsvp_services.rsvp_set(meeting=meeting, user=people[2], answer=Answer.MAYBE)
    rsvp_services.rsvp_set(meeting=meeting, user=people[2], answer=Answer.GOING)
    assert [r.user for r in meeting.rsvps.waitlist()] == [people[3], people[2]]


def test_cancelled_and_started_meetings_refuse_answers(circle, member):
    started = make_meeting(circle, in_days=-0.01)
    with pytest.raises(ValidationError, match="started"):
        rsvp_services.rsvp_set(meeting=started, user=member, answer=Answer.GOING)
    cancelled = make_meeting(circle)
    services.meeting_cancel(meeting=cancelled)
    with pytest.raises(ValidationError, match="cancelled"):
        rsvp_services.rsvp_set(meeting=cancelled, user=member, answer=Answer.GOING)
    assert not Rsvp.objects.exists()


def test_plain_form_post_records_the_answer_and_redirects_with_a_message(client, meeting, member):
    client.force_login(member)
    response = client.post(rsvp_url(meeting), {"answer": "maybe"}, follow=True)
    assert response.redirect_chain[-1][0] == meeting.get_absolute_url() + "#rsvp-panel"
    assert Rsvp.objects.get(meeting=meeting, user=member).answer == Answer.MAYBE
    assert "Your answer: Maybe." in response.content.decode()


def test_the_waitlist_is_explained_to_the_person_on_it(client, member):
    circle = member.memberships.get().circle
    circle.seat_limit = 2
    circle.save()
    meeting = make_meeting(circle)
    for _ in range(2):
        rsvp_services.rsvp_set(meeting=meeting, user=add_member(circle), answer=Answer.GOING)
    client.force_login(member)
    page = client.post(rsvp_url(meeting), {"answer": "going"}, follow=True).content.decode()
    assert "you are on the waitlist" in page
    assert "You are on the waitlist (number 1)" in page


def test_a_next_url_on_this_site_is_followed_and_another_site_is_not(client, meeting, member):
    client.force_login(member)
    circle_url = meeting.circle.get_absolute_url()
    response = client.post(rsvp_url(meeting), {"answer": "going", "next": circle_url})
    assert response.url == circle_url
    response = client.post(rsvp_url(meeting), {"answer": "going", "next": "https://evil.example/"})
    assert response.url == meeting.get_absolute_url() + "#rsvp-panel"


def test_a_bad_answer_gets_a_clear_message_not_a_500(client, meeting, member):
    client.force_login(member)
    response = client.post(rsvp_url(meeting), {"answer": "definitely"}, follow=True)
    assert response.status_code == 200
    assert "Choose going, maybe or not going." in response.content.decode()
    assert not Rsvp.objects.exists()


def test_answering_a_cancelled_meeting_explains_why(client, meeting, member):
    services.meeting_cancel(meeting=meeting)
    client.force_login(member)
    response = client.post(rsvp_url(meeting), {"answer": "going"}, follow=True)
    assert "This meeting was cancelled." in response.content.decode()
    assert not Rsvp.objects.exists()


def test_htmx_answer_returns_the_panel_and_out_of_band_counts(client, meeting, member):
    client.force_login(member)
    response = client.post(rsvp_url(meeting), {"answer": "going"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="rsvp-panel"' in html
    assert "You answered: <strong>Going</strong>" in html
    # The counts show twice on the page (header and list): both swap out of band.
    assert 'aria-labelledby="attendees-title" hx-swap-oob="true"' in html
    assert (
        'id="seat-summary" class="meta seat-summary" hx-swap-oob="true">1 going · 11 of 12' in html
    )
    assert member.name in html


def test_htmx_errors_come_back_inside_the_panel(client, meeting, member):
    services.meeting_cancel(meeting=meeting)
    client.force_login(member)
    response = client.post(rsvp_url(meeting), {"answer": "going"}, HTTP_HX_REQUEST="true")
    assert 'role="alert">This meeting was cancelled.' in response.content.decode()


def test_members_can_answer_for_any_upcoming_meeting_from_the_list(client, circle, member):
    meetings = [make_meeting(circle, in_days=7 * week) for week in range(1, 7)]
    client.force_login(member)
    list_url = reverse("meetings:list", kwargs={"slug": circle.slug})
    page = client.get(list_url).content.decode()
    assert page.count('name="answer" value="going"') == 6
    client.post(rsvp_url(meetings[5]), {"answer": "going", "next": list_url})
    assert Rsvp.objects.get(user=member).meeting == meetings[5]
    assert "Your answer: Going" in client.get(list_url).content.decode()


def test_get_never_changes_an_answer(client, meeting, member):
    client.force_login(member)
    assert client.get(rsvp_url(meeting), {"answer": "going"}).status_code == 405
    assert not Rsvp.objects.exists()


def test_staff_who_are_not_members_may_look_but_not_answer(client, meeting):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client.post(rsvp_url(meeting), {"answer": "going"}).status_code == 403
    assert not Rsvp.objects.exists()


def test_raising_the_seat_limit_seats_the_waitlist_in_order(
    small_circle, django_capture_on_commit_callbacks
):
    meeting = make_meeting(small_circle)
    people = [add_member(small_circle) for _ in range(5)]
    for person in people:
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)
    small_circle.seat_limit = 4
    small_circle.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert rsvp_services.meetings_seat_limit_changed(circle=small_circle) == 2
    assert [r.user for r in meeting.rsvps.waitlist()] == [people[4]]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people[2].email, people[3].email])


def test_a_member_who_leaves_gives_their_seat_to_the_first_in_line(
    small_circle, django_capture_on_commit_callbacks
):
    past = make_meeting(small_circle, in_days=-7)
    meeting = make_meeting(small_circle)
    leaver, stayer, waiting = (add_member(small_circle) for _ in range(3))
    Rsvp.objects.create(meeting=past, user=leaver, answer=Answer.GOING)
    for person in (leaver, stayer, waiting):
        rsvp_services.rsvp_set(meeting=meeting, user=person, answer=Answer.GOING)
    with django_capture_on_commit_callbacks(execute=True):
        assert rsvp_services.rsvps_release_for_departed(circle=small_circle, user=leaver) == 1
    assert set(meeting.rsvps.seated().values_list("user", flat=True)) == {stayer.pk, waiting.pk}
    assert Rsvp.objects.filter(meeting=past, user=leaver).exists()  # the record stays
    assert [m.to for m in mail.outbox] == [[waiting.email]]


def test_htmx_answer_from_a_list_row_returns_just_that_row(client, circle, member):
    meetings = [make_meeting(circle, in_days=7 * week) for week in (1, 2)]
    rsvp_services.rsvp_set(meeting=meetings[1], user=add_member(circle), answer=Answer.GOING)
    client.force_login(member)
    response = client.post(
        rsvp_url(meetings[1]), {"answer": "going", "row": "1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.strip().startswith(
        f'<li class="meeting-item card" id="meeting-row-{meetings[1].pk}"'
    )
    assert html.count('class="meeting-item') == 1
    assert "2 going · 10 seats left" in html
    assert "Your answer: Going" in html
    assert 'hx-target="#meeting-row-' in html and 'name="row" value="1"' in html
