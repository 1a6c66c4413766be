"""Invitations are emailed at most once an hour each, and each host resends a few a day.

The counts live in the shared cache (Redis in CI), so every web process refuses alike:
tests/test_scale_out.py resends through one process and is refused by the other.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from circles import invitation_services
from circles.models import Role
from tests.circles.factories import InvitationFactory
from tests.circles.test_invitations import invite
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# 15:02:30 UTC, 09:02 in Chicago (CST). The resend window counts in 5-minute buckets,
# so an invitation emailed now may be emailed again from 16:05 UTC (10:05 in Chicago).
NOW = dt.datetime(2030, 3, 5, 15, 2, 30, tzinfo=dt.UTC)
FREE_AGAIN = dt.datetime(2030, 3, 5, 16, 5, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def circle_and_host():
    circle = CircleFactory(name="Breakfast Thinkers", join_policy="invite", seat_limit=15)
    host = MembershipFactory(
        circle=circle, role=Role.HOST, user__display_name="Hana Host"
    ).user  # time zone America/Chicago
    return circle, host


def resend(client, invitation, *, follow=True):
    url = reverse("circles:invitation_resend", args=[invitation.circle.slug, invitation.pk])
    return client.post(url, follow=follow)


def recipients() -> list[str]:
    return [address for message in mail.outbox for address in message.to]


def test_a_second_resend_within_the_hour_is_refused_and_sends_nothing(
    client, circle_and_host, send_mail
):
    circle, host = circle_and_host
    invitation = InvitationFactory(circle=circle, invited_by=host, email="stranger@example.com")
    client.force_login(host)
    with send_mail():
        first = resend(client, invitation)
    assert "The invitation to stranger@example.com was sent again." in first.content.decode()
    invitation.refresh_from_db()
    expires = invitation.expires_at
    with send_mail():
        for _ in range(5):  # the outsider sent 37 in 10 s
            refused = resend(client, invitation, follow=False)
            assert refused.status_code == 302
    assert recipients() == ["stranger@example.com"]
    invitation.refresh_from_db()
    assert invitation.expires_at == expires  # a refused resend changes nothing


def test_the_host_is_told_when_they_may_resend_in_their_own_time(
    client, circle_and_host, send_mail
):
    circle, host = circle_and_host
    waiting = InvitationFactory(circle=circle, invited_by=host, email="stranger@example.com")
    other = InvitationFactory(circle=circle, invited_by=host, email="other@example.com")
    client.force_login(host)
    with send_mail():
        resend(client, waiting)
        response = resend(client, waiting)
    assert response.redirect_chain == [(reverse("circles:invitations", args=[circle.slug]), 302)]
    page = response.content.decode()
    assert (
        "stranger@example.com was sent this invitation a short while ago. So that nobody gets "
        "a flood of email, you can send it again after 10:05 America/Chicago."
    ) in page
    # The page shows when instead of a Resend button that would be refused; others keep it.
    row = page.split(f'id="invitation-{waiting.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Sent — you can resend after 10:05 America/Chicago" in row
    assert "Resend</button>" not in row
    other_row = page.split(f'id="invitation-{other.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Resend</button>" in other_row
    assert recipients() == ["stranger@example.com"]


def test_a_resend_is_allowed_again_once_the_window_has_passed(circle_and_host, send_mail, _clock):
    circle, host = circle_and_host
    invitation = InvitationFactory(circle=circle, invited_by=host)
    with send_mail():
        invitation_services.invitation_resend(invitation=invitation, sent_by=host)
    _clock.move_to(FREE_AGAIN - dt.timedelta(seconds=1))
    with pytest.raises(invitation_services.InvitationLimited) as refused:
        invitation_services.invitation_resend(invitation=invitation, sent_by=host)
    assert refused.value.retry_at == FREE_AGAIN
    _clock.move_to(FREE_AGAIN)
    with send_mail():
        invitation_services.invitation_resend(invitation=invitation, sent_by=host)
    assert len(mail.outbox) == 2


def test_the_first_email_starts_the_window(client, circle_and_host, send_mail):
    circle, host = circle_and_host
    client.force_login(host)
    with send_mail():
        invite(client, circle, email="stranger@example.com", message="Join us.")
    [invitation] = circle.invitations.all()
    with send_mail():
        response = resend(client, invitation)
    assert "you can send it again after 10:05 America/Chicago" in response.content.decode()
    assert recipients() == ["stranger@example.com"]


def test_inviting_a_pending_address_again_is_a_resend_too(client, circle_and_host, send_mail):
    """The invite form re-sends a pending invitation to the same address: the same limits."""
    circle, host = circle_and_host
    client.force_login(host)
    with send_mail():
        invite(client, circle, email="stranger@example.com", message="Join us.")
        for _ in range(3):
            again = invite(client, circle, email="Stranger@example.com", message="Again!")
            assert again.status_code == 200  # the form, with the reason
    assert "you can send it again after 10:05 America/Chicago" in again.content.decode()
    assert recipients() == ["stranger@example.com"]
    assert circle.invitations.get().message == "Join us."


def test_each_host_resends_only_so_many_a_day_across_invitations_and_circles(
    client, circle_and_host, send_mail, settings, _clock
):
    settings.INVITATION_RESENDS_PER_DAY = 3
    circle, host = circle_and_host
    elsewhere = CircleFactory(join_policy="invite")
    MembershipFactory(circle=elsewhere, user=host, role=Role.HOST)
    invitations = [
        *InvitationFactory.create_batch(2, circle=circle, invited_by=host),
        InvitationFactory(circle=elsewhere, invited_by=host),
    ]
    last = InvitationFactory(circle=circle, invited_by=host, email="fourth@example.com")
    client.force_login(host)
    with send_mail():
        for invitation in invitations:
            resend(client, invitation)
        response = resend(client, last)
    assert (
        "You have sent invitations again 3 times in the last 24 hours, the most we allow. "
        "You can resend after 6 Mar, 10:00 America/Chicago."  # when 15:00's hour has left
    ) in response.content.decode()
    assert len(mail.outbox) == 3 and "fourth@example.com" not in recipients()
    # The refusal did not use up the fourth invitation's window: it goes out tomorrow.
    _clock.move_to(dt.datetime(2030, 3, 6, 16, 0, tzinfo=dt.UTC))
    with send_mail():
        response = resend(client, last)
    assert "The invitation to fourth@example.com was sent again." in response.content.decode()
    assert recipients()[-1] == "fourth@example.com"


def test_the_daily_cap_is_per_host(client, circle_and_host, send_mail, settings):
    settings.INVITATION_RESENDS_PER_DAY = 1
    circle, host = circle_and_host
    cohost = MembershipFactory(circle=circle, role=Role.CO_HOST).user
    first, second = InvitationFactory.create_batch(2, circle=circle, invited_by=host)
    client.force_login(host)
    with send_mail():
        resend(client, first)
        resend(client, second)  # refused: the host's one for today is used
        client.force_login(cohost)
        resend(client, second)
    assert recipients() == [first.email, second.email]


def test_outsiders_get_404_and_members_403_without_an_email(client, circle_and_host, send_mail):
    circle, host = circle_and_host
    invitation = InvitationFactory(circle=circle, invited_by=host)
    member = MembershipFactory(circle=circle).user
    with send_mail():
        client.force_login(UserFactory())
        assert resend(client, invitation, follow=False).status_code == 404
        client.force_login(member)
        assert resend(client, invitation, follow=False).status_code == 403
        client.logout()
        assert resend(client, invitation, follow=False).status_code == 302  # to sign in
    assert mail.outbox == []
    # Nor did they use up the invitation's window: the host may still resend it.
    invitation_services.invitation_resend(invitation=invitation, sent_by=host)


def test_the_invitations_page_shows_each_wait_in_a_fixed_number_of_queries(
    client, circle_and_host, django_assert_max_num_queries, send_mail
):
    circle, host = circle_and_host
    invitations = InvitationFactory.create_batch(12, circle=circle, invited_by=host)
    with send_mail():
        for invitation in invitations[:6]:
            invitation_services.invitation_resend(invitation=invitation, sent_by=host)
    client.force_login(host)
    # session, user, circle, membership (access), membership (inviter), invitations+senders
    with django_assert_max_num_queries(6):
        page = client.get(reverse("circles:invitations", args=[circle.slug])).content.decode()
    assert page.count("Sent — you can resend after") == 6
    assert page.count("Resend</button>") == 6
