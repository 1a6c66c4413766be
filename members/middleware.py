"""Request middleware of the members app: staff two-factor, each person's own zone and language."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.language import supported


class StaffMFARequiredMiddleware:
    """Send staff without an authenticator app (TOTP) to set one up before the admin.

    allauth's own sign-in then asks for the code at every staff sign-in; the
    admin's login is allauth's (config/urls.py), so its rate limits apply.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            getattr(settings, "MFA_REQUIRED_FOR_STAFF", False)
            and request.path.startswith(self.admin_prefix)
            and request.user.is_authenticated
            and request.user.is_staff
            and not Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            messages.warning(
                request,
                _("Staff need two-factor sign-in. Set up an authenticator app to reach the admin."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Show every time in the signed-in person's own zone (members.User.time_zone).

    Templates that name another zone (a circle's) convert explicitly; this
    makes the default, e.g. in the staff admin, the reader's own clock.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone_name = getattr(request.user, "time_zone", "") if request.user.is_authenticated else ""
        if zone_name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone_name))
            except (KeyError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class UserLanguageMiddleware:
    """Read every page in the signed-in person's own language (members.User.language).

    Django's LocaleMiddleware (before this one) has already chosen the
    switcher's cookie or the browser's Accept-Language; a member who picked a
    language gets theirs instead, on every device. Blank keeps the browser's.
    The response's Content-Language is set from it on the way out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        language = supported(getattr(user, "language", "")) if user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
