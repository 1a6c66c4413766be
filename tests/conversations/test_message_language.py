"""What the conversation views and services say is in the reader's language."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from conversations import services
from tests.conversations.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_a_german_author_is_told_in_german_that_their_post_is_deleted(cast, as_user):
    cast.alice.language = "de"
    cast.alice.save(update_fields=["language"])
    post = PostFactory(circle=cast.circle, author=cast.alice)
    url = reverse(
        "conversations:post_delete", kwargs={"slug": cast.circle.slug, "post_id": post.pk}
    )
    response = as_user(cast.alice).post(url)
    assert response.status_code == 302
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["Dein Beitrag ist gelöscht."]


def test_an_introduction_refused_by_the_service_is_explained_in_the_active_language(cast):
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        services.introduction_create(
            circle=cast.circle,
            introducer=cast.alice,
            person_a=cast.bob,
            person_b=cast.bob,
            note_for_a="",
            note_for_b="",
        )
    assert refused.value.messages == ["Elige dos miembros distintos para presentar."]
