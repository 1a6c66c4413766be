from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirclesConfig(AppConfig):
    name = "circles"
    verbose_name = _("Circles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from circles import directory_cache
        from circles.receivers import accept_invitation_on_login, sole_host_keeps_account
        from members.signals import account_delete_blockers

        user_logged_in.connect(accept_invitation_on_login, dispatch_uid="circles_invitation_login")
        account_delete_blockers.connect(
            sole_host_keeps_account, weak=False, dispatch_uid="circles-sole-host-keeps-account"
        )
        directory_cache.connect()
