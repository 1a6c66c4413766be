"""Invitations: by email with a message, single use, 14 days, seats, sponsors, rate limit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from circles import invitation_services, rules
from circles.models import Invitation, Membership, Role, Status
from circles.receivers import INVITATION_SESSION_KEY
from tests.circles.factories import InvitationFactory
from tests.factories import TEST_PASSWORD, CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def link_in(body: str, contains: str) -> str:
    for url in re.findall(r"https?://[^\s<>\"]+", body):
        if contains in url:
            return url
    raise AssertionError(f"no link with {contains!r} in {body}")


@pytest.fixture
def circle_and_host():
    circle = CircleFactory(name="Breakfast Thinkers", join_policy="invite")
    host = MembershipFactory(circle=circle, role=Role.HOST, user__display_name="Hana Host").user
    return circle, host


def invite(client, circle, email="friend@example.com", message="You'd love this table."):
    return client.post(
        reverse("circles:invitations", args=[circle.slug]), {"email": email, "message": message}
    )


# --- sending ------------------------------------------------------------------------------


def test_host_invites_by_email_with_a_personal_message(client, circle_and_host, send_mail):
    circle, host = circle_and_host
    client.force_login(host)
    with send_mail():
        response = invite(client, circle, email="Friend@Example.com")
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "friend@example.com"
    assert invitation.invited_by == host
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=13, hours=23)
    assert invitation.sent_at is not None
    [message] = mail.outbox
    assert message.to == ["friend@example.com"]
    assert message.subject == "Breakfast Thinkers: Hana Host invites you to join"
    assert "You'd love this table." in message.body
    link = link_in(message.body, "/circles/invitations/")
    assert link.startswith("http://") and invitation.token in link
    html = message.alternatives[0][0]
    assert invitation.token in html and "love this table." in html


def test_member_may_invite_only_when_the_circle_allows_it(client, circle_and_host):
    circle, _host = circle_and_host
    member = MembershipFactory(circle=circle).user
    client.force_login(member)
    assert invite(client, circle).status_code == 403
    circle.members_can_invite = True
    circle.save()
    assert invite(client, circle).status_code == 302
    assert Invitation.objects.get().invited_by == member
    # A member sees their own open invitations, without the hosts' controls.
    page = client.get(reverse("circles:invitations", args=[circle.slug])).content.decode()
    assert "friend@example.com" in page and "Revoke" not in page


def test_inviting_an_existing_member_says_so(client, circle_and_host):
    circle, host = circle_and_host
    member = MembershipFactory(circle=circle, user__email="already@example.com").user
    client.force_login(host)
    response = invite(client, circle, email="ALREADY@example.com")
    assert response.status_code == 200
    assert "already@example.com is already a member of Breakfast Thinkers" in (
        response.content.decode()
    )
    assert not Invitation.objects.exists()
    assert member


def test_inviting_the_same_address_twice_resends_one_invitation(circle_and_host):
    circle, host = circle_and_host
    first = invitation_services.invitation_create(
        circle=circle, invited_by=host, email="a@example.com"
    )
    # Sending it again is a resend, so it waits out the resend window (test_invitation_limits).
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        again = invitation_services.invitation_create(
            circle=circle, invited_by=host, email="A@example.com"
        )
    assert first.pk == again.pk
    assert Invitation.objects.count() == 1


def test_bad_email_gets_a_clear_message(client, circle_and_host):
    circle, host = circle_and_host
    client.force_login(host)
    response = invite(client, circle, email="not-an-address")
    assert "Enter a valid email address" in response.content.decode()


def test_invitations_are_rate_limited_per_member(client, circle_and_host, settings):
    circle, host = circle_and_host
    circle.seat_limit = 30
    circle.save()
    for n in range(settings.INVITATIONS_PER_DAY):
        invitation_services.invitation_create(
            circle=circle, invited_by=host, email=f"p{n}@example.com"
        )
    client.force_login(host)
    response = invite(client, circle, email="one-more@example.com")
    assert "the most we allow" in response.content.decode()
    assert Invitation.objects.count() == settings.INVITATIONS_PER_DAY
    # A day later the member may invite again.
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        invitation_services.invitation_create(
            circle=circle, invited_by=host, email="later@example.com"
        )


def test_invites_respect_the_seat_limit(circle_and_host):
    circle, host = circle_and_host
    circle.seat_limit = 3
    circle.save()
    MembershipFactory(circle=circle)  # two of three seats taken
    invitation_services.invitation_create(circle=circle, invited_by=host, email="one@example.com")
    with pytest.raises(rules.CircleFull, match="held by pending invitations"):
        invitation_services.invitation_create(
            circle=circle, invited_by=host, email="two@example.com"
        )
    MembershipFactory(circle=circle)  # now full
    with pytest.raises(rules.CircleFull):
        invitation_services.invitation_create(
            circle=circle, invited_by=host, email="three@example.com"
        )


# --- hosts manage pending invitations -----------------------------------------------------


def test_host_sees_revokes_and_resends(client, circle_and_host, send_mail):
    circle, host = circle_and_host
    keep = InvitationFactory(circle=circle, invited_by=host, email="keep@example.com")
    drop = InvitationFactory(circle=circle, invited_by=host, email="drop@example.com")
    client.force_login(host)
    page = client.get(reverse("circles:invitations", args=[circle.slug])).content.decode()
    assert "keep@example.com" in page and "drop@example.com" in page
    client.post(reverse("circles:invitation_revoke", args=[circle.slug, drop.pk]))
    drop.refresh_from_db()
    assert drop.is_revoked
    client.force_login(UserFactory())
    assert client.get(drop.get_absolute_url()).status_code == 410
    client.force_login(host)
    with send_mail():
        client.post(reverse("circles:invitation_resend", args=[circle.slug, keep.pk]))
    assert [m.to for m in mail.outbox] == [["keep@example.com"]]
    page = client.get(reverse("circles:invitations", args=[circle.slug])).content.decode()
    assert "drop@example.com" not in page


def test_expired_invitation_can_be_resent_with_fresh_days(circle_and_host):
    circle, host = circle_and_host
    old = InvitationFactory(
        circle=circle, invited_by=host, expires_at=timezone.now() - dt.timedelta(days=1)
    )
    invitation_services.invitation_resend(invitation=old, sent_by=host)
    old.refresh_from_db()
    assert old.is_pending


def test_another_circles_invitation_is_404(client, circle_and_host):
    circle, host = circle_and_host
    other = InvitationFactory()
    client.force_login(host)
    url = reverse("circles:invitation_revoke", args=[circle.slug, other.pk])
    assert client.post(url).status_code == 404
    other.refresh_from_db()
    assert not other.is_revoked


# --- accepting ------------------------------------------------------------------------------


def test_signed_in_recipient_joins_with_one_click(client, circle_and_host):
    circle, host = circle_and_host
    friend = UserFactory(display_name="Fran Friend")
    invitation = InvitationFactory(circle=circle, invited_by=host, email=friend.email)
    client.force_login(friend)
    page = client.get(invitation.get_absolute_url())
    assert page.status_code == 200
    assert "Hana Host invites you to Breakfast Thinkers" in page.content.decode()
    assert not Membership.objects.filter(user=friend).exists()  # GET takes no seat
    response = client.post(invitation.get_absolute_url(), follow=True)
    assert "Welcome to Breakfast Thinkers! Hana Host invited you." in response.content.decode()
    membership = Membership.objects.get(user=friend)
    assert membership.status == Status.ACTIVE
    assert membership.invited_by == host
    invitation.refresh_from_db()
    assert invitation.accepted_by == friend


def test_link_is_single_use(client, circle_and_host):
    circle, host = circle_and_host
    invitation = InvitationFactory(circle=circle, invited_by=host)
    first, second = UserFactory(), UserFactory()
    client.force_login(first)
    client.post(invitation.get_absolute_url())
    client.force_login(second)
    response = client.post(invitation.get_absolute_url())
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert not Membership.objects.filter(user=second).exists()
    with pytest.raises(rules.CircleError, match="already been used"):
        invitation_services.invitation_accept(invitation=invitation, user=second)


def test_link_expires_after_14_days(client, circle_and_host):
    circle, host = circle_and_host
    invitation = invitation_services.invitation_create(
        circle=circle, invited_by=host, email="late@example.com"
    )
    late = UserFactory()
    with time_machine.travel(timezone.now() + dt.timedelta(days=14, minutes=1)):
        client.force_login(late)
        response = client.post(invitation.get_absolute_url())
        assert response.status_code == 410
        assert "has expired" in response.content.decode()
    assert not Membership.objects.filter(user=late).exists()
    with time_machine.travel(timezone.now() + dt.timedelta(days=13, hours=23)):
        client.force_login(late)
        client.post(invitation.get_absolute_url())
    assert Membership.objects.get(user=late).status == Status.ACTIVE


def test_unknown_token_is_404(client):
    assert client.get(reverse("circles:invitation", args=["nope"])).status_code == 404


def test_existing_member_following_a_link_is_told_and_link_stays_unused(client, circle_and_host):
    circle, host = circle_and_host
    member = MembershipFactory(circle=circle).user
    invitation = InvitationFactory(circle=circle, invited_by=host, email=member.email)
    client.force_login(member)
    response = client.get(invitation.get_absolute_url(), follow=True)
    assert "You are already a member of Breakfast Thinkers" in response.content.decode()
    invitation.refresh_from_db()
    assert not invitation.is_accepted


def test_invitation_lets_a_removed_person_back_in(circle_and_host):
    circle, host = circle_and_host
    gone = MembershipFactory(circle=circle, status=Status.REMOVED)
    invitation = InvitationFactory(circle=circle, invited_by=host)
    invitation_services.invitation_accept(invitation=invitation, user=gone.user)
    gone.refresh_from_db()
    assert gone.status == Status.ACTIVE and gone.invited_by == host


def test_accepting_into_a_full_circle_explains(client, circle_and_host):
    circle, host = circle_and_host
    circle.seat_limit = 2
    circle.save()
    invitation = InvitationFactory(circle=circle, invited_by=host)
    MembershipFactory(circle=circle)
    client.force_login(UserFactory())
    response = client.post(invitation.get_absolute_url())
    assert response.status_code == 409
    assert "is full" in response.content.decode()


def test_pledge_circle_asks_before_accepting(client, circle_and_host):
    circle, host = circle_and_host
    circle.pledge = "Nothing leaves the table."
    circle.save()
    invitation = InvitationFactory(circle=circle, invited_by=host)
    friend = UserFactory()
    client.force_login(friend)
    response = client.post(invitation.get_absolute_url(), {})
    assert "Please accept the pledge" in response.content.decode()
    assert not Membership.objects.filter(user=friend).exists()
    client.post(invitation.get_absolute_url(), {"accept_pledge": "on"})
    assert Membership.objects.get(user=friend).pledge_accepted_at is not None


def test_signed_out_recipient_signs_in_from_the_link_and_lands_in_the_circle(
    client, circle_and_host
):
    circle, host = circle_and_host
    friend = UserFactory(email="fran@example.com")
    invitation = InvitationFactory(circle=circle, invited_by=host, email=friend.email)
    page = client.get(invitation.get_absolute_url())
    html = page.content.decode()
    assert "Sign up and join" in html
    assert client.session[INVITATION_SESSION_KEY] == invitation.token
    login_path = re.search(r'href="(/accounts/login/[^"]+)"', html).group(1).replace("&amp;", "&")
    response = client.post(login_path, {"login": friend.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    membership = Membership.objects.get(user=friend, circle=circle)
    assert membership.status == Status.ACTIVE and membership.invited_by == host
    assert client.get(circle.get_absolute_url()).status_code == 200


def test_signed_out_recipient_signs_up_from_the_link_and_lands_in_the_circle(
    client, circle_and_host
):
    """Journey 8: sign up from the link, confirm the email, and be in the circle."""
    circle, host = circle_and_host
    invitation = InvitationFactory(circle=circle, invited_by=host, email="newbie@example.com")
    html = client.get(invitation.get_absolute_url()).content.decode()
    signup = re.search(r'href="(/accounts/signup/[^"]+)"', html).group(1).replace("&amp;", "&")
    password = "a quiet table by the window"
    client.post(
        signup,
        {
            "email": "newbie@example.com",
            "display_name": "Nia Newbie",
            "password1": password,
            "password2": password,
        },
    )
    confirm = link_in(mail.outbox[-1].body, "/accounts/confirm-email/")
    client.post(path_of(confirm))
    membership = Membership.objects.get(user__email="newbie@example.com", circle=circle)
    assert membership.status == Status.ACTIVE
    assert membership.invited_by == host
    page = client.get(circle.get_absolute_url()).content.decode()
    assert "Nia Newbie" in page and "sponsored by Hana Host" in page


def test_invitations_page_queries_do_not_grow(
    client, circle_and_host, django_assert_max_num_queries
):
    circle, host = circle_and_host
    circle.seat_limit = 30
    circle.save()
    InvitationFactory.create_batch(12, circle=circle, invited_by=host)
    client.force_login(host)
    # session, user, circle, membership (access), membership (inviter), invitations+senders
    with django_assert_max_num_queries(6):
        response = client.get(reverse("circles:invitations", args=[circle.slug]))
    assert response.content.decode().count('id="invitation-') == 12


def test_invitation_page_queries_do_not_grow(
    client, circle_and_host, django_assert_max_num_queries
):
    circle, host = circle_and_host
    MembershipFactory.create_batch(10, circle=circle)
    invitation = InvitationFactory(circle=circle, invited_by=host)
    # signed out: the invitation with its circle and sender, then the new session's
    # save (an existence check and the insert, in a savepoint)
    with django_assert_max_num_queries(5):
        assert client.get(invitation.get_absolute_url()).status_code == 200
    client.logout()  # forget the remembered token, or signing in would accept it
    client.force_login(UserFactory())
    # session, user, the invitation, the membership check
    with django_assert_max_num_queries(4):
        assert client.get(invitation.get_absolute_url()).status_code == 200
