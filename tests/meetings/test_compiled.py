"""Queries compiled once per process (config/compiled.py) and the meeting page that runs them.

The SQL is kept from the first call; these tests check that each call still
reads its own values' rows, converted as the ORM would (aware datetimes on
SQLite too), and that the page's compiled reads never show one circle's or
person's rows to another.
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import DataError, connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.compiled import CompiledQuery, prepares
from meetings import agenda_services, record_services, rsvp_services
from meetings.models import Answer, Meeting, Rsvp
from tests.factories import make_circle_with_host

from .conftest import add_member, make_meeting

pytestmark = pytest.mark.django_db

MARK = -(2**62) + 99


def test_each_call_reads_its_own_values_rows_from_sql_built_once(circle, meeting, member):
    other_meeting = make_meeting(circle, in_days=14)
    other = add_member(circle)
    rsvp_services.rsvp_set(meeting=meeting, user=member, answer=Answer.GOING)
    rsvp_services.rsvp_set(meeting=other_meeting, user=other, answer=Answer.MAYBE)
    built = []

    def build(meeting_id: int) -> QuerySet:
        built.append(meeting_id)
        return Rsvp.objects.filter(meeting_id=meeting_id).values_list(
            "user_id", "answer", "updated_at"
        )

    query = CompiledQuery(build, meeting_id=MARK)
    first = query.rows(meeting_id=meeting.pk)
    second = query.rows(meeting_id=other_meeting.pk)
    assert [tuple(row[:2]) for row in first] == [(member.pk, "going")]
    assert [tuple(row[:2]) for row in second] == [(other.pk, "maybe")]
    assert query.rows(meeting_id=0) == []
    # Converted as the ORM converts them: an aware datetime on every database.
    updated_at = first[0][2]
    assert isinstance(updated_at, dt.datetime)
    assert updated_at == Rsvp.objects.get(meeting=meeting).updated_at
    assert built == [MARK]  # built and compiled once


def test_a_datetime_marker_takes_each_calls_moment(circle, meeting):
    """ "Now" as a marker: SQLite takes a datetime as text, PostgreSQL as it is; both swap."""
    later = make_meeting(circle, in_days=14)
    then = dt.datetime(1901, 1, 1, tzinfo=dt.UTC)
    query = CompiledQuery(
        lambda circle_id, now: (
            Meeting.objects.filter(circle_id=circle_id, starts_at__gt=now)
            .order_by("starts_at")
            .values_list("pk", flat=True)
        ),
        circle_id=MARK,
        now=then,
    )
    assert [row[0] for row in query.rows(circle_id=circle.pk, now=timezone.now())] == [
        meeting.pk,
        later.pk,
    ]
    in_ten_days = timezone.now() + dt.timedelta(days=10)
    assert [row[0] for row in query.rows(circle_id=circle.pk, now=in_ten_days)] == [later.pk]


def test_a_marker_that_does_not_reach_the_sql_as_a_parameter_fails_loudly():
    query = CompiledQuery(lambda meeting_id: Rsvp.objects.values_list("pk"), meeting_id=MARK)
    with pytest.raises(ValueError, match="meeting_id"):
        query.rows(meeting_id=1)


def test_a_paged_query_takes_each_pages_limit_and_offset(circle):
    """One SQL for every page (the directory's): LIMIT and OFFSET are parameters."""
    later = [make_meeting(circle, in_days=7 * n) for n in (1, 2, 3, 4, 5)]
    built = []

    def build(circle_id: int) -> QuerySet:
        built.append(circle_id)
        return Meeting.objects.filter(circle_id=circle_id).order_by("starts_at").values_list("pk")

    query = CompiledQuery(build, paged=True, circle_id=MARK)
    ids = [m.pk for m in Meeting.objects.filter(circle=circle).order_by("starts_at")]
    assert set(ids) >= {m.pk for m in later}
    pages = [query.rows(circle_id=circle.pk, limit=2, offset=n) for n in range(0, len(ids), 2)]
    assert [row[0] for page in pages for row in page] == ids
    assert [len(page) for page in pages][:-1] == [2] * (len(pages) - 1)
    assert query.rows(circle_id=circle.pk, limit=2, offset=len(ids)) == []
    assert built == [MARK]


@pytest.mark.parametrize("shape", ["sliced", "unordered"])
def test_a_paged_query_must_be_ordered_and_unsliced(shape):
    ordered = Rsvp.objects.order_by("pk").values_list("pk")
    queryset = ordered[:5] if shape == "sliced" else Rsvp.objects.order_by().values_list("pk")
    with pytest.raises(ValueError, match="ordered and without a slice"):
        CompiledQuery(lambda: queryset, paged=True).rows(limit=1)


def test_the_compiled_page_reads_keep_circles_and_people_apart(client, circle, meeting, member):
    """The same process serves two circles: each reads its own meeting, role, RSVPs and topics."""
    other_circle, other_host = make_circle_with_host()
    other_meeting = make_meeting(other_circle)
    agenda_services.topic_propose(meeting=meeting, user=member, title="Pricing for agencies")
    rsvp_services.rsvp_set(meeting=meeting, user=member, answer=Answer.GOING)
    previous = make_meeting(other_circle, in_days=-7)
    record_services.commitment_set(meeting=previous, user=other_host, text="Call the bank")
    topic = agenda_services.topic_propose(
        meeting=other_meeting, user=other_host, title="Hiring a first PM"
    )
    agenda_services.topic_vote(topic=topic, user=other_host)

    client.force_login(member)
    mine = client.get(meeting.get_absolute_url()).content.decode()
    assert "Pricing for agencies" in mine
    assert "Hiring a first PM" not in mine
    assert "Call the bank" not in mine
    # A member of one circle asking for another's meeting: the compiled check says no.
    assert client.get(other_meeting.get_absolute_url()).status_code == 404
    # A meeting id under the wrong circle's slug is no meeting either.
    wrong = other_meeting.get_absolute_url().replace(other_circle.slug, circle.slug)
    assert client.get(wrong).status_code == 404

    client.force_login(other_host)
    theirs = client.get(other_meeting.get_absolute_url()).content.decode()
    assert "Hiring a first PM" in theirs
    assert "Pricing for agencies" not in theirs
    assert "Call the bank" in theirs
    assert 'value="unvote"' in theirs  # their own vote, read with their id
    assert 'name="direction" value="up"' in theirs  # their role: host
    assert f"<li>{member.name}</li>" not in theirs


def test_names_and_commitments_written_in_python_are_escaped(client, circle, meeting, member):
    eve = add_member(circle, display_name="<b>Eve</b>")
    rsvp_services.rsvp_set(meeting=meeting, user=eve, answer=Answer.MAYBE)
    previous = make_meeting(circle, in_days=-7)
    record_services.commitment_set(meeting=previous, user=eve, text="Ship <img src=x>")
    client.force_login(member)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "<li>&lt;b&gt;Eve&lt;/b&gt;</li>" in html
    assert "<li><strong>&lt;b&gt;Eve&lt;/b&gt;</strong>: Ship &lt;img src=x&gt;</li>" in html
    assert "<b>Eve</b>" not in html


@pytest.fixture
def on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (set DATABASE_URL)")


def _prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def _meeting_circle_query() -> CompiledQuery:
    return CompiledQuery(
        lambda meeting_id: Meeting.objects.filter(pk=meeting_id).values_list("pk", "circle_id"),
        meeting_id=MARK,
    )


def test_on_postgresql_a_compiled_query_is_prepared_once_per_connection(
    on_postgresql, circle, meeting
):
    """PostgreSQL parses and plans the SQL once; each call after binds its own values."""
    assert prepares(connection)
    query = _meeting_circle_query()
    before = _prepared_statements()
    assert [tuple(row) for row in query.rows(meeting_id=meeting.pk)] == [(meeting.pk, circle.pk)]
    (statement,) = _prepared_statements() - before
    assert 'FROM "meetings_meeting"' in statement
    assert "$1" in statement  # the value is bound on the server, not written in
    other = make_meeting(make_circle_with_host()[0], in_days=3)
    assert [tuple(row) for row in query.rows(meeting_id=other.pk)] == [(other.pk, other.circle_id)]
    assert _prepared_statements() - before == {statement}  # not prepared again
    assert query.rows(meeting_id=0) == []


def test_with_prepared_statements_off_the_query_runs_unprepared(
    on_postgresql, meeting, monkeypatch
):
    """DB_PREPARED_STATEMENTS=0 (a pooler that does not keep them): Django's cursor, as before."""
    monkeypatch.delitem(connection.settings_dict["OPTIONS"], "prepare_threshold")
    assert not prepares(connection)
    before = _prepared_statements()
    assert _meeting_circle_query().rows(meeting_id=meeting.pk)[0][0] == meeting.pk
    assert _prepared_statements() == before


def test_a_prepared_query_is_counted_and_logged_with_its_values(meeting):
    """Query budgets count it, and the logged SQL has the values, like the ORM's queries."""
    query = _meeting_circle_query()
    with CaptureQueriesContext(connection) as captured:
        query.rows(meeting_id=meeting.pk)
        query.rows(meeting_id=meeting.pk)
    assert len(captured) == 2
    assert all(f"= {meeting.pk}" in entry["sql"] for entry in captured)


@pytest.fixture
def usable_checks(monkeypatch) -> list[bool]:
    """What each of the connection's own health checks (``SELECT 1``) answered."""
    answers: list[bool] = []
    is_usable = connection.is_usable

    def counted() -> bool:
        answers.append(is_usable())
        return answers[-1]

    monkeypatch.setattr(connection, "is_usable", counted)
    return answers


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_requests_first_compiled_read_is_its_health_check(on_postgresql, usable_checks):
    """No ``SELECT 1`` before it: the read goes first, on the kept connection."""
    circle, _ = make_circle_with_host()
    meeting = make_meeting(circle, in_days=7)
    pid = _backend_pid()
    assert connection.health_check_enabled
    connection.close_if_unusable_or_obsolete()  # as each request starts: the check is due
    assert not connection.health_check_done
    rows = _meeting_circle_query().rows(meeting_id=meeting.pk)
    assert [tuple(row) for row in rows] == [(meeting.pk, circle.pk)]
    assert connection.health_check_done  # the read was the check: Django sends no SELECT 1
    assert usable_checks == []
    assert _backend_pid() == pid


@pytest.mark.django_db(transaction=True)
def test_a_connection_gone_since_the_last_request_is_replaced_and_the_read_sent_again(
    on_postgresql, usable_checks
):
    circle, _ = make_circle_with_host()
    meeting = make_meeting(circle, in_days=7)
    pid = _backend_pid()
    params = connection.get_connection_params() | {"autocommit": True}
    with psycopg.connect(**params) as admin:  # the server drops the test's connection
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.close_if_unusable_or_obsolete()
    rows = _meeting_circle_query().rows(meeting_id=meeting.pk)
    assert [tuple(row) for row in rows] == [(meeting.pk, circle.pk)]
    assert usable_checks == [False]  # the read failed, the check said why
    assert _backend_pid() != pid  # a new connection, healthy until the next request


@pytest.mark.django_db(transaction=True)
def test_a_read_that_fails_on_a_healthy_connection_fails_as_it_is(on_postgresql, usable_checks):
    pid = _backend_pid()
    connection.close_if_unusable_or_obsolete()
    with pytest.raises(DataError):
        _meeting_circle_query().rows(meeting_id="not a number")
    assert usable_checks == [True]  # checked, found healthy: the error is the query's
    assert _backend_pid() == pid


def test_inside_a_transaction_django_checks_the_connection_first(
    on_postgresql, meeting, usable_checks
):
    """A read inside a transaction is never sent twice: Django's own check runs before it."""
    assert connection.in_atomic_block  # the test's transaction
    connection.health_check_done = False
    _meeting_circle_query().rows(meeting_id=meeting.pk)
    assert usable_checks == [True]
