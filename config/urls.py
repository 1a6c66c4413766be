"""The site's addresses. Every app is included by name, not imported: config is the
floor every app stands on, and imports none of them (docs/ARCHITECTURE.md)."""

from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

# Staff sign in through allauth, so the admin login shares its rate limits.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = _("PeerTables staff")
admin.site.site_title = _("PeerTables staff")

urlpatterns = [
    path("", include("home.urls")),
    path("accounts/", include("allauth.urls")),
    path("circles/", include("circles.urls")),
    path("circles/<slug:slug>/meetings/", include("meetings.urls")),
    path("circles/<slug:slug>/posts/", include("conversations.urls")),
    path("calendar/", include("meetings.calendar_urls")),
    path("members/", include("home.member_urls")),
    path("circles/<slug:slug>/moderation/", include("moderation.urls")),
    path("", include("notifications.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.DEBUG:
    # Uploaded avatars in development; production serves MEDIA_ROOT from the web server.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCH_CEILING:
    from config.bench import ceiling

    urlpatterns.append(path("bench/ceiling", ceiling, name="bench_ceiling"))
