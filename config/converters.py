"""Path converters for what our URLs look up, registered on import.

``<id:...>``, for every id: Django's ``<int:...>`` matches any run of digits
and hands the view a number SQLite cannot bind once it passes 64 bits (a 500).
Here an id is what ``config.forms.parse_id`` reads (1 to the largest
BigAutoField); anything else matches no URL, so it is the resolver's 404
before a view or a query runs.

``<token:...>``, for a secret we look up (an invitation, a calendar feed): the
characters ``secrets.token_urlsafe`` makes. ``<str:...>`` would pass on a NUL,
which PostgreSQL refuses in text (a DataError: a 500). Signed tokens, checked
before any query, stay ``<str:...>``.
"""

from __future__ import annotations

from django.urls import register_converter
from django.urls.converters import StringConverter

from config.forms import parse_id


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(f"{value!r} is not an id")  # the URL does not match
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


class TokenConverter(StringConverter):
    regex = "[-A-Za-z0-9_]+"


register_converter(IdConverter, "id")
register_converter(TokenConverter, "token")
