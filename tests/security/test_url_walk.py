"""Every URL of the project, walked as five kinds of people, answers what the table says.

The URLs come from the resolver, so a new one cannot be forgotten: a
pattern missing from EXPECTED fails `test_every_url_pattern_has_an_expectation`.
The promise under test (PRODUCT.md, "Private by default"): everything inside a
circle is for its active members; anyone else gets a 404, never a 403 that
confirms it exists.

Codes in the table: a status number; LOGIN, a redirect to the sign-in page
(the product's choice for some pages when signed out); ADMIN_LOGIN, the
admin's redirect to its sign-in; HOME, any other redirect within the site
(e.g. a member opening the join page is sent to the circle).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.security.conftest import ROLES
from tests.security.urlwalk import all_patterns, url_for, values_for

pytestmark = pytest.mark.django_db

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
HOME = "redirect"

ALL_200 = (200, 200, 200, 200, 200)
SIGNED_IN = (LOGIN, 200, 200, 200, 200)
SIGNED_IN_POST = (LOGIN, 405, 405, 405, 405)
# Inside a circle. Columns: anon, outsider, member, host, staff.
MEMBERS = (LOGIN, 404, 200, 200, 200)
MEMBERS_404 = (404, 404, 200, 200, 200)  # signed out: 404 too, with a way to sign in
HOSTS = (LOGIN, 404, 403, 200, 403)
HOSTS_404 = (404, 404, 403, 200, 403)
POST_ONLY = (LOGIN, 405, 405, 405, 405)
POST_ONLY_404 = (404, 405, 405, 405, 405)
AUTHOR = (404, 404, 200, 403, 403)  # the member wrote the post; the host did not

EXPECTED: dict[str, tuple] = {
    # The public site.
    "home": ALL_200,
    "healthz": ALL_200,
    "set_language": (405, 405, 405, 405, 405),  # the footer's switcher posts; nothing to GET
    "circles:directory": ALL_200,
    "circles:detail": ALL_200,  # a listed circle's public header; unlisted: see below
    # Accounts (allauth).
    "account_login": (200, HOME, HOME, HOME, HOME),
    "account_logout": (HOME, 200, 200, 200, 200),
    "account_inactive": ALL_200,
    "account_signup": (200, HOME, HOME, HOME, HOME),
    "account_reauthenticate": SIGNED_IN,
    "account_email": SIGNED_IN,
    "account_email_verification_sent": ALL_200,
    "account_change_password": SIGNED_IN,
    "account_set_password": (LOGIN, HOME, HOME, HOME, HOME),
    "account_reset_password": ALL_200,
    "account_confirm_login_code": (LOGIN, HOME, HOME, HOME, HOME),
    "account_confirm_email": ALL_200,  # a page with a button; GET confirms nothing
    "account_reset_password_from_key_done": ALL_200,
    "account_reset_password_from_key": ALL_200,
    "account_reset_password_done": ALL_200,
    "mfa_index": SIGNED_IN,
    "mfa_authenticate": (LOGIN, HOME, HOME, HOME, HOME),
    "mfa_reauthenticate": (LOGIN, HOME, HOME, HOME, HOME),
    "mfa_activate_totp": (LOGIN, HOME, HOME, HOME, HOME),
    "mfa_deactivate_totp": (LOGIN, 404, 404, 404, 404),
    "mfa_view_recovery_codes": (LOGIN, 404, 404, 404, 404),
    "mfa_generate_recovery_codes": (LOGIN, HOME, HOME, HOME, HOME),
    "mfa_download_recovery_codes": (LOGIN, 404, 404, 404, 404),
    # Circles.
    "circles:create": SIGNED_IN,
    "circles:invitation": (200, 200, HOME, HOME, 200),  # the token is the key
    "circles:edit": HOSTS,
    "circles:archive": HOSTS,
    "circles:join": (LOGIN, 200, HOME, HOME, 200),
    "circles:leave": (LOGIN, 404, 200, 200, HOME),
    "circles:members": MEMBERS_404,
    "circles:member_role": POST_ONLY,
    "circles:member_remove": HOSTS,
    "circles:transfer": HOSTS,
    "circles:requests": HOSTS,
    "circles:request_approve": POST_ONLY,
    "circles:request_decline": POST_ONLY,
    "circles:invitations": HOSTS,
    "circles:invitation_revoke": POST_ONLY,
    "circles:invitation_resend": POST_ONLY,
    # Meetings.
    "meetings:list": MEMBERS,
    "meetings:add": HOSTS,
    "meetings:detail": MEMBERS,
    "meetings:ics": MEMBERS,
    "meetings:rsvp": POST_ONLY,
    "meetings:move": HOSTS,
    "meetings:cancel": HOSTS,
    "meetings:topic_propose": POST_ONLY,
    "meetings:topic_vote": POST_ONLY,
    "meetings:topic_status": POST_ONLY,
    "meetings:topic_move": POST_ONLY,
    "meetings:agenda_lock": POST_ONLY,
    "meetings:agenda_unpin": POST_ONLY,
    "meetings:agenda_carry": POST_ONLY,
    "meetings:notes": POST_ONLY,
    "meetings:commitment": POST_ONLY,
    "meetings:attendance": POST_ONLY,
    "calendar:settings": SIGNED_IN,
    "calendar:rotate": SIGNED_IN_POST,
    "calendar:feed": ALL_200,  # the feed's secret token is the key
    # Conversations.
    "conversations:board": MEMBERS_404,
    "conversations:post_create": MEMBERS_404,
    "conversations:introduction_create": MEMBERS_404,
    # An introduction is for the three people in it: not staff, not other members.
    "conversations:introduction": (404, 404, 200, 200, 404),
    "conversations:introduction_answer": POST_ONLY_404,
    "conversations:host_members": HOSTS_404,
    "conversations:member": MEMBERS_404,
    "conversations:post": MEMBERS_404,
    "conversations:post_edit": AUTHOR,
    "conversations:post_delete": AUTHOR,
    "conversations:post_resolve": AUTHOR,
    "conversations:post_reopen": POST_ONLY_404,
    "conversations:reply_poll": MEMBERS_404,
    "conversations:reply_create": POST_ONLY_404,
    "conversations:reply": (404, 404, HOME, HOME, HOME),  # to the reply's place in its thread
    "conversations:reply_edit": (404, 404, 403, 403, 403),  # member2 wrote the reply
    "conversations:reply_delete": POST_ONLY_404,
    # Moderation: the queue is for hosts and staff; to members it does not exist.
    "moderation:queue": (LOGIN, 404, 404, 200, 200),
    "moderation:flag": MEMBERS,
    "moderation:hide": POST_ONLY,
    "moderation:restore": POST_ONLY,
    "moderation:resolve": POST_ONLY,
    # Members and notifications.
    "members:me": (LOGIN, HOME, HOME, HOME, HOME),
    "members:profile_edit": SIGNED_IN,
    "members:profile_skip": SIGNED_IN_POST,
    "members:account": SIGNED_IN,
    "members:account_delete": SIGNED_IN,
    "members:export": SIGNED_IN,
    "members:profile": SIGNED_IN,  # a minimal card unless you share a circle
    "notifications:settings": SIGNED_IN,
    "notifications:rsvp": ALL_200,  # a confirm page; the signature is the key
    "notifications:unsubscribe": ALL_200,  # a confirm page; one-click is the POST
    "notifications:list": SIGNED_IN,  # one's own notifications only
    "notifications:count": SIGNED_IN,  # the bell's fragment (htmx signed out: 286, stop polling)
    "notifications:read_all": SIGNED_IN_POST,
    "notifications:open": SIGNED_IN_POST,  # POST marks read; someone else's is 404
    # Uploaded files, served by Django only with DEBUG on (the web server otherwise).
    "^media/(?P<path>.*)$": (404, 404, 404, 404, 404),
}

# The admin: staff only. Everyone else is sent to the admin's sign-in (never a
# 200); staff get the page, a redirect (object URLs to their change page,
# view-on-site to the circle), a 403 where the admin allows no one (adding or
# deleting audit-log rows, autocomplete without its parameters) or a 404 for a
# page that does not exist.
ADMIN_NON_STAFF = {ADMIN_LOGIN}
ADMIN_STAFF = {200, 302, 403, 404}
ADMIN_SPECIAL: dict[str, tuple] = {
    # allauth's sign-in guards the admin's: signed-in people who are not staff get a 403.
    "admin:login": ({LOGIN}, {LOGIN, 403}, {LOGIN, 403}, {LOGIN, 403}, {HOME}),
    # Signing out is a POST; a GET signed out goes to the admin's front page.
    "admin:logout": ({HOME}, {HOME}, {HOME}, {HOME}, {HOME, 405}),
}

# Circle pages anyone may open for a listed circle; everything else under a
# circle's slug is members-only or hosts-only.
PUBLIC_CIRCLE_PAGES = {"circles:detail", "circles:join"}


def routes():
    return all_patterns()


def classify(response) -> int | str:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"].removeprefix("http://testserver")
    assert not location.startswith(("http://", "https://", "//")), location
    if location.startswith("/admin/login/"):
        return ADMIN_LOGIN
    if location.split("?")[0] == reverse("account_login"):
        return LOGIN
    return HOME


def get_as(world, role: str, url: str, **headers):
    client = world.client_for(role, raise_request_exception=False)
    return client.get(url, **headers)


def test_every_url_pattern_has_an_expectation():
    missing = [
        route.key
        for route in routes()
        if not route.is_admin and route.key not in EXPECTED and route.key != "bench_ceiling"
    ]
    assert not missing, f"add these URL patterns to EXPECTED in {__name__}: {missing}"
    stale = set(EXPECTED) - {route.key for route in routes()} - {"^media/(?P<path>.*)$"}
    assert not stale, f"EXPECTED names patterns that no longer exist: {stale}"


def test_every_url_answers_each_person_as_expected_and_get_changes_nothing(world):
    """The table, for every pattern; and no GET (plain or htmx) adds, changes or removes a row."""
    problems = []
    for route in routes():
        if route.is_admin or route.key not in EXPECTED:
            continue
        url = url_for(route, values_for(route, world))
        before = snapshot()
        for role, expected in zip(ROLES, EXPECTED[route.key], strict=True):
            got = classify(get_as(world, role, url))
            if got != expected:
                problems.append(f"{route.key} {url} as {role}: expected {expected}, got {got}")
            get_as(world, role, url, HTTP_HX_REQUEST="true")
        changed = [label for label, rows in snapshot().items() if before[label] != rows]
        if changed:
            problems.append(f"GET {route.key} ({url}) changed {changed}")
    assert not problems, "\n".join(problems)


def test_the_admin_is_for_staff_only_and_get_changes_nothing(world):
    problems = []
    for route in routes():
        if not route.is_admin:
            continue
        url = url_for(route, values_for(route, world))
        before = snapshot()
        for role in ROLES:
            got = classify(get_as(world, role, url))
            if route.key in ADMIN_SPECIAL:
                allowed = ADMIN_SPECIAL[route.key][ROLES.index(role)]
            elif role == "staff":
                allowed = ADMIN_STAFF | {HOME}
            else:
                allowed = ADMIN_NON_STAFF
            if got not in allowed:
                problems.append(f"{route.key} {url} as {role}: expected {allowed}, got {got}")
        changed = [label for label, rows in snapshot().items() if before[label] != rows]
        if changed:
            problems.append(f"GET {route.key} ({url}) changed {changed}")
    assert not problems, "\n".join(problems)


def test_private_circle_content_is_404_to_outsiders_never_200_or_403(world):
    """Outsiders learn nothing: the real URL answers exactly as a made-up one does."""
    problems = []
    for route in routes():
        if "slug" not in route.params or route.key in PUBLIC_CIRCLE_PAGES:
            continue
        real = url_for(route, values_for(route, world))
        made_up = url_for(route, values_for(route, world, missing=True))
        for role in ("anon", "outsider"):
            got = classify(get_as(world, role, real))
            if got in (200, 403, HOME):
                problems.append(f"{route.key} as {role}: {got} reveals the content")
            if got != classify(get_as(world, role, made_up)):
                problems.append(f"{route.key} as {role}: {got} differs from a made-up URL")
    assert not problems, "\n".join(problems)


def test_an_unlisted_circle_does_not_exist_for_outsiders(world):
    """Every URL of an unlisted circle, its header included, answers like no circle at all."""
    problems = []
    for route in routes():
        if "slug" not in route.params:
            continue
        values = values_for(route, world)
        values["slug"] = world.unlisted.slug
        made_up = values_for(route, world, missing=True)
        for role in ("anon", "outsider", "member"):
            got = classify(get_as(world, role, url_for(route, values)))
            if got in (200, 403, HOME):
                problems.append(f"{route.key} as {role}: {got} for an unlisted circle")
            if got != classify(get_as(world, role, url_for(route, made_up))):
                problems.append(f"{route.key} as {role}: {got} differs from a made-up URL")
    assert not problems, "\n".join(problems)


def test_htmx_fragments_are_404_to_outsiders_too(world):
    problems = []
    for route in routes():
        if "slug" not in route.params or route.key in PUBLIC_CIRCLE_PAGES:
            continue
        url = url_for(route, values_for(route, world))
        got = classify(get_as(world, "outsider", url, HTTP_HX_REQUEST="true"))
        if got not in (404, 405):
            problems.append(f"{route.key} (htmx) as outsider: {got}")
    assert not problems, "\n".join(problems)


# --- No state change on GET ----------------------------------------------------

# Rows a GET may write: the session of the person signing in, and their last_login.
IGNORED_MODELS = {Session}
IGNORED_FIELDS = {"last_login"}


def snapshot() -> dict[str, list[tuple]]:
    state = {}
    for model in apps.get_models():
        if model in IGNORED_MODELS or model._meta.proxy or not model._meta.managed:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in IGNORED_FIELDS]
        state[model._meta.label] = sorted(
            model._base_manager.order_by("pk").values_list(*fields), key=repr
        )
    return state
