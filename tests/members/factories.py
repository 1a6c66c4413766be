"""Factories for profiles."""

from __future__ import annotations

import factory
from django.utils import timezone

from members.models import Experience, Industry, Profile
from tests.factories import UserFactory


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    headline = "Product lead helping small teams ship"
    industry = Industry.TECHNOLOGY
    role = "Head of product"
    experience = Experience.FROM_6
    city = "Chicago"
    bio = "I like **breakfast** meetings."
    prompted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def can_help_with(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.can_help_with.set(extracted)

    @factory.post_generation
    def looking_for(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.looking_for.set(extracted)
