from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        """The bell hears the other apps' signals (notifications/receivers.py).

        A notification saved one by one (the admin, a factory) also drops the cached bell
        count; services.notify_all and notifications_mark_read drop it for the bulk writes
        that send no signals. No post_delete receiver: with one, Django could no longer
        delete a person's or a circle's notifications in one statement, and a deleted one
        changes the count for five minutes at most."""
        from django.db.models.signals import post_save

        from notifications import receivers
        from notifications.models import Notification
        from notifications.services import _forget_unread_counts

        receivers.connect()

        def changed(sender: type, instance: Notification, **kwargs: object) -> None:
            _forget_unread_counts([instance.recipient_id])

        post_save.connect(changed, sender=Notification, weak=False, dispatch_uid="bell-unread-save")
