"""The staff admin: every model registered and useful, lists in fixed queries, actions logged."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles.models import Circle
from conversations.models import Post, Reply
from members.models import User
from moderation import services
from moderation.models import ActionKind, Flag, ModerationAction, Reason
from tests.conversations.factories import PostFactory, ReplyFactory
from tests.factories import CircleFactory, MembershipFactory, UserFactory
from tests.members.factories import ProfileFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {"members", "circles", "meetings", "conversations", "notifications", "moderation"}
# Django's and allauth's own bookkeeping tables that staff have no use for in a list.
NOT_FOR_STAFF = {
    "admin.LogEntry",
    "auth.Permission",
    "contenttypes.ContentType",
    "sessions.Session",
    "account.EmailConfirmation",
}


@pytest.fixture
def staff(client):
    user = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def demo_data():
    call_command("seed_demo", stdout=StringIO())
    circle = Circle.objects.order_by("pk").first()
    member = UserFactory()
    MembershipFactory(circle=circle, user=member)
    post = Post.objects.filter(circle=circle).first() or PostFactory(circle=circle)
    services.flag_create(item=post, flagged_by=member, reason=Reason.SELLING)
    reply = Reply.objects.filter(post__circle=circle).exclude(author=member).first()
    if reply is not None:
        services.flag_create(item=reply, flagged_by=member, reason=Reason.SPAM)
    return circle


def our_models():
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


def test_every_model_of_every_app_is_registered():
    missing = [
        m._meta.label
        for m in apps.get_models()
        if m not in site._registry and m._meta.label not in NOT_FOR_STAFF
    ]
    assert missing == []


def test_every_list_is_searchable_and_filterable_with_audit_dates_read_only():
    problems = []
    for model in our_models():
        model_admin = site._registry.get(model)
        if model_admin is None:
            continue
        label = model._meta.label
        if len(model_admin.list_display) < 2:
            problems.append(f"{label}: list_display shows too little")
        if not model_admin.search_fields:
            problems.append(f"{label}: no search_fields")
        names = {f.name for f in model._meta.get_fields()}
        audit = {"created_at", "updated_at"} & names
        readonly = set(model_admin.get_readonly_fields(_request()))
        for field_name in audit:
            field = model._meta.get_field(field_name)
            # auto_now fields are not editable at all; other audit dates must be read-only.
            if field.editable and field_name not in readonly:
                problems.append(f"{label}: {field_name} is editable")
    assert problems == [], "\n".join(problems)


def _request():
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = User(is_staff=True, is_superuser=True)
    return request


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_every_changelist_and_change_page_renders(client, staff, demo_data):
    for model, model_admin in site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        response = client.get(reverse(f"{prefix}_changelist"))
        assert response.status_code == 200, model._meta.label
        obj = model_admin.get_queryset(_request()).first()
        if obj is not None:
            response = client.get(reverse(f"{prefix}_change", args=[obj.pk]))
            assert response.status_code == 200, model._meta.label


def test_changelist_queries_do_not_grow_with_the_rows_shown(client, staff, demo_data, monkeypatch):
    """One row or a hundred on the page: the same number of queries (no query per row)."""
    growing = {}
    for model, model_admin in site._registry.items():
        if model._meta.app_label not in OUR_APPS | {"account", "mfa", "auth"}:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        monkeypatch.setattr(model_admin, "list_per_page", 1)
        one = _count(client, url)
        monkeypatch.setattr(model_admin, "list_per_page", 100)
        many = _count(client, url)
        # The first page may also read the signed-in person, who is then in the cache.
        if many > one:
            growing[model._meta.label] = (one, many)
    assert growing == {}


def test_the_main_lists_run_fixed_queries_with_100_rows(
    client, staff, django_assert_max_num_queries
):
    circle = CircleFactory()
    for _ in range(100):
        person = ProfileFactory().user
        MembershipFactory(circle=circle, user=person)
        post = PostFactory(circle=circle, author=person)
        reply = ReplyFactory(post=post, author=staff)
        services.flag_create(item=reply, flagged_by=person, reason=Reason.SPAM)
        services.item_hide(item=post, by=staff, reason="test")
    budgets = {
        "members_user": 12,
        "members_profile": 12,
        "circles_membership": 12,
        "conversations_post": 12,
        "conversations_reply": 12,
        "moderation_flag": 12,
        "moderation_moderationaction": 12,
    }
    for name, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200


def test_the_open_flags_queue_is_the_first_thing_on_the_admin_index(client, staff, demo_data):
    html = client.get(reverse("admin:index")).content.decode()
    assert 'id="open-flags"' in html
    assert html.index('id="open-flags"') < html.index('class="app-')
    assert f"Open flags ({Flag.objects.open().count()})" in html
    assert Flag.objects.open().count() >= 2  # the demo's, and the ones made above


def test_admin_index_queries_do_not_grow(client, staff, django_assert_max_num_queries):
    circle = CircleFactory()
    post = PostFactory(circle=circle)
    for _ in range(30):
        services.flag_create(item=post, flagged_by=UserFactory(), reason=Reason.SPAM)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("admin:index")).status_code == 200


def _run_action(client, model, action: str, objects, reason: str):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    ids = [str(o.pk) for o in objects]
    ask = client.post(url, {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: ids})
    assert ask.status_code == 200
    assert "Say why" in ask.content.decode()
    done = client.post(
        url,
        {
            "action": action,
            admin.helpers.ACTION_CHECKBOX_NAME: ids,
            "apply": "1",
            "reason": reason,
            "index": "0",
        },
    )
    assert done.status_code == 302
    return done


def test_staff_suspend_and_unsuspend_from_the_user_list(client, staff):
    person = UserFactory()
    _run_action(client, User, "suspend_people", [person], "Selling everywhere")
    person.refresh_from_db()
    assert not person.is_active and person.suspended_reason == "Selling everywhere"
    change = client.get(reverse("admin:members_user_change", args=[person.pk])).content.decode()
    assert "Selling everywhere" in change  # the log shows on the person's page
    _run_action(client, User, "unsuspend_people", [person], "Appeal")
    person.refresh_from_db()
    assert person.is_active
    assert list(ModerationAction.objects.about(person).values_list("kind", "actor")) == [
        (ActionKind.UNSUSPEND, staff.pk),
        (ActionKind.SUSPEND, staff.pk),
    ]


def test_staff_resolve_flags_and_hide_from_the_flag_list(client, staff):
    post = PostFactory(title="Buy my course")
    flag = services.flag_create(item=post, flagged_by=UserFactory(), reason=Reason.SELLING)
    _run_action(client, Flag, "hide_flagged_items", [flag], "Sales pitch")
    post.refresh_from_db()
    assert post.hidden_at is not None and post.hidden_by == staff
    _run_action(client, Flag, "resolve_flags", [flag], "Handled")
    flag.refresh_from_db()
    assert flag.resolved_by == staff and flag.resolution_note == "Handled"
    kinds = set(ModerationAction.objects.about(post).values_list("kind", flat=True))
    assert kinds == {ActionKind.HIDE, ActionKind.RESOLVE}
    change = client.get(reverse("admin:conversations_post_change", args=[post.pk])).content
    assert b"Sales pitch" in change and b"Handled" in change
    _run_action(client, Flag, "restore_flagged_items", [flag], "On reflection, fine")
    post.refresh_from_db()
    assert post.hidden_at is None


def test_staff_hide_and_restore_posts_and_replies_from_their_lists(client, staff):
    post = PostFactory()
    reply = ReplyFactory(post=post)
    _run_action(client, Post, "hide_posts", [post], "Off topic")
    _run_action(client, Reply, "hide_replies", [reply], "Rude")
    post.refresh_from_db()
    reply.refresh_from_db()
    assert post.hidden_at and reply.hidden_at
    _run_action(client, Post, "restore_posts", [post], "")
    _run_action(client, Reply, "restore_replies", [reply], "")
    post.refresh_from_db()
    reply.refresh_from_db()
    assert post.hidden_at is None and reply.hidden_at is None
    assert ModerationAction.objects.count() == 4


def test_staff_archive_and_restore_a_circle(client, staff):
    circle = CircleFactory()
    _run_action(client, Circle, "archive_circles", [circle], "Inactive for a year")
    circle.refresh_from_db()
    assert circle.archived_at is not None
    change = client.get(reverse("admin:circles_circle_change", args=[circle.pk])).content
    assert b"Inactive for a year" in change
    _run_action(client, Circle, "unarchive_circles", [circle], "Back again")
    circle.refresh_from_db()
    assert circle.archived_at is None
    assert ModerationAction.objects.about(circle).count() == 2


def test_the_moderation_log_cannot_be_edited_or_deleted(client, staff):
    person = UserFactory()
    services.person_suspend(person=person, by=staff, reason="x")
    action = ModerationAction.objects.get()
    url = reverse("admin:moderation_moderationaction_change", args=[action.pk])
    client.post(url, {"reason": "rewritten"})
    action.refresh_from_db()
    assert action.reason == "x"
    delete = reverse("admin:moderation_moderationaction_delete", args=[action.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ModerationAction.objects.count() == 1


def test_members_never_reach_the_admin(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_the_admin_url_comes_from_the_environment():
    import os
    import subprocess
    import sys

    env = {**os.environ, "ADMIN_URL": "staff-desk/"}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.urls import reverse; print(reverse('admin:index'))",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "/staff-desk/"
