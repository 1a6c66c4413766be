"""Circle emails: plain text and HTML, the circle's name leading the subject, absolute links."""

from __future__ import annotations

import pytest
from django.core import mail

from circles import invitation_services, membership_services, tasks
from circles.models import Role, Status
from tests.circles.factories import InvitationFactory
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle():
    return CircleFactory(name="Tuesday Breakfast Thinkers", slug="tbt", join_policy="request")


def assert_well_formed(message, *, subject_start: str, link: str):
    assert message.subject.startswith(subject_start)
    assert message.body.strip()
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f"http://127.0.0.1:8000{link}" in message.body
    assert f'href="http://127.0.0.1:8000{link}' in html


def test_join_request_email_to_every_host(circle, send_mail):
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    cohost = MembershipFactory(circle=circle, role=Role.CO_HOST).user
    MembershipFactory(circle=circle)  # a plain member is not told
    person = UserFactory(display_name="Rae")
    with send_mail():
        membership_services.membership_request(circle=circle, user=person, note="I bake **bread**.")
    [message] = mail.outbox
    assert sorted(message.to) == sorted([host.email, cohost.email])
    assert message.subject == "Tuesday Breakfast Thinkers: Rae asks to join"
    assert_well_formed(
        message, subject_start="Tuesday Breakfast Thinkers", link="/circles/tbt/requests/"
    )
    assert "I bake **bread**." in message.body
    assert "<strong>bread</strong>" in message.alternatives[0][0]


def test_note_html_is_sanitized(circle, send_mail):
    MembershipFactory(circle=circle, role=Role.HOST)
    with send_mail():
        membership_services.membership_request(
            circle=circle, user=UserFactory(), note='<img src=x onerror="alert(1)">hi'
        )
    html = mail.outbox[0].alternatives[0][0]
    assert "<img" not in html  # shown as text, never as markup


def test_approval_and_decline_emails(circle, send_mail):
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    yes = MembershipFactory(circle=circle, status=Status.REQUESTED)
    no = MembershipFactory(circle=circle, status=Status.REQUESTED)
    with send_mail():
        membership_services.membership_approve(membership=yes, approved_by=host)
        membership_services.membership_decline(membership=no)
    approved, declined = mail.outbox
    assert approved.to == [yes.user.email]
    assert approved.subject == "Tuesday Breakfast Thinkers: you're in"
    assert_well_formed(approved, subject_start="Tuesday Breakfast Thinkers", link="/circles/tbt/")
    assert declined.to == [no.user.email]
    assert declined.subject == "Tuesday Breakfast Thinkers: your request was declined"
    assert_well_formed(declined, subject_start="Tuesday Breakfast Thinkers", link="/circles/")


def test_invitation_email(circle, send_mail):
    host = MembershipFactory(circle=circle, role=Role.HOST, user__display_name="Hana").user
    with send_mail():
        invitation = invitation_services.invitation_create(
            circle=circle, invited_by=host, email="friend@example.com", message="Come along!"
        )
    [message] = mail.outbox
    assert message.to == ["friend@example.com"]
    assert message.subject == "Tuesday Breakfast Thinkers: Hana invites you to join"
    assert_well_formed(
        message,
        subject_start="Tuesday Breakfast Thinkers",
        link=f"/circles/invitations/{invitation.token}/",
    )
    assert "Come along!" in message.body
    assert "06:30 (America/Chicago)" in message.body  # the time names its zone


def test_no_mail_before_the_commit(circle, django_capture_on_commit_callbacks):
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        membership_services.membership_request(circle=circle, user=UserFactory())
    assert mail.outbox == []  # queued on commit, not before
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[host.email]]  # once committed, the host hears


def test_tasks_skip_what_no_longer_stands(circle):
    """A task run late (or twice) does not mail about a request already decided."""
    MembershipFactory(circle=circle, role=Role.HOST)
    request = MembershipFactory(circle=circle, status=Status.REQUESTED)
    membership_services.membership_approve(membership=request, approved_by=UserFactory())
    tasks.send_join_request_email(request.pk)
    tasks.send_join_decision_email(request.pk, False)
    revoked = InvitationFactory(circle=circle, revoked_at="2026-01-01T00:00:00Z")
    tasks.send_invitation_email(revoked.pk)
    tasks.send_join_request_email(999999)
    assert mail.outbox == []
