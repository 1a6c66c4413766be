"""Every email in its recipient's language: subject, text and HTML, the times and the .ics.

A member's own language (members.User.language) decides; someone without one gets the
site's default, English; an invited friend without an account reads the inviter's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from circles import invitation_services, membership_services
from circles.models import Role, Status
from conversations.models import Kind, Post
from meetings import services as meeting_services
from meetings.models import Answer, Rsvp
from notifications import sending
from tests.factories import MembershipFactory, UserFactory
from tests.notifications.conftest import T0, add_member, html_of, make_table, only_email_to

pytestmark = pytest.mark.django_db

DUE = T0 + dt.timedelta(hours=6)


@pytest.fixture
def send_mail(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def table(clock):
    """Tuesday 3 March 2026, 10:00 CST in Chicago: an English, a German and a Spanish member."""
    table = make_table(members=0, name="Tuesday Breakfast Thinkers", time_zone="America/Chicago")
    greta = add_member(table.circle, display_name="Greta", time_zone="Europe/Berlin", language="de")
    lucia = add_member(table.circle, display_name="Lucía", language="es")
    Rsvp.objects.create(meeting=table.meeting, user=greta, answer=Answer.GOING)
    table.members += [greta, lucia]
    return table


def test_a_german_members_reminder_is_in_german(table, clock):
    clock.move_to(DUE)
    sending.reminders_sweep()
    greta = table.members[0]
    message = only_email_to(greta)
    assert message.subject == (
        "Tuesday Breakfast Thinkers: Erinnerung für Dienstag, 3. März, 10:00 CST"
    )
    html = html_of(message)
    for part in (message.body, html):
        assert "Hallo Greta," in part
        assert "Tuesday Breakfast Thinkers trifft sich bald" in part
        assert "Dienstag, 3. März 2026, 10:00–11:15 CST (America/Chicago)" in part
        assert "Dienstag, 3. März, 17:00 CET (deine Zeit, Europe/Berlin)" in part
        assert "Bisher dabei (1)" in part and "Dabei." in part
        assert "Noch hat niemand ein Thema vorgeschlagen." in part
        for english in ("Hello", "meets soon", "Your answer", "Tuesday 3 March", "your time"):
            assert english not in part
    assert message.body.count("Dabei: http") == 1  # the one-click links' labels
    assert ">Vielleicht</a>" in html and ">Nicht dabei</a>" in html
    assert '<html lang="de">' in html
    assert "Erinnerungen abbestellen" in html
    [(_name, ics, _mimetype)] = message.attachments
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["DESCRIPTION"]).startswith("Treffen von Tuesday Breakfast Thinkers.")


def test_one_sweep_writes_each_member_in_their_own_language(table, clock):
    clock.move_to(DUE)
    sending.reminders_sweep()
    host, (greta, lucia) = table.host, table.members
    assert only_email_to(host).subject == (
        "Tuesday Breakfast Thinkers: reminder for Tuesday 3 March, 10:00 CST"
    )
    assert "Hello" in only_email_to(host).body
    assert "Erinnerung" in only_email_to(greta).subject
    spanish = only_email_to(lucia)
    assert spanish.subject == (
        "Tuesday Breakfast Thinkers: recordatorio para el martes 3 de marzo, 10:00 CST"
    )
    assert "Hola, Lucía:" in spanish.body and "Hola, Lucía:" in html_of(spanish)
    assert "martes 3 de marzo de 2026, 10:00–11:15 CST (America/Chicago)" in spanish.body
    assert "Todavía no has respondido." in spanish.body


def test_a_german_members_digest_is_in_german(clock):
    table = make_table(members=0, name="Founders Table")
    greta = add_member(table.circle, display_name="Greta", language="de")
    asker = add_member(table.circle)
    Post.objects.create(circle=table.circle, author=asker, kind=Kind.ASK, title="Pricing help")
    clock.move_to(T0 + dt.timedelta(hours=3))  # Monday, 07:00 in Chicago
    sending.digests_sweep()
    message = only_email_to(greta)
    assert message.subject == "Founders Table: deine Woche"
    html = html_of(message)
    for part in (message.body, html):
        assert "Deine Woche in Founders Table" in part
        assert "Anfrage: " in part and "Pricing help" in part
        assert "Offene Anfragen und Angebote der letzten Woche" in part
    assert "Wochenübersicht abbestellen" in html


def test_meeting_emails_follow_each_members_language(table, send_mail):
    greta, lucia = table.members
    with send_mail():
        meeting_services.meeting_cancel(meeting=table.meeting)
    assert only_email_to(greta).subject == (
        "Tuesday Breakfast Thinkers: das Treffen am Dienstag, 3. März fällt aus"
    )
    assert "ist abgesagt" in only_email_to(greta).body
    assert only_email_to(lucia).subject == (
        "Tuesday Breakfast Thinkers: la reunión del martes 3 de marzo se cancela"
    )
    assert "está <strong>cancelada</strong>" in html_of(only_email_to(lucia))
    assert only_email_to(table.host).subject.endswith("is cancelled")


def test_join_requests_reach_each_host_in_their_language(send_mail):
    table = make_table(members=0, name="Tuesday Breakfast Thinkers", join_policy="request")
    cohost = add_member(table.circle, role=Role.CO_HOST, language="de")
    other = add_member(table.circle, role=Role.CO_HOST)
    with send_mail():
        membership_services.membership_request(
            circle=table.circle, user=UserFactory(display_name="Rae"), note=""
        )
    english, german = sorted(mail.outbox, key=lambda m: m.subject)
    assert sorted(english.to) == sorted([table.host.email, other.email])
    assert english.subject == "Tuesday Breakfast Thinkers: Rae asks to join"
    assert german.to == [cohost.email]
    assert german.subject == "Tuesday Breakfast Thinkers: Rae möchte beitreten"
    assert "Anfrage annehmen oder ablehnen" in html_of(german)


def test_a_spanish_members_invitation_is_in_spanish(send_mail):
    table = make_table(members=0, name="Tuesday Breakfast Thinkers")
    lucia = add_member(table.circle, display_name="Lucía", language="es")
    with send_mail():
        invitation_services.invitation_create(
            circle=table.circle, invited_by=lucia, email="amiga@example.com", message="¡Ven!"
        )
    [message] = mail.outbox
    assert message.to == ["amiga@example.com"]
    assert message.subject == "Tuesday Breakfast Thinkers: Lucía te invita a unirte"
    html = html_of(message)
    for part in (message.body, html):
        assert "te invita a unirte a" in part and "¡Ven!" in part
        assert "se reúne cada semana el martes a las 06:30 (America/Chicago)" in part
        assert "Acepta la invitación" in part or "Aceptar la invitación" in part
    assert '<html lang="es">' in html


def test_an_invitee_with_an_account_reads_their_own_language(send_mail):
    table = make_table(members=0, name="Tuesday Breakfast Thinkers")
    friend = UserFactory(email="greta@example.com", language="de")
    with send_mail():
        invitation_services.invitation_create(
            circle=table.circle, invited_by=table.host, email=friend.email, message=""
        )
    [message] = mail.outbox
    assert message.subject.endswith("lädt dich ein")


def test_an_approved_member_is_told_in_their_language(send_mail):
    table = make_table(members=0, name="Tuesday Breakfast Thinkers", join_policy="request")
    waiting = MembershipFactory(circle=table.circle, status=Status.REQUESTED, user__language="es")
    with send_mail():
        membership_services.membership_approve(membership=waiting, approved_by=table.host)
    [message] = mail.outbox
    assert message.subject == "Tuesday Breakfast Thinkers: ya formas parte"
    assert "¡Te damos la bienvenida a Tuesday Breakfast Thinkers!" in message.body


def test_account_emails_follow_the_accounts_language(client):
    """allauth's own emails (here: reset your password) come from its catalogs, in the
    language of the account they are about, whatever the browser asking for them says."""
    greta = UserFactory(email="greta@example.com", language="de")
    client.post(
        reverse("account_reset_password"),
        {"email": greta.email},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    [message] = mail.outbox
    assert "Passwort" in message.subject
    assert "Passwort" in message.body
