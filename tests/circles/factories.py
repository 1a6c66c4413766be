"""Factories for circles tests beyond the shared ones in tests/factories.py."""

from __future__ import annotations

import secrets

import factory
from django.utils import timezone

from circles.models import INVITATION_LIFETIME, Invitation
from tests.factories import CircleFactory, UserFactory


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    circle = factory.SubFactory(CircleFactory)
    invited_by = factory.SubFactory(UserFactory)
    email = factory.Sequence(lambda n: f"friend{n}@example.com")
    message = "Come and join us."
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    expires_at = factory.LazyFunction(lambda: timezone.now() + INVITATION_LIFETIME)
