"""The directory's filter form, written in Python from the form's own fields.

Rendering the form's five fields through Django's widget templates was the
costliest part of a signed-in directory page (about 3.5 ms of 18,
docs/PERFORMANCE.md): each ``<option>`` goes through its own template, and a
template of its own still cost half a millisecond. The form still validates and
filters (circles.forms.DirectoryFilterForm); ``filters_html`` writes the same
HTML the widgets wrote: each field's label, the value a visitor typed or
picked, its choices with the picked one marked, every value escaped and every
label in the visitor's language.

The topics and the cities are the form's own choices, read in one query with
``circles.directory_reads.filter_choices``.
"""

from __future__ import annotations

from html import escape  # django.utils.html.escape without its lazy-string wrapper

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from circles.directory_cache import DIRECTORY
from circles.directory_reads import filter_choices
from circles.forms import DirectoryFilterForm
from config.pagecache import fetch_kept, store_kept
from config.urlshapes import UrlShapes

# The empty form is the same for everyone in a language (fetch_kept keeps one per language).
EMPTY_FILTERS_KEY = "directory:filters:v1"


# The form as templates/circles/directory.html wrote it, newlines and indents included.
_FORM = (
    "\n\n"
    '<form method="get" action="{url}" class="filter-form" role="search" aria-label="{label}"\n'
    '      hx-get="{url}" hx-target="#results" hx-swap="outerHTML" hx-push-url="true"\n'
    '      hx-trigger="submit, change, input delay:400ms from:#id_q"'
    ' hx-indicator="#results-loading">\n'
    '  <div class="field field-grow"><label for="id_q">{q_label}</label><input type="search"'
    ' name="q" id="id_q" value="{q}" placeholder="{placeholder}"></div>\n'
    '  {selects}<div class="field field-check"><input type="checkbox" name="open_seats"'
    ' id="id_open_seats"{checked}> <label for="id_open_seats">{open_seats_label}</label></div>\n'
    '  <div class="form-actions">\n'
    '    <button type="submit" class="button button-small">{show}</button>\n'
    '    <a href="{url}">{clear}</a>\n'
    '    <span id="results-loading" class="htmx-indicator" aria-hidden="true">{updating}</span>\n'
    "  </div>\n"
    "</form>\n"
)
# Each select, newline and indent included.
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


def filters_html(form: DirectoryFilterForm) -> SafeString:
    """The filter form's HTML; the empty form's is kept under the directory's version.

    Nothing in it is about the visitor: its choices are the topics and the cities
    of listed circles, whose every change moves DIRECTORY on (circles/directory_cache.py).
    """
    if form.is_bound:
        return _form_html(form)
    seconds = settings.SIGNED_OUT_PAGE_CACHE_SECONDS
    if seconds <= 0:  # nothing is kept: not even a cache round trip
        form.set_choices(**filter_choices())
        return _form_html(form)
    kept, version = fetch_kept(EMPTY_FILTERS_KEY, DIRECTORY)
    if kept is None:
        form.set_choices(**filter_choices())
        kept = _form_html(form)
        store_kept(EMPTY_FILTERS_KEY, version, str(kept), seconds)
    return mark_safe(kept)  # noqa: S308 - written by _form_html, every value escaped


_URLS = UrlShapes(lambda: {"directory": reverse("circles:directory")})


def _form_html(form: DirectoryFilterForm) -> SafeString:
    """The search box, four selects and a checkbox, with the buttons; each value escaped."""
    fields, suffix = form.fields, form.label_suffix
    html = _FORM.format(
        url=escape(_URLS.shapes()["directory"]),
        label=escape(gettext("Filter circles")),
        q_label=escape(f"{fields['q'].label}{suffix}"),
        q=escape(_raw(form, "q")),
        placeholder=escape(gettext("Name, purpose, city or topic")),
        selects="".join(
            _select(form, name) for name in ("topic", "place", "weekday", "time_of_day")
        ),
        checked=" checked" if form.is_bound and form["open_seats"].value() else "",
        open_seats_label=escape(f"{fields['open_seats'].label}{suffix}"),
        show=escape(gettext("Show circles")),
        clear=escape(gettext("Clear")),
        updating=escape(gettext("Updating…")),
    )
    return mark_safe(html)  # noqa: S308 - every value escaped above
