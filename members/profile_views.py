"""Your own profile and account: editing, the first-sign-in prompt, account deletion.

Everything here is for signed-in people, about themselves. A person's profile
page and the data export read every app, so they live above them
(home/profile_views.py), under the same ``members:`` names.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.forms import AccountDeleteForm, ProfileForm
from members.language import supported
from members.models import Profile
from members.services import AccountError, account_delete, account_delete_blockers


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """A path on this site from ``next``, else ``fallback`` (never a name to reverse)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """Your own profile."""
    return redirect("members:profile", user_id=request.user.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Edit your own profile. ``?welcome=1`` is the first-sign-in version, with a skip button."""
    instance = Profile.objects.filter(user=request.user).first() or Profile(user=request.user)
    welcome = request.GET.get("welcome") == "1" or request.POST.get("welcome") == "1"
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=instance, user=request.user)
        if form.is_valid():
            form.save_profile()
            messages.success(request, _("Your profile is saved."))
            return HttpResponseRedirect(_safe_next(request, reverse("members:me")))
        messages.error(request, _("Please fix the marked fields; nothing was saved yet."))
    else:
        form = ProfileForm(instance=instance, user=request.user)
    return render(
        request,
        "members/profile_edit.html",
        {
            "form": form,
            "welcome": welcome,
            "next": _safe_next(request, ""),
            "profile": instance if instance.pk else None,
        },
    )


@login_required
@require_POST
def profile_skip(request: HttpRequest) -> HttpResponse:
    """Skip the first-sign-in profile prompt; it is not shown again."""
    Profile.objects.get_or_create(user=request.user)
    Profile.objects.filter(user=request.user, prompted_at__isnull=True).update(
        prompted_at=timezone.now()
    )
    messages.info(request, _("You can fill in your profile any time from your name in the header."))
    return HttpResponseRedirect(_safe_next(request, reverse("circles:directory")))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    """Delete your own account, after typing your address. Nobody else can do this here."""
    blocking = account_delete_blockers(request.user)
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        language = supported(request.user.language)
        try:
            account_delete(user=request.user)
        except AccountError as error:
            messages.error(request, str(error))
        else:
            logout(request)
            messages.success(
                request,
                _(
                    "Your account and profile are deleted. Posts you wrote now show as by "
                    "a former member."
                ),
            )
            response = redirect("home")
            if language:
                # Signed out, the page after this one follows the browser; the goodbye
                # above is in the member's own language, so the page it shows on is too.
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    path=settings.LANGUAGE_COOKIE_PATH,
                    domain=settings.LANGUAGE_COOKIE_DOMAIN,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                )
            return response
    return render(request, "members/account_delete.html", {"form": form, "blocking": blocking})


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """Your account: profile, export, deletion, two-factor, email addresses."""
    return render(request, "members/account.html", {})
