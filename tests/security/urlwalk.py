"""Every URL pattern of the project, read from the resolver, filled with real objects.

A new URL is walked the day it is added: `all_patterns()` reads the
resolver, and the tests fail for any pattern their tables do not name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

ADMIN_PREFIX = settings.ADMIN_URL


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full route, its name (or the route when unnamed)."""

    route: str
    name: str | None
    params: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.name or self.route

    @property
    def is_admin(self) -> bool:
        return self.route.startswith(ADMIN_PREFIX)


def _params(route: str) -> tuple[str, ...]:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)
    return tuple(names)


def all_patterns() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = pattern.name
                if name and namespace:
                    name = f"{namespace}:{name}"
                route = prefix + str(pattern.pattern)
                routes.append(Route(route=route, name=name, params=_params(route)))

    walk(get_resolver().url_patterns, "", None)
    return routes


def _admin_model(route: Route):
    match = re.match(re.escape(ADMIN_PREFIX) + r"(\w+)/(\w+)/", route.route)
    if not match:
        return None
    try:
        return apps.get_model(match.group(1), match.group(2))
    except LookupError:
        return None


def values_for(route: Route, world, *, missing: bool = False) -> dict[str, str]:
    """Real values for the route's parameters; with missing=True, ones that match nothing."""
    from tests.security.conftest import content_type_id_for

    name = route.name or ""
    circle = world.circle
    pk_by_name = {
        "circles:member_role": world.member_membership.pk,
        "circles:member_remove": world.member2_membership.pk,
        "circles:transfer": world.member2_membership.pk,
        "circles:request_approve": world.request_membership.pk,
        "circles:request_decline": world.request_membership.pk,
        "circles:invitation_revoke": world.invitation.pk,
        "circles:invitation_resend": world.invitation.pk,
    }
    values: dict[str, str] = {}
    for param in route.params:
        if param == "slug":
            value = circle.slug
        elif param == "pk":
            value = pk_by_name.get(name, world.meeting.pk)
        elif param == "topic_pk":
            value = world.topic.pk
        elif param == "post_id":
            value = world.post.pk
        elif param == "reply_id":
            value = world.reply.pk
        elif param == "intro_id":
            value = world.introduction.pk
        elif param == "user_id":
            value = world.member2.pk
        elif param == "kind":
            value = "post"
        elif param == "item_id":
            value = world.post.pk
        elif param == "token":
            value = {
                "circles:invitation": world.invitation.token,
                "calendar:feed": world.feed.token,
                "notifications:rsvp": world.rsvp_token,
                "notifications:unsubscribe": world.unsubscribe_token,
            }[name]
        elif param == "key" and name == "account_confirm_email":
            value = world.confirm_key
        elif param == "key":
            value = world.reset_key
        elif param == "uidb36":
            value = world.reset_uidb36
        elif param == "object_id" or param == "id":
            model = _admin_model(route)
            obj = model.objects.order_by("pk").first() if model else None
            value = obj.pk if obj else 1
        elif param == "content_type_id":
            value = content_type_id_for(world.circle)
        elif param == "app_label":
            value = "circles"
        elif param == "url":
            value = "no-such-page/"
        elif param == "path":
            value = "nothing.png"
        else:
            raise AssertionError(f"no value for <{param}> in {route.route}: add one to values_for")
        values[param] = str(value)
    if missing:
        for param in values:
            if param == "slug":
                values[param] = "no-such-circle"
            elif param in {"token", "key"}:
                values[param] = "no-such-token"
            elif values[param].isdigit():
                values[param] = "987654"
    return values


def url_for(route: Route, values: dict[str, str]) -> str:
    """Substitute values into the route (path converters and the regex groups allauth uses)."""
    path = route.route

    def sub_group(match: re.Match) -> str:
        return quote(values[match.group(1)], safe=":")

    # Regex groups first (allauth's and the admin's patterns), then converters.
    path = re.sub(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)", sub_group, path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", sub_group, path)
    path = path.replace("^", "").replace("$", "")
    return "/" + path
