"""Topic moves from circles to members without moving a row (members 0003, circles 0003).

Run on a database that has topics, circles with topics and profiles with
topics: forward, everything still points where it pointed and the content type
(so the permissions) is members'; backward, the same under circles again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("members", "0002_profile_and_suspension"), ("circles", "0002_invitation")]
AFTER = [("members", "0003_topic"), ("circles", "0003_topic_moves_to_members")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest() -> None:
    """Every app's newest migration: the tests after this one expect the whole schema."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def seed(apps, topic_app: str) -> dict[str, int]:
    """A topic on a circle and on a profile, made with the models of that moment."""
    Topic = apps.get_model(topic_app, "Topic")
    User = apps.get_model("members", "User")
    Profile = apps.get_model("members", "Profile")
    Circle = apps.get_model("circles", "Circle")
    founders = Topic.objects.create(name="Founders", slug="founders")
    design = Topic.objects.create(name="Design", slug="design")
    circle = Circle.objects.create(
        name="Breakfast",
        slug="breakfast",
        purpose="p",
        city="Chicago",
        time_zone="America/Chicago",
        weekday=1,
        start_time=dt.time(6, 30),
        starts_on=dt.date(2026, 1, 6),
    )
    circle.topics.set([founders, design])
    person = User.objects.create(email="ana@example.com", display_name="Ana")
    profile = Profile.objects.create(user=person, headline="Founder")
    profile.can_help_with.set([founders])
    profile.looking_for.set([design])
    return {"founders": founders.pk, "design": design.pk, "circle": circle.pk, "user": person.pk}


def check(apps, topic_app: str, ids: dict[str, int]) -> None:
    Topic = apps.get_model(topic_app, "Topic")
    Circle = apps.get_model("circles", "Circle")
    Profile = apps.get_model("members", "Profile")
    ContentType = apps.get_model("contenttypes", "ContentType")
    assert dict(Topic.objects.values_list("slug", "pk")) == {
        "founders": ids["founders"],
        "design": ids["design"],
    }
    circle = Circle.objects.get(pk=ids["circle"])
    assert sorted(circle.topics.values_list("slug", flat=True)) == ["design", "founders"]
    profile = Profile.objects.get(user_id=ids["user"])
    assert list(profile.can_help_with.values_list("slug", flat=True)) == ["founders"]
    assert list(profile.looking_for.values_list("slug", flat=True)) == ["design"]
    assert list(Topic.objects.get(slug="founders").helper_profiles.values_list("pk", flat=True))
    labels = set(ContentType.objects.filter(model="topic").values_list("app_label", flat=True))
    assert labels == {topic_app}


@pytest.mark.django_db(transaction=True)
def test_topics_keep_their_rows_forward_and_backward():
    from django.contrib.contenttypes.models import ContentType

    try:
        apps = migrate(BEFORE)
        ContentType.objects.clear_cache()
        ContentType.objects.filter(model="topic").delete()
        ContentType.objects.create(app_label="circles", model="topic")
        ids = seed(apps, "circles")

        apps = migrate(AFTER)
        check(apps, "members", ids)

        apps = migrate(BEFORE)
        check(apps, "circles", ids)
    finally:
        migrate_to_latest()
        ContentType.objects.clear_cache()
