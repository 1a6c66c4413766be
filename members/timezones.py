"""IANA time zones: the list people choose from and the validator for it."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this Python knows (tzdata ships them), sorted."""
    return tuple(sorted(zoneinfo.available_timezones() - {"Factory", "localtime"}))


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in zone_names()]


def validate_time_zone(value: str) -> None:
    if value not in zone_names():
        raise ValidationError(
            _(
                "%(value)s is not a time zone we know. Pick one like America/Chicago or "
                "Europe/Berlin."
            ),
            code="invalid_time_zone",
            params={"value": value},
        )
