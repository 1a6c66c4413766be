"""members.User: email is the login, unique whatever its case; a display name for others."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from members.models import User, user_display
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_custom_user_is_the_user_model():
    assert get_user_model() is User
    assert User.USERNAME_FIELD == "email"
    assert User.EMAIL_FIELD == "email"
    assert User.REQUIRED_FIELDS == []
    assert not hasattr(User, "username") or User.username is None  # no username column
    assert "username" not in {f.name for f in User._meta.get_fields()}


@pytest.mark.real_passwords
def test_create_user_lowercases_the_address_and_hashes_the_password():
    user = User.objects.create_user("Ana.Ruiz@Example.COM", "a quiet table", display_name="Ana")
    user.refresh_from_db()
    assert user.email == "ana.ruiz@example.com"
    assert user.password.startswith("argon2$")
    assert user.check_password("a quiet table")
    assert not user.is_staff and not user.is_superuser and user.is_active
    assert user.time_zone == "UTC"


def test_create_user_needs_an_email():
    with pytest.raises(ValueError, match="email address"):
        User.objects.create_user("", "x")


def test_create_superuser():
    admin = User.objects.create_superuser("boss@example.com", "a quiet table")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password("a quiet table")


def test_email_is_the_login():
    user = UserFactory(email="ana@example.com")
    assert authenticate(username="ana@example.com", password=TEST_PASSWORD) == user
    assert authenticate(username="ana@example.com", password="wrong") is None


def test_same_address_in_another_case_is_rejected_by_the_database():
    UserFactory(email="foo@example.com")
    # Bypass the manager's lowercasing: the named constraint alone must refuse it.
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        User.objects.bulk_create([User(email="FOO@example.com", display_name="Other")])
    assert "members_user_email_ci_unique" in str(raised.value)
    assert User.objects.filter(email__iexact="foo@example.com").count() == 1


def test_the_case_insensitive_constraint_is_named():
    names = {c.name for c in User._meta.constraints}
    assert "members_user_email_ci_unique" in names


def test_full_clean_lowercases_and_reports_a_taken_address():
    UserFactory(email="foo@example.com")
    other = User(email="FOO@Example.com", display_name="Other")
    other.set_password("a quiet table")
    with pytest.raises(ValidationError) as raised:
        other.full_clean()
    assert "email" in raised.value.message_dict or "__all__" in raised.value.message_dict
    assert other.email == "foo@example.com"


def test_name_falls_back_to_the_mailbox():
    assert UserFactory.build(display_name="Ana Ruiz").name == "Ana Ruiz"
    nameless = UserFactory.build(email="quiet.one@example.com", display_name="")
    assert nameless.name == "quiet.one"
    assert str(nameless) == "quiet.one@example.com"
    assert nameless.get_short_name() == nameless.get_full_name() == "quiet.one"
    assert user_display(nameless) == "quiet.one"


def test_time_zone_must_be_a_real_iana_zone():
    user = UserFactory.build(time_zone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError) as raised:
        user.full_clean(exclude=["password"])
    assert "time_zone" in raised.value.message_dict
    UserFactory.build(time_zone="Europe/Berlin").full_clean(exclude=["password", "email"])


def test_ordering_is_by_display_name():
    UserFactory(display_name="Zoe")
    UserFactory(display_name="Ana")
    assert list(User.objects.values_list("display_name", flat=True)) == ["Ana", "Zoe"]


def _fields(user: User) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_get_by_pk_reads_the_same_person_the_orm_reads():
    """The signed-in person's read (User.objects.get(pk=...)) is compiled once per process."""
    ana = UserFactory(display_name="Ana", time_zone="Europe/Madrid", language="es")
    bo = UserFactory(display_name="Bo")
    for person in (ana, bo):
        got = User.objects.get(pk=person.pk)
        expected = User.objects.filter(pk=person.pk).order_by().get()
        assert type(got) is User
        assert _fields(got) == _fields(expected)
        assert got._state.db == "default" and not got._state.adding
        assert got.last_login == expected.last_login  # aware datetimes, as the ORM gives
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=max(ana.pk, bo.pk) + 1000)


def test_every_other_get_takes_the_orms_way():
    ana = UserFactory(display_name="Ana")
    assert User.objects.get(email=ana.email) == ana
    assert User.objects.get(pk=str(ana.pk)) == ana  # not an int: the ORM converts it
    assert User.objects.db_manager("default").get(pk=ana.pk) == ana
    with pytest.raises(User.MultipleObjectsReturned):
        UserFactory(display_name="Ana")
        User.objects.get(display_name="Ana")


def test_a_signed_in_request_reads_the_person_with_the_compiled_query(client):
    ana = UserFactory(display_name="Ana")
    client.force_login(ana)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.wsgi_request.user == ana
    person_reads = [q["sql"] for q in captured if 'FROM "members_user"' in q["sql"]]
    assert len(person_reads) == 1
    assert person_reads[0].startswith('SELECT "members_user"."id" AS "id"')  # values, compiled
