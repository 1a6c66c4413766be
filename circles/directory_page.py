"""The directory's filter form as plain values, for hand-written HTML in the template.

Rendering the form's five fields through Django's widget templates was the
costliest part of a signed-in directory page (about 3.5 ms of 18, docs/PERFORMANCE.md):
each ``<option>`` goes through its own template. The form still validates and
filters (circles.forms.DirectoryFilterForm); this module hands the template what
each field shows (its label, the value a visitor typed or picked, its choices
with the picked one marked), and ``templates/circles/directory.html#filters``
writes the same HTML the widgets wrote.

The topics are read with one ``values_list`` (the form's own choices would
build a model instance per topic), the cities with the form's one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from circles.directory_cache import DIRECTORY
from circles.forms import DirectoryFilterForm
from circles.models import Circle
from config.pagecache import fetch_kept, store_kept
from members.models import Topic

if TYPE_CHECKING:
    from django.http import HttpRequest

# The empty form is the same for everyone in a language (fetch_kept keeps one per language).
EMPTY_FILTERS_KEY = "directory:filters:v1"


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True, slots=True)
class Select:
    name: str
    label: str
    options: list[Option]


def _raw(form: DirectoryFilterForm, name: str) -> str:
    """What the visitor sent for a field ('' for nothing), as the widget would show it."""
    value = form[name].value() if form.is_bound else form.initial.get(name)
    return "" if value is None else str(value)


def _select(form: DirectoryFilterForm, name: str, choices) -> Select:
    picked = _raw(form, name)
    options = [Option(str(value), str(label), str(value) == picked) for value, label in choices]
    return Select(name=name, label=f"{form.fields[name].label}{form.label_suffix}", options=options)


def filter_form(data) -> DirectoryFilterForm:
    """The directory's form, bound to the query string when there is one.

    The cities (a query) are only read to validate a bound form or to show one.
    """
    if not data:
        return DirectoryFilterForm(None)
    return DirectoryFilterForm(data, cities=Circle.objects.listed().cities())


def filters_html(request: HttpRequest, form: DirectoryFilterForm) -> SafeString:
    """The filter form's HTML; the empty form's is kept under the directory's version.

    Nothing in it is about the visitor: its choices are the topics and the cities
    of listed circles, whose every change moves DIRECTORY on (circles/directory_cache.py).
    """
    if form.is_bound:
        return _render_filters(request, form)
    kept, version = fetch_kept(EMPTY_FILTERS_KEY, DIRECTORY)
    if kept is None:
        form = DirectoryFilterForm(None, cities=Circle.objects.listed().cities())
        kept = _render_filters(request, form)
        store_kept(EMPTY_FILTERS_KEY, version, str(kept), settings.SIGNED_OUT_PAGE_CACHE_SECONDS)
    return mark_safe(kept)  # noqa: S308 - our own template's output


def _render_filters(request: HttpRequest, form: DirectoryFilterForm) -> SafeString:
    html = render_to_string("circles/directory.html#filters", {"filters": filters(form)}, request)
    return mark_safe(html)  # noqa: S308 - our own template's output


def filters(form: DirectoryFilterForm) -> dict[str, object]:
    """What ``directory.html#filters`` shows: the search box, four selects and a checkbox."""
    topic = form.fields["topic"]
    topics = [("", topic.empty_label), *Topic.objects.values_list("slug", "name")]
    suffix = form.label_suffix
    return {
        "q_label": f"{form.fields['q'].label}{suffix}",
        "q": _raw(form, "q"),
        "selects": [
            _select(form, "topic", topics),
            _select(form, "place", form.fields["place"].choices),
            _select(form, "weekday", form.fields["weekday"].choices),
            _select(form, "time_of_day", form.fields["time_of_day"].choices),
        ],
        "open_seats_label": f"{form.fields['open_seats'].label}{suffix}",
        "open_seats": form.is_bound and bool(form["open_seats"].value()),
    }
