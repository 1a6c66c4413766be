"""The circle page and privacy: who sees what, across every circle URL.

PRODUCT.md: everything inside a circle is visible to its active members only
(staff excepted); anyone else gets a 404, never a 403 that confirms it exists.
A person who may see a thing but not act on it gets a 403.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from circles.models import Listing, Role, Status
from meetings.services import meetings_materialize
from tests.circles.factories import InvitationFactory
from tests.factories import CircleFactory, MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = ["anon", "outsider", "requested", "invited", "member", "co_host", "host", "staff"]


@pytest.fixture
def world():
    """One circle (listed or not, set per test) with a person in every position."""

    def make(listing: str = Listing.LISTED):
        circle = CircleFactory(listing=listing, join_policy="request", name="Quiet Table")
        people = {"anon": None, "outsider": UserFactory(), "staff": UserFactory(is_staff=True)}
        people["host"] = MembershipFactory(circle=circle, role=Role.HOST).user
        people["co_host"] = MembershipFactory(circle=circle, role=Role.CO_HOST).user
        target = MembershipFactory(circle=circle)
        people["member"] = MembershipFactory(circle=circle).user
        requested = MembershipFactory(circle=circle, status=Status.REQUESTED)
        people["requested"] = requested.user
        people["invited"] = UserFactory()
        invitation = InvitationFactory(
            circle=circle, invited_by=people["host"], email=people["invited"].email
        )
        return circle, people, {"target": target, "requested": requested, "inv": invitation}

    return make


def urls(circle, rows):
    slug = circle.slug
    t, r, inv = rows["target"].pk, rows["requested"].pk, rows["inv"].pk
    return {
        "detail": ("get", reverse("circles:detail", args=[slug])),
        "members": ("get", reverse("circles:members", args=[slug])),
        "members#htmx": ("htmx", reverse("circles:members", args=[slug])),
        "edit": ("get", reverse("circles:edit", args=[slug])),
        "archive": ("get", reverse("circles:archive", args=[slug])),
        "join": ("get", reverse("circles:join", args=[slug])),
        "leave": ("get", reverse("circles:leave", args=[slug])),
        "requests": ("get", reverse("circles:requests", args=[slug])),
        "requests#htmx": ("htmx", reverse("circles:requests", args=[slug])),
        "invitations": ("get", reverse("circles:invitations", args=[slug])),
        "remove": ("get", reverse("circles:member_remove", args=[slug, t])),
        "transfer": ("get", reverse("circles:transfer", args=[slug, t])),
        "role": ("post", reverse("circles:member_role", args=[slug, t])),
        "approve": ("post", reverse("circles:request_approve", args=[slug, r])),
        "revoke": ("post", reverse("circles:invitation_revoke", args=[slug, inv])),
        # The token is the secret: whoever holds the link sees the invitation.
        "invitation link": ("get", rows["inv"].get_absolute_url()),
    }


LOGIN = 302  # login_required sends signed-out people to sign in (and reveals nothing)
HOSTS_ONLY = {
    "anon": LOGIN, "outsider": 404, "requested": 404, "invited": 404,
    "member": 403, "co_host": 200, "host": 200, "staff": 403,
}  # fmt: skip
MEMBERS_ONLY = {
    "anon": 404, "outsider": 404, "requested": 404, "invited": 404,
    "member": 200, "co_host": 200, "host": 200, "staff": 200,
}  # fmt: skip

# What each person gets from each URL of a LISTED circle.
LISTED = {
    "detail": dict.fromkeys(PEOPLE, 200),
    "members": MEMBERS_ONLY,
    "members#htmx": MEMBERS_ONLY,
    "edit": HOSTS_ONLY,
    "archive": HOSTS_ONLY,
    # Members are sent back to the circle; the others see the join page.
    "join": {**dict.fromkeys(PEOPLE, 200), "anon": LOGIN, "member": 302, "co_host": 302,
             "host": 302},
    # Staff who are not members have nothing to leave and are sent back.
    "leave": {**MEMBERS_ONLY, "anon": LOGIN, "staff": 302},
    "requests": HOSTS_ONLY,
    "requests#htmx": HOSTS_ONLY,
    "invitations": HOSTS_ONLY,
    "remove": HOSTS_ONLY,
    "transfer": {**HOSTS_ONLY, "co_host": 403},  # only the host hands hosting on
    # POSTs end in a redirect back to the page they came from.
    "role": {**HOSTS_ONLY, "co_host": 302, "host": 302},
    "approve": {**HOSTS_ONLY, "co_host": 302, "host": 302},
    "revoke": {**HOSTS_ONLY, "co_host": 302, "host": 302},
    # Members are sent on to the circle ("you are already a member").
    "invitation link": {**dict.fromkeys(PEOPLE, 200), "member": 302, "co_host": 302,
                        "host": 302},
}  # fmt: skip

# An unlisted circle: its public header, and its join page, are hidden too.
UNLISTED = {
    **LISTED,
    "detail": {**MEMBERS_ONLY},
    "join": {**LISTED["join"], "outsider": 404, "requested": 404, "invited": 404},
}


def fetch(client, person, how, url):
    if person is not None:
        client.force_login(person)
    if how == "post":
        return client.post(url)
    headers = {"HX-Request": "true"} if how == "htmx" else {}
    return client.get(url, headers=headers)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("listing", "matrix"), [("listed", LISTED), ("unlisted", UNLISTED)])
def test_authorization_matrix(client, world, who, listing, matrix):
    circle, people, rows = world(listing)
    for name, (how, url) in urls(circle, rows).items():
        client.logout()
        response = fetch(client, people[who], how, url)
        expected = matrix[name][who]
        assert response.status_code == expected, f"{who} {how} {name}: {response.status_code}"
        if expected == 404:
            assert b"Quiet Table" not in response.content


def test_unknown_circle_is_404_like_a_hidden_one(client):
    client.force_login(UserFactory())
    assert client.get(reverse("circles:detail", args=["no-such-circle"])).status_code == 404
    assert client.get(reverse("circles:members", args=["no-such-circle"])).status_code == 404


def test_archived_circle_is_hidden_from_outsiders_but_open_to_members(client):
    circle = CircleFactory(archived_at="2026-01-01T00:00:00Z")
    member = MembershipFactory(circle=circle).user
    client.force_login(UserFactory())
    assert client.get(circle.get_absolute_url()).status_code == 404
    client.force_login(member)
    response = client.get(circle.get_absolute_url())
    assert response.status_code == 200
    assert "This circle is archived" in response.content.decode()


def test_header_for_everyone_inside_for_members(client):
    topic = TopicFactory(name="Leadership", slug="leadership")
    circle = CircleFactory(
        name="Tuesday Breakfast Thinkers",
        purpose="We **think** out loud.",
        is_online=True,
        city="",
        meeting_link="https://meet.example.com/secret-room",
        seat_limit=12,
    )
    circle.topics.add(topic)
    host = MembershipFactory(circle=circle, role=Role.HOST, user__display_name="Hana Host").user
    sponsor = MembershipFactory(circle=circle, user__display_name="Sam Sponsor").user
    MembershipFactory(circle=circle, user__display_name="Nia New", invited_by=sponsor)

    html = client.get(circle.get_absolute_url()).content.decode()
    assert "<strong>think</strong>" in html  # purpose is rendered markdown
    assert "Leadership" in html
    assert "Every week on Tuesday at 06:30 (America/Chicago)" in html
    assert "9 of 12 seats open" in html
    assert "Hana Host" in html  # hosts' names are public
    assert "secret-room" not in html
    assert "Sam Sponsor" not in html and "Nia New" not in html
    assert "Sign in to join" in html
    assert "Next meetings" not in html and "Asks, gives and discussions" not in html

    client.force_login(host)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert "secret-room" in html
    assert "Nia New" in html and "sponsored by Sam Sponsor" in html
    assert "Next meetings" in html  # the meetings app's section
    assert "Asks, gives and discussions" in html  # the conversations app's section
    assert "Members (3)" in html


def test_purpose_cannot_inject_script(client):
    circle = CircleFactory(purpose="<script>alert(1)</script> hello")
    html = client.get(circle.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html


def test_viewer_sees_their_own_time_when_it_differs(client):
    circle = CircleFactory(time_zone="America/Chicago")
    member = MembershipFactory(circle=circle, user__time_zone="Europe/Berlin").user
    client.force_login(member)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert "America/Chicago" in html
    assert "your time, Europe/Berlin" in html
    # 06:30 in Chicago is 13:30 in Berlin (12:30 or 14:30 in the weeks the changes differ).
    assert any(t in html for t in ("13:30", "12:30", "14:30"))


def test_viewer_in_the_circles_zone_sees_one_time(client):
    circle = CircleFactory(time_zone="America/Chicago")
    member = MembershipFactory(circle=circle, user__time_zone="America/Chicago").user
    client.force_login(member)
    assert "your time" not in client.get(circle.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("policy", "text"),
    [("open", "Join this circle"), ("request", "Ask to join"), ("invite", "invite only")],
)
def test_join_call_to_action_follows_the_policy(client, policy, text):
    circle = CircleFactory(join_policy=policy)
    client.force_login(UserFactory())
    assert text in client.get(circle.get_absolute_url()).content.decode()


def test_host_sees_hosting_links_and_pending_request_count(client):
    circle = CircleFactory(join_policy="request")
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    MembershipFactory.create_batch(2, circle=circle, status=Status.REQUESTED)
    client.force_login(host)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert "Join requests (2)" in html
    assert reverse("circles:edit", args=[circle.slug]) in html
    assert reverse("circles:archive", args=[circle.slug]) in html


def test_circle_page_queries_do_not_grow(client, django_assert_max_num_queries):
    """Fixed, whatever the size: session, user, circle (with seat count), topics, hosts,
    the viewer's membership, members with users and sponsors (one join), request count.
    Signed out: the circle, its topics and its hosts only. A failure here means a
    query per member or topic crept in (a missing select_related/prefetch)."""
    circle = CircleFactory()
    circle.topics.add(TopicFactory(), TopicFactory())
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    sponsor = MembershipFactory(circle=circle).user
    MembershipFactory.create_batch(10, circle=circle, invited_by=sponsor)
    meetings_materialize(circle=circle)
    client.force_login(host)
    # 7 of ours, 3 for the meetings section (membership, meetings with counts, the
    # viewer's RSVPs) and 2 for the posts section (membership, posts with counts),
    # and the header bell's unread count.
    with django_assert_max_num_queries(13):
        response = client.get(circle.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["members"]) == 12
    client.logout()
    with django_assert_max_num_queries(3):
        assert client.get(circle.get_absolute_url()).status_code == 200


def test_members_page_queries_do_not_grow(client, django_assert_max_num_queries):
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST).user
    sponsor = MembershipFactory(circle=circle).user
    MembershipFactory.create_batch(10, circle=circle, invited_by=sponsor)
    client.force_login(host)
    # session, user, circle, topics, hosts, the viewer's membership, members+sponsors,
    # the header bell's unread count
    with django_assert_max_num_queries(8):
        response = client.get(reverse("circles:members", args=[circle.slug]))
    assert response.status_code == 200
    assert response.content.decode().count('class="member-row"') == 12


def test_next_meeting_skips_a_cancelled_one(client):
    """The header's "Next" is the next meeting that will happen, not just the schedule."""
    from meetings.models import Meeting
    from meetings.services import meeting_cancel

    circle = CircleFactory(time_zone="America/Chicago")
    meetings_materialize(circle=circle)
    first, second = Meeting.objects.filter(circle=circle).order_by("starts_at")[:2]
    meeting_cancel(meeting=first)
    local = second.starts_at.astimezone(circle.zone)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert f'datetime="{local.isoformat()}"' in html
    directory = client.get(reverse("circles:directory")).content.decode()
    assert f'datetime="{local.isoformat()}"' in directory


def test_the_member_list_escapes_names_and_speaks_the_readers_language(client):
    """The list is written in Python (circle_page.members_html): names escaped, words translated."""
    circle = CircleFactory()
    host = MembershipFactory(circle=circle, role=Role.HOST, user__display_name="Hana Host").user
    MembershipFactory(
        circle=circle, user__display_name="<b>Eve</b>", invited_by=host
    )  # fmt: skip
    client.force_login(host)
    html = client.get(circle.get_absolute_url()).content.decode()
    assert '<span class="member-name">&lt;b&gt;Eve&lt;/b&gt;</span>' in html
    assert "<b>Eve</b>" not in html
    assert '<span class="meta sponsor">sponsored by Hana Host</span>' in html
    assert '<span class="role role-host">Host</span>' in html

    host.language = "de"
    host.save(update_fields=["language"])
    html = client.get(circle.get_absolute_url()).content.decode()
    assert '<span class="meta sponsor">eingeladen von Hana Host</span>' in html
    assert "sponsored by" not in html
