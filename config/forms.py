"""Ids from outside, checked before any query runs: the form fields every app shares.

An id that comes in a form, a query parameter or a URL is a plain decimal
number from 1 to the largest a BigAutoField holds; anything else names no
row, so it is a wrong choice, not a query. Django would pass "99999999999999999999"
on to the database, where SQLite cannot even bind it (OverflowError: a 500), and
"²" to ``int()`` after ``str.isdigit()`` said yes (ValueError: a 500).

ChoiceField and TypedChoiceField need nothing: they compare the text with their
fixed choices before coercing it. URLs take ids with ``<id:...>``
(config/converters.py); tests/security/test_bad_input.py checks every model
choice field and every URL id uses these.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.functional import Promise, lazy
from django.utils.html import format_html

_CSRF = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'


def csrf_input(token: Any) -> str:
    """What {% csrf_token %} writes for this token, for forms written in Python: nothing
    without one."""
    if not token or token == "NOTPROVIDED":  # noqa: S105 - the csrf module's "no token", not a secret
        return ""
    return format_html(_CSRF, token)


def _with_limit(message: str, limit: int) -> str:
    return message % {"limit": formats.number_format(limit, force_grouping=True)}


def with_limit(message: str, limit: int) -> Promise:
    """A lazy message with ``%(limit)s`` filled in, written the reader's way (20,000; 20.000).

    For class-level error messages: both the words and the number wait for the
    language of the request that shows them.
    """
    return lazy(_with_limit, str)(message, limit)


# The largest id a BigAutoField holds: anything past it names no row.
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object, *, zero: bool = False) -> int | None:
    """The id ``value`` spells (1 to MAX_ID; 0 too with ``zero``), or None.

    Only ASCII digits: ``str.isdigit()`` also says yes to "²" and "١٢".
    """
    text = str(value).strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if (0 if zero else 1) <= number <= MAX_ID else None


class _IdsOnly:
    """For a model choice field: a value that cannot name a row is not one of the choices.

    Checked before Django builds its query. A field keyed by another column
    (``to_field_name``, e.g. a topic's slug) only refuses what no column can
    hold: a NUL, which PostgreSQL refuses in text (a DataError: a 500).
    """

    error_messages: dict[str, Any]
    to_field_name: str | None

    def refuse_unless_key(self, value: object) -> None:
        if self.to_field_name is None:
            names_a_row = parse_id(value) is not None
        else:
            names_a_row = "\x00" not in str(value)
        if not names_a_row:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )


class IdChoiceField(_IdsOnly, forms.ModelChoiceField):
    """A ModelChoiceField whose hostile values get its "Select a valid choice" error."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            self.refuse_unless_key(value)
        return super().to_python(value)


class IdsChoiceField(_IdsOnly, forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose hostile values get its "Select a valid choice" error."""

    def _check_values(self, value: Any) -> Any:
        for item in value:
            self.refuse_unless_key(item)
        return super()._check_values(value)


class IdField(forms.IntegerField):
    """An id typed by hand in a form (a hidden input): 1 to MAX_ID in plain digits, else invalid."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = parse_id(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number
