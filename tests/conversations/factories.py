"""Factories for conversations tests: posts, replies, thanks, introductions."""

from __future__ import annotations

import factory

from conversations.models import Introduction, Kind, Post, Reply, Thanks
from tests.factories import CircleFactory, UserFactory


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    circle = factory.SubFactory(CircleFactory)
    author = factory.SubFactory(UserFactory)
    kind = Kind.ASK
    title = factory.Sequence(lambda n: f"How do I handle question {n}?")
    body = "I am stuck on **this** and would love a hand."


class ReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reply

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Here is what worked for me, take {n}.")


class ThanksFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thanks

    reply = factory.SubFactory(ReplyFactory)
    given_by = factory.LazyAttribute(lambda t: t.reply.post.author)
    note = ""


class IntroductionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Introduction

    circle = factory.SubFactory(CircleFactory)
    introducer = factory.SubFactory(UserFactory)
    person_a = factory.SubFactory(UserFactory)
    person_b = factory.SubFactory(UserFactory)
    note_for_a = "You two both run small design studios."
    note_for_b = "You two both run small design studios."
