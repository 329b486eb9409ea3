from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """One path for every email: the outbox and its sender."""

    name = "kollega.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
