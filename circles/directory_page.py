"""The directory's filter form as plain values, for hand-written HTML in the template.

Rendering the form's five fields through Django's widget templates was the
costliest part of a signed-in directory page (about 3.5 ms of 18, docs/PERFORMANCE.md):
each ``<option>`` goes through its own template. The form still validates and
filters (circles.forms.DirectoryFilterForm); this module hands the template what
each field shows (its label, the value a visitor typed or picked, its choices
with the picked one marked), and ``templates/circles/directory.html#filters``
writes the same HTML the widgets wrote.

The topics and the cities are the form's own choices, read in one query with
``circles.directory_reads.filter_choices``.
"""

from __future__ import annotations

from html import escape  # django.utils.html.escape without its lazy-string wrapper
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from circles.directory_cache import DIRECTORY
from circles.directory_reads import filter_choices
from circles.forms import DirectoryFilterForm
from config.pagecache import fetch_kept, store_kept

if TYPE_CHECKING:
    from django.http import HttpRequest

# The empty form is the same for everyone in a language (fetch_kept keeps one per language).
EMPTY_FILTERS_KEY = "directory:filters:v1"


# Each select as the template's loop wrote it, newline and indent included.
_SELECT = (
    '<div class="field"><label for="id_{name}">{label}</label>'
    '<select name="{name}" id="id_{name}">{options}</select></div>\n  '
)
_OPTION = '<option value="{}">{}</option>'
_PICKED = '<option value="{}" selected>{}</option>'


def _raw(form: DirectoryFilterForm, name: str) -> str:
    """What the visitor sent for a field ('' for nothing), as the widget would show it."""
    value = form[name].value() if form.is_bound else form.initial.get(name)
    return "" if value is None else str(value)


def _select(form: DirectoryFilterForm, name: str) -> str:
    """One field's label and <select>, every choice and label escaped; the picked one marked."""
    picked = _raw(form, name)
    options = "".join(
        (_PICKED if str(value) == picked else _OPTION).format(
            escape(str(value)), escape(str(label))
        )
        for value, label in form.fields[name].choices
    )
    label = escape(f"{form.fields[name].label}{form.label_suffix}")
    return _SELECT.format(name=name, label=label, options=options)


def filter_form(data) -> DirectoryFilterForm:
    """The directory's form, bound to the query string when there is one.

    Its choices (a query) are only read to validate a bound form or to show one.
    """
    if not data:
        return DirectoryFilterForm(None)
    return DirectoryFilterForm(data, **filter_choices())


def filters_html(request: HttpRequest, form: DirectoryFilterForm) -> SafeString:
    """The filter form's HTML; the empty form's is kept under the directory's version.

    Nothing in it is about the visitor: its choices are the topics and the cities
    of listed circles, whose every change moves DIRECTORY on (circles/directory_cache.py).
    """
    if form.is_bound:
        return _render_filters(request, form)
    seconds = settings.SIGNED_OUT_PAGE_CACHE_SECONDS
    if seconds <= 0:  # nothing is kept: not even a cache round trip
        form.set_choices(**filter_choices())
        return _render_filters(request, form)
    kept, version = fetch_kept(EMPTY_FILTERS_KEY, DIRECTORY)
    if kept is None:
        form.set_choices(**filter_choices())
        kept = _render_filters(request, form)
        store_kept(EMPTY_FILTERS_KEY, version, str(kept), seconds)
    return mark_safe(kept)  # noqa: S308 - our own template's output


def _render_filters(request: HttpRequest, form: DirectoryFilterForm) -> SafeString:
    html = render_to_string("circles/directory.html#filters", {"filters": filters(form)}, request)
    return mark_safe(html)  # noqa: S308 - our own template's output


def filters(form: DirectoryFilterForm) -> dict[str, object]:
    """What ``directory.html#filters`` shows: the search box, four selects and a checkbox.

    The selects are written here rather than by a template loop: the topics and
    cities make some forty options, each a few variable lookups in a template.
    """
    suffix = form.label_suffix
    return {
        "q_label": f"{form.fields['q'].label}{suffix}",
        "q": _raw(form, "q"),
        "selects_html": mark_safe(  # noqa: S308 - every value escaped by _select
            "".join(_select(form, name) for name in ("topic", "place", "weekday", "time_of_day"))
        ),
        "open_seats_label": f"{form.fields['open_seats'].label}{suffix}",
        "open_seats": form.is_bound and bool(form["open_seats"].value()),
    }
