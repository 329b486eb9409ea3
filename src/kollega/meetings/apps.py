from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Steps 4-5: meeting schedules, invitations, reminders and materials."""

    name = "kollega.meetings"
    label = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from kollega.meetings.messages import register

        register()
