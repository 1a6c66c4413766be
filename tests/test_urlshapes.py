"""URLs reversed once per process with markers (config/urlshapes.py), and the slugs they take."""

from __future__ import annotations

import pytest
from django.urls import reverse

from circles.services import slug_candidates
from config.urlshapes import ID_MARKS, SLUG_MARK, UrlShapes


def _build(slug, meeting, topic):
    return {
        "detail": reverse("meetings:detail", kwargs={"slug": slug, "pk": meeting}),
        "vote": reverse(
            "meetings:topic_vote", kwargs={"slug": slug, "pk": meeting, "topic_pk": topic}
        ),
    }


def test_each_call_swaps_its_own_values_into_urls_reversed_once():
    built = []

    def build(**markers):
        built.append(markers)
        return _build(**markers)

    shapes = UrlShapes(build, slug=SLUG_MARK, meeting=ID_MARKS[1], topic=ID_MARKS[0])
    first = shapes.urls(slug="tuesday-table", meeting="7")
    second = shapes.urls(slug="monday-table", meeting="8")
    assert first["detail"] == reverse("meetings:detail", kwargs={"slug": "tuesday-table", "pk": 7})
    assert second["detail"] == reverse("meetings:detail", kwargs={"slug": "monday-table", "pk": 8})
    # A marker not given stays in, for each row to swap its own id in.
    vote = first["vote"].replace(shapes.markers["topic"], "9")
    assert vote == reverse(
        "meetings:topic_vote", kwargs={"slug": "tuesday-table", "pk": 7, "topic_pk": 9}
    )
    assert len(built) == 1


def test_a_value_is_never_searched_for_another_marker():
    """One pass: a slug that looks like an id's marker is written as it is."""
    shapes = UrlShapes(_build, slug=SLUG_MARK, meeting=ID_MARKS[1], topic=ID_MARKS[0])
    urls = shapes.urls(slug=f"a{ID_MARKS[1]}", meeting="7")
    assert urls["detail"] == reverse("meetings:detail", kwargs={"slug": f"a{ID_MARKS[1]}", "pk": 7})


@pytest.mark.parametrize("name", [f"Table {ID_MARKS[0]}", ID_MARKS[2], "X slug mark x"])
def test_no_circle_slug_holds_a_marker(name):
    """A row swaps its id into the whole URL, slug included: a slug must not hold a marker."""
    slug = next(iter(slug_candidates(name)))
    assert slug
    assert not any(marker in slug for marker in (*ID_MARKS, SLUG_MARK))
