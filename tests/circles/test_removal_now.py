"""A member removed from a circle, or who left it, is out on their very next request (issue 19).

Removed by a host through the service, or with a plain QuerySet.update that no signal
sees, the removed member's open circle, meeting and thread pages answer the 404 (the
circle is unlisted: outsiders never learn it exists) and the thread's poll a 404,
never a body kept from before. They stay signed in. Another process's removal:
tests/test_other_process.py.
"""

from __future__ import annotations

import pytest

from circles import membership_services as services
from circles.models import Membership, Status
from tests.open_pages import no_signals, open_pages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _poll_fast_path(settings):
    # The poll's cached "nothing new" on, as with Redis: the access check must come first.
    settings.THREAD_POLL_FAST_PATH = True


def membership(scene) -> Membership:
    return Membership.objects.get(circle=scene.circle, user=scene.member)


def test_removed_by_the_host_through_the_service(client):
    scene = open_pages(client=client)
    scene.open()
    services.membership_remove(membership=membership(scene), removed_by=scene.host)
    scene.assert_shut_out()


def test_leaving_through_the_service(client):
    scene = open_pages(client=client)
    scene.open()
    services.membership_leave(membership=membership(scene))
    scene.assert_shut_out()


def test_removed_with_a_plain_update(client):
    scene = open_pages(client=client)
    scene.open()
    with no_signals():
        Membership.objects.filter(pk=membership(scene).pk).update(status=Status.REMOVED)
    scene.assert_shut_out()


def test_membership_deleted_with_a_plain_queryset_delete(client):
    scene = open_pages(client=client)
    scene.open()
    with no_signals():
        Membership.objects.filter(pk=membership(scene).pk).delete()
    scene.assert_shut_out()


def test_removed_with_a_plain_update_the_poll_is_404_at_once(client):
    """The poll's "nothing new" was kept; the membership is checked in the database first."""
    scene = open_pages(client=client)
    scene.open()
    with no_signals():
        Membership.objects.filter(pk=membership(scene).pk).update(status=Status.REMOVED)
    assert scene.poll().status_code == 404
