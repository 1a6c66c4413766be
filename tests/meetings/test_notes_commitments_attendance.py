"""After a meeting: host notes (sanitized markdown), one commitment per member, attendance."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings.models import Attendance, Commitment

from .conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db


def url(name: str, meeting) -> str:
    return reverse(f"meetings:{name}", kwargs={"slug": meeting.circle.slug, "pk": meeting.pk})


@pytest.fixture
def past(circle):
    return make_meeting(circle, in_days=-1)


def test_the_host_writes_notes_shown_as_sanitized_markdown(client, host, member, past):
    client.force_login(host)
    response = client.post(
        url("notes", past),
        {"notes": "## Decided\n\n- **Ana** tries the new pricing\n\n<script>alert(1)</script>"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == past.get_absolute_url() + "#notes"
    client.force_login(member)
    html = client.get(past.get_absolute_url()).content.decode()
    assert "<h3>Decided</h3>" in html  # the sanitizer shifts headings below the page title
    assert "<strong>Ana</strong> tries the new pricing" in html
    assert "<script>alert(1)" not in html
    assert "Save notes" not in html  # members read them; only hosts write


def test_members_cannot_write_notes(client, member, past):
    client.force_login(member)
    assert client.post(url("notes", past), {"notes": "mine now"}).status_code == 403
    past.refresh_from_db()
    assert past.notes == ""


def test_notes_that_are_too_long_get_a_clear_error(client, host, past):
    client.force_login(host)
    response = client.post(url("notes", past), {"notes": "x" * 10001})
    assert response.status_code == 400
    assert "Ensure this value has at most 10000 characters" in response.content.decode()


def test_one_commitment_per_member_shown_on_the_next_meetings_page(client, circle, member, past):
    following = make_meeting(circle, in_days=6)
    other = add_member(circle, display_name="Bea")
    client.force_login(member)
    client.post(url("commitment", past), {"text": "Call two customers"})
    client.post(url("commitment", past), {"text": "Call three customers"})
    client.force_login(other)
    client.post(url("commitment", past), {"text": "Draft the hiring plan"})

    assert Commitment.objects.filter(meeting=past).count() == 2
    assert Commitment.objects.get(user=member).text == "Call three customers"
    html = client.get(following.get_absolute_url()).content.decode()
    assert "Last time&#x27;s commitments" in html or "Last time's commitments" in html
    assert f"<strong>{member.name}</strong>: Call three customers" in html
    assert "<strong>Bea</strong>: Draft the hiring plan" in html


def test_an_empty_commitment_removes_it(client, member, past):
    client.force_login(member)
    client.post(url("commitment", past), {"text": "Call two customers"})
    client.post(url("commitment", past), {"text": ""})
    assert not Commitment.objects.exists()


def test_commitments_wait_until_the_meeting_has_taken_place(client, meeting, member):
    client.force_login(member)
    response = client.post(url("commitment", meeting), {"text": "Too early"}, follow=True)
    assert "once the meeting has taken place" in response.content.decode()
    assert not Commitment.objects.exists()


def test_a_commitment_longer_than_280_characters_is_refused(client, member, past):
    client.force_login(member)
    response = client.post(url("commitment", past), {"text": "x" * 281})
    assert response.status_code == 400
    assert "at most 280 characters" in response.content.decode()


def test_the_host_marks_attendance(client, host, member, past):
    client.force_login(host)
    html = client.get(past.get_absolute_url()).content.decode()
    assert "Attendance" in html and member.name in html
    client.post(url("attendance", past), {"user": member.pk, "attended": "1"})
    client.post(url("attendance", past), {"user": host.pk, "attended": "0"})
    client.post(url("attendance", past), {"user": member.pk, "attended": "0"})
    client.post(url("attendance", past), {"user": member.pk, "attended": "1"})
    assert dict(Attendance.objects.values_list("user", "attended")) == {
        member.pk: True,
        host.pk: False,
    }


def test_attendance_is_for_members_by_hosts_after_the_start(client, circle, host, member, meeting):
    from tests.factories import UserFactory

    stranger = UserFactory()
    past = make_meeting(circle, in_days=-1)
    client.force_login(host)
    response = client.post(
        url("attendance", past), {"user": stranger.pk, "attended": "1"}, follow=True
    )
    assert "not a member of this circle" in response.content.decode()
    response = client.post(
        url("attendance", meeting), {"user": member.pk, "attended": "1"}, follow=True
    )
    assert "once the meeting has started" in response.content.decode()
    client.force_login(member)
    assert (
        client.post(url("attendance", past), {"user": member.pk, "attended": "1"}).status_code
        == 403
    )
    assert not Attendance.objects.exists()
