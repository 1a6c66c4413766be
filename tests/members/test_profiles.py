"""Profiles: who sees what, editing, and the query budget of the profile page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from circles.models import Status
from members.models import Experience, Industry, Profile
from tests.conversations.factories import PostFactory
from tests.factories import CircleFactory, MembershipFactory, TopicFactory, UserFactory
from tests.members.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def profile_url(user) -> str:
    return reverse("members:profile", kwargs={"user_id": user.pk})


@pytest.fixture
def pair():
    """Two people at one table, with a full profile for the second."""
    circle = CircleFactory(name="Tuesday Breakfast Thinkers")
    viewer = UserFactory(display_name="Vera Viewer", time_zone="Europe/Berlin")
    person = UserFactory(display_name="Ana Ruiz", time_zone="America/Chicago")
    MembershipFactory(circle=circle, user=viewer)
    MembershipFactory(circle=circle, user=person)
    ProfileFactory(
        user=person,
        headline="Design lead who loves early mornings",
        industry=Industry.DESIGN,
        experience=Experience.FROM_11,
        bio="I run **design crits** <script>alert(1)</script>",
        can_help_with=[TopicFactory(name="Design", slug="design")],
        looking_for=[TopicFactory(name="Founders", slug="founders")],
    )
    return circle, viewer, person


def test_a_member_of_a_shared_circle_sees_the_full_profile(client, pair):
    circle, viewer, person = pair
    client.force_login(viewer)
    html = client.get(profile_url(person)).content.decode()
    assert "Design lead who loves early mornings" in html
    assert "Design" in html and "Founders" in html
    assert "11 to 20 years of experience" in html
    # The bio goes through the one sanitizer: markdown yes, script no.
    assert "<strong>design crits</strong>" in html
    assert "<script>alert(1)</script>" not in html
    # Their zone and the viewer's own are both named.
    assert "America/Chicago" in html and "Europe/Berlin" in html
    # Contributions live on the per-circle member page; the profile links to it.
    assert reverse("conversations:member", args=[circle.slug, person.pk]) in html


def test_someone_without_a_shared_circle_sees_a_minimal_card(client, pair):
    _, _, person = pair
    stranger = UserFactory()
    client.force_login(stranger)
    response = client.get(profile_url(person))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ana Ruiz" in html and ">AR<" in html
    assert "Design lead" not in html
    assert "design crits" not in html
    assert "Tuesday Breakfast Thinkers" not in html


def test_a_former_co_member_sees_only_the_card(client, pair):
    circle, viewer, person = pair
    circle.memberships.filter(user=viewer).update(status=Status.LEFT)
    client.force_login(viewer)
    assert "Design lead" not in client.get(profile_url(person)).content.decode()


def test_shared_circles_list_only_circles_both_are_in(client, pair):
    _, viewer, person = pair
    private = CircleFactory(name="Secret Supper Club")
    MembershipFactory(circle=private, user=person)
    client.force_login(viewer)
    html = client.get(profile_url(person)).content.decode()
    assert "Tuesday Breakfast Thinkers" in html
    assert "Secret Supper Club" not in html


def test_signed_out_people_are_sent_to_sign_in(client, pair):
    _, _, person = pair
    response = client.get(profile_url(person))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_suspended_and_unknown_people_are_404(client, pair):
    _, viewer, person = pair
    client.force_login(viewer)
    person.is_active = False
    person.save()
    assert client.get(profile_url(person)).status_code == 404
    assert client.get(reverse("members:profile", kwargs={"user_id": 999999})).status_code == 404


def test_me_redirects_to_your_own_profile(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("members:me"))
    assert response["Location"] == profile_url(user)
    html = client.get(profile_url(user)).content.decode()
    assert "Edit your profile" in html


def test_edit_profile_saves_every_field(client):
    user = UserFactory(display_name="Old Name", time_zone="UTC")
    design = TopicFactory(name="Design", slug="design")
    sales = TopicFactory(name="Sales", slug="sales")
    client.force_login(user)
    assert client.get(reverse("members:profile_edit")).status_code == 200
    response = client.post(
        reverse("members:profile_edit"),
        {
            "display_name": "  Ana   Ruiz ",
            "time_zone": "America/Chicago",
            "headline": "Design lead",
            "role": "Head of design",
            "industry": Industry.DESIGN,
            "experience": Experience.FROM_6,
            "city": " Chicago ",
            "bio": "Hello",
            "can_help_with": [design.pk],
            "looking_for": [sales.pk],
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Ana Ruiz"
    assert user.time_zone == "America/Chicago"
    profile = Profile.objects.get(user=user)
    assert (profile.headline, profile.role, profile.industry, profile.experience) == (
        "Design lead",
        "Head of design",
        "design",
        "6-10",
    )
    assert profile.city == "Chicago"
    assert list(profile.can_help_with.all()) == [design]
    assert list(profile.looking_for.all()) == [sales]


def test_edit_profile_gives_clear_errors(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("members:profile_edit"),
        {"display_name": "  ", "time_zone": "Mars/Olympus", "industry": "astrology"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tell us the name other members should see." in html
    assert "Select a valid choice" in html
    assert not Profile.objects.filter(user=user, industry="astrology").exists()


def test_experience_band_is_checked_by_the_database():
    from django.db import IntegrityError, transaction

    profile = ProfileFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(pk=profile.pk).update(experience="99")


def test_profile_page_queries_do_not_grow(client, pair, django_assert_max_num_queries):
    circle, viewer, person = pair
    client.force_login(viewer)
    with django_assert_max_num_queries(12):
        assert client.get(profile_url(person)).status_code == 200
    for _ in range(15):
        other = CircleFactory()
        MembershipFactory(circle=other, user=viewer)
        MembershipFactory(circle=other, user=person)
        PostFactory(circle=other, author=person)
    person.profile.can_help_with.add(*[TopicFactory() for _ in range(5)])
    with django_assert_max_num_queries(12):
        html = client.get(profile_url(person)).content.decode()
    assert html.count('class="member-row"') == 16


def test_profile_edit_queries_do_not_grow(client, django_assert_max_num_queries):
    user = UserFactory()
    ProfileFactory(user=user)
    client.force_login(user)
    TopicFactory.create_batch(30)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("members:profile_edit")).status_code == 200


def test_the_account_page_links_everything_a_person_manages(client, django_assert_max_num_queries):
    user = UserFactory()
    client.force_login(user)
    with django_assert_max_num_queries(4):
        html = client.get(reverse("members:account")).content.decode()
    for name in ("members:me", "members:profile_edit", "members:export", "members:account_delete"):
        assert reverse(name) in html
    assert reverse("mfa_index") in html
    # The header's name link leads here.
    assert f'href="{reverse("members:account")}" class="nav-person"' in html


def test_the_edit_form_shows_what_was_saved(client):
    design = TopicFactory(name="Design", slug="design")
    sales = TopicFactory(name="Sales", slug="sales")
    profile = ProfileFactory(can_help_with=[design], looking_for=[sales])
    client.force_login(profile.user)
    form = client.get(reverse("members:profile_edit")).context["form"]
    assert [t.pk for t in form["can_help_with"].initial] == [design.pk]
    assert [t.pk for t in form["looking_for"].initial] == [sales.pk]
    html = client.get(reverse("members:profile_edit")).content.decode()
    assert f'name="can_help_with" value="{design.pk}" id="id_can_help_with_0" checked' in html
