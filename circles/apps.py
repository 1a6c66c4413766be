from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirclesConfig(AppConfig):
    name = "circles"
    verbose_name = _("Circles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from circles import directory_cache, member_pages
        from circles.receivers import accept_invitation_on_login

        user_logged_in.connect(accept_invitation_on_login, dispatch_uid="circles_invitation_login")
        directory_cache.connect()
        member_pages.connect()
