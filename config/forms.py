"""Form fields every app shares."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.functional import Promise, lazy


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


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose hostile ids are "not one of the choices", never a 500.

    Django filters ``pk__in`` with the raw values; SQLite cannot even bind an
    integer past 64 bits (OverflowError), so such a value is refused here first.
    """

    def _check_values(self, value):
        for item in value:
            text = str(item).strip()
            if text.lstrip("-").isdigit() and abs(int(text)) > MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super()._check_values(value)
