"""Double opt-in introductions: both accept → one email each introducing them; a decline is
told to the introducer only; only the three people involved ever see an introduction."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from conversations import services
from conversations.models import Answer, Introduction, IntroStatus
from tests.conversations.factories import IntroductionFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def create_url(circle) -> str:
    return reverse("conversations:introduction_create", kwargs={"slug": circle.slug})


def answer_url(intro) -> str:
    return reverse(
        "conversations:introduction_answer",
        kwargs={"slug": intro.circle.slug, "intro_id": intro.pk},
    )


def introduce(client, cast, **extra):
    data = {
        "person_a": cast.alice.pk,
        "note_for_a": "Bob priced his first projects last year.",
        "person_b": cast.bob.pk,
        "note_for_b": "Alice is pricing her **first** project.",
        **extra,
    }
    return client.post(create_url(cast.circle), data)


@pytest.fixture
def intro(cast):
    return IntroductionFactory(
        circle=cast.circle,
        introducer=cast.host,
        person_a=cast.alice,
        person_b=cast.bob,
        note_for_a="Note for Alice",
        note_for_b="Note for Bob",
        requests_sent_at="2026-01-01T00:00Z",
    )


def test_introducing_asks_each_of_the_two_by_email(
    cast, as_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = introduce(as_user(cast.host), cast)
    intro = Introduction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == intro.get_absolute_url()
    assert (intro.introducer, intro.person_a, intro.person_b) == (cast.host, cast.alice, cast.bob)
    assert intro.status == IntroStatus.PENDING
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.alice.email, cast.bob.email])
    to_alice = next(m for m in mail.outbox if m.to == [cast.alice.email])
    assert to_alice.subject.startswith("Tuesday Breakfast Thinkers: ")
    assert "introduce you to Bob Helper" in to_alice.subject
    assert "Bob priced his first projects last year." in to_alice.body
    assert "Alice is pricing" not in to_alice.body  # each reads their own note
    assert "http://" in to_alice.body and intro.get_absolute_url() in to_alice.body


def test_both_accept_then_one_email_each_introduces_them(
    cast, as_user, intro, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = as_user(cast.alice).post(answer_url(intro), {"answer": "accept"})
    assert first.status_code == 302
    assert mail.outbox == []  # nothing until both say yes
    intro.refresh_from_db()
    assert intro.answer_a == Answer.ACCEPTED and intro.status == IntroStatus.PENDING
    page = as_user(cast.alice).get(intro.get_absolute_url()).content.decode()
    assert "You accepted. When Bob Helper accepts too, we email you both." in page

    with django_capture_on_commit_callbacks(execute=True):
        as_user(cast.bob).post(answer_url(intro), {"answer": "accept"})
    intro.refresh_from_db()
    assert intro.status == IntroStatus.INTRODUCED and intro.closed_at is not None
    assert len(mail.outbox) == 2
    to_alice = next(m for m in mail.outbox if m.to == [cast.alice.email])
    to_bob = next(m for m in mail.outbox if m.to == [cast.bob.email])
    assert to_alice.subject == "Tuesday Breakfast Thinkers: meet Bob Helper"
    assert to_alice.reply_to == [cast.bob.email] and to_bob.reply_to == [cast.alice.email]
    assert "Note for Alice" in to_alice.body and "Note for Bob" in to_bob.body
    bob_page = reverse(
        "conversations:member", kwargs={"slug": cast.circle.slug, "user_id": cast.bob.pk}
    )
    assert bob_page in to_alice.body and bob_page in to_alice.alternatives[0][0]

    # Answering again changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = as_user(cast.bob).post(answer_url(intro), {"answer": "decline"}, follow=True)
    assert "already closed" in again.content.decode()
    assert len(mail.outbox) == 2


def test_a_decline_is_told_to_the_introducer_only(
    cast, as_user, intro, django_capture_on_commit_callbacks
):
    bob = Client()  # his own browser: his "declined" message is his alone
    bob.force_login(cast.bob)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(cast.alice).post(answer_url(intro), {"answer": "accept"})
        bob.post(answer_url(intro), {"answer": "decline"})
    intro.refresh_from_db()
    assert intro.status == IntroStatus.DECLINED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cast.host.email]
    assert "Bob Helper declined" in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("Tuesday Breakfast Thinkers: ")
    # Alice, who accepted, is not told who declined or that anyone did.
    page = as_user(cast.alice).get(intro.get_absolute_url()).content.decode()
    assert "declined" not in page.lower()
    mine = as_user(cast.alice).get(
        reverse("conversations:member", kwargs={"slug": cast.circle.slug, "user_id": cast.alice.pk})
    )
    assert "declined" not in mine.content.decode().lower()


def test_the_introducer_sees_both_answers(cast, as_user, intro):
    services.introduction_answer(introduction=intro, user=cast.bob, accept=True)
    html = as_user(cast.host).get(intro.get_absolute_url()).content.decode()
    assert "Alice Asker: not answered yet" in html
    assert "Bob Helper: accepted" in html


def test_the_introducer_cannot_answer_for_them(cast, as_user, intro):
    assert as_user(cast.host).post(answer_url(intro), {"answer": "accept"}).status_code == 403
    intro.refresh_from_db()
    assert (intro.answer_a, intro.answer_b) == (Answer.PENDING, Answer.PENDING)


def test_nobody_else_sees_an_introduction(cast, as_user, intro):
    other_member = UserFactory()
    MembershipFactory(circle=cast.circle, user=other_member)
    for person in (other_member, cast.outsider):
        client = as_user(person)
        assert client.get(intro.get_absolute_url()).status_code == 404
        assert client.post(answer_url(intro), {"answer": "accept"}).status_code == 404


def test_a_bad_answer_gets_a_message(cast, as_user, intro):
    response = as_user(cast.alice).post(answer_url(intro), {"answer": "maybe"}, follow=True)
    assert "Choose accept or decline." in response.content.decode()
    intro.refresh_from_db()
    assert intro.answer_a == Answer.PENDING


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"person_b": "alice"}, "Choose two different members."),
        ({"person_a": "host"}, "Choose a member of this circle."),  # not yourself
        ({"person_b": "outsider"}, "Choose a member of this circle."),
        ({"note_for_a": ""}, "Write a short note for the first member"),
    ],
)
def test_introduction_form_errors(cast, as_user, change, message):
    people = {"alice": cast.alice.pk, "host": cast.host.pk, "outsider": cast.outsider.pk}
    data = {key: people.get(value, value) for key, value in change.items()}
    response = introduce(as_user(cast.host), cast, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Introduction.objects.exists()


def test_asking_the_same_two_twice_while_pending_is_refused(cast, as_user):
    client = as_user(cast.host)
    introduce(client, cast)
    response = introduce(client, cast, person_a=cast.bob.pk, person_b=cast.alice.pk)
    assert response.status_code == 200
    assert "You have already asked these two" in response.content.decode()
    assert Introduction.objects.count() == 1


def test_the_service_refuses_people_outside_the_circle(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.introduction_create(
            circle=cast.circle,
            introducer=cast.host,
            person_a=cast.alice,
            person_b=cast.outsider,
            note_for_a="x",
            note_for_b="y",
        )


def test_own_member_page_lists_introductions_made_and_received(cast, as_user, intro):
    IntroductionFactory(
        circle=cast.circle, introducer=cast.alice, person_a=cast.bob, person_b=cast.host
    )

    def page_of(viewer, person):
        url = reverse(
            "conversations:member", kwargs={"slug": cast.circle.slug, "user_id": person.pk}
        )
        return as_user(viewer).get(url).content.decode()

    mine = page_of(cast.alice, cast.alice)
    made = mine[mine.index("Made by you") : mine.index("Made for you")]
    received = mine[mine.index("Made for you") :]
    assert "Bob Helper and " in made
    assert "introduces you to Bob Helper" in received
    # Someone else's page does not list their introductions.
    assert "Made by you" not in page_of(cast.bob, cast.alice)


def test_introduction_pages_queries_are_constant(
    cast, as_user, intro, django_assert_max_num_queries
):
    client = as_user(cast.alice)
    for _ in range(2):
        for _ in range(5):
            person = UserFactory()
            MembershipFactory(circle=cast.circle, user=person)
            IntroductionFactory(
                circle=cast.circle, introducer=cast.alice, person_a=cast.bob, person_b=person
            )
        with django_assert_max_num_queries(6):
            assert client.get(intro.get_absolute_url()).status_code == 200
        with django_assert_max_num_queries(6):  # the form lists the members in one query
            assert client.get(create_url(cast.circle)).status_code == 200
        member = reverse(
            "conversations:member", kwargs={"slug": cast.circle.slug, "user_id": cast.alice.pk}
        )
        with django_assert_max_num_queries(11):
            assert client.get(member).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_both_accepting_at_once_introduces_them_exactly_once(on_postgres, cast, monkeypatch):
    """Two answers racing: the row lock makes the second see the first; one email pair."""
    sent: list[int] = []
    from conversations import tasks

    monkeypatch.setattr(tasks.introduction_send_introduced, "delay", sent.append)
    intro = IntroductionFactory(
        circle=cast.circle, introducer=cast.host, person_a=cast.alice, person_b=cast.bob
    )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def accept(person):
        try:
            barrier.wait()
            services.introduction_answer(introduction=intro, user=person, accept=True)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(p,)) for p in (cast.alice, cast.bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    intro.refresh_from_db()
    assert intro.status == IntroStatus.INTRODUCED
    assert sent == [intro.pk]
